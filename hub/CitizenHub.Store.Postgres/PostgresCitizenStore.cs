using System.Runtime.CompilerServices;
using CitizenHub.Contracts;
using CitizenHub.Matching;
using CitizenHub.Matching.Identity;
using CitizenHub.Matching.Linking;
using Dapper;
using Npgsql;

namespace CitizenHub.Store.Postgres;

/// <summary>The scale-out store: one PostgreSQL database shared by every hub instance.</summary>
/// <remarks>
/// Reads (the API, a run's progress) run everywhere at once. Resolution is one message at a time across all
/// instances: see <see cref="BeginMessageAsync"/> for why.
/// </remarks>
public sealed class PostgresCitizenStore : ICitizenStore, IDisposable, IAsyncDisposable
{
    /// <summary>
    /// The session-level advisory lock held while the schema is migrated, so that instances starting together
    /// migrate one after another (the later ones find nothing left to do). Any constant will do, as long as
    /// nothing else in the database uses it: these are "CHubMIGR" and "CHubRSLV" in ASCII.
    /// </summary>
    internal const long MigrationLockKey = 0x4348_7562_4D49_4752;

    /// <summary>
    /// Held by whoever drops or builds the search indexes, until its transaction ends: the migration's key, so a first
    /// load finishing takes turns with instances migrating as well as with another load finishing.
    /// </summary>
    private static readonly string SchemaChangesTakeTurns = FormattableString.Invariant($"SELECT pg_advisory_xact_lock({MigrationLockKey});");

    /// <summary>The transaction-level advisory lock every resolution session (and every other writer of golden records) holds until it ends.</summary>
    internal const long ResolutionLockKey = 0x4348_7562_5253_4C56;

    private readonly NpgsqlDataSource _dataSource;
    private readonly HeldKeyIndex _keys = new();
    private readonly SemaphoreSlim _keysInUse = new(1, 1);
    private readonly NormalisedRecordCache _normalisedForms = new();

