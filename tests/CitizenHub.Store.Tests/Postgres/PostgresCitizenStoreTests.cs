using CitizenHub.Contracts;
using CitizenHub.Matching;
using CitizenHub.Matching.Identity;
using CitizenHub.Store.Postgres;
using CitizenHub.TestKit;
using Npgsql;

namespace CitizenHub.Store.Tests.Postgres;

/// <summary>
/// The store contract against a fresh database on a real PostgreSQL server, and what only a shared database
/// has to get right: several hub instances migrating and resolving at once.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresCitizenStoreTests(PostgresServer server) : CitizenStoreContract
{
    private readonly List<PostgresCitizenStore> _others = [];
    private string _connectionString = "";

    protected override async Task<ICitizenStore> CreateStoreAsync()
    {
        _connectionString = await server.CreateDatabaseAsync();
        return new PostgresCitizenStore(_connectionString);
    }

    protected override async Task ExecuteRawAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    protected override string BeforeSchemeKeysWereKept =>
        "DELETE FROM match_keys WHERE match_key LIKE 'id:%'; DROP TABLE scheme_keys_pending; DELETE FROM schema_migrations WHERE version = 19;";

    protected override async Task<IReadOnlyList<string>> RecordIndexesAsync()
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT indexdef FROM pg_indexes WHERE tablename = 'source_records' ORDER BY indexname;", connection);
        var indexes = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            indexes.Add(reader.GetString(0));
        }

        return indexes;
    }

    public override async Task DisposeAsync()
    {
        foreach (var other in _others)
        {
            await other.DisposeAsync();
        }

        await base.DisposeAsync();
    }

    /// <summary>Another hub instance: its own store (and connection pool) on the same database.</summary>
    private PostgresCitizenStore OtherInstance(string? connectionString = null)
    {
        var store = new PostgresCitizenStore(connectionString ?? _connectionString);
        _others.Add(store);
        return store;
    }

    [Fact]
    public async Task MigrateAsync_FourInstancesAtOnceOnAFreshDatabase_AllSucceedAndLeaveOneSchemaVersion()
    {
        // Pooled, as in production: a session lock left held would stay on the idle pooled connection.
        var fresh = new NpgsqlConnectionStringBuilder(await server.CreateDatabaseAsync()) { Pooling = true }.ToString();
        var instances = Enumerable.Range(0, 4).Select(_ => OtherInstance(fresh)).ToList();

        await Task.WhenAll(instances.Select(i => Task.Run(() => i.MigrateAsync(CancellationToken.None))));

        var versions = await QueryAsync(fresh, "SELECT version FROM schema_migrations ORDER BY version;", r => r.GetInt64(0));
        Assert.Equal(Enumerable.Range(1, PostgresSchema.Migrations.Count).Select(v => (long)v), versions);
        Assert.All(await Task.WhenAll(instances.Select(i => i.PingAsync(CancellationToken.None))), Assert.True);
        // The migration lock is a session lock: it must not stay held on a pooled connection.
        Assert.Empty(await QueryAsync(fresh, "SELECT objid FROM pg_locks WHERE locktype = 'advisory';", r => r.GetFieldValue<object>(0)));
    }

    [Fact]
    public async Task MigrateAsync_DatabaseAtVersion12WithGoldenFields_MovesEachGoldenRecordIntoItsCitizensRow()
    {
        // Before migration 13 a golden record was a row a field; it becomes one column of the citizen's row.
        var old = await DatabaseAtVersionAsync(12);
        string[] citizens = [new string('a', 32), new string('b', 32)];
        await using (var connection = new NpgsqlConnection(old))
        {
            await connection.OpenAsync();
            await using var rows = new NpgsqlCommand(
                $"""
                INSERT INTO citizens (citizen_id, status, version, created_at, updated_at) VALUES
                    ('{citizens[0]}', 'Active', 3, '2026-01-01T00:00:00.0000000+00:00', '2026-01-01T00:00:00.0000000+00:00'),
                    ('{citizens[1]}', 'Removed', 2, '2026-01-01T00:00:00.0000000+00:00', '2026-01-01T00:00:00.0000000+00:00');
                INSERT INTO golden_fields (citizen_id, field, value, source_system, source_key, observed_at) VALUES
                    ('{citizens[0]}', 'family_name', 'Lee', 'ct', '1', '2026-01-01T00:00:00.0000000+00:00'),
                    ('{citizens[0]}', 'given_names', 'Ann', 'er', '7', '2026-02-01T00:00:00.0000000+00:00');
                """,
                connection);
            await rows.ExecuteNonQueryAsync();
        }

        var store = OtherInstance(old);
        await store.MigrateAsync(CancellationToken.None);

        var view = (await store.GetCitizenAsync(citizens[0], CancellationToken.None))!;
        Assert.Equal(
            [("family_name", "Lee", "ct", "1", new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)), ("given_names", "Ann", "er", "7", new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero))],
            view.Fields.Select(f => (f.Field, f.Value, f.SourceSystem, f.SourceKey, f.ObservedAt)).OrderBy(f => f.Field));
        Assert.Equal(3, view.Version);
        Assert.Empty((await store.GetCitizenAsync(citizens[1], CancellationToken.None))!.Fields);
        Assert.Empty(await QueryAsync(old, "SELECT 1 FROM information_schema.tables WHERE table_name = 'golden_fields';", r => r.GetInt32(0)));
    }

    [Fact]
    public async Task MigrateAsync_DatabaseAtVersion16_KeepsEvidenceAndGoldenRecordsKeptAsText_ReadingAsTheyWere()
    {
        // Before migration 17 evidence and golden records were kept as JSON text; they become columns of bytes, the JSON
        // kept before still read.
        var old = await DatabaseAtVersionAsync(16);
        var citizen = new string('c', 32);
        const string Evidence = """["dddddddddddddddddddddddddddddddd","er","7",24.46,"Link",null,null,[["given_name","nickname",4.64],["family_name","exact",6.88,1]]]""";
        await using (var connection = new NpgsqlConnection(old))
        {
            await connection.OpenAsync();
            await using var rows = new NpgsqlCommand(
                $"""
                INSERT INTO citizens (citizen_id, status, version, created_at, updated_at, golden) VALUES
                    ('{citizen}', 'Active', 2, '2026-01-01T00:00:00.0000000+00:00', '2026-01-01T00:00:00.0000000+00:00',
                     '[["family_name","Lee","ct","1","2026-01-01T00:00:00.0000000\u002B00:00"]]');
                INSERT INTO source_records (source_system, source_key, citizen_id, observed_at, linked_at, content_hash, record, evidence_json) VALUES
                    ('ct', '1', '{citizen}', '2026-01-01T00:00:00.0000000+00:00', '2026-01-01T00:00:00.0000000+00:00', 'hash',
                     convert_to('{StoreJson.Serialize(Records.Person("ct", "1", "Ann", "Lee"))}', 'UTF8'), '{Evidence}');
                INSERT INTO review_items (source_system, source_key, candidate_system, candidate_key, candidate_citizen, weight, evidence_json, status, created_at) VALUES
                    ('ct', '1', 'er', '7', '{new string('d', 32)}', 24.46, '{Evidence}', 'Open', '2026-01-01T00:00:00.0000000+00:00');
                """,
                connection);
            await rows.ExecuteNonQueryAsync();
        }

        var store = OtherInstance(old);
        await store.MigrateAsync(CancellationToken.None);

        var expected = StoreJson.Serialize(StoredEvidence.Decode(System.Text.Encoding.UTF8.GetBytes(Evidence)));
        Assert.Equal(expected, StoreJson.Serialize(await store.GetLinkEvidenceAsync("ct", "1", CancellationToken.None)));
        var review = Assert.Single(await store.GetReviewsAsync(new ReviewQuery(CitizenHub.Matching.Identity.ReviewStatus.Open, 10), CancellationToken.None));
        Assert.Equal(expected, StoreJson.Serialize(review.Candidate));
        Assert.Equal([("family_name", "Lee", "ct", "1")], (await store.GetCitizenAsync(citizen, CancellationToken.None))!.Fields.Select(f => (f.Field, f.Value, f.SourceSystem, f.SourceKey)));
        Assert.Equal(
            ["bytea", "bytea", "bytea"],
            await QueryAsync(old, "SELECT data_type FROM information_schema.columns WHERE (table_name, column_name) IN (('source_records', 'evidence'), ('review_items', 'evidence'), ('citizens', 'golden'));", r => r.GetString(0)));
    }

    [Fact]
    public async Task MigrateAsync_DatabaseAtVersion17_KeepsTimesAndDigestsKeptAsText_AsNumbersAndBytes()
    {
        // Before migration 18 times were ISO-8601 text and content digests hex; times become ticks, each to the tick it
        // was, the last tick of a second included (a timestamptz would round it into the next), and digests bytes.
        var old = await DatabaseAtVersionAsync(17);
        var citizen = new string('c', 32);
        var digest = IdentityEngine.ContentHash(Records.Person("ct", "1", "Ann", "Lee"));
        const string Evidence = """["dddddddddddddddddddddddddddddddd","er","7",24.46,"Link",null,null,[["family_name","exact",6.88,1]]]""";
        await using (var connection = new NpgsqlConnection(old))
        {
            await connection.OpenAsync();
            await using var rows = new NpgsqlCommand(
                $"""
                INSERT INTO citizens (citizen_id, status, version, created_at, updated_at) VALUES
                    ('{citizen}', 'Active', 2, '2026-01-01T00:00:00.0000000+00:00', '2026-03-04T05:06:07.9999999+00:00');
                INSERT INTO source_records (source_system, source_key, citizen_id, observed_at, linked_at, content_hash, record) VALUES
                    ('ct', '1', '{citizen}', '2025-12-31T23:59:59.1234567+00:00', '2026-01-01T00:00:00.0000001+00:00', '{digest}',
                     convert_to('{StoreJson.Serialize(Records.Person("ct", "1", "Ann", "Lee"))}', 'UTF8'));
                INSERT INTO citizen_history (citizen_id, cause, source_system, source_key, at) VALUES
                    ('{citizen}', 'RecordAdded', 'ct', '1', '2026-01-01T00:00:00.0000001+00:00');
                INSERT INTO review_items (source_system, source_key, candidate_system, candidate_key, candidate_citizen, weight, evidence, status, created_at) VALUES
                    ('ct', '1', 'er', '7', '{citizen}', 24.46, convert_to('{Evidence}', 'UTF8'), 'Open', '2026-02-01T12:00:00.5000000+00:00');
                """,
                connection);
            await rows.ExecuteNonQueryAsync();
        }

        var store = OtherInstance(old);
        await store.MigrateAsync(CancellationToken.None);

        var view = (await store.GetCitizenAsync(citizen, CancellationToken.None))!;
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), view.CreatedAt);
        Assert.Equal(new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero).AddTicks(9_999_999), view.UpdatedAt);
        var held = (await store.GetSourceRecordAsync("ct", "1", CancellationToken.None))!;
        Assert.Equal(new DateTimeOffset(2025, 12, 31, 23, 59, 59, TimeSpan.Zero).AddTicks(1_234_567), held.ObservedAt);
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(1), held.LinkedAt);
        Assert.Equal(held.LinkedAt, Assert.Single(await store.GetHistoryAsync(citizen, CancellationToken.None)).At);
        var waiting = new DateTimeOffset(2026, 2, 1, 12, 0, 0, TimeSpan.Zero).AddTicks(5_000_000);
        Assert.Equal(waiting, Assert.Single(await store.GetReviewsAsync(new ReviewQuery(CitizenHub.Matching.Identity.ReviewStatus.Open, 10), CancellationToken.None)).CreatedAt);
        Assert.Empty(await store.GetReviewsAsync(new ReviewQuery(CitizenHub.Matching.Identity.ReviewStatus.Open, 10) { CreatedBefore = waiting }, CancellationToken.None));
        Assert.Equal([("1", digest)], await DigestsHeldAsync(store, "ct"));
        Assert.Equal(
            ["bytea", "bytea"],
            await QueryAsync(old, "SELECT data_type FROM information_schema.columns WHERE column_name = 'content_hash' AND table_schema = 'public';", r => r.GetString(0)));
        Assert.Empty(await QueryAsync(
            old,
            "SELECT table_name || '.' || column_name FROM information_schema.columns WHERE table_schema = 'public' AND data_type = 'text' AND (column_name LIKE '%\\_at' OR column_name IN ('at', 'since', 'lease_until', 'publish_lease_until'));",
            r => r.GetString(0)));
    }

    /// <summary>A new database migrated by the first <paramref name="version"/> migrations only, as an older release left it.</summary>
    private async Task<string> DatabaseAtVersionAsync(int version)
    {
        var database = await server.CreateDatabaseAsync();
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand("CREATE TABLE schema_migrations (version bigint PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());", connection);
        await create.ExecuteNonQueryAsync();
        for (var applied = 1; applied <= version; applied++)
        {
            await using var migrate = new NpgsqlCommand(PostgresSchema.Migrations[applied - 1] + $"\nINSERT INTO schema_migrations (version) VALUES ({applied});", connection);
            await migrate.ExecuteNonQueryAsync();
        }

        return database;
    }

    [Fact]
    public async Task BeginMessageAsync_TwoInstancesAtOnce_SecondWaitsForFirstToCommit_AndSeesItsCitizen()
    {
        var order = new List<string>();
        var first = await Store.BeginMessageAsync(NewMessage(), CancellationToken.None);
        Assert.NotNull(first);
        var citizenId = await first.CreateCitizenAsync(At);
        await SaveAsync(first, citizenId, Records.Person("ct", "1", "Ann", "Lee"), ["ni:AB123456C"]);

        var second = Task.Run(async () =>
        {
            var session = await OtherInstance().BeginMessageAsync(NewMessage(), CancellationToken.None);
            lock (order)
            {
                order.Add("second began");
            }

            return session!;
        });
        // Wait until the second instance is queued on the resolution lock (not a sleep: the server says so).
        await WaitUntilAsync(async () => await CountWaitingForAdvisoryLockAsync() == 1 || second.IsCompleted);
        Assert.False(second.IsCompleted, "The second session began while the first held the resolution lock.");
        lock (order)
        {
            order.Add("first committing");
        }

        await first.CommitAsync(CancellationToken.None);
        await first.DisposeAsync();
        await using var secondSession = await second;

        Assert.Equal(["first committing", "second began"], order);
        // What the first committed is what the second resolves against: no second citizen for one person.
        Assert.Equal([citizenId], await secondSession.FindCitizensAsync(["ni:AB123456C"], "hb", "1", 10));
    }

    [Fact]
    public async Task BeginMessageAsync_SameMessageThroughTwoInstancesAtOnce_IsAppliedOnce()
    {
        var runId = Guid.NewGuid();
        var message = new MessageIdentity(runId, MessageIdentity.RecordBatch, 1);
        await Store.RecordRunStartedAsync(new SyncRunStarted(runId, "ct", At), CancellationToken.None);
        var first = await Store.BeginMessageAsync(message, CancellationToken.None);
        Assert.NotNull(first);
        var citizenId = await first.CreateCitizenAsync(At);

        var second = Task.Run(() => OtherInstance().BeginMessageAsync(message, CancellationToken.None));
        await WaitUntilAsync(async () => await CountWaitingForAdvisoryLockAsync() == 1 || second.IsCompleted);
        Assert.False(second.IsCompleted, "The second attempt did not wait for the first.");
        await first.CommitAsync(CancellationToken.None);
        await first.DisposeAsync();

        Assert.Null(await second);
        Assert.Null(await OtherInstance().BeginMessageAsync(message, CancellationToken.None));
        Assert.Equal(1, (await Store.GetRunAsync(runId, CancellationToken.None))!.AppliedMessages);
        Assert.NotNull(await Store.GetCitizenAsync(citizenId, CancellationToken.None));
    }

    [Fact]
    public async Task BeginMessageAsync_FirstInstanceRollsBackWhileSecondWaits_SecondAppliesIt()
    {
        var message = NewMessage();
        var first = await Store.BeginMessageAsync(message, CancellationToken.None);
        Assert.NotNull(first);
        var abandoned = await first.CreateCitizenAsync(At);

        var second = Task.Run(() => OtherInstance().BeginMessageAsync(message, CancellationToken.None));
        await WaitUntilAsync(async () => await CountWaitingForAdvisoryLockAsync() == 1 || second.IsCompleted);
        Assert.False(second.IsCompleted);
        await first.DisposeAsync();
        await using var retry = await second;

        Assert.NotNull(retry);
        Assert.Null(await Store.GetCitizenAsync(abandoned, CancellationToken.None));
    }

    [Fact]
    public async Task Audit_TruncateRefused()
    {
        await Store.AppendAuditAsync([new AuditEntry(0, At, "contact-centre", "agent", "read", new string('a', 32), null, [])], CancellationToken.None);

        var truncate = await Assert.ThrowsAsync<PostgresException>(() => ExecuteRawAsync("TRUNCATE audit_log;"));

        Assert.Contains("append-only", truncate.MessageText, StringComparison.Ordinal);
        Assert.Single((await Store.QueryAuditAsync(new AuditQuery(10) { CitizenId = new string('a', 32) }, CancellationToken.None)).Entries);
    }

    [Fact]
    public async Task CommitAsync_AHeldBackWriteFails_NothingOfTheMessageIsKeptAndItCanBeAppliedAgain()
    {
        var message = NewMessage();
        string created;
        await using (var session = (await Store.BeginMessageAsync(message, CancellationToken.None))!)
        {
            created = await session.CreateCitizenAsync(At);
            // No such citizen: the record's link breaks the foreign key when the held-back writes are sent.
            await SaveAsync(session, new string('0', 32), Records.Person("ct", "1", "Ann", "Lee"), []);
            await Assert.ThrowsAsync<PostgresException>(() => session.CommitAsync(CancellationToken.None));
        }

        await using var retry = await Store.BeginMessageAsync(message, CancellationToken.None);

        Assert.NotNull(retry);
        Assert.Null(await Store.GetCitizenAsync(created, CancellationToken.None));
        Assert.Null(await Store.GetSourceRecordAsync("ct", "1", CancellationToken.None));
    }

    [Fact]
    public async Task FindCitizensAsync_AnotherInstanceSavedChangedAndRemovedRecordsSince_FindsAsThatInstanceLeftThem()
    {
        // Each instance holds the blocking keys in memory; this one loads them here, before the other writes.
        var other = OtherInstance();
        Assert.Empty(await CommittedAsync(Store, s => s.FindCitizensAsync(["ni:AB123456C"], "x", "x", 3)));
        var citizens = await CommittedAsync(other, async s =>
        {
            var ids = new List<string>();
            for (var i = 0; i < 4; i++)
            {
                ids.Add(await s.CreateCitizenAsync(At));
                await SaveAsync(s, ids[i], Records.Person("ct", $"{i}", "Ann", "Lee"), ["phone:+441632960000", $"ni:AB12345{i}C"]);
            }

            return ids;
        });
        var beforeChanges = await CommittedAsync(Store, async s => (
            ByFirstNumber: await s.FindCitizensAsync(["ni:AB123450C"], "x", "x", 3),
            BySwitchboard: await s.FindCitizensAsync(["phone:+441632960000"], "x", "x", 3)));

        // The other instance gives the first record a new number and removes the last: the shared phone is held by three.
        await CommittedAsync(other, async s =>
        {
            await SaveAsync(s, citizens[0], Records.Person("ct", "0", "Ann", "Lee"), ["phone:+441632960000", "ni:CD123456A"]);
            await s.RemoveRecordAsync("ct", "3");
            return 0;
        });
        var afterChanges = await CommittedAsync(Store, async s => (
            ByFirstNumber: await s.FindCitizensAsync(["ni:AB123450C"], "x", "x", 3),
            ByNewNumber: await s.FindCitizensAsync(["ni:CD123456A"], "x", "x", 3),
            BySwitchboard: await s.FindCitizensAsync(["phone:+441632960000"], "x", "x", 3)));

        Assert.Equal([citizens[0]], beforeChanges.ByFirstNumber);
        Assert.Empty(beforeChanges.BySwitchboard);
        Assert.Empty(afterChanges.ByFirstNumber);
        Assert.Equal([citizens[0]], afterChanges.ByNewNumber);
        Assert.Equal(citizens.Take(3), afterChanges.BySwitchboard);
    }

    [Fact]
    public async Task RecordRunCompletedAsync_PrunesRemovalNotesADayOld_AndAnInstanceThatMightHaveMissedOneLoadsAfresh()
    {
        // A block of three is over the limit used below (two); of two, within it.
        const int Limit = 2;
        string[] phone = ["phone:+441632960000"];
        var other = OtherInstance();
        var citizens = await CommittedAsync(other, async s =>
        {
            var ids = new List<string>();
            for (var i = 0; i < 3; i++)
            {
                ids.Add(await s.CreateCitizenAsync(At));
                await SaveAsync(s, ids[i], Records.Person("ct", $"{i}", "Ann", "Lee"), phone);
            }

            return ids;
        });
        // This instance holds all three records' keys; the other removes one, and its note is pruned a day later.
        Assert.Empty(await CommittedAsync(Store, s => s.FindCitizensAsync(phone, "x", "x", Limit)));
        await CommittedAsync(other, async s =>
        {
            await s.RemoveRecordAsync("ct", "2");
            return 0;
        });
        await ExecuteRawAsync("UPDATE removed_record_keys SET removed_at = now() - interval '25 hours';");
        await CommittedAsync(other, async s =>
        {
            await SaveAsync(s, await s.CreateCitizenAsync(At), Records.Person("hb", "1", "Bob", "Ray"), ["ni:AB123456C"]);
            await s.RemoveRecordAsync("hb", "1");
            return 0;
        });

        await other.RecordRunCompletedAsync(new SyncRunCompleted(Guid.NewGuid(), "ct", At, 1, 1, 0), CancellationToken.None);

        // The day-old note is gone, the recent one kept; this instance, which never read the pruned note, still finds
        // the two records left (as a block of two), not a block of three that the limit would skip.
        var notes = await QueryAsync(_connectionString, "SELECT source_system || ':' || source_key FROM removed_record_keys;", r => r.GetString(0));
        Assert.Equal(["hb:1"], notes);
        Assert.Equal(citizens.Take(2), await CommittedAsync(Store, s => s.FindCitizensAsync(phone, "x", "x", Limit)));
        Assert.Empty(await CommittedAsync(Store, s => s.FindCitizensAsync(["ni:AB123456C"], "x", "x", Limit)));
    }

    private static async Task<T> CommittedAsync<T>(ICitizenStore store, Func<IResolutionSession, Task<T>> work)
    {
        await using var session = await store.BeginMessageAsync(NewMessage(), CancellationToken.None)
            ?? throw new InvalidOperationException("A new message was refused.");
        var result = await work(session);
        await session.CommitAsync(CancellationToken.None);
        return result;
    }

    [Fact]
    public async Task RecordTotal_AddedAtCommit_CountsEachRecordOnceThroughNewVersionsRemovalsAndRollBacks()
    {
        var ann = RecordNormaliser.Normalise(Records.Person("x", "x", "Ann", "Lee"));
        var c = await InSessionAsync(async s =>
        {
            // Not named first (ExpectAsync): the session finds out itself whether each is held.
            var c = await s.CreateCitizenAsync(At);
            await SaveAsync(s, c, Records.Person("ct", "1", "Ann", "Lee"), []);
            await SaveAsync(s, c, Records.Person("ct", "2", "Ann", "Lee"), []);
            await SaveAsync(s, c, Records.Person("ct", "2", "Anne", "Lee"), []);
            return c;
        });
        var afterSaves = await TotalAndCountAsync();
        await InSessionAsync(async s =>
        {
            await SaveAsync(s, c, Records.Person("ct", "1", "Ann", "Lee", dob: (1980, 1, 1)), []);
            await s.RemoveRecordAsync("ct", "2");
            await s.RemoveRecordAsync("ct", "9");
            return 0;
        });
        var afterRemoval = await TotalAndCountAsync();

        // A session sees its own additions before its commit; rolled back, they leave the total as it was.
        long inSession;
        await using (var session = await Store.BeginMessageAsync(NewMessage(), CancellationToken.None))
        {
            await SaveAsync(session!, c, Records.Person("ct", "3", "Ann", "Lee"), []);
            await SaveAsync(session!, c, Records.Person("ct", "4", "Ann", "Lee"), []);
            inSession = (await session!.GetTermFrequenciesAsync([ann])).Total;
        }

        Assert.Equal((2L, 2L), afterSaves);
        Assert.Equal((1L, 1L), afterRemoval);
        Assert.Equal(3, inSession);
        Assert.Equal((1L, 1L), await TotalAndCountAsync());

        async Task<(long Total, long Count)> TotalAndCountAsync() => (await QueryAsync(
            _connectionString,
            "SELECT (SELECT total FROM record_count), (SELECT COUNT(*) FROM source_records);",
            r => (r.GetInt64(0), r.GetInt64(1)))).Single();
    }

    private static MessageIdentity NewMessage() => new(Guid.NewGuid(), MessageIdentity.RecordBatch, 1);

    private async Task<long> CountWaitingForAdvisoryLockAsync() =>
        (await QueryAsync(_connectionString, "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted;", r => r.GetInt64(0))).Single();

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!await condition())
        {
            await Task.Delay(20, timeout.Token);
        }
    }

    private static async Task<List<T>> QueryAsync<T>(string connectionString, string sql, Func<NpgsqlDataReader, T> read)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync())
        {
            rows.Add(read(reader));
        }

        return rows;
    }
}
