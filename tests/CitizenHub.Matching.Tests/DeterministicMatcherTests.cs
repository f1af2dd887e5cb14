using CitizenHub.Contracts;

namespace CitizenHub.Matching.Tests;

public sealed class DeterministicMatcherTests
{
    [Fact]
    public void MatchKeys_HoldEachValidIdentifierAndTheNameKey()
    {
        var keys = DeterministicMatcher.MatchKeys(Person("Margaret Ann", "O'Brien", (1950, 3, 4), ni: "JG103792A", nhs: "9434765919"));

        Assert.Equal(["nhs:9434765919", "ni:JG103792A", "name:OBRIEN|MARGARET|1950-03-04"], keys);
    }

    [Fact]
    public void MatchKeys_NoWholeBirthDate_NoNameKey()
    {
        var keys = DeterministicMatcher.MatchKeys(Person("Margaret", "Hughes", null));

        Assert.Empty(keys);
    }

    [Fact]
    public void SamePerson_SameNiNumber_EvenWithDifferentNames() =>
        Assert.True(DeterministicMatcher.SamePerson(
            Person("Margaret", "Hughes", (1950, 3, 4), ni: "JG103792A"),
            Person("Peggy", "Lee", null, ni: "JG103792A")));

    [Fact]
    public void SamePerson_SameNhsNumber_WithoutBirthDate() =>
        Assert.True(DeterministicMatcher.SamePerson(
            Person("Ann", "Lee", null, nhs: "9434765919"),
            Person("Anne", "Leigh", null, nhs: "9434765919")));

    [Fact]
    public void SamePerson_SameNameAndBirthDate_CaseAndMiddleNamesAside() =>
        Assert.True(DeterministicMatcher.SamePerson(
            Person("JOHN ANDREW", "SMITH", (1960, 5, 1)),
            Person("John", "Smith", (1960, 5, 1))));

    [Fact]
    public void SamePerson_Twins_DifferentGivenNames_AreApart() =>
        Assert.False(DeterministicMatcher.SamePerson(
            Person("Chloe", "Walker", (1995, 6, 30)),
            Person("Oliver", "Walker", (1995, 6, 30))));

    [Fact]
    public void SamePerson_FatherAndSon_DifferentBirthDates_AreApart() =>
        Assert.False(DeterministicMatcher.SamePerson(
            Person("John", "Smith", (1960, 5, 1)),
            Person("John", "Smith", (1988, 9, 9))));

    [Fact]
    public void SamePerson_SameNameAndBirthDateButDifferentNiNumbers_IsVetoed() =>
        Assert.False(DeterministicMatcher.SamePerson(
            Person("John", "Smith", (1960, 5, 1), ni: "AB123456C"),
            Person("John", "Smith", (1960, 5, 1), ni: "CE654321A")));

    [Fact]
    public void SamePerson_SameNameAndBirthDateButDifferentNhsNumbers_IsVetoed() =>
        Assert.False(DeterministicMatcher.SamePerson(
            Person("John", "Smith", (1960, 5, 1), nhs: "9434765919"),
            Person("John", "Smith", (1960, 5, 1), nhs: "4010232137")));

    [Fact]
    public void BelongsTo_AnyLinkedRecordHoldingAConflictingIdentifier_VetoesANameMatch()
    {
        var incoming = Person("John", "Smith", (1960, 5, 1), ni: "AB123456C");
        IReadOnlyCollection<NormalisedRecord> linked =
        [
            Person("John", "Smith", (1960, 5, 1)),
            Person("J", "Smith", null, ni: "CE654321A"),
        ];

        Assert.False(DeterministicMatcher.BelongsTo(incoming, linked));
    }

    [Fact]
    public void Decide_NoCandidateMatches_IsNew()
    {
        var decision = DeterministicMatcher.Decide(
            Person("Oliver", "Walker", (1995, 6, 30)),
            [new CandidateCitizen("c1", [Person("Chloe", "Walker", (1995, 6, 30))])]);

        Assert.Same(MatchDecision.New, decision);
    }

    [Fact]
    public void Decide_OneCandidateMatches_LinksToIt()
    {
        var decision = DeterministicMatcher.Decide(
            Person("Margaret", "Hughes", null, ni: "JG103792A"),
            [
                new CandidateCitizen("c1", [Person("Daniel", "Hughes", (1979, 12, 1))]),
                new CandidateCitizen("c2", [Person("Margaret", "Hughes", (1950, 3, 4), ni: "JG103792A")]),
            ]);

        Assert.Equal(("c2", 0), (decision.CitizenId, decision.Absorbed.Count));
    }

    [Fact]
    public void Decide_RecordBridgingCandidates_MergesIntoTheFirstGiven()
    {
        var decision = DeterministicMatcher.Decide(
            Person("Ann", "Lee", null, ni: "AB123456C", nhs: "9434765919"),
            [
                new CandidateCitizen("older", [Person("Ann", "Lee", null, ni: "AB123456C")]),
                new CandidateCitizen("newer", [Person("Anne", "Leigh", null, nhs: "9434765919")]),
            ]);

        Assert.Equal("older", decision.CitizenId);
        Assert.Equal(["newer"], decision.Absorbed);
    }

    internal static NormalisedRecord Person(string given, string family, (int Y, int M, int D)? dob, string? ni = null, string? nhs = null) =>
        RecordNormaliser.Normalise(new SourceRecord
        {
            SourceSystem = "test",
            SourceKey = Guid.NewGuid().ToString("N"),
            ObservedAt = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero),
            Name = new PersonName(null, given, family),
            DateOfBirth = dob is { } d ? new PartialDate(d.Y, d.M, d.D) : null,
            Identifiers = [.. new[] { (IdentifierScheme.NiNumber, ni), (IdentifierScheme.NhsNumber, nhs) }
                .Where(i => i.Item2 is not null)
                .Select(i => new Identifier(i.Item1, i.Item2!))],
        });
}