    /// <param name="connectionString">An Npgsql connection string, e.g. <c>Host=db;Port=5432;Username=citizenhub;Database=citizenhub</c>.</param>
    public PostgresCitizenStore(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        if (!given.ContainsKey("Max Auto Prepare") && !given.ContainsKey("MaxAutoPrepare"))
        {
            // Resolution runs the same few dozen statements for every record, and its lock makes the server's time
            // per statement the hub's throughput: prepared once per connection, they are not parsed and planned
            // again each time. A connection string that sets Max Auto Prepare (0 behind a pooler that cannot
            // keep prepared statements) is left as it is.
            builder.ConnectionStringBuilder.MaxAutoPrepare = 64;
        }

        _dataSource = builder.Build();
    }

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        // Several instances may start at once against one database. The lock makes them take turns: the first
        // migrates, the rest wait, then find every migration applied. It is a session lock (not a transaction
        // lock) so that it spans the version table's creation as well as the migrations.
        await connection.ExecuteAsync("SELECT pg_advisory_lock(@MigrationLockKey);", new { MigrationLockKey }).ConfigureAwait(false);
        try
        {
            await connection.ExecuteAsync(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version bigint PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());")
                .ConfigureAwait(false);
            var current = await connection.ExecuteScalarAsync<long?>("SELECT MAX(version) FROM schema_migrations;").ConfigureAwait(false) ?? 0;
            for (var version = (int)current + 1; version <= PostgresSchema.Migrations.Count; version++)
            {
                // Each migration with its version row in one transaction: a failed one leaves no half a schema.
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await connection.ExecuteAsync(PostgresSchema.Migrations[version - 1], transaction: transaction).ConfigureAwait(false);
                await connection.ExecuteAsync("INSERT INTO schema_migrations (version) VALUES (@version);", new { version }, transaction).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }

            await FillSchemeIdentifierKeysAsync(connection, cancellationToken).ConfigureAwait(false);
            // A first load that never finished left its search indexes out: they are built on the next start.
            await SearchIndexes.BuildAsync(connection, SchemaChangesTakeTurns, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Released explicitly because the pool keeps the connection (and with it a session lock) open.
            await connection.ExecuteAsync("SELECT pg_advisory_unlock(@MigrationLockKey);", new { MigrationLockKey }).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Writes the keys of named schemes' identifiers of records held before migration 19, from the records, a batch to
    /// a transaction, so that a start cut off goes on where it stopped. Runs on every start (under the migration lock),
    /// and finds nothing to do once done.
    /// </summary>
    private static async Task FillSchemeIdentifierKeysAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        while (true)
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var rows = (await connection.QueryAsync<(string System, string Key, byte[]? Record)>(
                PendingSchemeKeys.ReadBatch,
                transaction: transaction).ConfigureAwait(false)).ToList();
            if (rows.Count == 0)
            {
                return;
            }

            var keys = PendingSchemeKeys.Of(rows);
            await connection.ExecuteAsync(
                """
                INSERT INTO match_keys (match_key, source_system, source_key)
                SELECT * FROM unnest(@MatchKeys::text[], @Systems::text[], @Keys::text[]) ON CONFLICT DO NOTHING;
                """,
                new { MatchKeys = keys.Select(k => k.MatchKey).ToArray(), Systems = keys.Select(k => k.System).ToArray(), Keys = keys.Select(k => k.Key).ToArray() },
                transaction).ConfigureAwait(false);
            await connection.ExecuteAsync(
                """
                DELETE FROM scheme_keys_pending p USING unnest(@Systems::text[], @Keys::text[]) AS done(source_system, source_key)
                WHERE p.source_system = done.source_system AND p.source_key = done.source_key;
                """,
                new { Systems = rows.Select(r => r.System).ToArray(), Keys = rows.Select(r => r.Key).ToArray() },
                transaction).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <remarks>
    /// Every session takes one database-wide advisory lock, held until it commits or rolls back, before it reads
    /// anything; so resolution runs one message at a time across every instance sharing the database: the same
    /// single-writer discipline as the SQLite store, while receiving, parsing and reads run everywhere. Narrower
    /// locks would not do: one person's records share only some of their many blocking keys (one has the NI number,
    /// another the date of birth and postcode), so two instances each locking the keys of the record in hand could
    /// both find no match and both create a citizen for one person. SERIALIZABLE isolation would catch that, but by
    /// aborting one transaction, and under contention that means retrying whole batches of hundreds of records.
    /// Holding the lock to the commit also numbers the change feed in commit order.
    /// </remarks>
    public async Task<IResolutionSession?> BeginMessageAsync(MessageIdentity message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        // Before the resolution lock, never after: a session of this instance waiting for the lock while holding the
        // index would keep the index from the session that holds the lock, and neither would go on.
        await _keysInUse.WaitAsync(cancellationToken).ConfigureAwait(false);
        NpgsqlConnection? connection = null;
        NpgsqlTransaction? transaction = null;
        try
        {
            connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            // READ COMMITTED (the default) matters: each statement after the lock sees everything committed by
            // the session that held it before. A snapshot taken earlier (REPEATABLE READ) would not.
            PlanForCurrentSize(connection);
            transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await connection.ExecuteAsync(
                "SET LOCAL plan_cache_mode = force_generic_plan;", transaction: transaction).ConfigureAwait(false);
            await LockResolutionAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
            var inserted = await connection.ExecuteAsync(
                """
                INSERT INTO applied_messages (run_id, kind, sequence) VALUES (@RunId, @Kind, @Sequence)
                ON CONFLICT DO NOTHING;
                """,
                new { message.RunId, message.Kind, Sequence = (long)message.Sequence },
                transaction).ConfigureAwait(false);
            if (inserted == 0)
            {
                await transaction.DisposeAsync().ConfigureAwait(false);
                await connection.DisposeAsync().ConfigureAwait(false);
                _keysInUse.Release();
                return null;
            }

            return new PostgresResolutionSession(connection, transaction, _keys, _keysInUse, _normalisedForms);
        }
        catch
        {
            if (transaction is not null)
            {
                await transaction.DisposeAsync().ConfigureAwait(false);
            }

            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }

            _keysInUse.Release();
            throw;
        }
    }

    /// <summary>
    /// Drops the connection's prepared statements, so that each message's are planned afresh for the tables as they
    /// are now, and then once: a resolution session runs its statements with <c>plan_cache_mode</c> set to
    /// <c>force_generic_plan</c> for the rest of its transaction.
    /// </summary>
    /// <remarks>
    /// Left to itself the server plans the candidate search anew on every call (its plan for the actual parameters
    /// looks cheaper than a generic one): 0.6 ms of planning against 0.1 ms of running it, 24 of 108 s at 20,000
    /// people. A generic plan kept for the life of a pooled connection would be worse: made while the tables were
    /// nearly empty, it scanned <c>match_keys</c> whole on every call once they had grown, until an autoanalyze
    /// happened to invalidate it. Planned once a message, a plan is never more than one message out of date.
    /// Npgsql unprepares synchronously only: one short round trip a message, before the lock is waited for.
    /// </remarks>
    private static void PlanForCurrentSize(NpgsqlConnection connection) => connection.UnprepareAll();

    /// <summary>Waits for the resolution lock, held by this transaction until it ends.</summary>
    private static async Task LockResolutionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken) =>
        await connection.ExecuteAsync(new CommandDefinition(
            "SELECT pg_advisory_xact_lock(@ResolutionLockKey);",
            new { ResolutionLockKey },
            transaction,
            cancellationToken: cancellationToken)).ConfigureAwait(false);

