using CitizenHub.Adapters.Testing;
using CitizenHub.Matching.Scoring;

namespace CitizenHub.Hub.Tests;

public sealed class MatchModelsTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Load_NoSettings_TheShippedModel() =>
        Assert.Same(MatchModel.Default.Comparisons, MatchModels.Load(new MatchingOptions(), _folder.Path).Comparisons);

    [Fact]
    public async Task Load_ParametersFileAndThresholds_AreUsed()
    {
        var changed = MatchModel.Default.Comparisons
            .Select(c => c.Comparison == MatchFields.Email ? c with { Levels = [c.Levels[0], c.Levels[1] with { M = 0.5 }, c.Levels[2] with { M = 0.5 }] } : c)
            .ToList();
        await MatchModels.WriteParametersAsync(Path.Combine(_folder.Path, "p.json"), changed, CancellationToken.None);

        var model = MatchModels.Load(new MatchingOptions { ParametersFile = "p.json", LinkThreshold = 25, ReviewThreshold = 15, NameAloneMaximumNamesakes = 0.25 }, _folder.Path);

        Assert.Equal(0.5, model.M(MatchFields.EmailIndex, Levels.Exact));
        Assert.Equal((25, 15), (model.LinkThreshold, model.ReviewThreshold));
        Assert.Equal(0.25, model.NameAloneMaximumNamesakes);
        Assert.Equal(1, MatchModels.Load(new MatchingOptions(), _folder.Path).NameAloneMaximumNamesakes);
    }

    [Fact]
    public async Task Load_ParametersFileWithANamedSchemesOwn_WeighsThatSchemeByThem()
    {
        var identifier = MatchModel.Default.Comparisons[MatchFields.IdentifierIndex];
        var account = identifier with
        {
            Comparison = MatchFields.SchemeComparison("council-tax-account"),
            Levels = [identifier.Levels[0], identifier.Levels[1] with { M = 0.99, U = 1e-9 }, identifier.Levels[2] with { M = 0.01, U = 1 - 1e-9 }],
        };
        await MatchModels.WriteParametersAsync(Path.Combine(_folder.Path, "p.json"), [.. MatchModel.Default.Comparisons, account], CancellationToken.None);

        var model = MatchModels.Load(new MatchingOptions { ParametersFile = "p.json" }, _folder.Path);

        var loaded = Assert.Single(model.Schemes);
        Assert.Equal(account.Comparison, loaded.Comparison);
        Assert.Equal(account.Levels, loaded.Levels);
    }

    [Fact]
    public async Task Load_ParametersFileForAnotherModel_IsRefusedWithWhy()
    {
        var other = MatchModel.Default.Comparisons.Select(c => c.Comparison == MatchFields.Email ? c with { Levels = c.Levels.Take(2).ToList() } : c).ToList();
        await MatchModels.WriteParametersAsync(Path.Combine(_folder.Path, "p.json"), other, CancellationToken.None);
        await MatchModels.WriteParametersAsync(Path.Combine(_folder.Path, "q.json"), [.. MatchModel.Default.Comparisons, MatchModel.Default.Comparisons[0] with { Comparison = "shoe_size" }], CancellationToken.None);

        var fewerLevels = Assert.Throws<ArgumentException>(() => MatchModels.Load(new MatchingOptions { ParametersFile = "p.json" }, _folder.Path));
        var unknown = Assert.Throws<ArgumentException>(() => MatchModels.Load(new MatchingOptions { ParametersFile = "q.json" }, _folder.Path));

        Assert.Contains("comparisons, each once and with its levels", fewerLevels.Message, StringComparison.Ordinal);
        Assert.Contains("comparisons, each once and with its levels", unknown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Load_ParametersFileWrittenBeforeAComparisonWasAdded_KeepsThatComparisonsDefaults()
    {
        var before = MatchModel.Default.Comparisons
            .Where(c => c.Comparison != MatchFields.Identifier)
            .Select(c => c.Comparison == MatchFields.Email ? c with { Levels = [c.Levels[0], c.Levels[1] with { M = 0.5 }, c.Levels[2] with { M = 0.5 }] } : c)
            .ToList();
        await MatchModels.WriteParametersAsync(Path.Combine(_folder.Path, "p.json"), before, CancellationToken.None);

        var model = MatchModels.Load(new MatchingOptions { ParametersFile = "p.json" }, _folder.Path);

        Assert.Equal(0.5, model.M(MatchFields.EmailIndex, Levels.Exact));
        Assert.Equal(MatchModel.Default.Comparisons[MatchFields.IdentifierIndex], model.Comparisons[MatchFields.IdentifierIndex]);
    }

    [Fact]
    public void Load_ReviewThresholdAboveLinkThreshold_IsRefused() =>
        Assert.Throws<InvalidOperationException>(() => MatchModels.Load(new MatchingOptions { LinkThreshold = 10, ReviewThreshold = 12 }, _folder.Path));
}
