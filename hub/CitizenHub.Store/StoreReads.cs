using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using CitizenHub.Contracts;
using CitizenHub.Matching;
using CitizenHub.Matching.Identity;
using CitizenHub.Matching.Linking;
using Dapper;

namespace CitizenHub.Store;

/// <summary>Reads whose SQL is the same on SQLite and PostgreSQL, on a connection the store opened.</summary>
internal static class StoreReads
{
    /// <summary>
    /// The citizens under restriction of processing: each holding a record the restriction was placed on. Derived at every
    /// read rather than kept on the citizen, so that no merge, split or move can leave a citizen's flag behind.
    /// </summary>
    public const string RestrictedCitizens =
        "SELECT h.citizen_id FROM restricted_records r JOIN source_records h ON h.source_system = r.source_system AND h.source_key = r.source_key";

    /// <summary>
    /// The keys of a source's records held, and of those suppressed by an erasure: a full extract without one of them
    /// removes it, which for a suppressed record ends the suppression (the source no longer holds it).
    /// </summary>
    public const string SourceKeysQuery =
        """
        SELECT source_key FROM source_records WHERE source_system = @sourceSystem
        UNION ALL SELECT source_key FROM suppressed_records WHERE source_system = @sourceSystem;
        """;

    /// <summary>The source's records held and suppressed (disjoint: an erasure removes what it suppresses), each with its content digest.</summary>
    public const string SourceContentHashesQuery =
        """
        SELECT source_key, content_hash FROM source_records WHERE source_system = @sourceSystem
        UNION ALL SELECT source_key, content_hash FROM suppressed_records WHERE source_system = @sourceSystem;
        """;

    /// <summary>The keys of the source's records held and suppressed (<see cref="SourceKeysQuery"/>), as they are read.</summary>
    /// <param name="open">Opens a connection of the store's, which this read closes when it ends.</param>
    public static IAsyncEnumerable<string> ReadSourceKeysAsync(
        Func<CancellationToken, Task<DbConnection>> open, string sourceSystem, CancellationToken cancellationToken) =>
        ReadBySourceAsync(open, SourceKeysQuery, sourceSystem, reader => reader.GetString(0), cancellationToken);

    /// <summary>The source's records held and suppressed with their content digests (<see cref="SourceContentHashesQuery"/>), as they are read.</summary>
    /// <param name="open">Opens a connection of the store's, which this read closes when it ends.</param>
    public static IAsyncEnumerable<(string SourceKey, string ContentHash)> ReadSourceContentHashesAsync(
        Func<CancellationToken, Task<DbConnection>> open, string sourceSystem, CancellationToken cancellationToken) =>
        ReadBySourceAsync(open, SourceContentHashesQuery, sourceSystem, reader => (reader.GetString(0), StoredDigest.Decode(reader.GetFieldValue<byte[]>(1))), cancellationToken);

    /// <summary>Each row of a query of one source's records, as it is read: a source may hold hundreds of thousands.</summary>
    private static async IAsyncEnumerable<T> ReadBySourceAsync<T>(
        Func<CancellationToken, Task<DbConnection>> open,
        string query,
        string sourceSystem,
        Func<DbDataReader, T> row,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await open(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = query;
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@sourceSystem";
        parameter.Value = sourceSystem;
        command.Parameters.Add(parameter);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return row(reader);
        }
    }

    private const string FailureQuery =
        """
        SELECT f.failure_id AS FailureId, CAST(f.run_id AS text) AS RunId, f.kind AS Kind, f.sequence AS Sequence, r.source_system AS SourceSystem,
               f.reason AS Reason, f.failed_at AS FailedAt, f.replayed_at AS ReplayedAt, a.run_id IS NOT NULL AS Applied, f.message AS Body
        FROM failed_messages f
        LEFT JOIN sync_runs r ON r.run_id = f.run_id
        LEFT JOIN applied_messages a ON a.run_id = f.run_id AND a.kind = f.kind AND a.sequence = f.sequence
        """;