    public Task RecordRunStartedAsync(SyncRunStarted started, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(started);
        return WriteAsync(
            """
            INSERT INTO sync_runs (run_id, source_system, started_at) VALUES (@RunId, @SourceSystem, @StartedAt)
            ON CONFLICT (run_id) DO UPDATE SET started_at = excluded.started_at;
            """,
            new { started.RunId, started.SourceSystem, StartedAt = StoreTime.ToTicks(started.StartedAt) },
            cancellationToken);
    }

    public async Task RecordRunCompletedAsync(SyncRunCompleted completed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(completed);
        await WriteAsync(
            """
            INSERT INTO sync_runs (run_id, source_system, completed_at, expected_messages, record_count, reject_count, failure, refused, unchanged_not_sent)
            VALUES (@RunId, @SourceSystem, @CompletedAt, @BatchCount, @RecordCount, @RejectCount, @Failure, @Refused, @UnchangedNotSent)
            ON CONFLICT (run_id) DO UPDATE SET
                completed_at = excluded.completed_at,
                expected_messages = excluded.expected_messages,
                record_count = excluded.record_count,
                reject_count = excluded.reject_count,
                failure = excluded.failure,
                refused = excluded.refused,
                unchanged_not_sent = excluded.unchanged_not_sent;
            """,
            new
            {
                completed.RunId,
                completed.SourceSystem,
                CompletedAt = StoreTime.ToTicks(completed.CompletedAt),
                BatchCount = (long)completed.BatchCount,
                RecordCount = (long)completed.RecordCount,
                RejectCount = (long)completed.RejectCount,
                completed.Failure,
                completed.Refused,
                UnchangedNotSent = (long)completed.UnchangedNotSent,
            },
            cancellationToken).ConfigureAwait(false);
        await PruneRemovedKeysAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>How long the note of a removed record is kept for other instances to take it out of their indexes.</summary>
    internal static readonly TimeSpan RemovedKeysKeptFor = TimeSpan.FromDays(1);

    /// <summary>
    /// Deletes the notes of records removed more than <see cref="RemovedKeysKeptFor"/> ago, and records the highest
    /// version deleted: an instance whose index is older than that (one that resolved nothing for a day) loads every
    /// record's keys afresh when it next resolves, rather than miss a removal. Run after each sync run; two at once
    /// delete each note once.
    /// </summary>
    internal Task PruneRemovedKeysAsync(CancellationToken cancellationToken) => WriteAsync(
        """
        WITH pruned AS (
            DELETE FROM removed_record_keys WHERE removed_at < now() - make_interval(secs => @Seconds) RETURNING key_version
        )
        UPDATE removed_record_keys_pruned SET through = GREATEST(through, (SELECT MAX(key_version) FROM pruned))
        WHERE EXISTS (SELECT 1 FROM pruned);
        """,
        new { Seconds = RemovedKeysKeptFor.TotalSeconds },
        cancellationToken);

    public Task RecordMessageFailedAsync(MessageIdentity message, string reason, string? body, DateTimeOffset failedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return WriteAsync(
            """
            INSERT INTO failed_messages (run_id, kind, sequence, reason, failed_at, message)
            VALUES (@RunId, @Kind, @Sequence, @Reason, @FailedAt, @Body)
            ON CONFLICT (run_id, kind, sequence) DO UPDATE SET
                reason = excluded.reason, failed_at = excluded.failed_at, message = COALESCE(excluded.message, failed_messages.message);
            """,
            new { message.RunId, message.Kind, Sequence = (long)message.Sequence, Reason = reason, FailedAt = StoreTime.ToTicks(failedAt), Body = body },
            cancellationToken);
    }

    public async Task<IReadOnlyList<FailedMessage>> GetFailedMessagesAsync(bool includeApplied, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await StoreReads.GetFailedMessagesAsync(connection, includeApplied).ConfigureAwait(false);
    }

    public async Task<FailedMessage?> GetFailedMessageAsync(long failureId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await StoreReads.GetFailedMessageAsync(connection, failureId).ConfigureAwait(false);
    }


    public Task MarkReplayedAsync(long failureId, DateTimeOffset at, CancellationToken cancellationToken) =>
        WriteAsync(
            "UPDATE failed_messages SET replayed_at = @at WHERE failure_id = @failureId;",
            new { failureId, at = StoreTime.ToTicks(at) },
            cancellationToken);

    public async Task<IReadOnlyList<FeedChange>> ClaimUnpublishedChangesAsync(DateTimeOffset now, DateTimeOffset occurredBefore, DateTimeOffset leaseUntil, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        // SKIP LOCKED: two instances sweeping at once take different rows instead of waiting on each other.
        var rows = await connection.QueryAsync<FeedRow>(
            """
            UPDATE change_feed SET publish_lease_until = @leaseUntil
            WHERE seq IN (
                SELECT seq FROM change_feed
                WHERE published_at IS NULL AND at < @occurredBefore AND (publish_lease_until IS NULL OR publish_lease_until < @now)
                ORDER BY seq LIMIT @limit
                FOR UPDATE SKIP LOCKED)
            RETURNING seq AS Seq, at AS At, kind AS Kind, citizen_id AS CitizenId, related_citizen AS Related, version AS Version,
                      fields AS Fields, cause_system AS CauseSystem, cause_key AS CauseKey;
            """,
            new { now = StoreTime.ToTicks(now), occurredBefore = StoreTime.ToTicks(occurredBefore), leaseUntil = StoreTime.ToTicks(leaseUntil), limit = (long)limit }).ConfigureAwait(false);
        return [.. rows.OrderBy(r => r.Seq).Select(r => r.ToChange())];
    }

    public Task MarkPublishedAsync(IReadOnlyCollection<long> sequences, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        return sequences.Count == 0 ? Task.CompletedTask : WriteAsync(
            "UPDATE change_feed SET published_at = @at, publish_lease_until = NULL WHERE seq = ANY(@sequences);",
            new { at = StoreTime.ToTicks(at), sequences = sequences.ToArray() },
            cancellationToken);
    }

    public async Task<SyncRunProgress?> GetRunAsync(Guid runId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await StoreReads.GetRunAsync(connection, runId, runId).ConfigureAwait(false);
    }

    public async Task<SyncLockHolder?> TakeSyncLockAsync(SyncLockHolder claimant, Guid? replacing, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claimant);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await SyncLockSql.TakeAsync(connection, claimant, replacing).ConfigureAwait(false);
    }

