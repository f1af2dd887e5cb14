using CitizenHub.Matching;
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
    public async Task MigrateAsync_StoreAtVersion3_ReordersNameOnlyKeysAsBlockingKeysWritesThem()
    {
        // A store written before migration 4 holds name-only keys family first.
        var path = _folder.File("v3.db");
        await using (var connection = new SqliteConnection($"Data Source={path}"))
        {
            await connection.OpenAsync();
            await ExecuteAsync(connection, "CREATE TABLE schema_version (version INTEGER NOT NULL);");
            for (var version = 1; version <= 3; version++)
            {
                await ExecuteAsync(connection, SqliteSchema.Migrations[version - 1]);
                await ExecuteAsync(connection, $"INSERT INTO schema_version (version) VALUES ({version});");
            }

            await ExecuteAsync(connection, """
                INSERT INTO match_keys (match_key, source_system, source_key) VALUES
                    ('nm:SMITH|JOHN', 'ct', '1'), ('nm:ADAMS|ZOE', 'ct', '2'), ('pc:ST16 2AB|J', 'ct', '1');
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
        Assert.Equal(["nm:ADAMS|ZOE", "nm:JOHN|SMITH", "pc:ST16 2AB|J"], keys);
        // The migrated key is the one a record of that name gets today, so old and new records find each other.
        Assert.Contains("nm:JOHN|SMITH", BlockingKeys.For(RecordNormaliser.Normalise(Records.Person("ct", "1", "John", "Smith"))));
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
