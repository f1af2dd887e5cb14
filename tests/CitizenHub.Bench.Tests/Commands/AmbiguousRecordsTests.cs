using CitizenHub.Bench.Commands;
using CitizenHub.Contracts;
using CitizenHub.Matching.Identity;
using CitizenHub.Matching.Linking;
using CitizenHub.Matching.Scoring;

namespace CitizenHub.Bench.Tests.Commands;

public sealed class AmbiguousRecordsTests
{
    [Fact]
    public void AmbiguousRecords_CountsRecordsInReviewWithTwoOrMoreCitizens_NotRecordsWithOne()
    {
        IReadOnlyList<ReviewItem> reviews =
        [
            Review(1, "er", "E1", "father"), Review(2, "er", "E1", "son"), // two candidates: ambiguous
            Review(3, "er", "E2", "c1"), Review(4, "er", "E2", "c1"), // one citizen twice: not
            Review(5, "ct", "C1", "c2"),
        ];

        Assert.Equal(1, AccuracyBench.AmbiguousRecords(reviews));
    }

    private static ReviewItem Review(long id, string system, string key, string citizen) =>
        new(id, new SourceRecordRef(system, key), new PairEvidence(citizen, "ct", $"K{id}", new MatchExplanation(12, MatchBand.Review, null, null, [])), ReviewStatus.Open, DateTimeOffset.UnixEpoch);
}
