using System.Buffers.Binary;
using System.Runtime.InteropServices;
using CitizenHub.Contracts;
using CitizenHub.Matching.Identity;
using CitizenHub.Matching.Linking;

namespace CitizenHub.Store;

/// <summary>
/// The blocking keys of every record a store holds, kept in memory: for each key (by its 64-bit hash) the records that
/// hold it. Finding a record's candidates is a few dictionary reads, and saving a record writes no row per key.
/// </summary>
/// <remarks>
/// <para>
/// Held in a table, the keys were about ten rows a record, each with two index entries: a third of what saving a
/// record cost, and the candidate search that read them back was as much again (docs/operations.md). In memory they
/// cost about 700 bytes a record (measured for a million records: the tables 608 bytes a record, the hashes 96).
/// </para>
/// <para>
/// Not thread-safe: the store uses it only from its one resolution session at a time. Changes made in a session are
/// journalled until <see cref="Commit"/>, so that a session that rolls back takes its changes out again
/// (<see cref="Rollback"/>). Two keys whose hashes collide share a block, which only adds candidates; scoring decides.
/// </para>
/// </remarks>
internal sealed class HeldKeyIndex : IHeldKeys
{
    private readonly Dictionary<ulong, Block> _blocks = [];
    private readonly Dictionary<SourceRecordRef, int> _ordinals = [];
    private readonly List<Entry> _records = [];
    private readonly Stack<int> _freeOrdinals = new();
    private readonly List<(SourceRecordRef Record, ulong[]? Before)> _journal = [];

    /// <summary>Which state of the store the index reflects, in the store's own numbering; -1 when it reflects none (not loaded).</summary>
    public long Generation { get; set; } = -1;

    /// <summary>The distinct hashes of a record's keys.</summary>
    public static ulong[] HashesOf(IReadOnlyList<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var hashes = new HashSet<ulong>(keys.Count);
        foreach (var key in keys)
        {
            hashes.Add(BlockingKeys.Hash(key));
        }

        return [.. hashes];
    }

    /// <summary>The hashes as the store keeps them: eight bytes each, little-endian.</summary>
    public static byte[] ToBytes(ulong[] hashes)
    {
        ArgumentNullException.ThrowIfNull(hashes);
        var bytes = new byte[hashes.Length * sizeof(ulong)];
        for (var i = 0; i < hashes.Length; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(i * sizeof(ulong)), hashes[i]);
        }

