using System.Globalization;
using CitizenHub.Bench.Linking;
using CitizenHub.Contracts;
using CitizenHub.Matching;
using CitizenHub.Matching.Linking;
using CitizenHub.Matching.Scoring;

namespace CitizenHub.Bench.Tests.Linking;

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

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(9)]
    public void Candidates_ServeEveryRecordOfABlock_AsLongAsTheBlockIsWithinItsLimit(int records)
    {
        // A block keeps its first three records in its slot and the rest in a chain: both halves must be served,
        // and the size limit must count both.
        var index = new CandidateIndex(maximumBlockSize: 8);
        for (var i = 0; i < records; i++)
        {
            index.Apply(Record("src" + i, "1"), LinkDecision.New([]));
        }

        var candidates = index.Candidates(Record("ctx", "9"));

        Assert.Equal(records <= 8 ? Enumerable.Range(0, records).Select(Name) : [], candidates.Select(c => c.CitizenId));
    }

    [Fact]
    public void Candidates_FindEveryBlock_AfterTheTableHasGrownManyTimes()
    {
        var index = new CandidateIndex();
        var records = Enumerable.Range(0, 3000).Select(i => Record("src", i.ToString(CultureInfo.InvariantCulture), "Given" + Letters(i), "Family" + Letters(i))).ToList();
        foreach (var record in records)
        {
            index.Apply(record, LinkDecision.New([]));
        }

        Assert.All(Enumerable.Range(0, records.Count), i =>
            Assert.Equal([Name(i)], index.Candidates(records[i] with { SourceSystem = "other" }).Select(c => c.CitizenId)));
        // One postcode block of them all (too large to serve: each is found by its name), and a name block each.
        var postcodes = Assert.Single(index.BlockStatistics(), b => b.Kind == "pc:");
        var names = Assert.Single(index.BlockStatistics(), b => b.Kind == "nm:");
        Assert.Equal((1, 3000.0, 3000), (postcodes.Keys, postcodes.MeanRecords, postcodes.LargestBlock));
        Assert.Equal((3000, 1.0, 1), (names.Keys, names.MeanRecords, names.LargestBlock));
    }

    [Fact]
    public void Link_DecidesAlike_WithOrWithoutTheNextRecordNamed_EvenWhenTheNextNamedIsNotTheOneThatComes()
    {
        var linker = new Linker(new PairScorer(MatchModel.Default));
        var elsewhere = new PostalAddress(["3 Mill Lane"], "Leek", "ST13 5AA");
        var records = new[]
        {
            Record("ct", "1"), Record("hb", "1"), Record("er", "1", "Megan", "Price", elsewhere), Record("ct", "2", "Megan", "Price", elsewhere),
            Record("er", "2", "Dai", "Evans"), Record("sc", "1", "David", "Evens"),
        };
        var plain = new CandidateIndex();
        var ahead = new CandidateIndex();
        var misled = new CandidateIndex();

        for (var i = 0; i < records.Length; i++)
        {
            var expected = plain.Link(records[i], linker).Decision;
            var named = ahead.Link(records[i], linker, upcoming: i + 1 < records.Length ? records[i + 1] : null).Decision;
            // Named the record after next: the keys worked out ahead must not be taken for the record that does come.
            var wrong = misled.Link(records[i], linker, upcoming: records[(i + 2) % records.Length]).Decision;

            Assert.Equal((expected.CitizenId, expected.Absorbed), (named.CitizenId, named.Absorbed));
            Assert.Equal((expected.CitizenId, expected.Absorbed), (wrong.CitizenId, wrong.Absorbed));
        }

        Assert.Equal([0, 0, 1, 1, 0, 0], Enumerable.Range(0, records.Length).Select(plain.CitizenOf));
        Assert.Equal(Enumerable.Range(0, records.Length).Select(plain.CitizenOf), Enumerable.Range(0, records.Length).Select(ahead.CitizenOf));
        Assert.Equal(Enumerable.Range(0, records.Length).Select(plain.CitizenOf), Enumerable.Range(0, records.Length).Select(misled.CitizenOf));
    }

    private static string Name(int citizen) => citizen.ToString(CultureInfo.InvariantCulture);

    // Distinct names for distinct numbers, in letters (names hold no digits).
    private static string Letters(int i) => string.Concat(i.ToString(CultureInfo.InvariantCulture).Select(d => (char)('a' + d - '0')));

    private static LinkDecision Joins(string citizen) => new(citizen, [], null, []);

    private static NormalisedRecord Record(string system, string key, string given = "David", string family = "Evans", PostalAddress? address = null) => RecordNormaliser.Normalise(new SourceRecord
    {
        SourceSystem = system,
        SourceKey = key,
        ObservedAt = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero),
        Name = new PersonName(null, given, family),
        Addresses = [address ?? new PostalAddress(["14 Weston Road"], "Stafford", "ST16 2AB")],
    });
}
