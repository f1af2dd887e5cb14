using CitizenHub.Matching.Linking;
using CitizenHub.Matching.Scoring;

namespace CitizenHub.Store.Tests;

public sealed class StoredEvidenceTests
{
    private static readonly PairEvidence Evidence = new(
        "01a237d1b3337e489f950600446a19bf",
        "council-tax",
        "CT1027020",
        new MatchExplanation(35.46, MatchBand.Link, null, null,
        [
            new FieldWeight("given_name", "exact", 5.39, TermFrequencyAdjusted: true),
            new FieldWeight("middle_names", "missing", 0),
            new FieldWeight("family_name", "close", 4.64),
            new FieldWeight("date_of_birth", "exact", 14.46),
            new FieldWeight("address", "same premises", 10.97),
            new FieldWeight("ni_number", "missing", 0),
            new FieldWeight("nhs_number", "disagree", -8.125),
            new FieldWeight("email", "missing", 0),
            new FieldWeight("phone", "missing", 0),
        ]));

    [Fact]
    public void Decode_OfEncode_GivesBackEveryPartOfTheEvidence()
    {
        var decoded = StoredEvidence.Decode(StoredEvidence.Encode(Evidence));

        Assert.Equal(StoreJson.Serialize(Evidence), StoreJson.Serialize(decoded));
    }

    [Fact]
    public void Decode_OfEncode_KeepsARuleAndAVeto()
    {
        var ruled = Evidence with { Explanation = Evidence.Explanation with { Band = MatchBand.Distinct, Rule = PairScorer.SameIdentifierRule, Veto = "different date of birth" } };

        var decoded = StoredEvidence.Decode(StoredEvidence.Encode(ruled));

        Assert.Equal((MatchBand.Distinct, PairScorer.SameIdentifierRule, "different date of birth"), (decoded.Explanation.Band, decoded.Explanation.Rule, decoded.Explanation.Veto));
    }

    [Fact]
    public void Encode_IsLessThanHalfTheNamedForm()
    {
        Assert.True(StoredEvidence.Encode(Evidence).Length * 2 < StoreJson.Serialize(Evidence).Length);
    }

    [Fact]
    public void Decode_EvidenceKeptInTheEarlierNamedForm_ReadsTheSame()
    {
        var decoded = StoredEvidence.Decode(StoreJson.Serialize(Evidence));

        Assert.Equal(StoreJson.Serialize(Evidence), StoreJson.Serialize(decoded));
    }

    [Theory]
    [InlineData("[1, 2]")]
    [InlineData("\"text\"")]
    public void Decode_NeitherForm_SaysSoWithoutQuotingIt(string stored)
    {
        var error = Assert.Throws<InvalidDataException>(() => StoredEvidence.Decode(stored));

        Assert.DoesNotContain(stored, error.Message, StringComparison.Ordinal);
    }
}
