using CitizenHub.Contracts;
using CitizenHub.Matching;

namespace CitizenHub.Store;

/// <summary>
/// The normalised forms of the records a store has read lately, so that a record read again as a candidate is not
/// unpacked and normalised again: in a first load the citizens with common names are candidates for thousands of
/// records. An entry keeps the bytes it was made from and answers only the same bytes, so a record that has changed (or
/// was observed again) is never answered from here.
/// </summary>
/// <remarks>
/// Two generations: lookups and additions go to the young one, a hit in the old one moves back to the young, and when
/// the young one is full the old one is dropped whole. Bounded memory, no per-entry bookkeeping, and what is read often
/// stays; forms are immutable, so one instance can be shared by every session of the store.
/// </remarks>
internal sealed class NormalisedRecordCache(int generationSize = NormalisedRecordCache.DefaultGenerationSize)
{
    public const int DefaultGenerationSize = 50_000;

    private readonly Lock _lock = new();
    private Dictionary<SourceRecordRef, (byte[] Stored, NormalisedRecord Normalised)> _young = new(generationSize);
    private Dictionary<SourceRecordRef, (byte[] Stored, NormalisedRecord Normalised)> _old = new(generationSize);

    /// <summary>The record's normalised form, from here if these bytes of it were read lately, else made from them.</summary>
    public NormalisedRecord Get(SourceRecordRef record, byte[] stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        lock (_lock)
        {
            if (TryTake(record, out var held) && held.Stored.AsSpan().SequenceEqual(stored))
            {
                return held.Normalised;
            }
        }

        var normalised = StoredRecord.Normalised(stored);
        lock (_lock)
        {
            Add(record, (stored, normalised));
        }

        return normalised;
    }

    /// <summary>The entry held for the record, moved into the young generation if it was in the old one.</summary>
    private bool TryTake(SourceRecordRef record, out (byte[] Stored, NormalisedRecord Normalised) held)
    {
        if (_young.TryGetValue(record, out held))
        {
            return true;
        }

        if (!_old.Remove(record, out held))
        {
            return false;
        }

        Add(record, held);
        return true;
    }

    private void Add(SourceRecordRef record, (byte[] Stored, NormalisedRecord Normalised) entry)
    {
        if (_young.Count >= generationSize && !_young.ContainsKey(record))
        {
            (_old, _young) = (_young, _old);
            _young.Clear();
        }

        _young[record] = entry;
    }
}
