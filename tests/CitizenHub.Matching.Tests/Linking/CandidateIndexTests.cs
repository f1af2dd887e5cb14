using CitizenHub.Contracts;
using CitizenHub.Matching.Linking;

namespace CitizenHub.Matching.Tests.Linking;

public sealed class CandidateIndexTests
{
    [Fact]
    public void Candidates_ListEachCitizenOnceWithItsRecordsInTheOrderTheyJoined()
    {
        var index = new CandidateIndex();
        var first = Record("ct", "1");
        var second = Record("hb", "1");
        var other = Record("er", "1");

        index.Apply(first, LinkDecision.New([]));
        index.Apply(other, LinkDecision.New([]));
        index.Apply(second, Joins("0"));

        var candidates = index.Candidates(Record("ctx", "9"));

        Assert.Equal(["0", "1"], candidates.Select(c => c.CitizenId));
        Assert.Equal([first, second], candidates[0].Records);
        Assert.Equal([other], candidates[1].Records);
        Assert.Equal(0, index.CitizenOf(2));
    }

    [Fact]
    public void Apply_AMergeMovesTheAbsorbedCitizensRecordsToTheSurvivorAfterItsOwn()
    {
        var index = new CandidateIndex();
        var records = Enumerable.Range(1, 4).Select(i => Record("src" + i, "1")).ToArray();
        index.Apply(records[0], LinkDecision.New([]));
        index.Apply(records[1], LinkDecision.New([]));
        index.Apply(records[2], Joins("1"));

        index.Apply(records[3], new LinkDecision("0", ["1"], null, []));

        var candidate = Assert.Single(index.Candidates(Record("ctx", "9")));
        Assert.Equal("0", candidate.CitizenId);
        Assert.Equal(records, candidate.Records);
        Assert.All(Enumerable.Range(0, 4), r => Assert.Equal(0, index.CitizenOf(r)));
    }

    [Fact]
    public void Detach_MovesOneRecordToANewCitizen_AndLeavesTheRestInOrder()
    {
        var index = new CandidateIndex();
        var records = Enumerable.Range(1, 4).Select(i => Record("src" + i, "1")).ToArray();
        index.Apply(records[0], LinkDecision.New([]));
        foreach (var record in records.Skip(1))
        {
            index.Apply(record, Joins("0"));
        }

        index.Detach(3);
        index.Detach(1);
        index.Apply(Record("src5", "1"), Joins("0"));

        var candidates = index.Candidates(Record("ctx", "9"));

        Assert.Equal(["0", "1", "2"], candidates.Select(c => c.CitizenId));
        Assert.Equal([records[0], records[2]], candidates[0].Records.Take(2));
        Assert.Equal("src5", candidates[0].Records[2].SourceSystem);
        Assert.Equal([records[3]], candidates[1].Records);
        Assert.Equal([records[1]], candidates[2].Records);
        Assert.Equal(2, index.CitizenOf(1));
        Assert.Equal(1, index.CitizenOf(3));
    }

    private static LinkDecision Joins(string citizen) => new(citizen, [], null, []);

    private static NormalisedRecord Record(string system, string key) => RecordNormaliser.Normalise(new SourceRecord
    {
        SourceSystem = system,
        SourceKey = key,
        ObservedAt = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero),
        Name = new PersonName(null, "David", "Evans"),
        Addresses = [new PostalAddress(["14 Weston Road"], "Stafford", "ST16 2AB")],
    });
}
