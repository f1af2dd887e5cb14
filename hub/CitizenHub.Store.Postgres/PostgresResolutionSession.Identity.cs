using CitizenHub.Contracts;
using CitizenHub.Matching.Identity;

namespace CitizenHub.Store.Postgres;

// The identity engine's reads (one round trip each for the whole message, carrying the writes held back before them)
// and the writes of its change sets, held back until the next read or the commit.
internal sealed partial class PostgresResolutionSession
{
    public async Task<IReadOnlyDictionary<SourceRecordRef, HeldRecord>> GetHeldAsync(IReadOnlyCollection<SourceRecordRef> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0)
        {
            return new Dictionary<SourceRecordRef, HeldRecord>();
        }

        var rows = await ReadAfterPendingAsync(
            """
            SELECT s.source_system, s.source_key, s.citizen_id, s.content_hash, s.observed_at
            FROM unnest($1::text[], $2::text[]) AS k (source_system, source_key)
            JOIN source_records s ON s.source_system = k.source_system AND s.source_key = k.source_key;
            """,
            r => (Record: new SourceRecordRef(r.GetString(0), r.GetString(1)), Held: new HeldRecord(r.GetString(2), StoredDigest.Decode(r.GetFieldValue<byte[]>(3)), StoreTime.FromTicks(r.GetInt64(4)))),
            records.Select(r => r.SourceSystem).ToArray(),
            records.Select(r => r.SourceKey).ToArray()).ConfigureAwait(false);
        var held = new Dictionary<SourceRecordRef, HeldRecord>(rows.Count);
        foreach (var (record, found) in rows)
        {
            held[record] = found;
        }

