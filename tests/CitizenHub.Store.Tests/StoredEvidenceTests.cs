using System.Text;
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

    // The evidence as the first packed form wrote it. A kept store holds evidence in this form: if it no longer reads,
    // the dictionary or the form has changed under it.
    private const string PackedByFormOne = "ASi1L/1gWABlBABSxhUacGnbQEQmOmt8eps5QUcua7200qZK+6f/5QXoJBrmbK3DQCGWJDU+eXFzGbcVES8iPft5Os8AwM4WKmEIC1JQGBA7U45Oxbs/H7XSxq6kqkcmSY/KmyAQAFvrA61kIIzgdoscoLMkYBERBBFCp4iN+tKCppWKtm5YWpSGChdgIgygIBgNiqBlBg==";

    // The evidence as it was kept before it was packed: the compact array, unpacked.
    private const string KeptCompactUnpacked =
        """
        ["01a237d1b3337e489f950600446a19bf","council-tax","CT1027020",35.46,"Link",null,null,[["given_name","exact",5.39,1],["middle_names","missing",0],["family_name","close",4.64],["date_of_birth","exact",14.46],["address","same premises",10.97],["ni_number","missing",0],["nhs_number","disagree",-8.125],["email","missing",0],["phone","missing",0]]]
        """;

    [Fact]
    public void Encode_IsLessThanHalfTheCompactArrayUnpacked()
    {
        Assert.True(StoredEvidence.Encode(Evidence).Length * 2 < Encoding.UTF8.GetByteCount(KeptCompactUnpacked));
    }

    [Fact]
    public void Decode_EvidencePackedByTheFirstForm_StillReads()
    {
        var decoded = StoredEvidence.Decode(Convert.FromBase64String(PackedByFormOne));

        Assert.Equal(StoreJson.Serialize(Evidence), StoreJson.Serialize(decoded));
    }

    [Fact]
    public void Decode_EvidenceKeptAsTheCompactArrayBeforeEvidenceWasPacked_ReadsTheSame()
    {
        var decoded = StoredEvidence.Decode(Encoding.UTF8.GetBytes(KeptCompactUnpacked));

        Assert.Equal(StoreJson.Serialize(Evidence), StoreJson.Serialize(decoded));
    }

    [Fact]
    public void Decode_EvidenceKeptInTheEarlierNamedForm_ReadsTheSame()
    {
        var decoded = StoredEvidence.Decode(Encoding.UTF8.GetBytes(StoreJson.Serialize(Evidence)));

        Assert.Equal(StoreJson.Serialize(Evidence), StoreJson.Serialize(decoded));
    }

    [Theory]
    [InlineData("[1, 2]")]
    [InlineData("\"text\"")]
    public void Decode_NeitherForm_SaysSoWithoutQuotingIt(string stored)
    {
        var error = Assert.Throws<InvalidDataException>(() => StoredEvidence.Decode(Encoding.UTF8.GetBytes(stored)));

        Assert.DoesNotContain(stored, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_APackedEvidenceCutShort_FailsRatherThanGivingAPart()
    {
        var packed = StoredEvidence.Encode(Evidence);

        Assert.ThrowsAny<Exception>(() => StoredEvidence.Decode(packed[..(packed.Length / 2)]));
    }

    [Fact]
    public void DecodeForReview_OfEncodeForReview_GivesBackTheEvidenceWithTheCandidateTheRowNames()
    {
        var kept = StoredEvidence.EncodeForReview(Evidence);

        Assert.Equal(
            StoreJson.Serialize(Evidence),
            StoreJson.Serialize(StoredEvidence.DecodeForReview(kept, Evidence.CitizenId, Evidence.SourceSystem, Evidence.SourceKey)));
        Assert.Equal("", StoredEvidence.Decode(kept).CitizenId);
    }

    [Fact]
    public void EncodeForReview_LeavesOutWhatTheRowNames_KeepingAFifthLess()
    {
        Assert.True(StoredEvidence.EncodeForReview(Evidence).Length * 5 < StoredEvidence.Encode(Evidence).Length * 4);
    }

    [Fact]
    public void DecodeForReview_EvidenceKeptWholeBefore_ReadsWithTheRowsCandidate()
    {
        var decoded = StoredEvidence.DecodeForReview(StoredEvidence.Encode(Evidence), Evidence.CitizenId, Evidence.SourceSystem, Evidence.SourceKey);

        Assert.Equal(StoreJson.Serialize(Evidence), StoreJson.Serialize(decoded));
    }
}