    /// <summary>
    /// Runs with what their applied messages did, summed; <c>{0}</c> chooses the runs (a query of <c>sync_runs r</c> giving
    /// their ids), newest first. The sums are taken over the chosen runs' messages only: a run is polled while it is waited on.
    /// </summary>
    private const string RunQuery =
        """
        WITH chosen AS ({0}),
        t AS (
            SELECT a.run_id, COUNT(*) AS applied, MAX(a.applied_at) AS last_applied_at,
                   SUM(a.unchanged) AS unchanged, SUM(a.added) AS added, SUM(a.updated) AS updated, SUM(a.removed) AS removed,
                   SUM(a.citizens_created) AS citizens_created, SUM(a.linked) AS linked, SUM(a.merged) AS merged,
                   SUM(a.split) AS split, SUM(a.reviews) AS reviews
            FROM applied_messages a WHERE a.run_id IN (SELECT run_id FROM chosen) GROUP BY a.run_id)
        SELECT CAST(r.run_id AS text) AS RunId, r.source_system AS SourceSystem, r.expected_messages AS ExpectedMessages,
               r.started_at AS StartedAt, r.completed_at AS CompletedAt, r.record_count AS RecordCount, r.reject_count AS RejectCount,
               r.failure AS Failure, r.refused AS Refused,
               (SELECT COUNT(*) FROM failed_messages f WHERE f.run_id = r.run_id AND NOT EXISTS (
                    SELECT 1 FROM applied_messages a WHERE a.run_id = f.run_id AND a.kind = f.kind AND a.sequence = f.sequence)) AS Failed,
               (SELECT f.reason FROM failed_messages f WHERE f.run_id = r.run_id ORDER BY f.failed_at DESC LIMIT 1) AS LastFailure,
               CASE WHEN EXISTS (SELECT 1 FROM applied_messages a WHERE a.run_id = r.run_id AND a.kind = 'records' AND a.sequence = 1)
                    THEN (SELECT MIN(a.sequence) FROM applied_messages a WHERE a.run_id = r.run_id AND a.kind = 'records' AND NOT EXISTS (
                              SELECT 1 FROM applied_messages b WHERE b.run_id = a.run_id AND b.kind = a.kind AND b.sequence = a.sequence + 1))
                    ELSE 0 END AS AppliedThrough,
               COALESCE(t.applied, 0) AS Applied, t.last_applied_at AS LastAppliedAt,
               COALESCE(t.unchanged, 0) + r.unchanged_not_sent AS Unchanged, COALESCE(t.added, 0) AS Added, COALESCE(t.updated, 0) AS Updated,
               COALESCE(t.removed, 0) AS Removed, COALESCE(t.citizens_created, 0) AS CitizensCreated, COALESCE(t.linked, 0) AS Linked,
               COALESCE(t.merged, 0) AS Merged, COALESCE(t.split, 0) AS Split, COALESCE(t.reviews, 0) AS Reviews
        FROM sync_runs r
        JOIN chosen c ON c.run_id = r.run_id
        LEFT JOIN t ON t.run_id = r.run_id
        ORDER BY r.started_at DESC, r.run_id;
        """;

    /// <param name="runId">The run's id as the store binds it (text on SQLite, a uuid on PostgreSQL).</param>
    public static async Task<SyncRunProgress?> GetRunAsync(DbConnection connection, Guid runId, object runIdParameter)
    {
        var row = await connection.QuerySingleOrDefaultAsync<RunRow>(
            string.Format(CultureInfo.InvariantCulture, RunQuery, "SELECT run_id FROM sync_runs WHERE run_id = @runId"), new { runId = runIdParameter }).ConfigureAwait(false);
        return row is null
            ? null
            : new SyncRunProgress(runId, row.SourceSystem, (int?)row.ExpectedMessages, (int)row.Applied, (int)row.Failed, row.LastFailure) { Tally = row.Tally, AppliedThrough = (int)row.AppliedThrough };
    }

