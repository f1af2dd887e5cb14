using System.Text.Json;
using CitizenHub.Contracts;
using CitizenHub.Matching;
using CitizenHub.Matching.Identity;

namespace CitizenHub.Store.Sqlite;

// The identity engine's reads (one statement each for the whole message) and the writes of its change sets.
internal sealed partial class SqliteResolutionSession
{
    public Task<IReadOnlyDictionary<SourceRecordRef, HeldRecord>> GetHeldAsync(IReadOnlyCollection<SourceRecordRef> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var held = new Dictionary<SourceRecordRef, HeldRecord>(records.Count);
        if (records.Count > 0)
        {
            foreach (var (record, row) in _statements.Query(
                         """
                         SELECT s.source_system, s.source_key, s.citizen_id, s.content_hash, s.observed_at FROM json_each(@records) r
                         CROSS JOIN source_records s ON s.source_system = json_extract(r.value, '$[0]') AND s.source_key = json_extract(r.value, '$[1]');
                         """,
                         r => (new SourceRecordRef(r.GetString(0), r.GetString(1)), new HeldRecord(r.GetString(2), StoredDigest.Decode(r.GetFieldValue<byte[]>(3)), StoreTime.FromTicks(r.GetInt64(4)))),
                         ("@records", RefsJson(records))))
            {
                held[record] = row;
            }
        }

        return Task.FromResult<IReadOnlyDictionary<SourceRecordRef, HeldRecord>>(held);
    }

    public Task<IReadOnlyList<CitizenState>> GetCitizensAsync(IReadOnlyCollection<string> citizenIds)
    {
        ArgumentNullException.ThrowIfNull(citizenIds);
        if (citizenIds.Count == 0)
        {
            return Task.FromResult<IReadOnlyList<CitizenState>>([]);
        }

        var ids = JsonSerializer.Serialize(citizenIds.Distinct(StringComparer.Ordinal));
        var records = new Dictionary<string, List<NormalisedRecord>>(StringComparer.Ordinal);
        foreach (var (citizenId, record) in _statements.Query(
                     """
                     SELECT s.citizen_id, s.source_system, s.source_key, s.record FROM json_each(@ids) j CROSS JOIN source_records s ON s.citizen_id = j.value
                     ORDER BY s.citizen_id, s.source_system, s.source_key;
                     """,
                     r => (r.GetString(0), normalisedForms.Get(
                         new SourceRecordRef(r.GetString(1), r.GetString(2)), r.GetFieldValue<byte[]>(3))),
                     ("@ids", ids)))
        {
            (records.TryGetValue(citizenId, out var list) ? list : records[citizenId] = []).Add(record);
        }

        // Whether each is restricted as one uncorrelated IN: SQLite reads the few restricted records' citizens once for
        // the statement, where a correlated EXISTS looked up every candidate citizen's records to find none.
        IReadOnlyList<CitizenState> citizens = _statements.Query(
            $"""
            SELECT c.citizen_id, c.seq, c.status, c.version,
                   c.citizen_id IN ({StoreReads.RestrictedCitizens}), c.golden
            FROM json_each(@ids) j CROSS JOIN citizens c ON c.citizen_id = j.value;
            """,
            r => new CitizenState(
                r.GetString(0),
                r.GetInt64(1),
                Enum.Parse<CitizenStatus>(r.GetString(2)),
                r.GetInt64(3),
                records.GetValueOrDefault(r.GetString(0)) ?? [],
                GoldenRow.DecodeWhenRead(r.IsDBNull(5) ? null : r.GetFieldValue<byte[]>(5)),
                r.GetInt64(4) == 1),
            ("@ids", ids));
        return Task.FromResult(citizens);
    }

    public Task<IReadOnlyDictionary<SourceRecordRef, StewardDeclarations>> GetDeclarationsAsync(IReadOnlyCollection<SourceRecordRef> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var declared = new Dictionary<SourceRecordRef, StewardDeclarations>();
        // Most stores have few or none: one look at the table spares a look for every record.
        if (records.Count == 0 || _statements.Scalar<long>("SELECT EXISTS (SELECT 1 FROM steward_decisions);") == 0)
        {
            return Task.FromResult<IReadOnlyDictionary<SourceRecordRef, StewardDeclarations>>(declared);
        }

        var rows = _statements.Query(
            """
            SELECT d.source_system, d.source_key, d.other_system, d.other_key, d.decision FROM json_each(@records) r
            CROSS JOIN steward_decisions d ON d.source_system = json_extract(r.value, '$[0]') AND d.source_key = json_extract(r.value, '$[1]')
            UNION
            SELECT d.other_system, d.other_key, d.source_system, d.source_key, d.decision FROM json_each(@records) r
            CROSS JOIN steward_decisions d ON d.other_system = json_extract(r.value, '$[0]') AND d.other_key = json_extract(r.value, '$[1]');
            """,
            r => (Record: new SourceRecordRef(r.GetString(0), r.GetString(1)), Other: new SourceRecordRef(r.GetString(2), r.GetString(3)), Same: r.GetString(4) == "Same"),
            ("@records", RefsJson(records)));
        foreach (var group in rows.GroupBy(r => r.Record))
        {
            declared[group.Key] = new StewardDeclarations(
                group.Where(r => r.Same).Select(r => r.Other).ToHashSet(),
                group.Where(r => !r.Same).Select(r => r.Other).ToHashSet());
        }

        return Task.FromResult<IReadOnlyDictionary<SourceRecordRef, StewardDeclarations>>(declared);
    }

