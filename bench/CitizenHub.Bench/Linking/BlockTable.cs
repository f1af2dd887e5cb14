using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CitizenHub.Bench.Linking;

/// <summary>
/// The records held under each blocking key: an open-addressed table of blocks found by a 64-bit hash of the key,
/// each block's first three records in its slot and any more as a chain through one flat array.
/// </summary>
/// <remarks>
/// <para>
/// Against a million golden records nearly all the time of finding candidates is waiting on memory, and a
/// dictionary of strings costs four reads that miss the cache a lookup (its bucket, its entry, the key's string to
/// compare, the block), then one a record along a chain. Here a lookup is one read: a slot is half a cache line and
/// holds the hash, the size and three records, which is the whole of nearly every block. And because a slot's place
/// follows from the hash alone, it can be fetched ahead (<see cref="Prefetch"/>) while the record before is being
/// decided.
/// </para>
/// <para>
/// Two keys with the same 64-bit hash share a block. That only adds candidates (scoring still decides), and among
/// the few million keys a million records hold it is about one chance in five million.
/// </para>
/// <para>
/// A million small lists that keep growing cost more in garbage collection than scoring does (measured at 300,000
/// golden records: 1.8 s of collection pauses per 200,000 records linked, against 0.35 s with no list to grow).
/// The arrays here hold no references, so the collector never looks inside them.
/// </para>
/// </remarks>
internal sealed class BlockTable
{
    private const int RecordsInSlot = 3;

    // Half full at most: a lookup then reads one slot, rarely two.
    private Slot[] _slots = new Slot[1024];
    private Entry[] _entries = new Entry[1024];
    private int _entryCount;
    private int _blockCount;
    private readonly Dictionary<string, KindStatistics> _kinds = new(StringComparer.Ordinal);

    /// <summary>Adds a record under a key, by the key's hash; <paramref name="kind"/> (the key's prefix) is for <see cref="Statistics"/>.</summary>
    public void Add(string kind, ulong hash, int record)
    {
        ref var slot = ref Find(_slots, hash);
        if (slot.Hash == 0)
        {
            if ((_blockCount + 1) * 2 > _slots.Length)
            {
                Grow();
                slot = ref Find(_slots, hash);
            }

            slot.Hash = hash;
            _blockCount++;
        }

        if (slot.Size < RecordsInSlot)
        {
            slot.Records[slot.Size] = record;
        }
        else
        {
            if (_entryCount == _entries.Length)
            {
                Array.Resize(ref _entries, _entries.Length * 2);
            }

            // The slot's records come first; the chain holds the rest, newest first.
            _entries[_entryCount] = new Entry(record, slot.Size == RecordsInSlot ? -1 : slot.Chain);
            slot.Chain = _entryCount++;
        }

        slot.Size++;
        Count(kind, slot.Size);
    }

    /// <summary>The records under a key's hash, when it has any.</summary>
    public bool TryGet(ulong hash, out Records records)
    {
        var slot = Find(_slots, hash);
        records = new Records(_entries, slot);
        return slot.Hash != 0;
    }

    /// <summary>
    /// Asks the processor to bring a key's slot into cache, and returns at once: called for the next record's keys
    /// while this one is decided, so the wait for memory overlaps the work. Only a hint: nothing is read, and a hint
    /// for a slot that has moved since (the table grew) costs nothing more than a wasted fetch.
    /// </summary>
    public void Prefetch(ulong hash) => MemoryHint.Prefetch(in _slots[(int)(hash & (ulong)(_slots.Length - 1))]);

    /// <summary>Per kind of key (its prefix): how many keys, the mean records a key holds, and the largest block.</summary>
    public IEnumerable<(string Kind, int Keys, double MeanRecords, int LargestBlock)> Statistics() =>
        _kinds.Select(k => (k.Key, k.Value.Keys, (double)k.Value.Records / k.Value.Keys, k.Value.Largest));

    private void Count(string kind, int size)
    {
        ref var statistics = ref CollectionsMarshal.GetValueRefOrAddDefault(_kinds, kind, out _);
        statistics.Keys += size == 1 ? 1 : 0;
        statistics.Records++;
        statistics.Largest = Math.Max(statistics.Largest, size);
    }

    // Linear probing: the slot holding the hash, or the empty one where it would go.
    private static ref Slot Find(Slot[] slots, ulong hash)
    {
        var mask = slots.Length - 1;
        var i = (int)(hash & (ulong)mask);
        while (slots[i].Hash != hash && slots[i].Hash != 0)
        {
            i = (i + 1) & mask;
        }

        return ref slots[i];
    }

    private void Grow()
    {
        var grown = new Slot[_slots.Length * 2];
        foreach (ref readonly var slot in _slots.AsSpan())
        {
            if (slot.Hash != 0)
            {
                Find(grown, slot.Hash) = slot;
            }
        }

        _slots = grown;
    }

    /// <summary>One block's records: its size, and a walk through the slot's records and then the chain.</summary>
    public readonly struct Records
    {
        private readonly Entry[] _entries;
        private readonly Slot _slot;

        internal Records(Entry[] entries, Slot slot)
        {
            _entries = entries;
            _slot = slot;
        }

        public int Count => _slot.Size;

        /// <summary>The records held in the slot itself (the first three), read with no further trip to memory.</summary>
        public int InSlot => Math.Min(_slot.Size, RecordsInSlot);

        /// <summary>One of the records held in the slot (<paramref name="i"/> below <see cref="InSlot"/>).</summary>
        public int SlotRecord(int i) => _slot.Records[i];

        public Enumerator GetEnumerator() => new(_entries, _slot);
    }

    public struct Enumerator
    {
        private readonly Entry[] _entries;
        private readonly Slot _slot;
        private int _inSlot;
        private int _next;

        internal Enumerator(Entry[] entries, Slot slot)
        {
            _entries = entries;
            _slot = slot;
            _next = slot.Size > RecordsInSlot ? slot.Chain : -1;
        }

        public int Current { get; private set; }

        public bool MoveNext()
        {
            if (_inSlot < Math.Min(_slot.Size, RecordsInSlot))
            {
                Current = _slot.Records[_inSlot++];
                return true;
            }

            if (_next < 0)
            {
                return false;
            }

            Current = _entries[_next].Record;
            _next = _entries[_next].Next;
            return true;
        }
    }

    /// <summary>A record in a block's chain and the entry after it (-1 at the end).</summary>
    public record struct Entry(int Record, int Next);

    // Thirty-two bytes: two to a cache line, none across two.
    [StructLayout(LayoutKind.Sequential)]
    internal struct Slot
    {
        public ulong Hash;
        public int Size;
        public int Chain;
        public SlotRecords Records;
        private readonly int _padding;
    }

    [InlineArray(RecordsInSlot)]
    internal struct SlotRecords
    {
        private int _record;
    }

    private record struct KindStatistics(int Keys, long Records, int Largest);
}