        return held;
    }

    public async Task<IReadOnlyList<CitizenState>> GetCitizensAsync(IReadOnlyCollection<string> citizenIds)
    {
        ArgumentNullException.ThrowIfNull(citizenIds);
        if (citizenIds.Count == 0)
        {
            return [];
        }

        // One round trip: each citizen's row (with its golden record), then its records, told apart by the first column.
        var rows = await ReadAfterPendingAsync(
            $"""
            WITH wanted AS (SELECT DISTINCT k.citizen_id FROM unnest($1::text[]) AS k (citizen_id))
            SELECT 0 AS part, c.citizen_id, c.seq, c.status, c.version,
                   EXISTS (SELECT 1 FROM ({StoreReads.RestrictedCitizens}) r WHERE r.citizen_id = c.citizen_id)::int,
                   NULL, NULL, c.golden, NULL::bytea
            FROM wanted w JOIN citizens c ON c.citizen_id = w.citizen_id
            UNION ALL
            SELECT 1, s.citizen_id, NULL, NULL, NULL, NULL, s.source_system, s.source_key, NULL, s.record
            FROM wanted w JOIN source_records s ON s.citizen_id = w.citizen_id
            ORDER BY 1, 2, 7, 8;
            """,
            r => (
                Part: r.GetInt32(0),
                CitizenId: r.GetString(1),
                Seq: r.IsDBNull(2) ? 0 : r.GetInt64(2),
                Status: r.IsDBNull(3) ? null : r.GetString(3),
                Version: r.IsDBNull(4) ? 0 : r.GetInt64(4),
                Restricted: !r.IsDBNull(5) && r.GetInt32(5) == 1,
                System: r.IsDBNull(6) ? null : r.GetString(6),
                Key: r.IsDBNull(7) ? null : r.GetString(7),
                Golden: r.IsDBNull(8) ? null : r.GetFieldValue<byte[]>(8),
                Record: r.IsDBNull(9) ? null : r.GetFieldValue<byte[]>(9)),
            (object)citizenIds.ToArray()).ConfigureAwait(false);
        var records = rows.Where(r => r.Part == 1).ToLookup(r => r.CitizenId, r => normalisedForms.Get(new SourceRecordRef(r.System!, r.Key!), r.Record!), StringComparer.Ordinal);
        return [.. rows.Where(r => r.Part == 0).Select(r => new CitizenState(
            r.CitizenId, r.Seq, Enum.Parse<CitizenStatus>(r.Status!), r.Version, [.. records[r.CitizenId]], GoldenRow.DecodeWhenRead(r.Golden), r.Restricted))];
    }

    public async Task<IReadOnlyDictionary<SourceRecordRef, StewardDeclarations>> GetDeclarationsAsync(IReadOnlyCollection<SourceRecordRef> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var declared = new Dictionary<SourceRecordRef, StewardDeclarations>();
        if (records.Count == 0)
        {
            return declared;
        }

        // Either side of a decision may be the record asked about; the other side is what it was declared about.
        var decisions = await ReadAfterPendingAsync(
            """
            SELECT d.source_system, d.source_key, d.other_system, d.other_key, d.decision
            FROM unnest($1::text[], $2::text[]) AS k (source_system, source_key)
            JOIN steward_decisions d ON d.source_system = k.source_system AND d.source_key = k.source_key
            UNION
            SELECT d.other_system, d.other_key, d.source_system, d.source_key, d.decision
            FROM unnest($1::text[], $2::text[]) AS k (source_system, source_key)
            JOIN steward_decisions d ON d.other_system = k.source_system AND d.other_key = k.source_key;
            """,
            r => (Record: new SourceRecordRef(r.GetString(0), r.GetString(1)), Other: new SourceRecordRef(r.GetString(2), r.GetString(3)), Same: r.GetString(4) == "Same"),
            records.Select(r => r.SourceSystem).ToArray(),
            records.Select(r => r.SourceKey).ToArray()).ConfigureAwait(false);
        foreach (var group in decisions.GroupBy(d => d.Record))
        {
            declared[group.Key] = new StewardDeclarations(
                group.Where(d => d.Same).Select(d => d.Other).ToHashSet(),
                group.Where(d => !d.Same).Select(d => d.Other).ToHashSet());
        }

        return declared;
    }

    public async Task<IReadOnlyDictionary<SourceRecordRef, string>> GetFormerCitizensAsync(IReadOnlyCollection<SourceRecordRef> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var formers = new Dictionary<SourceRecordRef, string>();
        if (records.Count == 0)
        {
            return formers;
        }

        foreach (var (record, citizenId) in await ReadAfterPendingAsync(
                     """
                     SELECT r.source_system, r.source_key, r.citizen_id
                     FROM unnest($1::text[], $2::text[]) AS k (source_system, source_key)
                     JOIN removed_records r ON r.source_system = k.source_system AND r.source_key = k.source_key
                     JOIN citizens c ON c.citizen_id = r.citizen_id
                     WHERE c.status = 'Removed';
                     """,
                     r => (new SourceRecordRef(r.GetString(0), r.GetString(1)), r.GetString(2)),
                     records.Select(r => r.SourceSystem).ToArray(),
                     records.Select(r => r.SourceKey).ToArray()).ConfigureAwait(false))
        {
            formers[record] = citizenId;
        }

        return formers;
    }

    public async Task<NameCounts> GetNameCountsAsync(IReadOnlyCollection<string> familyKeys, IReadOnlyCollection<string> givenKeys)
    {
        ArgumentNullException.ThrowIfNull(familyKeys);
        ArgumentNullException.ThrowIfNull(givenKeys);
        // Both names' counts, kept by a trigger (see PostgresSchema), after the held-back writes; the total as committed
        // and this session's records added since (it adds them to the row at its commit).
        var rows = await ReadAfterPendingAsync(
            """
            SELECT 'total', NULL, total + $3 FROM record_count
            UNION ALL
            SELECT 'family', name, count FROM name_counts WHERE kind = 'family' AND name = ANY($1) AND count > 0
            UNION ALL
            SELECT 'given', name, count FROM name_counts WHERE kind = 'given' AND name = ANY($2) AND count > 0;
            """,
            r => (Kind: r.GetString(0), Name: r.IsDBNull(1) ? null : r.GetString(1), Count: r.GetInt64(2)),
            familyKeys.ToArray(),
            givenKeys.ToArray(),
            _recordCountChange).ConfigureAwait(false);
        return new NameCounts(
            rows.Single(r => r.Kind == "total").Count,
            rows.Where(r => r.Kind == "family").ToDictionary(r => r.Name!, r => r.Count, StringComparer.Ordinal),
            rows.Where(r => r.Kind == "given").ToDictionary(r => r.Name!, r => r.Count, StringComparer.Ordinal));
    }

    public async Task<IHeldKeys> GetKeysAsync() => await CurrentKeysAsync().ConfigureAwait(false);

    public async Task ApplyAsync(MessageIdentity message, ChangeSet changes)
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
                    await WriteRecordAsync(saved.CitizenId, saved.Record, saved.Normalised, saved.ContentHash, saved.MatchKeys, saved.Evidence, saved.WasHeld, saved.At)
                        .ConfigureAwait(false);
                    break;
                case IdentityChange.RecordMoved moved:
                    WriteMove(moved.Record.SourceSystem, moved.Record.SourceKey, moved.CitizenId, moved.At);
                    break;
                case IdentityChange.RecordRemoved removed:
                    await WriteRemovalAsync(removed.Record.SourceSystem, removed.Record.SourceKey, wasHeld: true).ConfigureAwait(false);
                    break;
                case IdentityChange.CitizenAbsorbed absorbed:
                    WriteMerge(absorbed.SurvivorId, absorbed.AbsorbedId, absorbed.At);
                    break;
                case IdentityChange.GoldenRecordWritten golden:
                    WriteGoldenRecord(golden.CitizenId, golden.Fields, golden.Version, golden.Rewritten, golden.At);
                    break;
                case IdentityChange.HistoryAdded history:
                    await AddHistoryAsync(history.Entry).ConfigureAwait(false);
                    break;
                case IdentityChange.ReviewAdded review:
                    await AddReviewAsync(review.Record, review.Candidate, review.At).ConfigureAwait(false);
                    break;
                case IdentityChange.ReviewsSuperseded superseded:
                    await SupersedeReviewsAsync(superseded.Record, superseded.At).ConfigureAwait(false);
                    break;
                case IdentityChange.ReviewClosed closed:
                    await CloseReviewAsync(closed.ReviewId, closed.Status, closed.At).ConfigureAwait(false);
                    break;
                case IdentityChange.StewardDecisionAdded decision:
                    await AddStewardDecisionAsync(decision.Decision).ConfigureAwait(false);
                    break;
                case IdentityChange.SuppressionLifted lifted:
                    await LiftSuppressionAsync(lifted.Record).ConfigureAwait(false);
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

        await AppendChangesAsync(changes.Events).ConfigureAwait(false);
        await RecordTallyAsync(message, changes.Tally).ConfigureAwait(false);
    }
}
