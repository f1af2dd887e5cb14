using CitizenHub.Matching;

namespace CitizenHub.Store;

/// <summary>
/// The normalised records of each citizen a resolution session has read, kept for the rest of the session: the
/// resolver asks for the same citizens' records several times per incoming record. A saved record is put in place
/// (<see cref="Saved"/>); every other write that changes which records a citizen has forgets that citizen (and
/// whichever citizen held a moved record).
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

    /// <summary>
    /// Keeps the records of several citizens read at once: rows grouped by citizen, in the citizens' order. A citizen
    /// already kept is left as it is (both are current: every write updates or forgets what it changes). Returns the citizens in order.
    /// </summary>
    public IReadOnlyList<string> KeepAll(IEnumerable<(string CitizenId, string Json)> rows)
    {
        var citizens = new List<string>();
        List<NormalisedRecord>? records = null;
        foreach (var (citizenId, json) in rows)
        {
            if (citizens.Count == 0 || citizens[^1] != citizenId)
            {
                KeepRead(citizens, records);
                citizens.Add(citizenId);
                records = _linked.ContainsKey(citizenId) ? null : [];
            }

            records?.Add(StoreJson.Deserialize<NormalisedRecord>(json));
        }

        KeepRead(citizens, records);
        return citizens;
    }

    private void KeepRead(List<string> citizens, List<NormalisedRecord>? records)
    {
        if (records is not null)
        {
            Keep(citizens[^1], records);
        }
    }

    /// <summary>
    /// A record saved to a citizen, as the JSON the store wrote: a citizen kept here gets it in place, in the order the
    /// stores read records (by source, then key), so the rebuild that follows needs no read (on PostgreSQL that read
    /// was a round trip for every record resolved). It is taken from the JSON so that it is what a read would give.
    /// Whichever other citizen held the record is forgotten.
    /// </summary>
    public void Saved(string citizenId, string normalisedJson)
    {
        var stored = StoreJson.Deserialize<NormalisedRecord>(normalisedJson);
        var key = (stored.SourceSystem, stored.SourceKey);
        if (_holderOfRecord.Remove(key, out var holder) && holder != citizenId)
        {
            _linked.Remove(holder);
        }

        if (_linked.TryGetValue(citizenId, out var records))
        {
            Keep(citizenId, [.. records
                .Where(r => (r.SourceSystem, r.SourceKey) != key)
                .Append(stored)
                .OrderBy(r => r.SourceSystem, StringComparer.Ordinal)
                .ThenBy(r => r.SourceKey, StringComparer.Ordinal)]);
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
