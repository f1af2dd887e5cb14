using System.Runtime.CompilerServices;
using CitizenHub.Contracts;
using CitizenHub.Matching;
using CitizenHub.Matching.Identity;
using CitizenHub.Matching.Linking;
using Dapper;
using Microsoft.Data.Sqlite;

namespace CitizenHub.Store.Sqlite;

/// <summary>The embedded store: one SQLite file, created on first use.</summary>
/// <remarks>
/// SQLite allows one writer at a time, so resolution sessions are taken one after another
/// (a semaphore), while reads run beside them on their own connections (write-ahead log).
/// </remarks>
public sealed class SqliteCitizenStore : ICitizenStore, IDisposable
{
    private readonly string _connectionString;
    private readonly SemaphoreSlim _writer = new(1, 1);
    private readonly HeldKeyIndex _keys = new();
    private readonly NormalisedRecordCache _normalisedForms = new();

    // Every read of the API appends its audit row before it answers, and each commit waits for the disk: the rows of
    // the reads arriving together are committed together.
    private readonly GroupCommit<AuditEntry> _audit;

    /// <param name="connectionString">A Microsoft.Data.Sqlite connection string, e.g. <c>Data Source=/var/lib/citizenhub/hub.db</c>.</param>
    public SqliteCitizenStore(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var builder = new SqliteConnectionStringBuilder(connectionString)
        {
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
        };
        _connectionString = builder.ToString();
        _audit = new GroupCommit<AuditEntry>(WriteAuditAsync);
    }

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(new SqliteConnectionStringBuilder(_connectionString).DataSource));
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        // WAL lets the API read while the hub writes; it is a property of the file, so set once here.
        await connection.ExecuteAsync("PRAGMA journal_mode = WAL;").ConfigureAwait(false);
        await connection.ExecuteAsync("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);").ConfigureAwait(false);
        // Migration 29 converts the times and digests kept as text before it.
        connection.CreateFunction<string?, long?>("store_ticks", text => text is null ? null : StoreTime.TicksOfText(text), isDeterministic: true);
        connection.CreateFunction<string?, byte[]?>("store_digest", text => text is null ? null : StoredDigest.OfText(text), isDeterministic: true);
        // A migration that makes a table again drops the one other tables refer to before its copy takes the name, which
        // SQLite allows only with foreign keys off, and only outside a transaction (its way of altering a table).
        await connection.ExecuteAsync("PRAGMA foreign_keys = OFF;").ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var current = await connection.ExecuteScalarAsync<long?>("SELECT MAX(version) FROM schema_version;", transaction: transaction).ConfigureAwait(false) ?? 0;
        for (var version = (int)current + 1; version <= SqliteSchema.Migrations.Count; version++)
        {
            await connection.ExecuteAsync(SqliteSchema.Migrations[version - 1], transaction: transaction).ConfigureAwait(false);
            await connection.ExecuteAsync("INSERT INTO schema_version (version) VALUES (@version);", new { version }, transaction).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync("PRAGMA foreign_keys = ON;").ConfigureAwait(false);
        await FillPhoneticKeysAsync(connection, cancellationToken).ConfigureAwait(false);
        await FillSchemeIdentifierKeysAsync(connection, cancellationToken).ConfigureAwait(false);
        // A first load that never finished left its search indexes out: they are built on the next start.
        await SearchIndexes.BuildAsync(connection, takeTurns: null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Gives records written before migration 9 their names' sound keys, from the records. Runs on every
    /// start, and finds nothing to do once done.
    /// </summary>
    private static async Task FillPhoneticKeysAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        while (true)
        {
            var rows = (await connection.QueryAsync<(string System, string Key, byte[] Record)>(
                """
                SELECT source_system, source_key, record FROM source_records
                WHERE family_phonetic IS NULL AND given_phonetic IS NULL AND (family_key IS NOT NULL OR given_key IS NOT NULL)
                LIMIT 10000;
                """).ConfigureAwait(false)).ToList();
            if (rows.Count == 0)
            {
                return;
            }

            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await connection.ExecuteAsync(
                // A record whose names have no sound key at all gets an empty one, so it is not read again.
                "UPDATE source_records SET family_phonetic = @Family, given_phonetic = @Given WHERE source_system = @System AND source_key = @Key;",
                rows.Select(r =>
                {
                    var normalised = StoredRecord.Normalised(r.Record);
                    return new { Family = normalised.FamilyPhonetic ?? "", Given = normalised.GivenPhonetic ?? "", r.System, r.Key };
                }).ToList(),
                transaction).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Writes the keys of named schemes' identifiers of records held before migration 30, from the records, a batch to
    /// a transaction, so that a start cut off goes on where it stopped. Runs on every start, and finds nothing to do
    /// once done.
    /// </summary>
    private static async Task FillSchemeIdentifierKeysAsync(SqliteConnection connection, CancellationToken cancellationToken)
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

            var keys = PendingSchemeKeys.Of(rows).Select(k => new { k.MatchKey, k.System, k.Key }).ToList();
            await connection.ExecuteAsync(
                "INSERT INTO match_keys (match_key, source_system, source_key) VALUES (@MatchKey, @System, @Key) ON CONFLICT DO NOTHING;",
                keys,
                transaction).ConfigureAwait(false);
            await connection.ExecuteAsync(
                "DELETE FROM scheme_keys_pending WHERE source_system = @System AND source_key = @Key;",
                rows.Select(r => new { r.System, r.Key }).ToList(),
                transaction).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<IResolutionSession?> BeginMessageAsync(MessageIdentity message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        SqliteConnection? connection = null;
        try
        {
            connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            // IMMEDIATE takes the write lock now, so the read-then-write below cannot be interleaved.
            var transaction = connection.BeginTransaction(deferred: false);
            var inserted = await connection.ExecuteAsync(
                """
                INSERT INTO applied_messages (run_id, kind, sequence, applied_at)
                -- Now, as ticks (StoreTime), to the millisecond SQLite's clock gives.
                VALUES (@RunId, @Kind, @Sequence, CAST(ROUND((julianday('now') - 2440587.5) * 86400000) AS INTEGER) * 10000)
                ON CONFLICT DO NOTHING;
                """,
                new { RunId = message.RunId.ToString(), message.Kind, message.Sequence },
                transaction).ConfigureAwait(false);
            if (inserted == 0)
            {
                await transaction.DisposeAsync().ConfigureAwait(false);
                await connection.DisposeAsync().ConfigureAwait(false);
                _writer.Release();
                return null;
            }

            return new SqliteResolutionSession(connection, transaction, _writer, _keys, _normalisedForms);
        }
        catch
        {
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }

            _writer.Release();
            throw;
        }
    }

    public Task RecordRunStartedAsync(SyncRunStarted started, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(started);
        return WriteAsync(
            """
            INSERT INTO sync_runs (run_id, source_system, started_at) VALUES (@RunId, @SourceSystem, @StartedAt)
            ON CONFLICT (run_id) DO UPDATE SET started_at = excluded.started_at;
            """,
            new { RunId = started.RunId.ToString(), started.SourceSystem, StartedAt = StoreTime.ToTicks(started.StartedAt) },
            cancellationToken);
    }

    public Task RecordRunCompletedAsync(SyncRunCompleted completed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(completed);
        return WriteAsync(
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
                RunId = completed.RunId.ToString(),
                completed.SourceSystem,
                CompletedAt = StoreTime.ToTicks(completed.CompletedAt),
                completed.BatchCount,
                completed.RecordCount,
                completed.RejectCount,
                completed.Failure,
                completed.Refused,
                completed.UnchangedNotSent,
            },
            cancellationToken);
    }

    public Task RecordMessageFailedAsync(MessageIdentity message, string reason, string? body, DateTimeOffset failedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return WriteAsync(
            """
            INSERT INTO failed_messages (run_id, kind, sequence, reason, failed_at, message)
            VALUES (@RunId, @Kind, @Sequence, @Reason, @FailedAt, @Body)
            ON CONFLICT (run_id, kind, sequence) DO UPDATE SET
                reason = excluded.reason, failed_at = excluded.failed_at, message = COALESCE(excluded.message, message);
            """,
            new { RunId = message.RunId.ToString(), message.Kind, message.Sequence, Reason = reason, FailedAt = StoreTime.ToTicks(failedAt), Body = body },
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
        await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            var rows = await connection.QueryAsync<FeedRow>(
                """
                UPDATE change_feed SET publish_lease_until = @leaseUntil
                WHERE seq IN (
                    SELECT seq FROM change_feed
                    WHERE published_at IS NULL AND at < @occurredBefore AND (publish_lease_until IS NULL OR publish_lease_until < @now)
                    ORDER BY seq LIMIT @limit)
                RETURNING seq AS Seq, at AS At, kind AS Kind, citizen_id AS CitizenId, related_citizen AS Related, version AS Version,
                          fields AS Fields, cause_system AS CauseSystem, cause_key AS CauseKey;
                """,
                new { now = StoreTime.ToTicks(now), occurredBefore = StoreTime.ToTicks(occurredBefore), leaseUntil = StoreTime.ToTicks(leaseUntil), limit }).ConfigureAwait(false);
            return [.. rows.OrderBy(r => r.Seq).Select(r => r.ToChange())];
        }
        finally
        {
            _writer.Release();
        }
    }

    public Task MarkPublishedAsync(IReadOnlyCollection<long> sequences, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        return sequences.Count == 0 ? Task.CompletedTask : WriteAsync(
            "UPDATE change_feed SET published_at = @at, publish_lease_until = NULL WHERE seq IN @sequences;",
            new { at = StoreTime.ToTicks(at), sequences },
            cancellationToken);
    }

    public async Task<SyncRunProgress?> GetRunAsync(Guid runId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await StoreReads.GetRunAsync(connection, runId, runId.ToString()).ConfigureAwait(false);
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
        return await SearchIndexes.DeferAsync(connection, takeTurns: null, cancellationToken).ConfigureAwait(false);
    }

    public async Task BuildSearchIndexesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await SearchIndexes.BuildAsync(connection, takeTurns: null, cancellationToken).ConfigureAwait(false);
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
            new { sourceSystem, cursor, runId = runId.ToString(), savedAt = StoreTime.ToTicks(savedAt) },
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
            conditions.Add(search.GivenPhonetic is null ? "s.given_key IN @GivenKeys" : "(s.given_key IN @GivenKeys OR s.given_phonetic = @GivenPhonetic)");
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
            conditions.Add("s.source_system NOT IN @HiddenSources");
        }

        for (var i = 0; i < search.IdentifierKeys.Count; i++)
        {
            conditions.Add($"EXISTS (SELECT 1 FROM match_keys k WHERE k.source_system = s.source_system AND k.source_key = s.source_key AND k.match_key = @Identifier{i})");
        }

        var parameters = new DynamicParameters(new
        {
            search.FamilyKey, search.FamilyPhonetic, search.GivenPhonetic, search.DateOfBirth, search.Postcode, search.IncludeRestricted, limit,
            GivenKeys = search.GivenKey is null ? [] : search.GivenEquivalents.Prepend(search.GivenKey).ToList(),
            SourceSystem = search.SourceRecord?.SourceSystem,
            SourceKey = search.SourceRecord?.SourceKey,
            HiddenSources = search.HiddenSources.ToList(),
        });
        for (var i = 0; i < search.IdentifierKeys.Count; i++)
        {
            parameters.Add($"Identifier{i}", search.IdentifierKeys[i]);
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var ids = (await connection.QueryAsync<string>(
            $"""
            SELECT c.citizen_id FROM citizens c
            WHERE c.status = 'Active' AND (@IncludeRestricted OR c.citizen_id NOT IN ({StoreReads.RestrictedCitizens})) AND EXISTS (
                SELECT 1 FROM source_records s WHERE s.citizen_id = c.citizen_id AND {string.Join(" AND ", conditions)})
            ORDER BY c.seq LIMIT @limit;
            """,
            parameters).ConfigureAwait(false)).ToList();
        var fields = await ReadFieldsAsync(connection, ids).ConfigureAwait(false);
        var records = (await connection.QueryAsync<(string CitizenId, byte[] Record)>(
            "SELECT citizen_id, record FROM source_records WHERE citizen_id IN @ids;", new { ids }).ConfigureAwait(false))
            .ToLookup(r => r.CitizenId, r => StoredRecord.Normalised(r.Record), StringComparer.Ordinal);
        return [.. ids.Select(id => new CitizenSummary(id, fields.GetValueOrDefault(id, []), [.. records[id]]))];
    }

    public async IAsyncEnumerable<CitizenLink> ReadLinksAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT citizen_id, source_system, source_key FROM source_records ORDER BY citizen_id, source_system, source_key;";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return new CitizenLink(reader.GetString(0), reader.GetString(1), reader.GetString(2));
        }
    }

    public async IAsyncEnumerable<NormalisedRecord> ReadNormalisedRecordsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT record FROM source_records ORDER BY source_system, source_key;";
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
            return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM schema_version;").ConfigureAwait(false) > 0;
        }
        catch (SqliteException)
        {
            return false;
        }
    }

    public void Dispose() => _writer.Dispose();

    private static async Task<Dictionary<string, IReadOnlyList<GoldenField>>> ReadFieldsAsync(
        SqliteConnection connection,
        IReadOnlyCollection<string> citizenIds)
    {
        if (citizenIds.Count == 0)
        {
            return [];
        }

        var rows = await connection.QueryAsync<(string CitizenId, byte[]? Golden)>(
            "SELECT citizen_id, golden FROM citizens WHERE citizen_id IN @citizenIds AND golden IS NOT NULL;",
            new { citizenIds }).ConfigureAwait(false);
        return rows.ToDictionary(r => r.CitizenId, r => GoldenRow.Decode(r.Golden), StringComparer.Ordinal);
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
              AND f.cause_system NOT IN @hiddenSources
            ORDER BY f.seq LIMIT @limit;
            """,
            new { after, limit, includeRestricted, hiddenSources = hiddenSources.ToList() }).ConfigureAwait(false);
        return [.. rows.Select(r => r.ToChange())];
    }

    public Task AppendAuditAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        return entries.Count == 0 ? Task.CompletedTask : _audit.AddAsync(entries, cancellationToken);
    }

    /// <summary>Audit rows in one transaction: one commit, one wait for the disk, however many.</summary>
    private Task WriteAuditAsync(IReadOnlyList<AuditEntry> entries) =>
        WriteAsync(
            """
            INSERT INTO audit_log (at, caller, roles, action, citizen_id, purpose, fields, details)
            VALUES (@At, @Caller, @Roles, @Action, @CitizenId, @Purpose, @Fields, @Details);
            """,
            entries.Select(e => new
            {
                At = StoreTime.ToTicks(e.At), e.Caller, e.Roles, e.Action, e.CitizenId, e.Purpose, Fields = string.Join(',', e.Fields),
                Details = StoreReads.AuditDetails(e),
            }).ToList(),
            CancellationToken.None);

    public async Task<AuditPage> QueryAuditAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await StoreReads.QueryAuditAsync(connection, query).ConfigureAwait(false);
    }

    // One transaction, so that a statement run for a list of parameters commits once, not once a row.
    private async Task WriteAsync(string sql, object parameters, CancellationToken cancellationToken)
    {
        await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await connection.ExecuteAsync(sql, parameters, transaction).ConfigureAwait(false);
            // Written is committed, as a statement on its own was: a caller cancelling now does not undo it.
            await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _writer.Release();
        }
    }

    /// <summary>A connection for the reads the two stores share (<see cref="StoreReads"/>).</summary>
    private async Task<System.Data.Common.DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        await OpenAsync(cancellationToken).ConfigureAwait(false);

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(ConnectionPragmas).ConfigureAwait(false);
        return connection;
    }

    /// <summary>
    /// How a connection reads and checkpoints the file. SQLite's default page cache is 2 MB a connection, while at 60,000 persons the
    /// file is 330 MB; resolution spent most of its time reading pages one system call at a time (profiled: <c>pread</c>
    /// and the kernel's copy, over half of all time while the third source linked into the first two). Memory-mapped
    /// reads go straight to the operating system's page cache, shared by every connection, without a call per page; the
    /// bundled SQLite caps the map at 2 GB, so a bigger file reads its remainder through the page cache, which is why
    /// that grows to 64 MB as well. Measured (bench ingest, 60,000 persons): the electoral register's 51,468 records
    /// took 396 s before, 131 s with both; a 256 MB page cache alone gave 146 s, at four times the memory a connection.
    /// A checkpoint copies the write-ahead log into the file. At SQLite's default of every 1,000 pages (4 MB, about six
    /// batches) it wrote the same index pages over and over; every 16,384 pages (64 MB of log at most) writes each of
    /// them once for many batches: 20,000 persons ingested at 1,291-1,376 records/s against 1,193-1,215. (Relaxing
    /// <c>synchronous</c> as well gained nothing measurable, so commits still wait for the disk.)
    /// Temporary storage in memory: an upsert, or a write that fires a trigger, keeps a statement journal (the pages it
    /// changed, so that the statement alone can be undone), which SQLite writes to a temporary file by default, a system
    /// call a page. Timed per store call at 20,000 persons, saving records took 4.0-4.3 s of it against 2.0-2.4 s with the
    /// journal in memory (resolution 19.2-20.1 s against 16.0-17.7 s). It holds only one statement's pages at a time;
    /// sorts too big for the page cache also stay in memory.
    /// </summary>
    public const string ConnectionPragmas =
        "PRAGMA mmap_size = 68719476736; PRAGMA cache_size = -65536; PRAGMA wal_autocheckpoint = 16384; PRAGMA temp_store = MEMORY;";
}
