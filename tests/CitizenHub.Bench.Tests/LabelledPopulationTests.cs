using System.Text.RegularExpressions;
using CitizenHub.Contracts;

namespace CitizenHub.Bench.Tests;

public sealed partial class LabelledPopulationTests
{
    private static readonly Lazy<LabelledPopulation> Large = new(() => LabelledPopulation.Generate(new PopulationOptions { Persons = 6000, Seed = 7 }));

    [Fact]
    public void Generate_SameSeed_IdenticalRecords()
    {
        var first = LabelledPopulation.Generate(new PopulationOptions { Persons = 500, Seed = 42 });
        var second = LabelledPopulation.Generate(new PopulationOptions { Persons = 500, Seed = 42 });

        Assert.Equal(Rows(first), Rows(second));
        Assert.Equal(first.Persons, second.Persons);
    }

    [Fact]
    public void Generate_DifferentSeed_DifferentRecords()
    {
        var first = LabelledPopulation.Generate(new PopulationOptions { Persons = 500, Seed = 1 });
        var second = LabelledPopulation.Generate(new PopulationOptions { Persons = 500, Seed = 2 });

        Assert.NotEqual(Rows(first), Rows(second));
    }

    [Fact]
    public void Generate_ExactlyThePersonsAsked_EachInOneToFourSourcesAtMostOnceEach()
    {
        var population = Large.Value;

        Assert.Equal(6000, population.Persons.Count);
        Assert.Equal(6000, population.Persons.Select(p => p.Id).Distinct().Count());
        var bySource = population.Records.GroupBy(r => r.PersonId).ToDictionary(g => g.Key, g => g.Select(r => r.Record.SourceSystem).ToList());
        Assert.All(population.Persons, p =>
        {
            Assert.InRange(bySource[p.Id].Count, 1, 4);
            Assert.Equal(bySource[p.Id].Count, bySource[p.Id].Distinct().Count());
        });
        Assert.Contains(bySource.Values, s => s.Count == 1);
        Assert.Contains(bySource.Values, s => s.Count == 4);
    }

    [Fact]
    public void Generate_TruthCoversEveryRecord()
    {
        var population = Large.Value;

        Assert.Equal(population.Records.Count, population.Truth.PersonByRecord.Count);
        Assert.All(population.Records, r => Assert.Equal(r.PersonId, population.Truth.PersonByRecord[r.Ref]));
        var ids = population.Persons.Select(p => p.Id).ToHashSet();
        Assert.All(population.Truth.PersonByRecord.Values, id => Assert.Contains(id, ids));
        Assert.Equal(4, population.Records.Select(r => r.Record.SourceSystem).Distinct().Count());
    }

    [Fact]
    public void Generate_IdentifiersValid_ExceptTheDeliberatelyInvalidOnes()
    {
        var population = Large.Value;

        Assert.All(population.Persons, p =>
        {
            Assert.True(UkIdentifiers.IsValidNiNumber(p.NiNumber));
            Assert.True(UkIdentifiers.IsValidNhsNumber(p.NhsNumber));
        });
        Assert.Equal(population.Persons.Count, population.Persons.Select(p => p.NiNumber).Distinct().Count());
        var invalid = 0;
        foreach (var record in population.Records)
        {
            foreach (var id in record.Record.Identifiers)
            {
                var deliberate = record.Errors.HasFlag(id.Scheme == IdentifierScheme.NiNumber ? InjectedErrors.InvalidNiNumber : InjectedErrors.InvalidNhsNumber);
                var valid = id.Scheme == IdentifierScheme.NiNumber ? UkIdentifiers.IsValidNiNumber(id.Value) : UkIdentifiers.IsValidNhsNumber(id.Value);
                Assert.Equal(!deliberate, valid);
                invalid += deliberate ? 1 : 0;
            }
        }

        Assert.InRange(invalid, 1, population.Records.Count / 50);
    }

