using System.Text.Json.Nodes;
using CitizenHub.TestKit;

namespace CitizenHub.Host.Tests.Logging;

/// <summary><c>Logging.JsonFile</c>, read back after a real <c>citizenhub sync</c>: one JSON event a line, each sync run's within its scope.</summary>
public sealed class JsonLogFileTests : CommandLineTest
{
    [Fact]
    public async Task Sync_EveryEventTheRunnerLogged_CarriesItsRunsRunIdAndSource()
    {
        var config = WithJsonFile(TwoSources.WriteTo(Folder));

        var code = await RunAsync("sync", "--config", config);

        var events = ReadJsonEvents();
        var runner = events.Where(e => (string?)e["SourceContext"] == "CitizenHub.Hub.SyncRunner").ToList();
        Assert.Equal(0, code);
        // Started, finished (and any progress or warning) for each of the two sources.
        Assert.True(runner.Count >= 4, $"{runner.Count} events from the runner");
        Assert.All(runner, e =>
        {
            Assert.True(Guid.TryParse((string?)e["RunId"], out _), $"RunId in {e.ToJsonString()}");
            Assert.Contains((string?)e["Source"], new[] { "council-tax", "housing-benefits" });
        });
        // One run per source, and each run's events name that source only.
        var runs = runner.GroupBy(e => (string)e["RunId"]!).ToList();
        Assert.Equal(2, runs.Count);
        Assert.All(runs, run => Assert.Single(run.Select(e => (string)e["Source"]!).Distinct()));
        Assert.Equal(["council-tax", "housing-benefits"], runs.Select(run => (string)run.First()["Source"]!).Order());
        // Each line rendered (Serilog quotes text values), for a reader of the file without the template.
        Assert.Contains(runner, e => ((string?)e["@m"])?.StartsWith("Sync of \"council-tax\" \"finished\": 3 records, 1 rejected", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task Sync_OverridesOneRaisingAndOneLoweringALevel_EachLoggerWritesFromItsOwn()
    {
        var config = WithJsonFile(TwoSources.WriteTo(Folder), new JsonObject { ["CitizenHub.Hub.SyncRunner"] = "Warning", ["MassTransit"] = "Information" });

        await RunAsync("sync", "--config", config);

        var events = ReadJsonEvents();
        Assert.DoesNotContain(events, e => (string?)e["SourceContext"] == "CitizenHub.Hub.SyncRunner");
        // MassTransit is written from Warning unless overridden: its Information lines (the bus starting) are there now.
        Assert.Contains(events, e => ((string?)e["SourceContext"])?.StartsWith("MassTransit", StringComparison.Ordinal) == true && e["@l"] is null);
    }

    /// <summary>The configuration with a daily JSON file beside it, as docs/logging.md shows.</summary>
    private static string WithJsonFile(string config, JsonObject? overrides = null)
    {
        var json = JsonNode.Parse(File.ReadAllText(config))!.AsObject();
        json["Logging"] = new JsonObject { ["JsonFile"] = "logs/citizenhub-.json" };
        if (overrides is not null)
        {
            json["Logging"]!["Override"] = overrides;
        }

        File.WriteAllText(config, json.ToJsonString());
        return config;
    }

    private List<JsonObject> ReadJsonEvents()
    {
        // Named by the day (RollingInterval Day, the default): citizenhub-20261202.json.
        var files = Directory.GetFiles(Folder.File("logs"), "citizenhub-*.json");
        Assert.Single(files);
        return [.. File.ReadAllLines(files[0]).Where(l => l.Length > 0).Select(l => JsonNode.Parse(l)!.AsObject())];
    }
}
