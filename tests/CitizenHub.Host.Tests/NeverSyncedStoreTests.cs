using CitizenHub.TestKit;
using Npgsql;

namespace CitizenHub.Host.Tests;

/// <summary>
/// A command that reads the store, run before any sync, says so and makes nothing: an empty store made on the spot
/// would answer "no links", "no failures", as if the hub held nothing, and be found by the next sync.
/// </summary>
public sealed class NeverSyncedStoreTests : CommandLineTest
{
    [Theory]
    [InlineData("export", "links", "--out", "links.csv")]
    [InlineData("errors", "list")]
    [InlineData("errors", "replay", "--all")]
    [InlineData("matching", "estimate", "--out", "parameters.json")]
    [InlineData("matching", "settle")]
    public async Task StoreReadingCommand_NeverSynced_ExitsTwoSayingToSyncFirstAndMakesNoStore(params string[] command)
    {
        var config = TwoSources.WriteTo(Folder);
        var args = command.Select(a => a.Contains('.', StringComparison.Ordinal) ? Folder.File(a) : a).ToList();
        args.InsertRange(2, ["--config", config]);

        var code = await RunAsync([.. args]);

        Assert.Equal(2, code);
        Assert.Equal($"citizenhub: no store at {Folder.File("hub.db")}: run `citizenhub sync --config {config}` first", Error.ToString().TrimEnd());
        Assert.False(File.Exists(Folder.File("hub.db")));
        Assert.False(File.Exists(Folder.File("links.csv")) || File.Exists(Folder.File("parameters.json")));
    }

    [Fact]
    public async Task ExportLinks_AfterASync_StillReadsTheStore()
    {
        var config = TwoSources.WriteTo(Folder);
        await RunAsync("sync", "--config", config);

        var code = await RunAsync("export", "links", "--config", config, "--out", Folder.File("links.csv"));

        Assert.Equal(0, code);
        Assert.Equal(7, File.ReadAllLines(Folder.File("links.csv")).Length);
    }
}

/// <summary>The same on PostgreSQL, where "never synced" is a database without the hub's tables.</summary>
public sealed class NeverSyncedPostgresStoreTests(PostgresServer server) : CommandLineTest, IClassFixture<PostgresServer>
{
    [Fact]
    public async Task ExportLinks_DatabaseWithoutTheHubsTables_ExitsTwoSayingToSyncFirstAndCreatesNoTable()
    {
        var connectionString = await server.CreateDatabaseAsync();
        var database = new NpgsqlConnectionStringBuilder(connectionString);
        Folder.Write("council-tax.csv", TwoSources.CouncilTax);
        var config = Folder.Write("citizenhub.json", $$"""
            { "Store": { "Provider": "Postgres", "ConnectionString": "{{connectionString}}" },
              "Sources": [ { "Name": "council-tax", "Kind": "Csv", "Csv": { "Path": "council-tax.csv" }, "Mapping": { "Key": "account_ref" } } ] }
            """);

        var code = await RunAsync("export", "links", "--config", config, "--out", Folder.File("links.csv"));

        Assert.Equal(2, code);
        Assert.Equal(
            $"citizenhub: no store at PostgreSQL database '{database.Database}' on {database.Host}:{database.Port}: run `citizenhub sync --config {config}` first",
            Error.ToString().TrimEnd());
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var tables = new NpgsqlCommand("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'", connection);
        Assert.Equal(0L, await tables.ExecuteScalarAsync());
    }
}
