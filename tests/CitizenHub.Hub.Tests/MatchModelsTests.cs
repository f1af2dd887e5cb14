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

        var model = MatchModels.Load(new MatchingOptions { ParametersFile = "p.json", LinkThreshold = 25, ReviewThreshold = 15 }, _folder.Path);

        Assert.Equal(0.5, model.M(MatchFields.EmailIndex, Levels.Exact));
        Assert.Equal((25, 15), (model.LinkThreshold, model.ReviewThreshold));
    }

    [Fact]
    public async Task Load_ParametersFileForAnotherModel_IsRefusedWithWhy()
    {
        await MatchModels.WriteParametersAsync(Path.Combine(_folder.Path, "p.json"), MatchModel.Default.Comparisons.Take(3).ToList(), CancellationToken.None);

        var ex = Assert.Throws<ArgumentException>(() => MatchModels.Load(new MatchingOptions { ParametersFile = "p.json" }, _folder.Path));
        Assert.Contains("comparisons and levels", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ReviewThresholdAboveLinkThreshold_IsRefused() =>
        Assert.Throws<InvalidOperationException>(() => MatchModels.Load(new MatchingOptions { LinkThreshold = 10, ReviewThreshold = 12 }, _folder.Path));
}
