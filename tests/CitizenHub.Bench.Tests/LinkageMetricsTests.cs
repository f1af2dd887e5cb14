namespace CitizenHub.Bench.Tests;

public sealed class LinkageMetricsTests
{
    // Three people: A has three records, B two, C one. Twins: A and B. True pairs: 3 + 1 + 0 = 4.
    private static readonly LinkageTruth Truth = new(
        new Dictionary<RecordRef, string>
        {
            [new("ct", "1")] = "A",
            [new("hb", "1")] = "A",
            [new("er", "1")] = "A",
            [new("ct", "2")] = "B",
            [new("hb", "2")] = "B",
            [new("er", "3")] = "C",
        },
        Twins: [new PersonPair("A", "B")],
        FatherSon: [],
        Spouses: [new PersonPair("B", "C")]);

    [Fact]
    public void Compute_PerfectLinks_AllOnes()
    {
        var report = LinkageMetrics.Compute(Truth, [
            new("c1", "ct", "1"), new("c1", "hb", "1"), new("c1", "er", "1"),
            new("c2", "ct", "2"), new("c2", "hb", "2"),
            new("c3", "er", "3"),
        ]);

        Assert.Equal((6, 3, 3), (report.Records, report.Persons, report.Citizens));
        Assert.Equal((4L, 4L, 4L), (report.TruePairs, report.PredictedPairs, report.CorrectPairs));
        Assert.Equal((1.0, 1.0, 1.0), (report.Precision, report.Recall, report.F1));
        Assert.Equal(new HardPairOutcome(1, 0), report.Twins);
        Assert.Equal(new HardPairOutcome(0, 0), report.FatherSon);
        Assert.Equal(new HardPairOutcome(1, 0), report.Spouses);
    }

    [Fact]
    public void Compute_OneFalseMerge_LowersPrecisionOnly()
    {
        // C's record joins B's citizen: predicted pairs 3 + 3 = 6, correct 4.
        var report = LinkageMetrics.Compute(Truth, [
            new("c1", "ct", "1"), new("c1", "hb", "1"), new("c1", "er", "1"),
            new("c2", "ct", "2"), new("c2", "hb", "2"), new("c2", "er", "3"),
        ]);

        Assert.Equal((4L, 6L, 4L), (report.TruePairs, report.PredictedPairs, report.CorrectPairs));
        Assert.Equal(4.0 / 6, report.Precision, 12);
        Assert.Equal(1.0, report.Recall);
        Assert.Equal(0.8, report.F1, 12);
        Assert.Equal(new HardPairOutcome(1, 1), report.Spouses);
        Assert.Equal(new HardPairOutcome(1, 0), report.Twins);
    }

    [Fact]
    public void Compute_OneMissedLink_LowersRecallOnly_AndAMissingRecordIsASingleton()
    {
        // A's er record has no link at all: A's pairs found 1 of 3.
        var report = LinkageMetrics.Compute(Truth, [
            new("c1", "ct", "1"), new("c1", "hb", "1"),
            new("c2", "ct", "2"), new("c2", "hb", "2"),
            new("c3", "er", "3"),
            new("c9", "xx", "not-in-truth"),
        ]);

        Assert.Equal((4L, 2L, 2L), (report.TruePairs, report.PredictedPairs, report.CorrectPairs));
        Assert.Equal(1.0, report.Precision);
        Assert.Equal(0.5, report.Recall);
        Assert.Equal(2.0 / 3, report.F1, 12);
        Assert.Equal(4, report.Citizens);
    }

    [Fact]
    public void Compute_TwinsMergedThroughOneRecord_CountsOneFalseTwinMerge()
    {
        // One of B's records lands with A: predicted pairs C(4,2) + 0 + 0 = 6, correct 3.
        var report = LinkageMetrics.Compute(Truth, [
            new("c1", "ct", "1"), new("c1", "hb", "1"), new("c1", "er", "1"), new("c1", "ct", "2"),
            new("c2", "hb", "2"),
            new("c3", "er", "3"),
        ]);

        Assert.Equal((4L, 6L, 3L), (report.TruePairs, report.PredictedPairs, report.CorrectPairs));
        Assert.Equal(0.5, report.Precision);
        Assert.Equal(0.75, report.Recall);
        Assert.Equal(0.6, report.F1, 12);
        Assert.Equal(new HardPairOutcome(1, 1), report.Twins);
        Assert.Equal(new HardPairOutcome(1, 0), report.Spouses);
    }

    [Fact]
    public void Compute_NoLinksAtAll_EverythingASingleton()
    {
        var report = LinkageMetrics.Compute(Truth, []);

        Assert.Equal((4L, 0L, 0L), (report.TruePairs, report.PredictedPairs, report.CorrectPairs));
        Assert.Equal((1.0, 0.0), (report.Precision, report.Recall));
        Assert.Equal(0.0, report.F1);
        Assert.Equal(6, report.Citizens);
    }

    [Fact]
    public void Compute_FalseMergesOfPairsTheRecordsCannotTellApart_AreCountedAsSuch()
    {
        // Both hard pairs merged; only the twins' records hold nothing that tells them apart.
        var report = LinkageMetrics.Compute(
            Truth,
            [new("c1", "ct", "1"), new("c1", "hb", "1"), new("c1", "er", "1"), new("c1", "ct", "2"), new("c1", "hb", "2"), new("c1", "er", "3")],
            toldApart: pair => pair != new PersonPair("A", "B"));

        Assert.Equal(new HardPairOutcome(1, 1, MergedIndistinguishable: 1), report.Twins);
        Assert.Equal(new HardPairOutcome(1, 1, MergedIndistinguishable: 0), report.Spouses);
    }
}