    public static async Task<IReadOnlyList<SyncRunRecord>> GetRunHistoryAsync(DbConnection connection, string? sourceSystem, int limit)
    {
        var rows = await connection.QueryAsync<RunRow>(
            string.Format(
                CultureInfo.InvariantCulture,
                RunQuery,
                "SELECT run_id FROM sync_runs WHERE (@sourceSystem IS NULL OR source_system = @sourceSystem) ORDER BY started_at DESC, run_id LIMIT @limit"),
            new { sourceSystem, limit = Math.Max(1, limit) }).ConfigureAwait(false);
        return [.. rows.Select(r => new SyncRunRecord(
            Guid.Parse(r.RunId),
            r.SourceSystem,
            StoreTime.FromTicks(r.StartedAt),
            StoreTime.FromTicks(r.CompletedAt),
            r.LastApplied,
            (int?)r.RecordCount,
            (int?)r.RejectCount,
            RunStatus(r.Refused, r.Failure, r.Failed, r.CompletedAt),
            r.Failure ?? FailedMessagesText(r.Failed),
            r.Tally))];
    }

    private static string RunStatus(bool refused, string? failure, long failedMessages, long? completedAt) =>
        refused ? "Refused"
        : failure is not null || failedMessages > 0 ? "Failed"
        : completedAt is null ? "Running"
        : "Completed";

    private static string? FailedMessagesText(long failedMessages) =>
        failedMessages > 0 ? $"{failedMessages} of its messages could not be applied; see the failed messages" : null;

    public static async Task<HeldSourceRecord?> GetSourceRecordAsync(DbConnection connection, string sourceSystem, string sourceKey)
    {
        var row = await connection.QuerySingleOrDefaultAsync<(string CitizenId, long ObservedAt, long LinkedAt, byte[] Record, bool Restricted)?>(
            $"""
            SELECT s.citizen_id, s.observed_at, s.linked_at, s.record, s.citizen_id IN ({RestrictedCitizens}) FROM source_records s
            WHERE s.source_system = @sourceSystem AND s.source_key = @sourceKey;
            """,
            new { sourceSystem, sourceKey }).ConfigureAwait(false);
        return row is { } r
            ? new HeldSourceRecord(r.CitizenId, StoreTime.FromTicks(r.ObservedAt), StoreTime.FromTicks(r.LinkedAt), StoredRecord.Decode(r.Record), r.Restricted)
            : null;
    }

    public static async Task<IReadOnlyList<CitizenHistoryEntry>> GetHistoryAsync(DbConnection connection, string citizenId)
    {
        var rows = await connection.QueryAsync<(string CitizenId, string Cause, string? SourceSystem, string? SourceKey, string? Related, long At)>(
            """
            SELECT citizen_id, cause, source_system, source_key, related_citizen, at FROM citizen_history
            WHERE citizen_id = @citizenId ORDER BY seq;
            """,
            new { citizenId }).ConfigureAwait(false);
        return [.. rows.Select(r => new CitizenHistoryEntry(
            r.CitizenId,
            Enum.Parse<HistoryCause>(r.Cause),
            r.SourceSystem is null ? null : new SourceRecordRef(r.SourceSystem, r.SourceKey!),
            r.Related,
            StoreTime.FromTicks(r.At)))];
    }

    public static async Task<PairEvidence?> GetLinkEvidenceAsync(DbConnection connection, string sourceSystem, string sourceKey)
    {
        var evidence = await connection.ExecuteScalarAsync<byte[]?>(
            "SELECT evidence FROM source_records WHERE source_system = @sourceSystem AND source_key = @sourceKey;",
            new { sourceSystem, sourceKey }).ConfigureAwait(false);
        return evidence is null ? null : StoredEvidence.Decode(evidence);
    }

