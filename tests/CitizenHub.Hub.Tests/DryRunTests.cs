using System.Data.Common;
using CitizenHub.Contracts;
using CitizenHub.Store;
using CitizenHub.Store.Postgres;
using CitizenHub.Adapters.Testing;
using CitizenHub.Matching.Identity;
using CitizenHub.TestKit;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace CitizenHub.Hub.Tests;

/// <summary>A dry run resolves as a sync would and leaves every row of the store as it was, on each store.</summary>
public abstract class DryRunTests : ResolverOnAStore
{
    /// <summary>Every row of every table of the store, as text, in an order of its own.</summary>
    protected abstract Task<List<string>> EveryRowAsync();

    protected static async Task<List<string>> RowsAsync(DbConnection connection, string tablesQuery)
    {
        var rows = new List<string>();
        var tables = new List<string>();
        await using (var list = connection.CreateCommand())
        {
            list.CommandText = tablesQuery;
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        foreach (var table in tables)
        {
            await using var select = connection.CreateCommand();
            // The names come from the database's own catalogue, quoted; no value is put into the SQL.
            select.CommandText = $"SELECT * FROM \"{table}\"";
            await using var reader = await select.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var values = new object[reader.FieldCount];
                reader.GetValues(values);
                rows.Add($"{table}: {string.Join(" | ", values.Select(v => v is byte[] bytes ? Convert.ToHexString(bytes) : Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)))}");
            }
        }

        rows.Sort(StringComparer.Ordinal);
        return rows;
    }

    [Fact]
    public async Task DryRun_ResolvesAndRemovesAsASyncWould_SaysWhatItWouldDo_AndEveryRowStaysAsItWas()
    {
        await ApplyAsync(
            Records.Person("ct", "1", "Ann", "Lee", (1970, 1, 1), ni: "AB123456C"),
            Records.Person("ct", "2", "Bob", "Hart", (1980, 2, 2)));
        var before = await EveryRowAsync();
        var runId = Guid.NewGuid();
        RunTally tally;
        await using (var dryRun = new DryRunSession(Store, Resolver, runId))
        {
            await dryRun.ApplyAsync(
                new SourceRecordBatch(runId, "hb", 1, [Records.Person("hb", "9", "Ann", "Lee", (1970, 1, 1), ni: "AB123456C"), Records.Person("hb", "10", "Cy", "Moss", (1990, 3, 3))]),
                CancellationToken.None);
            // A second batch sees what the first would have done: the record it would have added is held, unchanged.
            await dryRun.ApplyAsync(new SourceRecordBatch(runId, "hb", 2, [Records.Person("hb", "10", "Cy", "Moss", (1990, 3, 3))]), CancellationToken.None);
            await dryRun.RemoveAsync(new SourceRecordsRemoved(runId, "ct", 1, ["2"], new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero)), CancellationToken.None);
            tally = dryRun.Tally;
        }

        var after = await EveryRowAsync();

        Assert.Equal(new RunTally(Unchanged: 1, Added: 2, Removed: 1, CitizensCreated: 1, Linked: 1), tally);
        Assert.NotEmpty(before);
        Assert.Equal(before, after);
        Assert.Equal(["ct/1", "ct/2"], (await LinksAsync()).Select(l => $"{l.SourceSystem}/{l.SourceKey}").Order(StringComparer.Ordinal));
    }
}

public sealed class SqliteDryRunTests : DryRunTests
{
    private readonly TempDirectory _folder = new();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }

    protected override Task<ICitizenStore> CreateStoreAsync() =>
        Task.FromResult<ICitizenStore>(new Store.Sqlite.SqliteCitizenStore($"Data Source={_folder.File("hub.db")}"));

    protected override async Task<List<string>> EveryRowAsync()
    {
        await using var connection = new SqliteConnection($"Data Source={_folder.File("hub.db")};Pooling=False");
        await connection.OpenAsync();
        return await RowsAsync(connection, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
    }
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresDryRunTests(PostgresServer server) : DryRunTests
{
    private string? _connectionString;

    protected override async Task<ICitizenStore> CreateStoreAsync()
    {
        _connectionString = await server.CreateDatabaseAsync();
        return new PostgresCitizenStore(_connectionString);
    }

    protected override async Task<List<string>> EveryRowAsync()
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        return await RowsAsync(connection, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name");
    }
}
