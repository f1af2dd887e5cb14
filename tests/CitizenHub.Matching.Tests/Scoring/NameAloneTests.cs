using CitizenHub.Contracts;
using CitizenHub.Matching.Scoring;

namespace CitizenHub.Matching.Tests.Scoring;

/// <summary>
/// Two records with only a name in common, at two addresses: whether the name is rare enough, among the records held,
/// to say they are one person.
/// </summary>
public sealed class NameAloneTests
{
    private static readonly PairScorer Scorer = new(MatchModel.Default);

    /// <summary>Two million records held: Imogen is one in 5,000 of them, Oliver one in 500, Castellano one in 1,000.</summary>
    private static readonly Counts Frequencies = new(2_000_000, new() { ["IMOGEN"] = 400, ["OLIVER"] = 4_000 }, new() { ["CASTELLANO"] = 2_000 });

    [Fact]
    public void Score_ARareName_AtAnotherAddress_Links()
    {
        var (band, explanation, exact) = Scored("Imogen", "Castellano", dateOfBirth: null);

        Assert.Equal(0.4, exact.ExpectedNamesakes, 6);
        Assert.Equal(MatchBand.Link, band);
        Assert.Null(explanation.Rule);
    }

    [Fact]
    public void Score_ACommonerNameWeighingEnoughToLink_AtAnotherAddress_GoesToAStewardSayingWhy()
    {
        var (band, explanation, exact) = Scored("Oliver", "Castellano", dateOfBirth: null);

        Assert.Equal(4, exact.ExpectedNamesakes, 6);
        Assert.True(explanation.Weight >= MatchModel.Default.LinkThreshold, $"{explanation.Weight} bits: the name weighs enough to link by itself");
        Assert.Equal(MatchBand.Review, band);
        Assert.Equal(PairScorer.CommonNameAloneRule, explanation.Rule);
    }

    [Fact]
    public void Score_TheCommonerName_WithTheDateOfBirthAgreeing_Links()
    {
        var (band, _, _) = Scored("Oliver", "Castellano", dateOfBirth: new PartialDate(1984, 7, 2));

        Assert.Equal(MatchBand.Link, band);
    }

    [Fact]
    public void Score_TheCommonerName_AtTheSameHouse_Links()
    {
        var a = Record("ct", "Oliver", "Castellano", null, "ST16 2AB", "14 Weston Road");
        var b = Record("er", "Oliver", "Castellano", null, "ST16 2AB", "14 Weston Road");
        Span<byte> levels = stackalloc byte[MatchFields.Count];

        Assert.Equal(MatchBand.Link, Scorer.Score(a, b, Scorer.ExactWeights(a, Frequencies), levels).Band);
    }

    [Fact]
    public void Score_TooFewRecordsHeldToKnowHowCommonANameIs_JudgesByWeightAlone()
    {
        var a = Record("ct", "Oliver", "Castellano", null, "ST16 2AB", "14 Weston Road");
        var b = Record("er", "Oliver", "Castellano", null, "M1 1AE", "3 Mill Lane");
        var few = new Counts(500, new() { ["OLIVER"] = 1 }, new() { ["CASTELLANO"] = 1 });
        // A threshold the names' unadjusted weights reach at another address.
        var scorer = new PairScorer(MatchModel.Default with { LinkThreshold = 9, ReviewThreshold = 8 });
        Span<byte> levels = stackalloc byte[MatchFields.Count];

        var exact = scorer.ExactWeights(a, few);

        Assert.Equal(0, exact.ExpectedNamesakes);
        Assert.Equal(MatchBand.Link, scorer.Score(a, b, exact, levels).Band);
    }

    private static (MatchBand Band, MatchExplanation Explanation, ExactNameWeights Exact) Scored(string given, string family, PartialDate? dateOfBirth)
    {
        var a = Record("ct", given, family, dateOfBirth, "ST16 2AB", "14 Weston Road");
        var b = Record("er", given, family, dateOfBirth, "M1 1AE", "3 Mill Lane");
        var exact = Scorer.ExactWeights(a, Frequencies);
        Span<byte> levels = stackalloc byte[MatchFields.Count];
        var band = Scorer.Score(a, b, exact, levels).Band;
        return (band, Scorer.Explain(a, b, exact), exact);
    }

    private static NormalisedRecord Record(string system, string given, string family, PartialDate? dateOfBirth, string postcode, string line) =>
        RecordNormaliser.Normalise(new SourceRecord
        {
            SourceSystem = system,
            SourceKey = "1",
            ObservedAt = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero),
            Name = new PersonName(null, given, family),
            DateOfBirth = dateOfBirth,
            Addresses = [new PostalAddress([line], null, postcode)],
        });

    private sealed class Counts(long total, Dictionary<string, long> given, Dictionary<string, long> family) : ITermFrequencies
    {
        public long Total => total;

        public long FamilyCount(string familyKey) => family.GetValueOrDefault(familyKey);

        public long GivenCount(string givenKey) => given.GetValueOrDefault(givenKey);
    }
}