    public async Task<bool> RenewSyncLockAsync(string sourceSystem, Guid runId, DateTimeOffset leaseUntil, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await SyncLockSql.RenewAsync(connection, sourceSystem, runId, leaseUntil).ConfigureAwait(false);
    }

    public async Task ReleaseSyncLockAsync(string sourceSystem, Guid runId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await SyncLockSql.ReleaseAsync(connection, sourceSystem, runId).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<SyncRunRecord>> GetRunHistoryAsync(string? sourceSystem, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await StoreReads.GetRunHistoryAsync(connection, sourceSystem, limit).ConfigureAwait(false);
    }

    public async Task<bool> DeferSearchIndexesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await SearchIndexes.DeferAsync(connection, SchemaChangesTakeTurns, cancellationToken).ConfigureAwait(false);
    }

    public async Task BuildSearchIndexesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await SearchIndexes.BuildAsync(connection, SchemaChangesTakeTurns, cancellationToken).ConfigureAwait(false);
    }

    public async Task<string?> GetCursorAsync(string sourceSystem, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.QuerySingleOrDefaultAsync<string?>(
            "SELECT cursor FROM source_cursors WHERE source_system = @sourceSystem;", new { sourceSystem }).ConfigureAwait(false);
    }

    public Task SaveCursorAsync(string sourceSystem, string? cursor, Guid runId, DateTimeOffset savedAt, CancellationToken cancellationToken) =>
        WriteAsync(
            """
            INSERT INTO source_cursors (source_system, cursor, run_id, saved_at) VALUES (@sourceSystem, @cursor, @runId, @savedAt)
            ON CONFLICT (source_system) DO UPDATE SET cursor = excluded.cursor, run_id = excluded.run_id, saved_at = excluded.saved_at;
            """,
            new { sourceSystem, cursor, runId, savedAt = StoreTime.ToTicks(savedAt) },
            cancellationToken);

    public IAsyncEnumerable<string> ReadSourceKeysAsync(string sourceSystem, CancellationToken cancellationToken) =>
        StoreReads.ReadSourceKeysAsync(OpenConnectionAsync, sourceSystem, cancellationToken);

    public IAsyncEnumerable<(string SourceKey, string ContentHash)> ReadSourceContentHashesAsync(string sourceSystem, CancellationToken cancellationToken) =>
        StoreReads.ReadSourceContentHashesAsync(OpenConnectionAsync, sourceSystem, cancellationToken);

    public async Task<CitizenView?> GetCitizenAsync(string citizenId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await StoreReads.GetCitizenAsync(connection, citizenId, ids => ReadFieldsAsync(connection, ids)).ConfigureAwait(false);
    }

    public async Task<HeldSourceRecord?> GetSourceRecordAsync(string sourceSystem, string sourceKey, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await StoreReads.GetSourceRecordAsync(connection, sourceSystem, sourceKey).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<SourceStatus>> GetSourcesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await StoreReads.GetSourcesAsync(connection).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<CitizenSummary>> SearchAsync(CitizenSearch search, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(search);
        if (search.IsEmpty)
        {
            return [];
        }

        // Only constant fragments are joined here; every value travels as a parameter.
        var conditions = new List<string>(8);
        if (search.FamilyKey is not null)
        {
            conditions.Add(search.FamilyPhonetic is null ? "s.family_key = @FamilyKey" : "(s.family_key = @FamilyKey OR s.family_phonetic = @FamilyPhonetic)");
        }

        if (search.GivenKey is not null)
        {
            conditions.Add(search.GivenPhonetic is null ? "s.given_key = ANY(@GivenKeys)" : "(s.given_key = ANY(@GivenKeys) OR s.given_phonetic = @GivenPhonetic)");
        }

        if (search.DateOfBirth is not null)
        {
            conditions.Add("s.date_of_birth = @DateOfBirth");
        }

        if (search.Postcode is not null)
        {
            conditions.Add("s.postcode = @Postcode");
        }

        if (search.SourceRecord is not null)
        {
            conditions.Add("(s.source_system = @SourceSystem AND s.source_key = @SourceKey)");
        }

        if (search.HiddenSources.Count > 0)
        {
            // A hit through a hidden source's record would tell the caller that the person has one there.
            conditions.Add("NOT (s.source_system = ANY(@HiddenSources))");
        }

        if (search.IdentifierKeys.Count > 0)
        {
            // Every identifier key given must be held by the one record.
            conditions.Add(
                """
                (SELECT COUNT(DISTINCT k.match_key) FROM match_keys k
                 WHERE k.source_system = s.source_system AND k.source_key = s.source_key AND k.match_key = ANY(@IdentifierKeys)) = @IdentifierCount
                """);
        }

        var identifierKeys = search.IdentifierKeys.Distinct(StringComparer.Ordinal).ToArray();
        var parameters = new
        {
            search.FamilyKey, search.FamilyPhonetic, search.GivenPhonetic, search.DateOfBirth, search.Postcode, search.IncludeRestricted, limit,
            GivenKeys = search.GivenKey is null ? [] : search.GivenEquivalents.Prepend(search.GivenKey).ToArray(),
            SourceSystem = search.SourceRecord?.SourceSystem,
            SourceKey = search.SourceRecord?.SourceKey,
            HiddenSources = search.HiddenSources.ToArray(),
            IdentifierKeys = identifierKeys,
            IdentifierCount = (long)identifierKeys.Length,
        };

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var ids = (await connection.QueryAsync<string>(
            $"""
            SELECT c.citizen_id FROM citizens c
            WHERE c.status = 'Active' AND (@IncludeRestricted OR c.citizen_id NOT IN ({StoreReads.RestrictedCitizens})) AND EXISTS (
                SELECT 1 FROM source_records s WHERE s.citizen_id = c.citizen_id AND {string.Join(" AND ", conditions)})
            ORDER BY c.seq LIMIT @limit;
            """,
            parameters).ConfigureAwait(false)).ToArray();
        var fields = await ReadFieldsAsync(connection, ids).ConfigureAwait(false);
        var records = (await connection.QueryAsync<(string CitizenId, byte[] Record)>(
            "SELECT citizen_id, record FROM source_records WHERE citizen_id = ANY(@ids);", new { ids }).ConfigureAwait(false))
            .ToLookup(r => r.CitizenId, r => StoredRecord.Normalised(r.Record), StringComparer.Ordinal);
        return [.. ids.Select(id => new CitizenSummary(id, fields.GetValueOrDefault(id, []), [.. records[id]]))];
    }

    public async IAsyncEnumerable<CitizenLink> ReadLinksAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            "SELECT citizen_id, source_system, source_key FROM source_records ORDER BY citizen_id, source_system, source_key;", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return new CitizenLink(reader.GetString(0), reader.GetString(1), reader.GetString(2));
        }
    }

    public async IAsyncEnumerable<NormalisedRecord> ReadNormalisedRecordsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("SELECT record FROM source_records ORDER BY source_system, source_key;", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return StoredRecord.Normalised(reader.GetFieldValue<byte[]>(0));
        }
    }

    public async Task<IReadOnlyList<CitizenHistoryEntry>> GetHistoryAsync(string citizenId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await StoreReads.GetHistoryAsync(connection, citizenId).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<ReviewItem>> GetReviewsAsync(ReviewQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await StoreReads.GetReviewsAsync(connection, query).ConfigureAwait(false);
    }

    public async Task<ReviewItem?> GetReviewAsync(long reviewId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await StoreReads.GetReviewAsync(connection, reviewId).ConfigureAwait(false);
    }

    public async Task<PairEvidence?> GetLinkEvidenceAsync(string sourceSystem, string sourceKey, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await StoreReads.GetLinkEvidenceAsync(connection, sourceSystem, sourceKey).ConfigureAwait(false);
    }

    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM schema_migrations;").ConfigureAwait(false) > 0;
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }

    public async Task<IReadOnlyList<FeedChange>> GetChangesAsync(
        long after, int limit, bool includeRestricted, IReadOnlyCollection<string> hiddenSources, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<FeedRow>(
            $"""
            SELECT f.seq AS Seq, f.at AS At, f.kind AS Kind, f.citizen_id AS CitizenId, f.related_citizen AS Related, f.version AS Version,
                   f.fields AS Fields, f.cause_system AS CauseSystem, f.cause_key AS CauseKey
            FROM change_feed f
            WHERE f.seq > @after
              AND (@includeRestricted OR NOT EXISTS (SELECT 1 FROM ({StoreReads.RestrictedCitizens}) hidden WHERE hidden.citizen_id IN (f.citizen_id, f.related_citizen)))
              AND NOT (f.cause_system = ANY(@hiddenSources))
            ORDER BY f.seq LIMIT @limit;
            """,
            new { after, limit = (long)limit, includeRestricted, hiddenSources = hiddenSources.ToArray() }).ConfigureAwait(false);
        return [.. rows.Select(r => r.ToChange())];
    }

    public Task AppendAuditAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        // One statement for the lot, in the order given (WITH ORDINALITY), so that sequence numbers follow it.
        return entries.Count == 0 ? Task.CompletedTask : WriteAsync(
            """
            INSERT INTO audit_log (at, caller, roles, action, citizen_id, purpose, fields, details)
            SELECT at, caller, roles, action, citizen_id, purpose, fields, details
            FROM unnest(@At, @Caller, @Roles, @Action, @CitizenId, @Purpose, @Fields, @Details)
                 WITH ORDINALITY AS e (at, caller, roles, action, citizen_id, purpose, fields, details, n)
            ORDER BY n;
            """,
            new
            {
                At = entries.Select(e => StoreTime.ToTicks(e.At)).ToArray(),
                Caller = entries.Select(e => e.Caller).ToArray(),
                Roles = entries.Select(e => e.Roles).ToArray(),
                Action = entries.Select(e => e.Action).ToArray(),
                CitizenId = entries.Select(e => e.CitizenId).ToArray(),
                Purpose = entries.Select(e => e.Purpose).ToArray(),
                Fields = entries.Select(e => string.Join(',', e.Fields)).ToArray(),
                Details = entries.Select(StoreReads.AuditDetails).ToArray(),
            },
            cancellationToken);
    }

    public async Task<AuditPage> QueryAuditAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await StoreReads.QueryAuditAsync(connection, query).ConfigureAwait(false);
    }

    public void Dispose() => _dataSource.Dispose();

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    private static async Task<Dictionary<string, IReadOnlyList<GoldenField>>> ReadFieldsAsync(
        NpgsqlConnection connection,
        IReadOnlyCollection<string> citizenIds)
    {
        if (citizenIds.Count == 0)
        {
            return [];
        }

        var rows = await connection.QueryAsync<(string CitizenId, byte[]? Golden)>(
            "SELECT citizen_id, golden FROM citizens WHERE citizen_id = ANY(@citizenIds) AND golden IS NOT NULL;",
            new { citizenIds = citizenIds.ToArray() }).ConfigureAwait(false);
        return rows.ToDictionary(r => r.CitizenId, r => GoldenRow.Decode(r.Golden), StringComparer.Ordinal);
    }

    /// <summary>
    /// One statement on its own connection. These write only the run, cursor, failure and audit tables, which
    /// resolution does not write, and each is a single atomic upsert or insert: they need no resolution lock.
    /// </summary>
    private async Task WriteAsync(string sql, object parameters, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>A connection for the reads the two stores share (<see cref="StoreReads"/>).</summary>
    private async Task<System.Data.Common.DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        await OpenAsync(cancellationToken).ConfigureAwait(false);

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
}
