using CitizenHub.Contracts;
using CitizenHub.Matching;

namespace CitizenHub.Store;

/// <summary>
/// The normalised records of each citizen a resolution session has read, kept for the rest of the session: the
/// resolver asks for the same citizens' records several times per incoming record. A saved record is put in place
/// (<see cref="Saved"/>); every other write that changes which records a citizen has forgets that citizen (and
/// whichever citizen held a moved record). So a citizen kept here holds exactly the records the store holds for it,
/// and a search whose found records all have a kept holder can be answered without asking (<see cref="HoldersOf"/>).
/// </summary>
internal sealed class LinkedRecordCache
{
    private readonly Dictionary<string, IReadOnlyList<NormalisedRecord>> _linked = new(StringComparer.Ordinal);

    // Where each citizen comes in the stores' candidate order (by citizens.seq). A citizen read by a search keeps the
    // seq it was read with; one created in the session comes after all of those, in the order created, as its row's
    // seq will (seqs are taken under the resolution lock, so the session's are the largest). Never forgotten: a
    // citizen's place does not change when its records do.
    private readonly Dictionary<string, long> _candidateOrder = new(StringComparer.Ordinal);
    private long _createdInSession;
    private const long CreatedInSessionOrder = long.MaxValue / 2;

    // Which cached citizen holds each record. A session reads thousands of citizens in a batch, and finding a moved
    // record's holder by searching every cached list made each save cost as much as the whole cache.
    private readonly Dictionary<(string System, string Key), string> _holderOfRecord = [];

    /// <summary>Forgets everything: a change set was applied, which this cache does not follow.</summary>
    public void Clear()
    {
        _linked.Clear();
        _candidateOrder.Clear();
        _holderOfRecord.Clear();
    }

    public bool TryGet(string citizenId, out IReadOnlyList<NormalisedRecord> records) => _linked.TryGetValue(citizenId, out records!);

    public void Keep(string citizenId, IReadOnlyList<NormalisedRecord> records)
    {
        _linked[citizenId] = records;
        foreach (var record in records)
        {
            _holderOfRecord[(record.SourceSystem, record.SourceKey)] = citizenId;
        }
    }

    /// <summary>A citizen created in this session: no records yet, and its place after every citizen read.</summary>
    public void Created(string citizenId)
    {
        Keep(citizenId, []);
        _candidateOrder[citizenId] = CreatedInSessionOrder + _createdInSession++;
    }

    /// <summary>
    /// Keeps the records of several active citizens read at once, with each citizen's seq: rows grouped by citizen, in
    /// the citizens' order. A citizen already kept is left as it is (both are current: every write updates or forgets
    /// what it changes). Returns the citizens in order.
    /// </summary>
    public IReadOnlyList<string> KeepAll(IEnumerable<(string CitizenId, long Seq, string Json)> rows)
    {
        var citizens = new List<string>();
        List<NormalisedRecord>? records = null;
        foreach (var (citizenId, seq, json) in rows)
        {
            if (citizens.Count == 0 || citizens[^1] != citizenId)
            {
                KeepRead(citizens, records);
                citizens.Add(citizenId);
                records = _linked.ContainsKey(citizenId) ? null : [];
                _candidateOrder.TryAdd(citizenId, seq);
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

    /// <summary>The records among these whose citizen is not known here (with its place in the candidate order).</summary>
    public List<SourceRecordRef> NotHeld(IEnumerable<SourceRecordRef> records) => [.. records.Where(r => HolderOf(r) is null)];

    /// <summary>
    /// The citizens known here to hold these records, each once, in the stores' candidate order: the answer of a search
    /// that found them, when <see cref="NotHeld"/> leaves none (or none but records of citizens no longer active).
    /// </summary>
    public IReadOnlyList<string> HoldersOf(IEnumerable<SourceRecordRef> records) =>
        [.. records.Select(HolderOf).OfType<string>().Distinct(StringComparer.Ordinal).OrderBy(c => _candidateOrder[c])];

    // The holder is checked against its kept records: a holder entry outlives a forgotten citizen, which may be kept
    // again later without the record (it moved meanwhile to a citizen not kept here).
    private string? HolderOf(SourceRecordRef record) =>
        _holderOfRecord.TryGetValue((record.SourceSystem, record.SourceKey), out var holder)
        && _candidateOrder.ContainsKey(holder)
        && _linked.TryGetValue(holder, out var records)
        && records.Any(r => r.SourceSystem == record.SourceSystem && r.SourceKey == record.SourceKey)
            ? holder
            : null;

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

    /// <summary>
    /// A citizen about to be marked removed (its golden record left empty): no candidate any more, so its records, if
    /// any are left, must not answer a search from here.
    /// </summary>
    public void MarkedRemoved(string citizenId) => Forget(citizenId);

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
