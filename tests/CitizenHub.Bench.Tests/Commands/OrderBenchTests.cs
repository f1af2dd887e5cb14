using System.Globalization;
using CitizenHub.Bench.Commands;

namespace CitizenHub.Bench.Tests.Commands;

/// <summary><c>citizenhub-bench order</c>: the same records in two orders, and how the agreement of two partitions is counted.</summary>
public sealed class OrderBenchTests : CommandLineTest
{
    [Fact]
    public async Task BenchOrder_SmallPopulation_PrintsBothOrdersAgreementAndHardCases()
    {
        var code = await RunAsync("order", "--persons", "200", "--seed", "3");

        Assert.Equal(0, code);
        var table = Table(Output.ToString());
        var both = long.Parse(table["linked pairs in both"], CultureInfo.InvariantCulture);
        var first = long.Parse(table["linked pairs, as generated"], CultureInfo.InvariantCulture);
        var second = long.Parse(table["linked pairs, reordered"], CultureInfo.InvariantCulture);
        Assert.InRange(both, 1, Math.Min(first, second));
        Assert.Equal(((double)both / (first + second - both)).ToString("0.0000", CultureInfo.InvariantCulture), table["pairwise agreement"]);
        Assert.Matches("^[0-9]+ -> [0-9]+$", table["false merges: father/son"]);
    }

    [Fact]
    public async Task BenchOrder_RowsOnly_SaysSo_AndAnUnknownReorderingIsAUsageError()
    {
        Assert.Equal(0, await RunAsync("order", "--persons", "100", "--seed", "3", "--reorder", "rows"));
        Assert.Contains("synced as generated and then with every file's rows shuffled", Output.ToString(), StringComparison.Ordinal);

        Assert.Equal(2, await RunAsync("order", "--persons", "100", "--reorder", "backwards"));
        Assert.Contains("--reorder must be one of both, rows, sources (was 'backwards')", Error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Compare_SamePartitionUnderOtherCitizenIds_AgreesWholly()
    {
        var agreement = OrderAgreement.Compare(
            [Link("a", "ct", "1"), Link("a", "hb", "1"), Link("b", "ct", "2")],
            [Link("x", "ct", "1"), Link("x", "hb", "1"), Link("y", "ct", "2")]);

        Assert.Equal(new OrderAgreement(1, 1, 1, 1.0), agreement);
    }

    [Fact]
    public void Compare_ARecordJoinedToAnotherCitizen_CountsThePairsGainedAndLost()
    {
        // First: {ct1, hb1, er1}, {ct2}: three pairs. Second: {ct1, hb1}, {er1, ct2}: two pairs, one of them in both.
        var agreement = OrderAgreement.Compare(
            [Link("a", "ct", "1"), Link("a", "hb", "1"), Link("a", "er", "1"), Link("b", "ct", "2")],
            [Link("x", "ct", "1"), Link("x", "hb", "1"), Link("y", "er", "1"), Link("y", "ct", "2")]);

        Assert.Equal(new OrderAgreement(3, 2, 1, 0.25), agreement);
    }

    [Fact]
    public void Shuffled_IsAPermutation_TheSameForOneSeed()
    {
        var records = LabelledPopulation.Generate(new PopulationOptions { Persons = 100, Seed = 5 }).Records;

        var once = OrderBench.Shuffled(records, 7);

        Assert.Equal(Sorted(records), Sorted(once));
        Assert.NotEqual(records.Select(r => r.Ref), once.Select(r => r.Ref));
        Assert.Equal(once.Select(r => r.Ref), OrderBench.Shuffled(records, 7).Select(r => r.Ref));
    }

    private static List<string> Sorted(IEnumerable<GeneratedRecord> records) =>
        [.. records.Select(r => $"{r.Ref.SourceSystem}/{r.Ref.SourceKey}").Order(StringComparer.Ordinal)];

    private static RecordLink Link(string citizen, string system, string key) => new(citizen, system, key);
}
