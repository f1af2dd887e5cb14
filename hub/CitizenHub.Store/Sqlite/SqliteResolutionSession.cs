using CitizenHub.Contracts;
using CitizenHub.Matching;
using CitizenHub.Matching.Linking;
using CitizenHub.Matching.Scoring;
using Dapper;
using Microsoft.Data.Sqlite;

namespace CitizenHub.Store.Sqlite;

/// <summary>One message's writes in one SQLite transaction, holding the store's writer slot until disposed.</summary>
internal sealed class SqliteResolutionSession(SqliteConnection connection, SqliteTransaction transaction, SemaphoreSlim writer)
    : IResolutionSession
{
    private readonly LinkedRecordCache _linked = new();

    private bool _disposed;

    public async Task<HeldRecord?> FindRecordAsync(string sourceSystem, string sourceKey)
    {
        var row = await connection.QuerySingleOrDefaultAsync<(string CitizenId, string ContentHash, string ObservedAt)?>(
            """
            SELECT citizen_id, content_hash, observed_at FROM source_records
            WHERE source_system = @sourceSystem AND source_key = @sourceKey;
            """,
            new { sourceSystem, sourceKey },
            transaction).ConfigureAwait(false);
        return row is { } r ? new HeldRecord(r.CitizenId, r.ContentHash, StoreTime.Parse(r.ObservedAt)) : null;
    }

    public async Task<IReadOnlyList<string>> FindCitizensAsync(
        IReadOnlyCollection<string> matchKeys, string exceptSystem, string exceptKey, int maximumBlockSize)
    {
        if (matchKeys.Count == 0)
        {
            return [];
        }

        // A key held by too many records (a switchboard number, a care home's postcode) is skipped: it would
        // bring hundreds of candidates and tell little about any of them. Whether a key is over its limit is asked
        // as "is there a row past the limit", which reads at most limit + 1 index entries however big the block
        // grows; counting the block read all of it, for every record resolved.
        var ids = await connection.QueryAsync<string>(
            """
            WITH keys AS (SELECT DISTINCT value AS match_key FROM json_each(@matchKeys)),
            -- SQLite's OFFSET cannot name the outer row, so name-only keys and the rest are asked apart.
            usable AS (
                SELECT k.match_key FROM keys k
                WHERE k.match_key LIKE @namePrefix AND NOT EXISTS (
                    SELECT 1 FROM match_keys m
                    WHERE m.match_key = k.match_key AND NOT (m.source_system = @exceptSystem AND m.source_key = @exceptKey)
                    LIMIT 1 OFFSET MIN(@maximumBlockSize, @nameBlockSize))
                UNION ALL
                SELECT k.match_key FROM keys k
                WHERE k.match_key NOT LIKE @namePrefix AND NOT EXISTS (
                    SELECT 1 FROM match_keys m
                    WHERE m.match_key = k.match_key AND NOT (m.source_system = @exceptSystem AND m.source_key = @exceptKey)
                    LIMIT 1 OFFSET @maximumBlockSize))
            SELECT c.citizen_id FROM citizens c
            WHERE c.status = 'Active' AND c.citizen_id IN (
                -- CROSS JOIN keeps SQLite's planner to this order: the few usable keys first, then their index entries.
                SELECT s.citizen_id FROM usable u
                CROSS JOIN match_keys h ON h.match_key = u.match_key
                CROSS JOIN source_records s ON s.source_system = h.source_system AND s.source_key = h.source_key
                WHERE NOT (h.source_system = @exceptSystem AND h.source_key = @exceptKey))
            ORDER BY c.seq;
            """,
            new
            {
                matchKeys = System.Text.Json.JsonSerializer.Serialize(matchKeys),
                exceptSystem,
                exceptKey,
                maximumBlockSize,
                namePrefix = BlockingKeys.NameOnlyPrefix + "%",
                nameBlockSize = BlockingKeys.NameOnlyMaximumBlockSize,
            },
            transaction).ConfigureAwait(false);
        return [.. ids];
    }

    public async Task<ITermFrequencies> GetTermFrequenciesAsync(IReadOnlyCollection<NormalisedRecord> records)
    {
        var families = records.Select(r => r.FamilyKey).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var givens = records.Select(r => r.GivenKey).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        // MAX(rowid) is read from the end of the table's b-tree, where COUNT(*) would scan it; rows removed
        // leave gaps, which makes it a slight over-count: harmless for a frequency.
        var total = await connection.ExecuteScalarAsync<long?>("SELECT MAX(rowid) FROM source_records;", transaction: transaction).ConfigureAwait(false) ?? 0;
        // Kept by triggers (SqliteSchema, migration 12): one row a name, however many records hold it.
        var familyCounts = await connection.QueryAsync<(string Key, long Count)>(
            "SELECT name, count FROM name_counts WHERE kind = 'family' AND name IN @families AND count > 0;",
            new { families },
            transaction).ConfigureAwait(false);
        var givenCounts = await connection.QueryAsync<(string Key, long Count)>(
            "SELECT name, count FROM name_counts WHERE kind = 'given' AND name IN @givens AND count > 0;",
            new { givens },
            transaction).ConfigureAwait(false);
        return new CountedTermFrequencies(
            total,
            familyCounts.ToDictionary(c => c.Key, c => c.Count, StringComparer.Ordinal),
            givenCounts.ToDictionary(c => c.Key, c => c.Count, StringComparer.Ordinal));
    }

    public async Task<IReadOnlyList<NormalisedRecord>> GetLinkedRecordsAsync(string citizenId)
    {
        if (_linked.TryGet(citizenId, out var known))
        {
            return known;
        }

        var json = await connection.QueryAsync<string>(
            "SELECT normalised_json FROM source_records WHERE citizen_id = @citizenId ORDER BY source_system, source_key;",
            new { citizenId },
            transaction).ConfigureAwait(false);
        IReadOnlyList<NormalisedRecord> linked = [.. json.Select(StoreJson.Deserialize<NormalisedRecord>)];
        _linked.Keep(citizenId, linked);
        return linked;
    }

    public async Task<string> CreateCitizenAsync(DateTimeOffset at)
    {
        // Version 7 GUIDs are unique without coordination and sort by creation time.
        var citizenId = Guid.CreateVersion7(at).ToString("N");
        await connection.ExecuteAsync(
            """
            INSERT INTO citizens (citizen_id, status, version, created_at, updated_at)
            VALUES (@citizenId, 'Active', 0, @at, @at);
            """,
            new { citizenId, at = StoreTime.Format(at) },
            transaction).ConfigureAwait(false);
        return citizenId;
    }

    public async Task SaveRecordAsync(
        string citizenId,
        SourceRecord record,
        NormalisedRecord normalised,
        string contentHash,
        IReadOnlyList<string> matchKeys,
        PairEvidence? evidence,
        DateTimeOffset at)
    {
        _linked.Forget(citizenId, record.SourceSystem, record.SourceKey);
        await connection.ExecuteAsync(
            """
            INSERT INTO source_records (source_system, source_key, citizen_id, observed_at, linked_at, content_hash,
                                        record_json, normalised_json, family_key, given_key, date_of_birth, postcode, evidence_json,
                                        family_phonetic, given_phonetic)
            VALUES (@SourceSystem, @SourceKey, @citizenId, @ObservedAt, @at, @contentHash,
                    @RecordJson, @NormalisedJson, @FamilyKey, @GivenKey, @DateOfBirth, @Postcode, @EvidenceJson,
                    @FamilyPhonetic, @GivenPhonetic)
            ON CONFLICT (source_system, source_key) DO UPDATE SET
                linked_at = CASE WHEN source_records.citizen_id = excluded.citizen_id THEN source_records.linked_at ELSE excluded.linked_at END,
                citizen_id = excluded.citizen_id,
                observed_at = excluded.observed_at,
                content_hash = excluded.content_hash,
                record_json = excluded.record_json,
                normalised_json = excluded.normalised_json,
                family_key = excluded.family_key,
                given_key = excluded.given_key,
                date_of_birth = excluded.date_of_birth,
                postcode = excluded.postcode,
                evidence_json = excluded.evidence_json,
                family_phonetic = excluded.family_phonetic,
                given_phonetic = excluded.given_phonetic;
            DELETE FROM match_keys WHERE source_system = @SourceSystem AND source_key = @SourceKey;
            """,
            new
            {
                record.SourceSystem,
                record.SourceKey,
                citizenId,
                ObservedAt = StoreTime.Format(record.ObservedAt),
                at = StoreTime.Format(at),
                contentHash,
                RecordJson = StoreJson.Serialize(record),
                NormalisedJson = StoreJson.Serialize(normalised),
                normalised.FamilyKey,
                normalised.GivenKey,
                DateOfBirth = normalised.DateOfBirthKey,
                normalised.Address?.Postcode,
                EvidenceJson = evidence is null ? null : StoreJson.Serialize(evidence),
                normalised.FamilyPhonetic,
                normalised.GivenPhonetic,
            },
            transaction).ConfigureAwait(false);
        await connection.ExecuteAsync(
            "INSERT INTO match_keys (match_key, source_system, source_key) VALUES (@matchKey, @SourceSystem, @SourceKey) ON CONFLICT DO NOTHING;",
            matchKeys.Select(matchKey => new { matchKey, record.SourceSystem, record.SourceKey }),
            transaction).ConfigureAwait(false);
    }

    public Task MoveRecordAsync(string sourceSystem, string sourceKey, string citizenId, DateTimeOffset at)
    {
        _linked.Forget(citizenId, sourceSystem, sourceKey);
        return connection.ExecuteAsync(
            "UPDATE source_records SET citizen_id = @citizenId, linked_at = @at WHERE source_system = @sourceSystem AND source_key = @sourceKey;",
            new { sourceSystem, sourceKey, citizenId, at = StoreTime.Format(at) },
            transaction);
    }

    public Task AddHistoryAsync(CitizenHistoryEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return connection.ExecuteAsync(
            """
            INSERT INTO citizen_history (citizen_id, cause, source_system, source_key, related_citizen, at)
            VALUES (@CitizenId, @Cause, @SourceSystem, @SourceKey, @RelatedCitizenId, @At);
            """,
            new
            {
                entry.CitizenId,
                Cause = entry.Cause.ToString(),
                entry.Record?.SourceSystem,
                entry.Record?.SourceKey,
                entry.RelatedCitizenId,
                At = StoreTime.Format(entry.At),
            },
            transaction);
    }

    public Task AddReviewAsync(SourceRecordRef record, PairEvidence candidate, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(candidate);
        return connection.ExecuteAsync(
            """
            INSERT INTO review_items (source_system, source_key, candidate_system, candidate_key, candidate_citizen,
                                      weight, evidence_json, status, created_at)
            SELECT @SourceSystem, @SourceKey, @CandidateSystem, @CandidateKey, @CitizenId, @Weight, @EvidenceJson, 'Open', @at
            WHERE NOT EXISTS (
                SELECT 1 FROM review_items
                WHERE source_system = @SourceSystem AND source_key = @SourceKey AND status = 'Open'
                  AND candidate_system = @CandidateSystem AND candidate_key = @CandidateKey);
            """,
            new
            {
                record.SourceSystem,
                record.SourceKey,
                CandidateSystem = candidate.SourceSystem,
                CandidateKey = candidate.SourceKey,
                candidate.CitizenId,
                candidate.Explanation.Weight,
                EvidenceJson = StoreJson.Serialize(candidate),
                at = StoreTime.Format(at),
            },
            transaction);
    }

    public Task AppendChangesAsync(IReadOnlyList<object> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var rows = events.Select(FeedEvents.ToChange).ToList();
        return rows.Count == 0 ? Task.CompletedTask : connection.ExecuteAsync(
            """
            INSERT INTO change_feed (at, kind, citizen_id, related_citizen, version, fields, cause_system, cause_key)
            VALUES (@At, @Kind, @CitizenId, @Related, @Version, @Fields, @CauseSystem, @CauseKey);
            """,
            rows.Select(r => new
            {
                At = StoreTime.Format(r.At), r.Kind, r.CitizenId, Related = r.RelatedCitizenId, r.Version,
                Fields = r.ChangedFields.Count == 0 ? null : string.Join(',', r.ChangedFields),
                CauseSystem = r.Cause.SourceSystem, CauseKey = r.Cause.SourceKey,
            }).ToList(),
            transaction);
    }

    public async Task<ReviewItem?> GetReviewAsync(long reviewId)
    {
        var row = await connection.QuerySingleOrDefaultAsync<(long Id, string SourceSystem, string SourceKey, string Evidence, string Status, string CreatedAt)?>(
            "SELECT review_id, source_system, source_key, evidence_json, status, created_at FROM review_items WHERE review_id = @reviewId;",
            new { reviewId },
            transaction).ConfigureAwait(false);
        return row is { } r
            ? new ReviewItem(r.Id, new SourceRecordRef(r.SourceSystem, r.SourceKey), StoreJson.Deserialize<PairEvidence>(r.Evidence), Enum.Parse<ReviewStatus>(r.Status), StoreTime.Parse(r.CreatedAt))
            : null;
    }

    public Task CloseReviewAsync(long reviewId, ReviewStatus status, DateTimeOffset at) =>
        connection.ExecuteAsync(
            "UPDATE review_items SET status = @status, closed_at = @at WHERE review_id = @reviewId;",
            new { reviewId, status = status.ToString(), at = StoreTime.Format(at) },
            transaction);

    public Task AddStewardDecisionAsync(StewardDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        return connection.ExecuteAsync(
            """
            INSERT INTO steward_decisions (review_id, source_system, source_key, other_system, other_key, decision, steward, note, at)
            VALUES (@ReviewId, @SourceSystem, @SourceKey, @OtherSystem, @OtherKey, @Decision, @Steward, @Note, @At);
            """,
            new
            {
                decision.ReviewId,
                decision.Record.SourceSystem,
                decision.Record.SourceKey,
                OtherSystem = decision.Other.SourceSystem,
                OtherKey = decision.Other.SourceKey,
                Decision = decision.SamePerson ? "Same" : "Different",
                decision.Steward,
                decision.Note,
                At = StoreTime.Format(decision.At),
            },
            transaction);
    }

    public async Task<StewardDeclarations> GetDeclaredAsync(SourceRecordRef record)
    {
        ArgumentNullException.ThrowIfNull(record);
        // One query for both answers: it runs for every record resolved, and almost always finds nothing.
        var rows = (await connection.QueryAsync<(string System, string Key, string Decision)>(
            """
            SELECT other_system, other_key, decision FROM steward_decisions
            WHERE source_system = @SourceSystem AND source_key = @SourceKey
            UNION
            SELECT source_system, source_key, decision FROM steward_decisions
            WHERE other_system = @SourceSystem AND other_key = @SourceKey;
            """,
            new { record.SourceSystem, record.SourceKey },
            transaction).ConfigureAwait(false)).ToList();
        return rows.Count == 0
            ? StewardDeclarations.None
            : new StewardDeclarations(
                rows.Where(r => r.Decision == "Same").Select(r => new SourceRecordRef(r.System, r.Key)).ToHashSet(),
                rows.Where(r => r.Decision == "Different").Select(r => new SourceRecordRef(r.System, r.Key)).ToHashSet());
    }

    public Task SupersedeReviewsAsync(SourceRecordRef record, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(record);
        return connection.ExecuteAsync(
            """
            -- Two statements, one an index each: as one, with OR, SQLite read every open review instead.
            UPDATE review_items SET status = 'Superseded', closed_at = @at
            WHERE source_system = @SourceSystem AND source_key = @SourceKey AND status = 'Open';
            UPDATE review_items SET status = 'Superseded', closed_at = @at
            WHERE candidate_system = @SourceSystem AND candidate_key = @SourceKey AND status = 'Open';
            """,
            new { record.SourceSystem, record.SourceKey, at = StoreTime.Format(at) },
            transaction);
    }

    public Task RemoveRecordAsync(string sourceSystem, string sourceKey)
    {
        _linked.Forget(null, sourceSystem, sourceKey);
        return connection.ExecuteAsync(
            """
            DELETE FROM match_keys WHERE source_system = @sourceSystem AND source_key = @sourceKey;
            DELETE FROM source_records WHERE source_system = @sourceSystem AND source_key = @sourceKey;
            """,
            new { sourceSystem, sourceKey },
            transaction);
    }

    public Task MergeAsync(string survivorId, string absorbedId, DateTimeOffset at)
    {
        _linked.Forget(survivorId);
        _linked.Forget(absorbedId);
        return connection.ExecuteAsync(
            """
            UPDATE source_records SET citizen_id = @survivorId, linked_at = @at WHERE citizen_id = @absorbedId;
            DELETE FROM golden_fields WHERE citizen_id = @absorbedId;
            UPDATE citizens SET status = 'Merged', merged_into = @survivorId, version = version + 1, updated_at = @at
            WHERE citizen_id = @absorbedId;
            UPDATE citizens SET merged_into = @survivorId WHERE merged_into = @absorbedId;
            """,
            new { survivorId, absorbedId, at = StoreTime.Format(at) },
            transaction);
    }

    public async Task<GoldenRecordChange> SetGoldenRecordAsync(string citizenId, IReadOnlyList<GoldenField> fields, DateTimeOffset at)
    {
        var before = (await SqliteCitizenStore.ReadFieldsAsync(connection, [citizenId], transaction).ConfigureAwait(false))
            .GetValueOrDefault(citizenId, []);
        // A field "changes" when its shown value does; a new observation of the same value only
        // refreshes its lineage, which is rewritten (and versioned) but not reported as a change.
        var changed = fields.Select(f => f.Field)
            .Union(before.Select(f => f.Field), StringComparer.Ordinal)
            .Where(name => before.FirstOrDefault(f => f.Field == name)?.Value != fields.FirstOrDefault(f => f.Field == name)?.Value)
            .Order(StringComparer.Ordinal)
            .ToList();
        var rewritten = changed.Count > 0 || !before.OrderBy(f => f.Field, StringComparer.Ordinal)
            .SequenceEqual(fields.OrderBy(f => f.Field, StringComparer.Ordinal));

        if (rewritten)
        {
            await connection.ExecuteAsync("DELETE FROM golden_fields WHERE citizen_id = @citizenId;", new { citizenId }, transaction).ConfigureAwait(false);
            await connection.ExecuteAsync(
                """
                INSERT INTO golden_fields (citizen_id, field, value, source_system, source_key, observed_at)
                VALUES (@citizenId, @Field, @Value, @SourceSystem, @SourceKey, @ObservedAt);
                """,
                fields.Select(f => new { citizenId, f.Field, f.Value, f.SourceSystem, f.SourceKey, ObservedAt = StoreTime.Format(f.ObservedAt) }),
                transaction).ConfigureAwait(false);
        }

        var version = await connection.ExecuteScalarAsync<long>(
            """
            UPDATE citizens SET
                version = version + CASE WHEN @changed THEN 1 ELSE 0 END,
                status = CASE WHEN @empty THEN 'Removed' ELSE 'Active' END,
                updated_at = CASE WHEN @changed THEN @at ELSE updated_at END
            WHERE citizen_id = @citizenId
            RETURNING version;
            """,
            new { citizenId, changed = rewritten, empty = fields.Count == 0, at = StoreTime.Format(at) },
            transaction).ConfigureAwait(false);
        return new GoldenRecordChange(version, changed);
    }

    public Task CommitAsync(CancellationToken cancellationToken) => transaction.CommitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await transaction.DisposeAsync().ConfigureAwait(false);
        await connection.DisposeAsync().ConfigureAwait(false);
        writer.Release();
    }
}