    /// <param name="transaction">A resolution session's, when it reads inside its own writes.</param>
    public static async Task<ReviewItem?> GetReviewAsync(DbConnection connection, long reviewId, DbTransaction? transaction = null)
    {
        var row = await connection.QuerySingleOrDefaultAsync<ReviewRow>(
            $"SELECT {ReviewColumns} FROM review_items WHERE review_id = @reviewId;",
            new { reviewId },
            transaction).ConfigureAwait(false);
        return row is { } r ? ReviewFrom(r) : null;
    }

    public static async Task<IReadOnlyList<ReviewItem>> GetReviewsAsync(DbConnection connection, ReviewQuery query)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1);
        var conditions = new List<string> { "status = @status" };
        var parameters = new DynamicParameters();
        parameters.Add("status", query.Status.ToString());
        if (query.After is { } after)
        {
            conditions.Add("review_id > @after");
            parameters.Add("after", after);
        }

        if (query.Source is not null)
        {
            conditions.Add("(source_system = @source OR candidate_system = @source)");
            parameters.Add("source", query.Source);
        }

        if (query.CreatedBefore is { } before)
        {
            conditions.Add("created_at < @before");
            parameters.Add("before", StoreTime.ToTicks(before));
        }

        var hidden = query.HiddenSources.ToList();
        if (hidden.Count > 0)
        {
            var names = string.Join(", ", hidden.Select((_, i) => "@hidden" + i.ToString(CultureInfo.InvariantCulture)));
            conditions.Add($"source_system NOT IN ({names}) AND candidate_system NOT IN ({names})");
            for (var i = 0; i < hidden.Count; i++)
            {
                parameters.Add("hidden" + i.ToString(CultureInfo.InvariantCulture), hidden[i]);
            }
        }

        parameters.Add("limit", (long)query.Limit);
        var rows = await connection.QueryAsync<ReviewRow>(
            $"SELECT {ReviewColumns} FROM review_items WHERE "
            + string.Join(" AND ", conditions) + " ORDER BY review_id LIMIT @limit;",
            parameters).ConfigureAwait(false);
        return [.. rows.Select(ReviewFrom)];
    }

    /// <summary>A review's columns, named as <see cref="ReviewRow"/>'s properties.</summary>
    private const string ReviewColumns =
        """
        review_id AS Id, source_system AS SourceSystem, source_key AS SourceKey, evidence AS Evidence, status AS Status,
        created_at AS CreatedAt, candidate_citizen AS CandidateCitizen, candidate_system AS CandidateSystem, candidate_key AS CandidateKey
        """;

    private static ReviewItem ReviewFrom(ReviewRow r) => new(
        r.Id,
        new SourceRecordRef(r.SourceSystem, r.SourceKey),
        StoredEvidence.DecodeForReview(r.Evidence, r.CandidateCitizen, r.CandidateSystem, r.CandidateKey),
        Enum.Parse<ReviewStatus>(r.Status),
        StoreTime.FromTicks(r.CreatedAt));

    public static async Task<AuditPage> QueryAuditAsync(DbConnection connection, AuditQuery query)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1);
        // Only the criteria given become conditions (each a parameter), so that each filter's own index serves it.
        var conditions = new List<string>();
        var parameters = new DynamicParameters();
        if (query.CitizenId is not null)
        {
            var ids = await MergedIntoAsync(connection, query.CitizenId).ConfigureAwait(false);
            conditions.Add($"citizen_id IN ({string.Join(", ", ids.Select((_, i) => "@citizen" + i.ToString(CultureInfo.InvariantCulture)))})");
            for (var i = 0; i < ids.Count; i++)
            {
                parameters.Add("citizen" + i.ToString(CultureInfo.InvariantCulture), ids[i]);
            }
        }

        if (query.Caller is not null)
        {
            conditions.Add("caller = @caller");
            parameters.Add("caller", query.Caller);
        }

        if (query.Action is not null)
        {
            conditions.Add("action = @action");
            parameters.Add("action", query.Action);
        }

        if (query.From is { } from)
        {
            conditions.Add("at >= @from");
            parameters.Add("from", StoreTime.ToTicks(from));
        }

        if (query.To is { } to)
        {
            conditions.Add("at < @to");
            parameters.Add("to", StoreTime.ToTicks(to));
        }

        if (query.After is { } after)
        {
            conditions.Add(query.NewestFirst ? "seq < @after" : "seq > @after");
            parameters.Add("after", after);
        }

        // One row more than the page: whether it comes says whether there is a next page, without counting.
        parameters.Add("take", (long)query.Limit + 1);
        var sql = "SELECT seq, at, caller, roles, action, citizen_id, purpose, fields, details FROM audit_log"
            + (conditions.Count == 0 ? "" : " WHERE " + string.Join(" AND ", conditions))
            + (query.NewestFirst ? " ORDER BY seq DESC" : " ORDER BY seq")
            + " LIMIT @take;";
        var rows = (await connection.QueryAsync<(long Seq, long At, string Caller, string Roles, string Action, string? CitizenId, string? Purpose, string Fields, string? Details)>(
            sql, parameters).ConfigureAwait(false)).ToList();
        var entries = rows.Take(query.Limit).Select(r => new AuditEntry(
            r.Seq, StoreTime.FromTicks(r.At), r.Caller, r.Roles, r.Action, r.CitizenId, r.Purpose,
            r.Fields.Length == 0 ? [] : r.Fields.Split(','))
        {
            Details = r.Details is null ? null : StoreJson.Deserialize<Dictionary<string, string>>(r.Details),
        }).ToList();
        return new AuditPage(entries, rows.Count > query.Limit ? entries[^1].Sequence : null);
    }

    /// <summary>The citizen and every id forwarded to it, through merges of merges.</summary>
    /// <remarks>
    /// The id itself is kept even when no citizen has it: rows about an id are found whatever became of it.
    /// UNION (not UNION ALL) ends the walk should forwarding ever loop.
    /// </remarks>
    private static async Task<IReadOnlyList<string>> MergedIntoAsync(DbConnection connection, string citizenId)
    {
        var absorbed = await connection.QueryAsync<string>(
            """
            WITH RECURSIVE absorbed (id) AS (
                SELECT citizen_id FROM citizens WHERE merged_into = @citizenId
                UNION
                SELECT c.citizen_id FROM citizens c JOIN absorbed a ON c.merged_into = a.id
            )
            SELECT id FROM absorbed;
            """,
            new { citizenId }).ConfigureAwait(false);
        return [citizenId, .. absorbed.Where(id => id != citizenId)];
    }

    /// <summary>The JSON kept in <c>audit_log.details</c>, or null for a row with none.</summary>
    public static string? AuditDetails(AuditEntry entry) => entry.Details is { Count: > 0 } details ? StoreJson.Serialize(details) : null;

    public static async Task<IReadOnlyList<FailedMessage>> GetFailedMessagesAsync(DbConnection connection, bool includeApplied)
    {
        var rows = await connection.QueryAsync<FailureRow>(
            FailureQuery + " WHERE (@includeApplied OR a.run_id IS NULL) ORDER BY f.failure_id;",
            new { includeApplied }).ConfigureAwait(false);
        return [.. rows.Select(r => r.ToFailedMessage(withBody: false))];
    }

    public static async Task<FailedMessage?> GetFailedMessageAsync(DbConnection connection, long failureId)
    {
        var row = await connection.QuerySingleOrDefaultAsync<FailureRow>(FailureQuery + " WHERE f.failure_id = @failureId;", new { failureId }).ConfigureAwait(false);
        return row?.ToFailedMessage(withBody: true);
    }

    /// <param name="readFields">The store's own read of golden fields (its SQL for a list of ids differs).</param>
    public static async Task<CitizenView?> GetCitizenAsync(
        DbConnection connection, string citizenId, Func<IReadOnlyCollection<string>, Task<Dictionary<string, IReadOnlyList<GoldenField>>>> readFields)
    {
        var citizen = await connection.QuerySingleOrDefaultAsync<CitizenRow>(
            $"""
            SELECT citizen_id AS CitizenId, status AS Status, merged_into AS MergedInto, version AS Version,
                   created_at AS CreatedAt, updated_at AS UpdatedAt, citizen_id IN ({RestrictedCitizens}) AS Restricted
            FROM citizens WHERE citizen_id = @citizenId;
            """,
            new { citizenId }).ConfigureAwait(false);
        if (citizen is null)
        {
            return null;
        }

        var fields = await readFields([citizenId]).ConfigureAwait(false);
        var records = await connection.QueryAsync<LinkedRow>(
            """
            SELECT source_system AS SourceSystem, source_key AS SourceKey, observed_at AS ObservedAt,
                   linked_at AS LinkedAt, record AS Record
            FROM source_records WHERE citizen_id = @citizenId ORDER BY source_system, source_key;
            """,
            new { citizenId }).ConfigureAwait(false);

        return new CitizenView(
            citizen.CitizenId,
            Enum.Parse<CitizenStatus>(citizen.Status),
            citizen.MergedInto,
            citizen.Version,
            StoreTime.FromTicks(citizen.CreatedAt),
            StoreTime.FromTicks(citizen.UpdatedAt),
            fields.GetValueOrDefault(citizenId, []),
            [.. records.Select(r => new LinkedSourceRecord(
                r.SourceSystem,
                r.SourceKey,
                StoreTime.FromTicks(r.ObservedAt),
                StoreTime.FromTicks(r.LinkedAt),
                StoredRecord.Decode(r.Record)))],
            citizen.Restricted);
    }

    public static async Task<IReadOnlyList<SourceStatus>> GetSourcesAsync(DbConnection connection)
    {
        var held = (await connection.QueryAsync<(string System, long Count)>(
            "SELECT source_system, COUNT(*) FROM source_records GROUP BY source_system;").ConfigureAwait(false))
            .ToDictionary(r => r.System, r => r.Count, StringComparer.Ordinal);
        // The last run of each source: the latest started.
        var runs = (await connection.QueryAsync<(string RunId, string System, long? StartedAt, long? CompletedAt, long? Records, long? Rejects, string? Failure, bool Refused, long Failed)>(
            """
            SELECT CAST(r.run_id AS text), r.source_system, r.started_at, r.completed_at, r.record_count, r.reject_count, r.failure, r.refused,
                   (SELECT COUNT(*) FROM failed_messages f WHERE f.run_id = r.run_id AND NOT EXISTS (
                        SELECT 1 FROM applied_messages a WHERE a.run_id = f.run_id AND a.kind = f.kind AND a.sequence = f.sequence))
            FROM sync_runs r
            WHERE r.started_at = (SELECT MAX(started_at) FROM sync_runs l WHERE l.source_system = r.source_system);
            """).ConfigureAwait(false))
            .GroupBy(r => r.System, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        return [.. held.Keys.Union(runs.Keys).Order(StringComparer.Ordinal).Select(system =>
        {
            var count = held.GetValueOrDefault(system);
            if (!runs.TryGetValue(system, out var run))
            {
                return new SourceStatus(system, count, null, null, null, null, null, null, null);
            }

            return new SourceStatus(
                system, count, Guid.Parse(run.RunId),
                StoreTime.FromTicks(run.StartedAt),
                StoreTime.FromTicks(run.CompletedAt),
                (int?)run.Records, (int?)run.Rejects, RunStatus(run.Refused, run.Failure, run.Failed, run.CompletedAt),
                run.Failure ?? FailedMessagesText(run.Failed));
        })];
    }
}
