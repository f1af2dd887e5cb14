using CitizenHub.Contracts;
using CitizenHub.Matching;
using Dapper;
using Microsoft.Data.Sqlite;

namespace CitizenHub.Store.Sqlite;

/// <summary>One message's writes in one SQLite transaction, holding the store's writer slot until disposed.</summary>
internal sealed class SqliteResolutionSession(SqliteConnection connection, SqliteTransaction transaction, SemaphoreSlim writer)
    : IResolutionSession
{
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

    public async Task<IReadOnlyList<string>> FindCitizensAsync(IReadOnlyCollection<string> matchKeys, string exceptSystem, string exceptKey)
    {
        if (matchKeys.Count == 0)
        {
            return [];
        }

        var ids = await connection.QueryAsync<string>(
            """
            SELECT c.citizen_id FROM citizens c
            WHERE c.status = 'Active' AND c.citizen_id IN (
                SELECT s.citizen_id FROM match_keys k
                JOIN source_records s ON s.source_system = k.source_system AND s.source_key = k.source_key
                WHERE k.match_key IN @matchKeys
                  AND NOT (k.source_system = @exceptSystem AND k.source_key = @exceptKey))
            ORDER BY c.seq;
            """,
            new { matchKeys, exceptSystem, exceptKey },
            transaction).ConfigureAwait(false);
        return [.. ids];
    }

    public async Task<IReadOnlyList<NormalisedRecord>> GetLinkedRecordsAsync(string citizenId)
    {
        var json = await connection.QueryAsync<string>(
            "SELECT normalised_json FROM source_records WHERE citizen_id = @citizenId ORDER BY source_system, source_key;",
            new { citizenId },
            transaction).ConfigureAwait(false);
        return [.. json.Select(StoreJson.Deserialize<NormalisedRecord>)];
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
        DateTimeOffset at)
    {
        await connection.ExecuteAsync(
            """
            INSERT INTO source_records (source_system, source_key, citizen_id, observed_at, linked_at, content_hash,
                                        record_json, normalised_json, family_key, given_key, date_of_birth, postcode)
            VALUES (@SourceSystem, @SourceKey, @citizenId, @ObservedAt, @at, @contentHash,
                    @RecordJson, @NormalisedJson, @FamilyKey, @GivenKey, @DateOfBirth, @Postcode)
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
                postcode = excluded.postcode;
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
            },
            transaction).ConfigureAwait(false);
        await connection.ExecuteAsync(
            "INSERT INTO match_keys (match_key, source_system, source_key) VALUES (@matchKey, @SourceSystem, @SourceKey) ON CONFLICT DO NOTHING;",
            matchKeys.Select(matchKey => new { matchKey, record.SourceSystem, record.SourceKey }),
            transaction).ConfigureAwait(false);
    }

    public Task RemoveRecordAsync(string sourceSystem, string sourceKey) =>
        connection.ExecuteAsync(
            """
            DELETE FROM match_keys WHERE source_system = @sourceSystem AND source_key = @sourceKey;
            DELETE FROM source_records WHERE source_system = @sourceSystem AND source_key = @sourceKey;
            """,
            new { sourceSystem, sourceKey },
            transaction);

    public Task MergeAsync(string survivorId, string absorbedId, DateTimeOffset at) =>
        connection.ExecuteAsync(
            """
            UPDATE source_records SET citizen_id = @survivorId, linked_at = @at WHERE citizen_id = @absorbedId;
            DELETE FROM golden_fields WHERE citizen_id = @absorbedId;
            UPDATE citizens SET status = 'Merged', merged_into = @survivorId, version = version + 1, updated_at = @at
            WHERE citizen_id = @absorbedId;
            UPDATE citizens SET merged_into = @survivorId WHERE merged_into = @absorbedId;
            """,
            new { survivorId, absorbedId, at = StoreTime.Format(at) },
            transaction);

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