    [Fact]
    public void Generate_PhoneNumbers_BelongToOnePersonEach()
    {
        var phones = Large.Value.Persons.Select(p => p.Phone).OfType<string>().ToList();

        Assert.NotEmpty(phones);
        Assert.Equal(phones.Count, phones.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Generate_AddressesPostcodesPhonesAndEmails_HaveValidUkShapes()
    {
        var population = Large.Value;

        Assert.All(population.Persons, p =>
        {
            Assert.Matches(PostcodeShape(), p.Address.Postcode);
            Assert.Matches("^[1-9][0-9]{0,11}$", p.Address.Uprn);
            if (p.Phone is not null)
            {
                Assert.Matches("^(07700 900|01632 960|0113 496 0|0114 496 0|0115 496 0|0116 496 0|0117 496 0|0118 496 0|0121 496 0|0131 496 0|0141 496 0|0151 496 0|0161 496 0|020 7946 0|029 2018 0|0191 498 0)[0-9]{3}$", p.Phone);
            }

            if (p.Email is not null)
            {
                Assert.Matches("@example\\.(com|org|net)$", p.Email);
            }
        });
        Assert.Contains(population.Persons, p => p.Address.Flat is not null && p.Address.Lines.Count == 2);
        var uprns = population.Persons.GroupBy(p => p.Address.Uprn).ToDictionary(g => g.Key, g => g.Select(p => p.HouseholdId).Distinct().Count());
        Assert.All(uprns.Values, households => Assert.Equal(1, households));
    }

    [Fact]
    public void Generate_Twins_ShareFamilyNameBirthDateAndAddress_DifferInGivenName()
    {
        var population = Large.Value;
        var byId = population.Persons.ToDictionary(p => p.Id);

        Assert.NotEmpty(population.Truth.Twins);
        Assert.All(population.Truth.Twins, pair =>
        {
            var (a, b) = (byId[pair.First], byId[pair.Second]);
            Assert.Equal(a.FamilyName, b.FamilyName);
            Assert.Equal(a.DateOfBirth, b.DateOfBirth);
            Assert.Equal(a.Address, b.Address);
            Assert.NotEqual(a.GivenName[0], b.GivenName[0]);
        });
    }

    [Fact]
    public void Generate_FatherAndSon_ShareNamesAndAddress_BornAtLeastEighteenYearsApart()
    {
        var population = Large.Value;
        var byId = population.Persons.ToDictionary(p => p.Id);

        Assert.NotEmpty(population.Truth.FatherSon);
        Assert.All(population.Truth.FatherSon, pair =>
        {
            var (father, son) = (byId[pair.First], byId[pair.Second]);
            Assert.Equal(father.GivenName, son.GivenName);
            Assert.Equal(father.FamilyName, son.FamilyName);
            Assert.Equal(father.Address, son.Address);
            Assert.True(father.DateOfBirth.AddYears(18) <= son.DateOfBirth);
            Assert.Equal(("Sr", "Jr"), (father.Suffix, son.Suffix));
        });
        // The suffix is written only sometimes, and only by the source with a whole-name field.
        var sons = population.Truth.FatherSon.Select(p => p.Second).ToHashSet();
        var sonRecords = population.Records.Where(r => sons.Contains(r.PersonId)).ToList();
        Assert.Contains(sonRecords, r => r.Record.Name!.Suffix == "Jr");
        Assert.Contains(sonRecords, r => r.Record.Name!.Suffix is null);
    }

    [Fact]
    public void Generate_Spouses_ShareAddress_DifferInGivenNameAndBirthDate_SomeWithMaidenNameInAStaleSource()
    {
        var population = Large.Value;
        var byId = population.Persons.ToDictionary(p => p.Id);

        Assert.InRange(population.Truth.Spouses.Count, 1000, 2500);
        Assert.All(population.Truth.Spouses, pair =>
        {
            var (a, b) = (byId[pair.First], byId[pair.Second]);
            Assert.Equal(a.Address, b.Address);
            Assert.NotEqual(a.GivenName, b.GivenName);
        });
        Assert.True(population.Truth.Spouses.Count(p => byId[p.First].FamilyName == byId[p.Second].FamilyName) > population.Truth.Spouses.Count / 2);
        var maiden = population.Records.Where(r => r.Errors.HasFlag(InjectedErrors.MaidenName)).ToList();
        Assert.NotEmpty(maiden);
        Assert.All(maiden.Where(r => (r.Errors & (InjectedErrors.FamilyNameTypo | InjectedErrors.NamesSwapped)) == 0), r => Assert.Equal(byId[r.PersonId].MaidenName, r.Record.Name!.FamilyName, ignoreCase: true));
    }

    [Fact]
    public void Generate_DifferentPeopleWithTheSameCommonName_LiveInTheSameTown()
    {
        var population = Large.Value;

        var namesakes = population.Persons
            .GroupBy(p => (p.GivenName, p.FamilyName, p.Address.Town))
            .Where(g => g.Select(p => p.HouseholdId).Distinct().Count() > 1)
            .ToList();

        Assert.NotEmpty(namesakes);
        Assert.Contains(namesakes, g => g.Select(p => p.DateOfBirth).Distinct().Count() == g.Count());
    }

    [Fact]
    public void Generate_StaleRecords_HoldThePreviousAddress_OnlyInStaleSources()
    {
        var population = Large.Value;
        var byId = population.Persons.ToDictionary(p => p.Id);

        var stale = population.Records.Where(r => r.Errors.HasFlag(InjectedErrors.StaleAddress)).ToList();

        Assert.NotEmpty(stale);
        Assert.All(stale, r =>
        {
            Assert.Contains(r.Record.SourceSystem, new[] { "social-care", "electoral-register" });
            Assert.Equal(byId[r.PersonId].PreviousAddress.Uprn, r.Record.Addresses[0].Uprn ?? byId[r.PersonId].PreviousAddress.Uprn);
            Assert.Equal(byId[r.PersonId].PreviousAddress.Town, r.Record.Addresses[0].Town);
        });
    }

    [Theory]
    [InlineData(InjectedErrors.FamilyNameTypo, 0.03)]
    [InlineData(InjectedErrors.GivenNameTypo, 0.03)]
    [InlineData(InjectedErrors.NamesSwapped, 0.01)]
    [InlineData(InjectedErrors.NameCase, 0.05)]
    [InlineData(InjectedErrors.PostcodeFormat, 0.10)]
    public void Generate_ErrorsOnEveryRecord_AtRoughlyTheConfiguredRate(InjectedErrors error, double rate)
    {
        var population = Large.Value;

        var share = (double)population.Records.Count(r => r.Errors.HasFlag(error)) / population.Records.Count;

        Assert.InRange(share, rate * 0.6, rate * 1.4);
    }

    [Fact]
    public void Generate_ErrorsOnSomeRecords_AtRoughlyTheConfiguredRateOfThoseTheyCanApplyTo()
    {
        var population = Large.Value;
        var byId = population.Persons.ToDictionary(p => p.Id);
        var stale = population.Records.Where(r => r.Record.SourceSystem is "social-care" or "electoral-register").ToList();
        var withNickname = population.Records.Where(r => byId[r.PersonId].GivenName is "Margaret" or "William" or "Robert" or "Elizabeth" or "James" or "John" or "Susan" or "Michael").ToList();
        var smallDay = population.Records.Where(r => !r.Errors.HasFlag(InjectedErrors.DateOfBirthMissing) && byId[r.PersonId].DateOfBirth is { Day: <= 12 } d && d.Day != d.Month).ToList();

        Assert.InRange(Share(stale, InjectedErrors.StaleAddress), 0.08 * 0.6, 0.08 * 1.4);
        Assert.InRange(Share(withNickname, InjectedErrors.Nickname), 0.05 * 0.4, 0.05 * 1.8);
        Assert.InRange(Share(smallDay, InjectedErrors.DayMonthSwapped), 0.015 * 0.4, 0.015 * 1.8);
        Assert.InRange(Share(population.Records.Where(r => r.Record.SourceSystem == "council-tax").ToList(), InjectedErrors.DateOfBirthMissing), 0.5, 0.7);
        Assert.InRange(Share(population.Records.Where(r => r.Record.SourceSystem == "electoral-register").ToList(), InjectedErrors.DateOfBirthMissing), 0.85, 0.95);
        Assert.All(population.Records.Where(r => r.Errors.HasFlag(InjectedErrors.DayMonthSwapped)), r =>
            Assert.Equal((byId[r.PersonId].DateOfBirth.Month, byId[r.PersonId].DateOfBirth.Day), (r.Record.DateOfBirth!.Day, r.Record.DateOfBirth.Month)));
    }

    [Fact]
    public void Generate_NoErrorRates_RecordsSayWhatIsTrue()
    {
        var population = LabelledPopulation.Generate(new PopulationOptions { Persons = 1000, Seed = 5, Errors = ErrorRates.None });
        var byId = population.Persons.ToDictionary(p => p.Id);

        Assert.All(population.Records, r =>
        {
            Assert.Equal(InjectedErrors.None, r.Errors & ~InjectedErrors.DateOfBirthMissing);
            var person = byId[r.PersonId];
            Assert.Equal(person.FamilyName, r.Record.Name!.FamilyName, ignoreCase: true);
            Assert.StartsWith(person.GivenName, r.Record.Name.GivenNames!, StringComparison.OrdinalIgnoreCase);
            Assert.Equal(person.Address.Postcode, r.Record.Addresses[0].Postcode, ignoreCase: true);
        });
    }

    [Fact]
    public void Generate_OutOfRangeOptions_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => LabelledPopulation.Generate(new PopulationOptions { Persons = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => LabelledPopulation.Generate(new PopulationOptions { Errors = new ErrorRates { Nickname = 1.5 } }));
    }

    private static double Share(List<GeneratedRecord> records, InjectedErrors error) =>
        (double)records.Count(r => r.Errors.HasFlag(error)) / records.Count;

    private static List<string> Rows(LabelledPopulation population) =>
        [.. population.Records.Select(r => $"{r.PersonId}|{r.Record.SourceSystem}|{r.Record.SourceKey}|{string.Join(";", r.Record.RawFields.Select(f => $"{f.Key}={f.Value}"))}")];

    [GeneratedRegex("^[A-Z]{1,2}[0-9][0-9A-Z]? [0-9][ABD-HJLNP-UW-Z]{2}$")]
    private static partial Regex PostcodeShape();
}