    public Task<IReadOnlyDictionary<SourceRecordRef, string>> GetFormerCitizensAsync(IReadOnlyCollection<SourceRecordRef> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var formers = new Dictionary<SourceRecordRef, string>();
        if (records.Count == 0 || _statements.Scalar<long>("SELECT EXISTS (SELECT 1 FROM removed_records);") == 0)
        {
            return Task.FromResult<IReadOnlyDictionary<SourceRecordRef, string>>(formers);
        }

        foreach (var (record, citizenId) in _statements.Query(
                     """
                     SELECT d.source_system, d.source_key, d.citizen_id FROM json_each(@records) r
                     CROSS JOIN removed_records d ON d.source_system = json_extract(r.value, '$[0]') AND d.source_key = json_extract(r.value, '$[1]')
                     JOIN citizens c ON c.citizen_id = d.citizen_id
                     WHERE c.status = 'Removed';
                     """,
                     r => (new SourceRecordRef(r.GetString(0), r.GetString(1)), r.GetString(2)),
                     ("@records", RefsJson(records))))
        {
            formers[record] = citizenId;
        }

        return Task.FromResult<IReadOnlyDictionary<SourceRecordRef, string>>(formers);
    }

    public Task<NameCounts> GetNameCountsAsync(IReadOnlyCollection<string> familyKeys, IReadOnlyCollection<string> givenKeys)
    {
        ArgumentNullException.ThrowIfNull(familyKeys);
        ArgumentNullException.ThrowIfNull(givenKeys);
        // MAX(rowid) is read from the end of the table's b-tree, where COUNT(*) would scan it; rows removed
        // leave gaps, which makes it a slight over-count: harmless for a frequency.
        var total = _statements.Scalar<long>("SELECT MAX(rowid) FROM source_records;");
        var counts = _statements.Query(
            """
            SELECT kind, name, count FROM name_counts
            WHERE kind = 'family' AND name IN (SELECT value FROM json_each(@families)) AND count > 0
            UNION ALL
            SELECT kind, name, count FROM name_counts
            WHERE kind = 'given' AND name IN (SELECT value FROM json_each(@givens)) AND count > 0;
            """,
            r => (Kind: r.GetString(0), Name: r.GetString(1), Count: r.GetInt64(2)),
            ("@families", JsonSerializer.Serialize(familyKeys)),
            ("@givens", JsonSerializer.Serialize(givenKeys)));
        return Task.FromResult(new NameCounts(
            total,
            counts.Where(c => c.Kind == "family").ToDictionary(c => c.Name, c => c.Count, StringComparer.Ordinal),
            counts.Where(c => c.Kind == "given").ToDictionary(c => c.Name, c => c.Count, StringComparer.Ordinal)));
    }

    public Task<IHeldKeys> GetKeysAsync() => Task.FromResult<IHeldKeys>(CurrentKeys());

    public Task ApplyAsync(MessageIdentity message, ChangeSet changes)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(changes);
        foreach (var change in changes.Changes)
        {
            switch (change)
            {
                case IdentityChange.CitizenStarted started:
                    InsertCitizen(started.CitizenId, started.At);
                    break;
                case IdentityChange.RecordSaved saved:
                    WriteRecord(saved.CitizenId, saved.Record, saved.Normalised, saved.ContentHash, saved.MatchKeys, saved.Evidence, saved.At);
                    break;
                case IdentityChange.RecordMoved moved:
                    WriteMove(moved.Record.SourceSystem, moved.Record.SourceKey, moved.CitizenId, moved.At);
                    break;
                case IdentityChange.RecordRemoved removed:
                    WriteRemoval(removed.Record.SourceSystem, removed.Record.SourceKey);
                    break;
                case IdentityChange.CitizenAbsorbed absorbed:
                    WriteMerge(absorbed.SurvivorId, absorbed.AbsorbedId, absorbed.At);
                    break;
                case IdentityChange.GoldenRecordWritten golden:
                    WriteGoldenRecord(golden.CitizenId, golden.Fields, golden.Version, golden.Rewritten, golden.At);
                    break;
                case IdentityChange.HistoryAdded history:
                    AddHistoryAsync(history.Entry);
                    break;
                case IdentityChange.ReviewAdded review:
                    AddReviewAsync(review.Record, review.Candidate, review.At);
                    break;
                case IdentityChange.ReviewsSuperseded superseded:
                    SupersedeReviewsAsync(superseded.Record, superseded.At);
                    break;
                case IdentityChange.ReviewClosed closed:
                    CloseReviewAsync(closed.ReviewId, closed.Status, closed.At);
                    break;
                case IdentityChange.StewardDecisionAdded decision:
                    AddStewardDecisionAsync(decision.Decision);
                    break;
                case IdentityChange.SuppressionLifted lifted:
                    LiftSuppressionAsync(lifted.Record);
                    break;
                case IdentityChange.CitizenErased erased:
                    WriteErasure(erased.CitizenId, erased.Suppressed, erased.At);
                    break;
                case IdentityChange.RestrictionSet restriction:
                    WriteRestriction(restriction.CitizenId, restriction.Restricted, restriction.At);
                    break;
                default:
                    throw new ArgumentException($"A change of kind {change.GetType().Name} is not one the store knows.", nameof(changes));
            }
        }

        AppendChangesAsync(changes.Events);
        RecordTallyAsync(message, changes.Tally);
        return Task.CompletedTask;
    }

    private static string RefsJson(IEnumerable<SourceRecordRef> records) =>
        JsonSerializer.Serialize(records.Select(r => new[] { r.SourceSystem, r.SourceKey }));
}
