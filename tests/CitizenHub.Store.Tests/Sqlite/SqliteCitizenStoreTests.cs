using CitizenHub.Adapters.Testing;
using CitizenHub.Matching;
using CitizenHub.Matching.Identity;
using CitizenHub.Matching.Linking;
using CitizenHub.Store.Sqlite;
using CitizenHub.TestKit;
using Microsoft.Data.Sqlite;

namespace CitizenHub.Store.Tests.Sqlite;

/// <summary>The store contract against a SQLite file in a fresh folder, and what only SQLite has: files and old schema versions.</summary>
public sealed class SqliteCitizenStoreTests : CitizenStoreContract, IDisposable
{
    private readonly TempDirectory _folder = new();

    private string DatabasePath => _folder.File("hub.db");

    protected override Task<ICitizenStore> CreateStoreAsync() =>
        Task.FromResult<ICitizenStore>(new SqliteCitizenStore($"Data Source={DatabasePath}"));

    protected override async Task ExecuteRawAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath}");
        await connection.OpenAsync();
        await ExecuteAsync(connection, sql);
    }

    protected override string BeforeSchemeKeysWereKept =>
        "DELETE FROM match_keys WHERE match_key LIKE 'id:%'; DROP TABLE scheme_keys_pending; DELETE FROM schema_version WHERE version = 30;";

    protected override async Task<IReadOnlyList<string>> RecordIndexesAsync()
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText =
            """
            SELECT il.name || ' (' || group_concat(ii.name, ', ') || ') unique ' || il."unique" || ' partial ' || il.partial
            FROM pragma_index_list('source_records') il, pragma_index_info(il.name) ii
            GROUP BY il.name ORDER BY il.name;
            """;
        var indexes = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            indexes.Add(reader.GetString(0));
        }

        return indexes;
    }

    public void Dispose()
    {
        // Pooled connections hold the file open; release them so the folder can go.
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }

    [Fact]
    public async Task MigrateAsync_FolderMissing_CreatesFileThere()
    {
        var path = _folder.File(Path.Combine("nested", "deeper", "hub.db"));
        using var store = new SqliteCitizenStore($"Data Source={path}");

        await store.MigrateAsync(CancellationToken.None);

        Assert.True(File.Exists(path));
    }

    [Fact]
    public async Task MigrateAsync_StoreAtVersion14_KeepsOnlyIdentifierKeysInTheTable()
    {
        // Before migration 15 every blocking key was a row; the search still finds records by their identifiers.
        var path = _folder.File("v14.db");
        await using (var connection = new SqliteConnection($"Data Source={path}"))
        {
            await connection.OpenAsync();
            await ExecuteAsync(connection, "CREATE TABLE schema_version (version INTEGER NOT NULL);");
            for (var version = 1; version <= 14; version++)
            {
                await ExecuteAsync(connection, SqliteSchema.Migrations[version - 1]);
                await ExecuteAsync(connection, $"INSERT INTO schema_version (version) VALUES ({version});");
            }

            await ExecuteAsync(connection, """
                INSERT INTO match_keys (match_key, source_system, source_key) VALUES
                    ('nm:JOHN|SMITH', 'ct', '1'), ('ni:AB123456C', 'ct', '1'), ('pc:ST16 2AB|J', 'ct', '1'),
                    ('uprn:100023336956', 'ct', '1'), ('nhs:9434765919', 'ct', '2');
                """);
        }

        using (var store = new SqliteCitizenStore($"Data Source={path}"))
        {
            await store.MigrateAsync(CancellationToken.None);
        }

        var keys = new List<string>();
        await using (var connection = new SqliteConnection($"Data Source={path}"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT match_key FROM match_keys ORDER BY match_key;";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                keys.Add(reader.GetString(0));
            }
        }

        SqliteConnection.ClearAllPools();
        Assert.Equal(["nhs:9434765919", "ni:AB123456C", "uprn:100023336956"], keys);
    }

    [Fact]
    public async Task MigrateAsync_StoreAtVersion28_KeepsTimesAndDigestsKeptAsText_AsNumbersAndBytes()
    {
        // Before migration 29 times were ISO-8601 text and content digests hex; each table holding one is made again
        // with whole-number columns, every time kept to the tick, each digest the same, and the change feed numbering
        // on from where it was.
        var path = _folder.File("v28.db");
        var citizen = new string('c', 32);
        var digest = IdentityEngine.ContentHash(Records.Person("ct", "1", "Ann", "Lee"));
        await using (var connection = new SqliteConnection($"Data Source={path}"))
        {
            await connection.OpenAsync();
            await ExecuteAsync(connection, "CREATE TABLE schema_version (version INTEGER NOT NULL);");
            for (var version = 1; version <= 28; version++)
            {
                await ExecuteAsync(connection, SqliteSchema.Migrations[version - 1]);
                await ExecuteAsync(connection, $"INSERT INTO schema_version (version) VALUES ({version});");
            }

            var record = StoreJson.Serialize(Records.Person("ct", "1", "Ann", "Lee"));
            await ExecuteAsync(connection, $"""
                INSERT INTO citizens (citizen_id, status, version, created_at, updated_at) VALUES
                    ('{citizen}', 'Active', 2, '2026-01-01T00:00:00.0000000+00:00', '2026-03-04T05:06:07.9999999+00:00');
                INSERT INTO source_records (source_system, source_key, citizen_id, observed_at, linked_at, content_hash, record) VALUES
                    ('ct', '1', '{citizen}', '2025-12-31T23:59:59.1234567+00:00', '2026-01-01T00:00:00.0000001+00:00', '{digest}', CAST('{record}' AS BLOB));
                INSERT INTO citizen_history (citizen_id, seq, cause, source_system, source_key, at) VALUES
                    ('{citizen}', 1, 'RecordAdded', 'ct', '1', '2026-01-01T00:00:00.0000001+00:00');
                INSERT INTO change_feed (at, kind, citizen_id, cause_system, cause_key) VALUES
                    ('2026-01-01T00:00:00.0000001+00:00', 'Created', '{citizen}', 'ct', '1'),
                    ('2026-01-01T00:00:00.0000001+00:00', 'Updated', '{citizen}', 'ct', '1');
                DELETE FROM change_feed WHERE seq = 2;
                INSERT INTO applied_messages (run_id, kind, sequence, applied_at) VALUES
                    ('{Guid.Empty}', 'batch', 0, strftime('%Y-%m-%dT%H:%M:%fZ', '2026-01-01 00:00:00.250'));
                """);
        }

        using (var store = new SqliteCitizenStore($"Data Source={path}"))
        {
            await store.MigrateAsync(CancellationToken.None);
            var view = (await store.GetCitizenAsync(citizen, CancellationToken.None))!;
            Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), view.CreatedAt);
            Assert.Equal(new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero).AddTicks(9_999_999), view.UpdatedAt);
            var held = (await store.GetSourceRecordAsync("ct", "1", CancellationToken.None))!;
            Assert.Equal(new DateTimeOffset(2025, 12, 31, 23, 59, 59, TimeSpan.Zero).AddTicks(1_234_567), held.ObservedAt);
            Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(1), held.LinkedAt);
            Assert.Equal(held.LinkedAt, Assert.Single(await store.GetHistoryAsync(citizen, CancellationToken.None)).At);
            Assert.Equal(held.LinkedAt, Assert.Single(await store.GetChangesAsync(0, 10, includeRestricted: true, [], CancellationToken.None)).At);
            Assert.Equal([("1", digest)], await DigestsHeldAsync(store, "ct"));
        }

        await using (var connection = new SqliteConnection($"Data Source={path}"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = """
                SELECT (SELECT seq FROM sqlite_sequence WHERE name = 'change_feed'),
                       (SELECT applied_at FROM applied_messages),
                       (SELECT typeof(content_hash) || length(content_hash) FROM source_records),
                       (SELECT COUNT(*) FROM sqlite_schema t JOIN pragma_table_info(t.name) c
                        WHERE t.type = 'table' AND c.type = 'TEXT'
                          AND (c.name LIKE '%\_at' ESCAPE '\' OR c.name IN ('at', 'since', 'lease_until', 'publish_lease_until'))),
                       (SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'source_records' AND name LIKE 'ix\_%' ESCAPE '\' ORDER BY name));
                """;
            await using var reader = await command.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            Assert.Equal(2, reader.GetInt64(0));
            Assert.Equal(StoreTime.ToTicks(new DateTimeOffset(2026, 1, 1, 0, 0, 0, 250, TimeSpan.Zero)), reader.GetInt64(1));
            Assert.Equal("blob32", reader.GetString(2));
            Assert.Equal(0, reader.GetInt64(3));
            // The records' table made again has its index by citizen and, as at every start, its search indexes.
            Assert.Equal(
                string.Join(',', SearchIndexes.All.Select(i => i.Name).Append("ix_source_records_citizen").Order(StringComparer.Ordinal)),
                reader.GetString(4));
        }

        SqliteConnection.ClearAllPools();
    }

    [Fact]
    public async Task MigrateAsync_StoreAtVersion17WithARestrictedCitizen_KeepsItRestrictedThroughItsRecords()
    {
        // Before migration 18 restriction was a flag on the citizen; it moves onto the citizen's records.
        var path = _folder.File("v17.db");
        string[] citizens = [new string('a', 32), new string('b', 32)];
        await using (var connection = new SqliteConnection($"Data Source={path}"))
        {
            await connection.OpenAsync();
            await ExecuteAsync(connection, "CREATE TABLE schema_version (version INTEGER NOT NULL);");
            for (var version = 1; version <= 17; version++)
            {
                await ExecuteAsync(connection, SqliteSchema.Migrations[version - 1]);
                await ExecuteAsync(connection, $"INSERT INTO schema_version (version) VALUES ({version});");
            }

            var record = StoreJson.Serialize(Records.Person("ct", "1", "Ann", "Lee"));
            await ExecuteAsync(connection, $"""
                INSERT INTO citizens (citizen_id, status, version, created_at, updated_at, restricted) VALUES
                    ('{citizens[0]}', 'Active', 1, '2026-01-01T00:00:00.0000000+00:00', '2026-01-01T00:00:00.0000000+00:00', 1),
                    ('{citizens[1]}', 'Active', 1, '2026-01-01T00:00:00.0000000+00:00', '2026-01-01T00:00:00.0000000+00:00', 0);
                INSERT INTO source_records (source_system, source_key, citizen_id, observed_at, linked_at, content_hash, record_json, normalised_json) VALUES
                    ('ct', '1', '{citizens[0]}', '2026-01-01T00:00:00.0000000+00:00', '2026-01-01T00:00:00.0000000+00:00', 'h', '{record}', '{"{}"}'),
                    ('ct', '2', '{citizens[1]}', '2026-01-01T00:00:00.0000000+00:00', '2026-01-01T00:00:00.0000000+00:00', 'h', '{record}', '{"{}"}');
                """);
        }

        using var store = new SqliteCitizenStore($"Data Source={path}");
        await store.MigrateAsync(CancellationToken.None);

        Assert.True((await store.GetCitizenAsync(citizens[0], CancellationToken.None))!.Restricted);
        Assert.False((await store.GetCitizenAsync(citizens[1], CancellationToken.None))!.Restricted);
        Assert.True((await store.GetSourceRecordAsync("ct", "1", CancellationToken.None))!.CitizenRestricted);
        SqliteConnection.ClearAllPools();
    }

    [Fact]
    public async Task FindCitizensAsync_RecordWithoutKeptHashes_IsFoundByTheKeysOfItsNormalisedForm()
    {
        // As a record saved before migration 15 is: the index makes its keys again when it loads.
        var record = Records.Person("ct", "1", "John", "Smith", dob: (1980, 2, 3));
        var keys = BlockingKeys.For(RecordNormaliser.Normalise(record));
        var citizen = await InSessionAsync(async s =>
        {
            var c = await s.CreateCitizenAsync(At);
            await SaveAsync(s, c, record, keys);
            return c;
        });
        await ExecuteRawAsync("UPDATE source_records SET block_hashes = NULL; UPDATE key_index_generation SET generation = generation + 1;");

        using var restarted = new SqliteCitizenStore($"Data Source={DatabasePath}");
        await using var session = await restarted.BeginMessageAsync(new MessageIdentity(Guid.NewGuid(), MessageIdentity.RecordBatch, 1), CancellationToken.None);

        Assert.Equal([citizen], await session!.FindCitizensAsync([keys[^1]], "hb", "9", 10));
    }

    [Fact]
    public async Task FindCitizensAsync_AnotherStoreOnTheFileSavedSince_FindsItsRecords()
    {
        // Two processes on one file (the API's serve and a nightly sync): each holds the keys in memory, loaded once.
        using var other = new SqliteCitizenStore($"Data Source={DatabasePath}");
        var before = await FindAsync(other, "ni:AB123456C");
        var citizen = await InSessionAsync(async s =>
        {
            var c = await s.CreateCitizenAsync(At);
            await SaveAsync(s, c, Records.Person("ct", "1", "Ann", "Lee"), ["ni:AB123456C"]);
            return c;
        });

        var after = await FindAsync(other, "ni:AB123456C");

        Assert.Empty(before);
        Assert.Equal([citizen], after);
    }

    private static async Task<IReadOnlyList<string>> FindAsync(SqliteCitizenStore store, string key)
    {
        await using var session = (await store.BeginMessageAsync(new MessageIdentity(Guid.NewGuid(), MessageIdentity.RecordBatch, 1), CancellationToken.None))!;
        var found = await session.FindCitizensAsync([key], "x", "x", 10);
        await session.CommitAsync(CancellationToken.None);
        return found;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
