using CitizenHub.Contracts;
using CitizenHub.Matching.Identity;
using CitizenHub.Matching.Linking;
using CitizenHub.Matching.Scoring;

namespace CitizenHub.Bench.Tests;

public sealed class OutcomeDigestTests
{
    private static readonly RecordLink[] Links = [new("c1", "ct", "1"), new("c1", "hb", "1"), new("c2", "ct", "2")];

    [Fact]
    public void Partition_OtherCitizenIdsAndOrder_IsTheSame()
    {
        RecordLink[] renamed = [new("z", "ct", "2"), new("y", "hb", "1"), new("y", "ct", "1")];

        Assert.Equal(OutcomeDigest.Partition(Links), OutcomeDigest.Partition(renamed));
    }

    [Fact]
    public void Partition_ARecordMoved_Differs()
    {
        RecordLink[] moved = [new("c1", "ct", "1"), new("c2", "hb", "1"), new("c2", "ct", "2")];

        Assert.NotEqual(OutcomeDigest.Partition(Links), OutcomeDigest.Partition(moved));
    }

    [Fact]
    public void Partition_ARecordSplitOff_Differs()
    {
        RecordLink[] split = [new("c1", "ct", "1"), new("c3", "hb", "1"), new("c2", "ct", "2")];

        Assert.NotEqual(OutcomeDigest.Partition(Links), OutcomeDigest.Partition(split));
    }

    [Fact]
    public void Reviews_OneMoreOrOtherCandidate_Differs()
    {
        ReviewItem[] reviews = [Review(1, ("ct", "1"), ("hb", "9"))];

        var digest = OutcomeDigest.Reviews(reviews);

        Assert.Equal(digest, OutcomeDigest.Reviews([Review(7, ("ct", "1"), ("hb", "9"))]));
        Assert.NotEqual(digest, OutcomeDigest.Reviews([.. reviews, Review(2, ("ct", "2"), ("hb", "9"))]));
        Assert.NotEqual(digest, OutcomeDigest.Reviews([Review(1, ("ct", "1"), ("hb", "8"))]));
    }

    private static ReviewItem Review(long id, (string System, string Key) record, (string System, string Key) candidate) => new(
        id,
        new SourceRecordRef(record.System, record.Key),
        new PairEvidence("c1", candidate.System, candidate.Key, new MatchExplanation(5, MatchBand.Review, null, null, [])),
        ReviewStatus.Open,
        DateTimeOffset.UnixEpoch);
}