        return bytes;
    }

    /// <summary>The hashes from the bytes <see cref="ToBytes"/> made.</summary>
    public static ulong[] FromBytes(ReadOnlySpan<byte> bytes)
    {
        var hashes = new ulong[bytes.Length / sizeof(ulong)];
        for (var i = 0; i < hashes.Length; i++)
        {
            hashes[i] = BinaryPrimitives.ReadUInt64LittleEndian(bytes[(i * sizeof(ulong))..]);
        }

        return hashes;
    }

    /// <summary>
    /// A held record's hashes as the store kept them (<see cref="ToBytes"/>), or, for a record saved before the store
    /// kept them (null), made again from the record as it was received.
    /// </summary>
    public static ulong[] StoredHashes(byte[]? kept, Func<byte[]> storedRecord)
    {
        ArgumentNullException.ThrowIfNull(storedRecord);
        return kept is null
            ? HashesOf(BlockingKeys.For(StoredRecord.Normalised(storedRecord())))
            : FromBytes(kept);
    }

    /// <summary>Holds a record under these keys' hashes (<see cref="HashesOf"/>), replacing those it was held under before.</summary>
    public void Set(SourceRecordRef record, ulong[] hashes)
    {
        ArgumentNullException.ThrowIfNull(hashes);
        var before = Replace(record, hashes);
        _journal.Add((record, before));
    }

    /// <summary>
    /// Holds a record read from the store (null: stops holding it) while loading or catching up: not journalled, as it
    /// is committed already.
    /// </summary>
    public void Load(SourceRecordRef record, ulong[]? hashes) => Replace(record, hashes);

    /// <summary>Stops holding a record; nothing happens if it was not held.</summary>
    public void Remove(SourceRecordRef record)
    {
        var before = Replace(record, null);
        _journal.Add((record, before));
    }

    /// <summary>Keeps the changes made since the last commit or rollback.</summary>
    public void Commit() => _journal.Clear();

    /// <summary>Takes out the changes made since the last commit or rollback, newest first.</summary>
    public void Rollback()
    {
        for (var i = _journal.Count - 1; i >= 0; i--)
        {
            Replace(_journal[i].Record, _journal[i].Before);
        }

        _journal.Clear();
    }

    /// <summary>Forgets every record (before loading the store's records afresh).</summary>
    public void Clear()
    {
        _blocks.Clear();
        _ordinals.Clear();
        _records.Clear();
        _freeOrdinals.Clear();
        _journal.Clear();
        Generation = -1;
    }

    /// <summary>
    /// The records other than <paramref name="except"/> holding any of the keys, leaving out each key held by more
    /// of them than its block may hold (<see cref="BlockingKeys.MaximumBlockSize(string, int)"/>).
    /// </summary>
    public IReadOnlyCollection<SourceRecordRef> Find(IReadOnlyCollection<string> keys, SourceRecordRef except, int maximumBlockSize)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var exceptOrdinal = _ordinals.GetValueOrDefault(except, -1);
        var found = new HashSet<int>();
        foreach (var key in keys)
        {
            if (!_blocks.TryGetValue(BlockingKeys.Hash(key), out var block))
            {
                continue;
            }

            var others = block.Count - (exceptOrdinal >= 0 && block.Contains(exceptOrdinal) ? 1 : 0);
            if (others > BlockingKeys.MaximumBlockSize(key, maximumBlockSize))
            {
                continue;
            }

            for (var i = 0; i < block.Count; i++)
            {
                if (block[i] != exceptOrdinal)
                {
                    found.Add(block[i]);
                }
            }
        }

        return [.. found.Select(o => _records[o].Record)];
    }

    public IReadOnlyCollection<SourceRecordRef> HoldersOf(ulong hash) =>
        _blocks.TryGetValue(hash, out var block) ? new Holders(this, block) : [];

    // Sets a record's hashes (null: not held) and returns those it had.
    private ulong[]? Replace(SourceRecordRef record, ulong[]? hashes)
    {
        ulong[]? before = null;
        if (_ordinals.TryGetValue(record, out var ordinal))
        {
            before = _records[ordinal].Hashes;
            foreach (var hash in before)
            {
                ref var block = ref CollectionsMarshal.GetValueRefOrNullRef(_blocks, hash);
                if (block.Remove(ordinal))
                {
                    _blocks.Remove(hash);
                }
            }

            if (hashes is null)
            {
                _ordinals.Remove(record);
                _records[ordinal] = default;
                _freeOrdinals.Push(ordinal);
                return before;
            }
        }
        else if (hashes is null)
        {
            return null;
        }
        else
        {
            ordinal = _freeOrdinals.TryPop(out var free) ? free : _records.Count;
            if (ordinal == _records.Count)
            {
                _records.Add(default);
            }

            _ordinals.Add(record, ordinal);
        }

        _records[ordinal] = new Entry(record, hashes);
        foreach (var hash in hashes)
        {
            CollectionsMarshal.GetValueRefOrAddDefault(_blocks, hash, out _).Add(ordinal);
        }

        return before;
    }

    // A block's records, read as they are asked for: most blocks are looked at only for their size.
    private sealed class Holders(HeldKeyIndex index, Block block) : IReadOnlyCollection<SourceRecordRef>
    {
        public int Count => block.Count;

        public IEnumerator<SourceRecordRef> GetEnumerator()
        {
            for (var i = 0; i < block.Count; i++)
            {
                yield return index._records[block[i]].Record;
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    private readonly record struct Entry(SourceRecordRef Record, ulong[] Hashes);

    // Most keys are held by one record: that one is kept in the block itself, with no array.
    private struct Block
    {
        private int _single;
        private int[]? _many;

        public int Count { get; private set; }

        public readonly int this[int index] => Count == 1 ? _single : _many![index];

        public readonly bool Contains(int ordinal) => Count == 1 ? _single == ordinal : Array.IndexOf(_many!, ordinal, 0, Count) >= 0;

        public void Add(int ordinal)
        {
            if (Count == 0)
            {
                _single = ordinal;
            }
            else
            {
                if (Count == 1)
                {
                    _many = new int[4];
                    _many[0] = _single;
                }
                else if (Count == _many!.Length)
                {
                    Array.Resize(ref _many, Count * 2);
                }

                _many[Count] = ordinal;
            }

            Count++;
        }

        // True when the block is left empty.
        public bool Remove(int ordinal)
        {
            if (Count == 1)
            {
                Count = 0;
                return true;
            }

            var at = Array.IndexOf(_many!, ordinal, 0, Count);
            _many![at] = _many[Count - 1];
            Count--;
            if (Count == 1)
            {
                _single = _many[0];
                _many = null;
            }

            return false;
        }
    }
}
