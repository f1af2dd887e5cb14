using CitizenHub.Contracts;

namespace CitizenHub.Matching.Tests;

public sealed class GoldenRecordBuilderTests
{
    private static readonly DateTimeOffset Monday = new(2026, 11, 2, 2, 0, 0, TimeSpan.Zero);
    private static readonly Dictionary<string, int> Priorities = new() { ["council-tax"] = 1, ["benefits"] = 2 };

    [Fact]
    public void Build_SourcePriorityBeatsRecency()
    {
        var fields = GoldenRecordBuilder.Build(
            [Record("benefits", "B1", "Peggy", Monday.AddDays(5)), Record("council-tax", "C1", "Margaret", Monday)],
            Priorities);

        var given = Field(fields, GoldenFields.GivenNames);
        Assert.Equal(("Margaret", "council-tax", "C1", Monday), (given.Value, given.SourceSystem, given.SourceKey, given.ObservedAt));
    }

    [Fact]
    public void Build_EqualPriority_MoreRecentWins()
    {
        var fields = GoldenRecordBuilder.Build(
            [Record("council-tax", "C1", "Margaret", Monday), Record("council-tax", "C2", "Maggie", Monday.AddDays(1))],
            Priorities);

        Assert.Equal("C2", Field(fields, GoldenFields.GivenNames).SourceKey);
    }

    [Fact]
    public void Build_EqualPriority_WholeBirthDateBeatsAMoreRecentYearOnly()
    {
        var whole = Record("council-tax", "C1", "Margaret", Monday) with { DateOfBirth = new PartialDate(1950, 3, 4) };
        var yearOnly = Record("council-tax", "C2", "Margaret", Monday.AddDays(3)) with { DateOfBirth = new PartialDate(1950, null, null) };
        var higherPriorityYear = Record("council-tax", "C3", "Margaret", Monday) with { DateOfBirth = new PartialDate(1950, null, null) };

        var dob = Field(GoldenRecordBuilder.Build([yearOnly, whole], Priorities), GoldenFields.DateOfBirth);
        var fromBenefits = Field(
            GoldenRecordBuilder.Build([higherPriorityYear, Record("benefits", "B1", "Peggy", Monday) with { DateOfBirth = new PartialDate(1950, 3, 4) }], Priorities),
            GoldenFields.DateOfBirth);

        Assert.Equal(("1950-03-04", "C1"), (dob.Value, dob.SourceKey));
        // Priority still comes first: a year from council tax beats a whole date from benefits.
        Assert.Equal(("1950", "C3"), (fromBenefits.Value, fromBenefits.SourceKey));
    }

    [Fact]
    public void Build_UnlistedSource_RanksLast()
    {
        var fields = GoldenRecordBuilder.Build(
            [Record("waste", "W1", "Mags", Monday.AddDays(9)), Record("benefits", "B1", "Peggy", Monday)],
            Priorities);

        Assert.Equal("Peggy", Field(fields, GoldenFields.GivenNames).Value);
    }

    [Fact]
    public void Build_FieldMissingFromTheTopRecord_ComesFromTheNextThatHasIt()
    {
        var top = Record("council-tax", "C1", "Margaret", Monday);
        var withNi = Record("benefits", "B1", "Peggy", Monday) with { NiNumber = "JG103792A" };

        var fields = GoldenRecordBuilder.Build([top, withNi], Priorities);

        Assert.Equal(("JG103792A", "B1"), (Field(fields, GoldenFields.NiNumber).Value, Field(fields, GoldenFields.NiNumber).SourceKey));
        Assert.Equal("C1", Field(fields, GoldenFields.GivenNames).SourceKey);
        Assert.DoesNotContain(fields, f => f.Field == GoldenFields.NhsNumber);
    }

    [Fact]
    public void Build_SameInputInAnyOrder_SameOutcome()
    {
        NormalisedRecord[] records = [Record("council-tax", "C2", "Maggie", Monday), Record("council-tax", "C1", "Margaret", Monday)];

        Assert.Equal(GoldenRecordBuilder.Build(records, Priorities), GoldenRecordBuilder.Build([.. records.Reverse()], Priorities));
        Assert.Equal("C1", Field(GoldenRecordBuilder.Build(records, Priorities), GoldenFields.GivenNames).SourceKey);
    }

    [Theory]
    [InlineData(1950, null, null, "1950")]
    [InlineData(1950, 3, null, "1950-03")]
    [InlineData(1950, 3, 4, "1950-03-04")]
    public void Build_DateOfBirth_WrittenToTheKnownPrecision(int year, int? month, int? day, string expected)
    {
        var record = Record("council-tax", "C1", "Margaret", Monday) with { DateOfBirth = new PartialDate(year, month, day) };

        Assert.Equal(expected, Field(GoldenRecordBuilder.Build([record], Priorities), GoldenFields.DateOfBirth).Value);
    }

    [Fact]
    public void Build_ADateOfDeathOneSourceRecords_IsShownWithWhereItCameFrom_TheWholeDateBeforeAMonth()
    {
        var councilTax = Record("council-tax", "C1", "Margaret", Monday) with { DateOfDeath = new PartialDate(2024, 9, null) };
        var benefits = Record("benefits", "B1", "Margaret", Monday.AddDays(-30)) with { DateOfDeath = new PartialDate(2024, 9, 17) };
        var alive = Record("council-tax", "C2", "Margaret", Monday);

        var death = Field(GoldenRecordBuilder.Build([councilTax, benefits], SurvivorshipRanks.None), GoldenFields.DateOfDeath);

        Assert.Equal(("2024-09-17", "benefits", "B1"), (death.Value, death.SourceSystem, death.SourceKey));
        Assert.DoesNotContain(GoldenRecordBuilder.Build([alive], Priorities), f => f.Field == GoldenFields.DateOfDeath);
    }

    [Fact]
    public void Build_FieldRankedOtherwise_ThatFieldFollowsItsOwnRank_TheOthersTheSources()
    {
        // Council tax is trusted first, except for NI numbers, where it comes after benefits.
        var ranks = new SurvivorshipRanks(Priorities, new Dictionary<string, IReadOnlyDictionary<string, int>>
        {
            ["council-tax"] = new Dictionary<string, int> { [GoldenFields.NiNumber] = 3 },
        });
        var councilTax = Record("council-tax", "C1", "Margaret", Monday.AddDays(1)) with { NiNumber = "JG103792A" };
        var benefits = Record("benefits", "B1", "Peggy", Monday) with { NiNumber = "AB123456C" };

        var fields = GoldenRecordBuilder.Build([councilTax, benefits], ranks);

        Assert.Equal(("AB123456C", "B1"), (Field(fields, GoldenFields.NiNumber).Value, Field(fields, GoldenFields.NiNumber).SourceKey));
        Assert.Equal("C1", Field(fields, GoldenFields.GivenNames).SourceKey);
    }

    [Fact]
    public void Build_NoRecords_NoFields() => Assert.Empty(GoldenRecordBuilder.Build([], Priorities));

    private static GoldenField Field(IReadOnlyList<GoldenField> fields, string name) => Assert.Single(fields, f => f.Field == name);

    private static NormalisedRecord Record(string system, string key, string given, DateTimeOffset observed) => new()
    {
        SourceSystem = system,
        SourceKey = key,
        ObservedAt = observed,
        GivenNames = given,
        FamilyName = "Hughes",
    };
}
