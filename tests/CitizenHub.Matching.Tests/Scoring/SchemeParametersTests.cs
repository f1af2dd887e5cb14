using CitizenHub.Contracts;
using CitizenHub.Matching.Scoring;

namespace CitizenHub.Matching.Tests.Scoring;

/// <summary>Each named scheme weighed by its own m and u where the model has them, by the identifier comparison's otherwise.</summary>
public sealed class SchemeParametersTests
{
    // A council-tax account kept carefully: almost never wrong for one person, almost never shared by two.
    private static readonly ComparisonParameters CouncilTax = new(MatchFields.SchemeComparison("council-tax-account"),
    [
        new ComparisonLevelParameters(MatchModel.MissingLevel, 1, 1),
        new ComparisonLevelParameters("exact", 0.99, 1e-9),
        new ComparisonLevelParameters("different", 0.01, 1 - 1e-9),
    ]);

    private static readonly MatchModel Model = MatchModel.Default.WithParameters([CouncilTax]);

    [Fact]
    public void Score_ASchemeWithItsOwnParameters_WeighsByThem_AndAnotherByTheIdentifierComparisons()
    {
        var scorer = new PairScorer(Model);
        var generic = MatchModel.Default.Comparisons[MatchFields.IdentifierIndex].Levels[Levels.Exact].Weight;

        var councilTax = WeightOfIdentifiers(scorer, ["council-tax-account|CT1"], ["council-tax-account|CT1"]);
        var library = WeightOfIdentifiers(scorer, ["library-card|L1"], ["library-card|L1"]);
        var disagreeing = WeightOfIdentifiers(scorer, ["council-tax-account|CT1"], ["council-tax-account|CT2"]);

        Assert.Equal(CouncilTax.Levels[Levels.Exact].Weight, councilTax, 9);
        Assert.True(councilTax > generic + 5, $"{councilTax} against {generic}");
        Assert.Equal(generic, library, 9);
        Assert.Equal(CouncilTax.Levels[Levels.Different].Weight, disagreeing, 9);
    }

    [Fact]
    public void Explain_TwoSchemesShared_OneAgreeingOneNot_EachUnderItsOwnNameAndWeight_AndTheScoreIsTheirSum()
    {
        var scorer = new PairScorer(Model);
        var a = Record(["council-tax-account|CT1", "library-card|L1"]);
        var b = Record(["council-tax-account|CT1", "library-card|L9", "passport|P1"]);
        var exact = scorer.ExactWeights(a, NoTermFrequencies.Instance);

        var explanation = scorer.Explain(a, b, exact);

        var schemes = explanation.Fields.Where(f => f.Comparison.StartsWith(MatchFields.SchemePrefix, StringComparison.Ordinal)).ToList();
        Assert.Equal(
            [("identifier:council-tax-account", "exact"), ("identifier:library-card", "different")],
            schemes.Select(f => (f.Comparison, f.Level)));
        Assert.Equal(Math.Round(CouncilTax.Levels[Levels.Exact].Weight, 2), schemes[0].Weight);
        Assert.Equal(Math.Round(MatchModel.Default.Comparisons[MatchFields.IdentifierIndex].Levels[Levels.Different].Weight, 2), schemes[1].Weight);
        Assert.DoesNotContain(explanation.Fields, f => f.Comparison == MatchFields.Identifier);
        Assert.InRange(Math.Abs(explanation.Fields.Sum(f => f.Weight) - explanation.Weight), 0, 0.1); // each field's weight is rounded
    }

    [Fact]
    public void Explain_NoSchemeShared_SaysNothingOfSchemes()
    {
        var scorer = new PairScorer(Model);
        var a = Record(["council-tax-account|CT1"]);
        var b = Record(["passport|P1"]);

        var explanation = scorer.Explain(a, b, scorer.ExactWeights(a, NoTermFrequencies.Instance));

        Assert.DoesNotContain(explanation.Fields, f => f.Comparison.StartsWith(MatchFields.Identifier, StringComparison.Ordinal));
    }

    [Fact]
    public void WithParameters_ASchemeAgain_ReplacesIt_AndKeepsTheOthers()
    {
        var library = CouncilTax with { Comparison = MatchFields.SchemeComparison("library-card") };
        var replaced = CouncilTax with { Levels = [CouncilTax.Levels[0], CouncilTax.Levels[1] with { M = 0.9 }, CouncilTax.Levels[2] with { M = 0.1 }] };

        var model = Model.WithParameters([library]).WithParameters([replaced]);

        Assert.Equal(["identifier:council-tax-account", "identifier:library-card"], model.Schemes.Select(s => s.Comparison).Order());
        Assert.Equal(0.9, model.Schemes.Single(s => s.Comparison == CouncilTax.Comparison).Levels[Levels.Exact].M);
    }

    [Theory]
    [InlineData("identifier:")] // no scheme named
    [InlineData("identifier:council-tax-account", "exact")] // not the identifier comparison's levels
    [InlineData("identifier:council-tax-account", "exact", "close")]
    public void WithParameters_ASchemeWithoutANameOrWithOtherLevels_IsRefused(string comparison, params string[] levels)
    {
        var parameters = levels.Length == 0
            ? CouncilTax with { Comparison = comparison }
            : new ComparisonParameters(comparison, [new ComparisonLevelParameters(MatchModel.MissingLevel, 1, 1), .. levels.Select(l => new ComparisonLevelParameters(l, 0.5, 0.5))]);

        var error = Assert.Throws<ArgumentException>(() => MatchModel.Default.WithParameters([parameters]));

        Assert.Contains("identifier:NAME", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The weight the two records' named schemes add: the pair's score less that of the same pair with none.</summary>
    private static double WeightOfIdentifiers(PairScorer scorer, string[] a, string[] b)
    {
        Span<byte> levels = stackalloc byte[MatchFields.Count];
        var x = Record(a);
        var exact = scorer.ExactWeights(x, NoTermFrequencies.Instance);
        var with = scorer.Score(x, Record(b), exact, levels).Weight;
        var without = scorer.Score(x with { SchemeIdentifiers = [] }, Record([]), exact, levels).Weight;
        return with - without;
    }

    private static NormalisedRecord Record(string[] schemeIdentifiers) => RecordNormaliser.Normalise(new SourceRecord
    {
        SourceSystem = "ct",
        SourceKey = "1",
        ObservedAt = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero),
        Name = new PersonName(null, "David", "Evans"),
    }) with { SchemeIdentifiers = [.. schemeIdentifiers.Order(StringComparer.Ordinal)] };
}
