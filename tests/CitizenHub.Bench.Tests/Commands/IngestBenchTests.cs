using System.Globalization;

namespace CitizenHub.Bench.Tests.Commands;

/// <summary><c>citizenhub-bench ingest</c> through the command-line entry: its nightly delta counted by the hub as the generator made it.</summary>
public sealed class IngestBenchTests : CommandLineTest
{
    [Fact]
    public async Task BenchIngest_Delta_TheHubCountsWhatTheNightChanged()
    {
        var night = LabelledPopulation.GenerateWithDelta(new PopulationOptions { Persons = 200, Seed = 3 }, 50);

        var code = await RunAsync("ingest", "--persons", "200", "--seed", "3", "--delta", "50");

        Assert.Equal(0, code);
        var table = Table(Output.ToString());
        Assert.Equal(N(night.Before.Records.Count), table["records"]);
        Assert.Equal(N(night.After.Records.Count), table["delta records read"]);
        Assert.Equal(N(night.Updated), table["delta hub: updated"]);
        Assert.Equal(N(night.Added), table["delta hub: added"]);
        Assert.Equal(N(night.Removed), table["delta hub: removed"]);
        Assert.Equal(N(night.Unchanged), table["delta hub: unchanged"]);
        Assert.Equal($"{night.Updated}, {night.Added}, {night.Removed}", table["delta made: updated, added, removed"]);
        Assert.InRange(double.Parse(table["delta F1 (first load's)"].Split(" ")[0], CultureInfo.InvariantCulture), 0, 1);
    }

    [Fact]
    public async Task BenchIngest_NoDelta_PrintsNoDeltaBlock()
    {
        var code = await RunAsync("ingest", "--persons", "30");

        Assert.Equal(0, code);
        Assert.DoesNotContain("delta", Output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BenchIngest_DeltaAboveAQuarterOfTheRecords_ExitsTwo()
    {
        var code = await RunAsync("ingest", "--persons", "20", "--delta", "40");

        Assert.Equal(2, code);
        Assert.Contains("--delta must be at most a quarter", Error.ToString(), StringComparison.Ordinal);
    }

    private static string N(int n) => n.ToString(CultureInfo.InvariantCulture);
}
