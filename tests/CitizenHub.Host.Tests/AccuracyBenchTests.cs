using System.Globalization;
using CitizenHub.Bench;
using CitizenHub.TestKit;
using Microsoft.Data.Sqlite;

namespace CitizenHub.Host.Tests;

/// <summary><c>citizenhub bench accuracy</c> through the command-line entry, and the files it generates through <c>config validate</c>.</summary>
public sealed class AccuracyBenchTests : IDisposable
{
    private readonly TempDirectory _folder = new();
    private readonly StringWriter _output = new();
    private readonly StringWriter _error = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
        _output.Dispose();
        _error.Dispose();
    }

    [Fact]
    public async Task BenchAccuracy_SmallPopulation_PrintsTheTableForEveryGeneratedRecord()
    {
        var generated = LabelledPopulation.Generate(new PopulationOptions { Persons = 200, Seed = 3 }).Records.Count;

        var code = await RunAsync("bench", "accuracy", "--persons", "200", "--seed", "3");

        Assert.Equal(0, code);
        var table = Table(_output.ToString());
        Assert.Equal("200", table["persons"]);
        Assert.Equal(generated.ToString(CultureInfo.InvariantCulture), table["records"]);
        Assert.Equal("4", table["sources"]);
        Assert.InRange(double.Parse(table["precision"], CultureInfo.InvariantCulture), 0, 1);
        Assert.InRange(double.Parse(table["recall"], CultureInfo.InvariantCulture), 0, 1);
        Assert.InRange(double.Parse(table["F1"], CultureInfo.InvariantCulture), 0, 1);
        Assert.Matches("^[0-9]+ of [0-9]+$", table["false merges: twins"]);
        Assert.Matches("^[0-9]+ of [0-9]+$", table["false merges: father/son"]);
        Assert.Matches("^[0-9]+ of [0-9]+$", table["false merges: spouses"]);
    }

    [Fact]
    public async Task BenchAccuracy_Keep_LeavesSourcesTruthAndStore()
    {
        var keep = _folder.File("kept");

        var code = await RunAsync("bench", "accuracy", "--persons", "50", "--keep", keep);

        Assert.Equal(0, code);
        Assert.True(File.Exists(Path.Combine(keep, "truth.csv")));
        Assert.True(File.Exists(Path.Combine(keep, "citizenhub.db")));
        Assert.Contains($"kept: {keep}", _output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BenchAccuracy_KeepFolderNotEmpty_ExitsTwo()
    {
        Directory.CreateDirectory(_folder.File("kept"));
        _folder.Write("kept/something.txt", "x");

        var code = await RunAsync("bench", "accuracy", "--persons", "50", "--keep", _folder.File("kept"));

        Assert.Equal(2, code);
        Assert.Contains("not empty", _error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigValidate_GeneratedConfiguration_IsValid()
    {
        var config = SourceFiles.Write(LabelledPopulation.Generate(new PopulationOptions { Persons = 100, Seed = 9 }), _folder.Path);

        var code = await RunAsync("config", "validate", "--config", config);

        Assert.Equal(0, code);
        Assert.Contains("valid, 4 sources (council-tax: Csv, housing-benefits: Csv, electoral-register: Csv, social-care: Csv)", _output.ToString(), StringComparison.Ordinal);
        Assert.Equal("", _error.ToString());
    }

    /// <summary>The report's "measure  value" lines, by measure (the sync summaries above have no double space).</summary>
    private static Dictionary<string, string> Table(string output) => output
        .Split('\n', StringSplitOptions.RemoveEmptyEntries)
        .Select(line => line.TrimEnd('\r').Split("  ", 2, StringSplitOptions.None))
        .Where(parts => parts.Length == 2)
        .GroupBy(parts => parts[0].Trim())
        .ToDictionary(g => g.Key, g => g.Last()[1].Trim());

    private Task<int> RunAsync(params string[] args) => CitizenHubCli.RunAsync(args, _output, _error, CancellationToken.None);
}
