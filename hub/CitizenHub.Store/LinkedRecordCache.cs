using CitizenHub.Matching;

namespace CitizenHub.Store;

/// <summary>
/// The normalised records of each citizen a resolution session has read, kept for the rest of the session: the
/// resolver asks for the same citizens' records several times per incoming record. Every write that changes which
/// records a citizen has forgets that citizen (and whichever citizen held a moved record).
/// </summary>
internal sealed class LinkedRecordCache
{
    private readonly Dictionary<string, IReadOnlyList<NormalisedRecord>> _linked = new(StringComparer.Ordinal);

    // Which cached citizen holds each record. A session reads thousands of citizens in a batch, and finding a moved
    // record's holder by searching every cached list made each save cost as much as the whole cache.
    private readonly Dictionary<(string System, string Key), string> _holderOfRecord = [];

    public bool TryGet(string citizenId, out IReadOnlyList<NormalisedRecord> records) => _linked.TryGetValue(citizenId, out records!);

    public void Keep(string citizenId, IReadOnlyList<NormalisedRecord> records)
    {
        _linked[citizenId] = records;
        foreach (var record in records)
        {
            _holderOfRecord[(record.SourceSystem, record.SourceKey)] = citizenId;
        }
    }

    /// <summary>Forgets the linked records of a citizen, and of whichever citizen held the given record.</summary>
    public void Forget(string? citizenId, string? sourceSystem = null, string? sourceKey = null)
    {
        if (citizenId is not null)
        {
            _linked.Remove(citizenId);
        }

        if (sourceSystem is not null && sourceKey is not null && _holderOfRecord.Remove((sourceSystem, sourceKey), out var holder))
        {
            _linked.Remove(holder);
        }
    }
}
