using System.Globalization;
using Microsoft.Data.Sqlite;

namespace CitizenHub.Bench.Tests.Commands;

/// <summary><c>citizenhub-bench store-floor</c> through the command-line entry, on a store kept by <c>citizenhub-bench accuracy</c>.</summary>
public sealed class StoreFloorBenchTests : CommandLineTest
{
    [Fact]
    public async Task StoreFloor_KeptStore_WritesEveryTableItsCopiesOfRowsAsNewRows()
    {
        var keptStore = await KeptStoreAsync(persons: 60);
        var into = Folder.File("floor.db");

        var code = await RunAsync("store-floor", "--store", keptStore, "--copies", "3", "--into", into);

        Assert.Equal(0, code);
        foreach (var table in new[] { "citizens", "source_records", "citizen_history", "change_feed", "match_keys" })
        {
            var count = Count(keptStore, $"SELECT COUNT(*) FROM {table}");
            Assert.True(count > 0, table);
            Assert.Equal(3 * count, Count(into, $"SELECT COUNT(*) FROM {table}"));
        }

        // Each citizen's golden record comes with its row.
        Assert.Equal(3 * Count(keptStore, "SELECT COUNT(*) FROM citizens WHERE golden IS NOT NULL"), Count(into, "SELECT COUNT(*) FROM citizens WHERE golden IS NOT NULL"));

        // Every copy is a record of its own, held by a citizen of its own copy, and counted by the store's triggers.
        Assert.Equal(3 * Count(keptStore, "SELECT COUNT(*) FROM source_records"), Count(into, "SELECT COUNT(DISTINCT source_system || source_key) FROM source_records"));
        Assert.Equal(0, Count(into, "SELECT COUNT(*) FROM source_records s WHERE NOT EXISTS (SELECT 1 FROM citizens c WHERE c.citizen_id = s.citizen_id)"));
        Assert.Equal(3 * Count(keptStore, "SELECT SUM(count) FROM name_counts"), Count(into, "SELECT SUM(count) FROM name_counts"));
        var records = 3 * Count(keptStore, "SELECT COUNT(*) FROM source_records");
        Assert.Matches($@"(?m)^records +{records.ToString(CultureInfo.InvariantCulture)}\r?$", Output.ToString());
    }

    [Fact]
    public async Task StoreFloor_IndexesAfter_EndsWithTheRowsAndEveryIndexTheMigrationsMade()
    {
        var keptStore = await KeptStoreAsync(persons: 40);
        var into = Folder.File("floor.db");

        var code = await RunAsync("store-floor", "--store", keptStore, "--copies", "2", "--indexes-after", "--into", into);

        Assert.Equal(0, code);
        const string Indexes = "SELECT group_concat(name || ':' || sql, ';') FROM (SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL ORDER BY name)";
        Assert.Equal(Text(keptStore, Indexes), Text(into, Indexes));
        Assert.Equal(2 * Count(keptStore, "SELECT COUNT(*) FROM source_records"), Count(into, "SELECT COUNT(*) FROM source_records INDEXED BY ix_source_records_citizen WHERE citizen_id > ''"));
        Assert.Matches("(?m)^indexes built after s \\(indexes\\) +[0-9.]+ \\([0-9]+\\)", Output.ToString());
    }

    [Fact]
    public async Task StoreFloor_NoSuchStore_ExitsTwoAndSaysHowToMakeOne()
    {
        var code = await RunAsync("store-floor", "--store", Folder.File("missing.db"));

        Assert.Equal(2, code);
        Assert.Contains("citizenhub-bench accuracy --keep", Error.ToString(), StringComparison.Ordinal);
    }

    /// <summary>A store that <c>citizenhub-bench accuracy --keep</c> left, as an operator would make one.</summary>
    private async Task<string> KeptStoreAsync(int persons)
    {
        var kept = Folder.File("kept");
        Assert.Equal(0, await RunAsync("accuracy", "--persons", persons.ToString(CultureInfo.InvariantCulture), "--keep", kept));
        return Path.Combine(kept, "citizenhub.db");
    }

    private static long Count(string store, string sql) => Convert.ToInt64(Scalar(store, sql), CultureInfo.InvariantCulture);

    private static string Text(string store, string sql) => Convert.ToString(Scalar(store, sql), CultureInfo.InvariantCulture)!;

    private static object? Scalar(string store, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={store};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
