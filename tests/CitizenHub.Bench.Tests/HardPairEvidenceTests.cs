using CitizenHub.TestKit;

namespace CitizenHub.Bench.Tests;

public sealed class HardPairEvidenceTests
{
    private static readonly LabelledPopulation Population = LabelledPopulation.Generate(new PopulationOptions { Persons = 4_000, Seed = 5 });

    [Fact]
    public void ToldApart_FatherAndSonBothWithABirthDate_AreToldApart()
    {
        var toldApart = HardPairEvidence.ToldApart(Population);
        var withDates = Population.Truth.FatherSon.Where(p => HasBirthDate(p.First) && HasBirthDate(p.Second)).ToList();

        Assert.NotEmpty(withDates);
        Assert.All(withDates, pair => Assert.True(toldApart(pair)));
    }

    [Theory]
    [InlineData(null, null, false)]
    [InlineData("Jr", "Sr", true)]
    [InlineData("Jr", null, false)]
    public void ToldApart_FatherAndSonOfOneNameAtOneAddress_OnlyByWhatTheirRecordsHold(string? sonSuffix, string? fatherSuffix, bool expected)
    {
        // The father on council tax, the son on the electoral register; no date of birth or identifier in either.
        var father = Records.Person("council-tax", "1", "David", fatherSuffix is null ? "Evans" : $"Evans {fatherSuffix}", postcode: "ST16 2AB");
        var son = Records.Person("electoral-register", "1", "David", sonSuffix is null ? "Evans" : $"Evans {sonSuffix}", postcode: "ST16 2AB");
        var pair = new PersonPair("father", "son");
        var population = new LabelledPopulation(
            new PopulationOptions(),
            [],
            [new GeneratedRecord("father", InjectedErrors.None, father), new GeneratedRecord("son", InjectedErrors.None, son)],
            new LinkageTruth(new Dictionary<RecordRef, string> { [new("council-tax", "1")] = "father", [new("electoral-register", "1")] = "son" }, [], [pair], []));

        Assert.Equal(expected, HardPairEvidence.ToldApart(population)(pair));
    }

    private static IEnumerable<GeneratedRecord> RecordsOf(string person) => Population.Records.Where(r => r.PersonId == person);

    private static bool HasBirthDate(string person) => RecordsOf(person).Any(r => r.Record.DateOfBirth is { Day: not null });

}
