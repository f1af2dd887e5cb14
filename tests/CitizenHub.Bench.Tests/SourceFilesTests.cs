using CitizenHub.Adapters.Testing;

namespace CitizenHub.Bench.Tests;

public sealed class SourceFilesTests : IDisposable
{
    private readonly TempDirectory _first = new();
    private readonly TempDirectory _second = new();

    public void Dispose()
    {
        _first.Dispose();
        _second.Dispose();
    }

    [Fact]
    public void Write_OneFilePerSource_WithItsOwnHeaderDelimiterAndDates_PlusConfigAndTruth()
    {
        var population = LabelledPopulation.Generate(new PopulationOptions { Persons = 300, Seed = 11 });

        var config = SourceFiles.Write(population, _first.Path);

        Assert.Equal(_first.File("citizenhub.json"), config);
        foreach (var source in SourceLayout.All)
        {
            var lines = File.ReadAllLines(_first.File(source.FileName));
            Assert.Equal(string.Join(source.Delimiter, source.Columns), lines[0]);
            Assert.Equal(population.Records.Count(r => r.Record.SourceSystem == source.Name), lines.Length - 1);
        }

        Assert.Equal("CLAIM_REF|SURNAME|FORENAMES|DOB|ADDR_LINE_1|ADDR_LINE_2|TOWN|POSTCODE|NINO|PHONE", File.ReadLines(_first.File("housing-benefits.csv")).First());
        Assert.Matches(@"\|[0-9]{4}-[0-9]{2}-[0-9]{2}\|", File.ReadAllText(_first.File("housing-benefits.csv")));
        Assert.Matches(",[0-9]{2}/[0-9]{2}/[0-9]{4},", File.ReadAllText(_first.File("council-tax.csv")));
        Assert.Matches(",[0-9]{2}-[A-Z]{3}-[0-9]{4},", File.ReadAllText(_first.File("social-care.csv")));

        var truth = SourceFiles.ReadTruth(_first.File("truth.csv"));
        Assert.Equal(population.Truth.PersonByRecord.OrderBy(p => p.Key.SourceSystem).ThenBy(p => p.Key.SourceKey), truth.OrderBy(p => p.Key.SourceSystem).ThenBy(p => p.Key.SourceKey));
        var hardPairs = File.ReadAllLines(_first.File(SourceFiles.HardPairsFileName));
        Assert.Equal("kind,first_person_id,second_person_id", hardPairs[0]);
        Assert.Equal(population.Truth.Twins.Count + population.Truth.FatherSon.Count + population.Truth.Spouses.Count, hardPairs.Length - 1);
        var firstFatherSon = population.Truth.FatherSon[0];
        Assert.Contains($"father-son,{firstFatherSon.First},{firstFatherSon.Second}", hardPairs);
        var json = File.ReadAllText(config);
        Assert.Contains("\"Transport\": \"InMemory\"", json, StringComparison.Ordinal);
        Assert.Contains("\"Priority\": 4", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_SameSeed_ByteIdenticalFiles()
    {
        SourceFiles.Write(LabelledPopulation.Generate(new PopulationOptions { Persons = 300, Seed = 11 }), _first.Path);
        SourceFiles.Write(LabelledPopulation.Generate(new PopulationOptions { Persons = 300, Seed = 11 }), _second.Path);

        foreach (var name in SourceLayout.All.Select(s => s.FileName).Append("truth.csv").Append(SourceFiles.HardPairsFileName).Append("citizenhub.json"))
        {
            Assert.Equal(File.ReadAllBytes(_first.File(name)), File.ReadAllBytes(_second.File(name)));
        }
    }
}
