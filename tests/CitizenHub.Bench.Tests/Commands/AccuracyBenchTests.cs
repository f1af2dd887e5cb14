using System.Globalization;

namespace CitizenHub.Bench.Tests.Commands;

/// <summary><c>citizenhub-bench accuracy</c> through the command-line entry, and the files it generates through <c>citizenhub config validate</c>.</summary>
public sealed class AccuracyBenchTests : CommandLineTest
{
    [Fact]
    public async Task BenchAccuracy_SmallPopulation_PrintsTheTableForEveryGeneratedRecord()
    {
        var generated = LabelledPopulation.Generate(new PopulationOptions { Persons = 200, Seed = 3 }).Records.Count;

        var code = await RunAsync("accuracy", "--persons", "200", "--seed", "3");

        Assert.Equal(0, code);
        var table = Table(Output.ToString());
        Assert.Equal("200", table["persons"]);
        Assert.Equal(generated.ToString(CultureInfo.InvariantCulture), table["records"]);
        Assert.Equal("4", table["sources"]);
        Assert.InRange(double.Parse(table["precision"], CultureInfo.InvariantCulture), 0, 1);
        Assert.InRange(double.Parse(table["recall"], CultureInfo.InvariantCulture), 0, 1);
        Assert.InRange(double.Parse(table["F1"], CultureInfo.InvariantCulture), 0, 1);
        Assert.Matches("^[0-9]+ of [0-9]+$", table["false merges: twins"]);
        Assert.Matches("^[0-9]+ of [0-9]+$", table["false merges: father/son"]);
        Assert.Matches("^[0-9]+ of [0-9]+$", table["false merges: spouses"]);
        Assert.InRange(int.Parse(table["ambiguous records"], CultureInfo.InvariantCulture), 0, int.Parse(table["open reviews"], CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task BenchAccuracy_SameSeedTwice_SameDigests_AnotherSeed_OtherLinks()
    {
        // The citizens' ids differ between the two runs; the digests are of what was decided, so they must not.
        var first = await DigestsAsync(3);
        var second = await DigestsAsync(3);
        var other = await DigestsAsync(4);

        Assert.Equal(first, second);
        Assert.Matches("^[0-9a-f]{16}$", first.Links);
        Assert.NotEqual(first.Links, other.Links);
    }

    private async Task<(string Links, string Reviews, string ReviewDigest)> DigestsAsync(int seed)
    {
        Output.GetStringBuilder().Clear();
        Assert.Equal(0, await RunAsync("accuracy", "--persons", "200", "--seed", seed.ToString(CultureInfo.InvariantCulture)));
        var table = Table(Output.ToString());
        return (table["links digest"], table["open reviews"], table["open reviews digest"]);
    }

    [Fact]
    public async Task BenchAccuracy_Keep_LeavesSourcesTruthAndStore()
    {
        var keep = Folder.File("kept");

        var code = await RunAsync("accuracy", "--persons", "50", "--keep", keep);

        Assert.Equal(0, code);
        Assert.True(File.Exists(Path.Combine(keep, "truth.csv")));
        Assert.True(File.Exists(Path.Combine(keep, "citizenhub.db")));
        Assert.Contains($"kept: {keep}", Output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BenchAccuracy_KeepFolderNotEmpty_ExitsTwo()
    {
        Directory.CreateDirectory(Folder.File("kept"));
        Folder.Write("kept/something.txt", "x");

        var code = await RunAsync("accuracy", "--persons", "50", "--keep", Folder.File("kept"));

        Assert.Equal(2, code);
        Assert.Contains("not empty", Error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigValidate_GeneratedConfiguration_IsValid()
    {
        var config = SourceFiles.Write(LabelledPopulation.Generate(new PopulationOptions { Persons = 100, Seed = 9 }), Folder.Path);

        var code = await RunCitizenHubAsync("config", "validate", "--config", config);

        Assert.Equal(0, code);
        Assert.Contains("valid, 4 sources (council-tax: Csv, housing-benefits: Csv, electoral-register: Csv, social-care: Csv)", Output.ToString(), StringComparison.Ordinal);
        Assert.Equal("", Error.ToString());
    }
}
