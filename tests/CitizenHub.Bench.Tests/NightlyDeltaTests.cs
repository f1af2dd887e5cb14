namespace CitizenHub.Bench.Tests;

public sealed class NightlyDeltaTests
{
    private static readonly PopulationOptions Options = new() { Persons = 300, Seed = 5 };

    private static readonly Lazy<NightlyDelta> Night = new(() => LabelledPopulation.GenerateWithDelta(Options, 60));

    /// <summary>The columns each kind of change may touch, in every source's own names (the rest of a row stays as it was).</summary>
    private static readonly Dictionary<DeltaChangeKind, HashSet<string>> ColumnsOf = new()
    {
        [DeltaChangeKind.Moved] = ["address_1", "address_2", "town", "postcode", "uprn", "ADDR_LINE_1", "ADDR_LINE_2", "TOWN", "POSTCODE", "property", "street"],
        [DeltaChangeKind.Phone] = ["PHONE", "phone"],
        [DeltaChangeKind.Email] = ["email"],
        [DeltaChangeKind.NameCorrected] = ["title", "forenames", "surname", "SURNAME", "FORENAMES", "elector_name", "first_name", "middle_name", "last_name"],
    };

    [Fact]
    public void GenerateWithDelta_Before_IsThePopulationGenerateGives()
    {
        Assert.Equal(Rows(LabelledPopulation.Generate(Options)), Rows(Night.Value.Before));
    }

    [Fact]
    public void GenerateWithDelta_SameOptionsAndChanges_TheSameNight()
    {
        var again = LabelledPopulation.GenerateWithDelta(Options, 60);

        Assert.Equal(Night.Value.Changes, again.Changes);
        Assert.Equal(Rows(Night.Value.After), Rows(again.After));
    }

    [Fact]
    public void GenerateWithDelta_MakesEveryChangeAsked_InTheMix_EachRecordOnce()
    {
        var night = Night.Value;

        Assert.Equal(60, night.Changes.Count);
        Assert.Equal(night.Changes.Count, night.Changes.Select(c => c.Record).Distinct().Count());
        // 60 × 15% and 60 × 10%, rounded down; whatever a kind cannot take moves home.
        Assert.Equal(9, night.Added);
        Assert.Equal(6, night.Removed);
        Assert.Equal(45, night.Updated);
        Assert.Equal(night.Before.Records.Count - 45 - 6, night.Unchanged);
        Assert.All([DeltaChangeKind.Phone, DeltaChangeKind.Email, DeltaChangeKind.NameCorrected], kind => Assert.Equal(6, night.Count(kind)));
    }

    [Fact]
    public void GenerateWithDelta_ChangedRecords_DifferOnlyInTheirKindsColumns_AndStayTheirPersons()
    {
        var night = Night.Value;
        var before = night.Before.Records.ToDictionary(r => r.Ref);
        var after = night.After.Records.ToDictionary(r => r.Ref);

        foreach (var change in night.Changes.Where(c => ColumnsOf.ContainsKey(c.Kind)))
        {
            var was = before[change.Record];
            var now = after[change.Record];
            var differing = was.Record.RawFields.Keys.Where(c => was.Record.RawFields[c] != now.Record.RawFields[c]).ToList();
            Assert.NotEmpty(differing);
            Assert.Subset(ColumnsOf[change.Kind], differing.ToHashSet(StringComparer.Ordinal));
            Assert.Equal(was.PersonId, now.PersonId);
            Assert.Equal(was.PersonId, night.After.Truth.PersonByRecord[change.Record]);
        }
    }

    [Fact]
    public void GenerateWithDelta_RemovedGoFromExtractsAndTruth_AddedAreNewResidents_TheRestAsTheyWere()
    {
        var night = Night.Value;
        var before = night.Before.Records.ToDictionary(r => r.Ref);
        var after = night.After.Records.ToDictionary(r => r.Ref);
        var changed = night.Changes.Select(c => c.Record).ToHashSet();
        var firstPersons = night.Before.Persons.Select(p => p.Id).ToHashSet(StringComparer.Ordinal);

        foreach (var removed in night.Changes.Where(c => c.Kind == DeltaChangeKind.Removed))
        {
            Assert.False(after.ContainsKey(removed.Record));
            Assert.False(night.After.Truth.PersonByRecord.ContainsKey(removed.Record));
        }

        foreach (var added in night.Changes.Where(c => c.Kind == DeltaChangeKind.Added))
        {
            Assert.False(before.ContainsKey(added.Record));
            Assert.DoesNotContain(after[added.Record].PersonId, firstPersons);
            Assert.Equal(after[added.Record].PersonId, night.After.Truth.PersonByRecord[added.Record]);
        }

        Assert.Equal(night.Before.Records.Count - night.Removed + night.Added, night.After.Records.Count);
        Assert.Equal(night.After.Records.Count, night.After.Truth.PersonByRecord.Count);
        foreach (var record in night.Before.Records.Where(r => !changed.Contains(r.Ref)))
        {
            Assert.Equal(record.Record.RawFields, after[record.Ref].Record.RawFields);
            Assert.Equal(record.PersonId, night.After.Truth.PersonByRecord[record.Ref]);
        }
    }

    [Fact]
    public void GenerateWithDelta_MoreChangesThanRecords_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => LabelledPopulation.GenerateWithDelta(new PopulationOptions { Persons = 10, Seed = 1 }, 1_000));
    }

    private static List<string> Rows(LabelledPopulation population) =>
        [.. population.Records.Select(r => $"{r.PersonId}|{r.Record.SourceSystem}|{r.Record.SourceKey}|{string.Join(";", r.Record.RawFields.Select(f => $"{f.Key}={f.Value}"))}")];
}
