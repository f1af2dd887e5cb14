using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using CitizenHub.Adapters;
using CitizenHub.Adapters.Csv;
using CitizenHub.Adapters.Testing;
using CitizenHub.Matching;
using CitizenHub.Samples.Demo;
using Microsoft.Data.Sqlite;

namespace CitizenHub.Host.Tests;

/// <summary>The demo's generated council: reproducible, and as legacy as docs/demo.md says.</summary>
public sealed class DemoCouncilTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }

    [Fact]
    public void Generate_OneSeedTwice_WritesTheSameFilesWhateverTheMachinesCulture()
    {
        var first = Write(DemoCouncil.Generate(), "first");
        var before = CultureInfo.CurrentCulture;
        try
        {
            // Turkish casing (i/İ) and Arabic digits are where culture-bound formatting would show.
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("tr-TR");
            var second = Write(DemoCouncil.Generate(), "second");
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("ar-SA");
            var third = Write(DemoCouncil.Generate(), "third");

            Assert.Equal(first, second);
            Assert.Equal(first, third);
        }
        finally
        {
            CultureInfo.CurrentCulture = before;
        }
    }

    [Fact]
    public void Generate_AnotherSeed_GivesOtherPeople()
    {
        Assert.NotEqual(
            DemoCouncil.Generate().Residents.Select(r => r.FamilyName),
            DemoCouncil.Generate(seed: 7).Residents.Select(r => r.FamilyName));
    }

    [Fact]
    public async Task CouncilTaxDrop_ReadAsWindows1252_KeepsAccentedNames_AndAsUtf8_RejectsTheirRows()
    {
        var council = DemoCouncil.Generate();
        var path = _folder.File("ctax.csv");
        council.WriteCouncilTax(path);
        var mapping = DemoMapping("council-tax");

        var as1252 = await AdapterReads.ReadAllAsync(new CsvSourceAdapter("council-tax", path, new CsvSourceOptions { Encoding = "windows-1252", StableFor = TimeSpan.Zero }, mapping));
        var asUtf8 = await AdapterReads.ReadAllAsync(new CsvSourceAdapter("council-tax", path, new CsvSourceOptions { Encoding = "utf-8", StableFor = TimeSpan.Zero }, mapping));

        var names = as1252.OfType<SourceReadResult.Accepted>().Select(a => a.Record.Name!).ToList();
        Assert.Empty(as1252.OfType<SourceReadResult.Rejected>());
        Assert.Contains(names, n => n.GivenNames is { } given && (given.StartsWith("Siân", StringComparison.Ordinal) || given.StartsWith("Zoë", StringComparison.Ordinal)));
        Assert.Contains(names, n => n.FamilyName!.Contains('\u2019', StringComparison.Ordinal));
        var accented = council.CouncilTaxRows.Skip(1).Count(row => string.Join(',', row).Any(c => c > '\u007f'));
        Assert.InRange(accented, 1, int.MaxValue);
        Assert.Equal(accented, asUtf8.OfType<SourceReadResult.Rejected>().Count());
    }

    [Fact]
    public async Task CouncilTaxDrop_LiablePartyWrittenSurnameFirst_SplitsIntoTitleGivenAndFamilyNames()
    {
        var council = DemoCouncil.Generate();
        var path = _folder.File("ctax.csv");
        council.WriteCouncilTax(path);

        var records = (await AdapterReads.ReadAllAsync(new CsvSourceAdapter("council-tax", path, new CsvSourceOptions { Encoding = "windows-1252", StableFor = TimeSpan.Zero }, DemoMapping("council-tax"))))
            .OfType<SourceReadResult.Accepted>().Select(a => a.Record).ToList();

        var first = council.CouncilTaxRows[1];
        var name = records.Single(r => r.SourceKey == first[0]).Name!;
        Assert.Equal(first[1], $"{name.FamilyName}, {name.GivenNames} {name.Title}");
        Assert.All(records, r => Assert.Contains(r.Name!.Title, new[] { "Mr", "Mrs", "Ms", "Miss", "Dr" }));
        Assert.All(records, r => Assert.Equal(r.Name!.FamilyName!.ToUpperInvariant(), r.Name.FamilyName));
    }

    [Fact]
    public void Generate_Identifiers_AreValidUkFormsAndFictionalNumbers()
    {
        var council = DemoCouncil.Generate();

        Assert.All(council.Residents, r => Assert.NotNull(Identifiers.NiNumber(r.NiNumber)));
        Assert.Equal(council.Residents.Count, council.Residents.Select(r => r.NiNumber).Distinct().Count());
        Assert.All(council.Residents, r => Assert.NotNull(Postcodes.Canonical(r.Home.Postcode)));
        Assert.All(council.Tenancies, t => Assert.NotNull(Postcodes.Canonical(t.Postcode)));
        Assert.All(council.Electors, e => Assert.NotNull(Postcodes.Canonical(e.Postcode)));
        // Ofcom's drama ranges only, so no real subscriber's number is printed on a demo page.
        Assert.All(council.Residents, r => Assert.Matches(@"^(07700 900|01632 960)\d{3}$", r.Phone));
        Assert.All(council.Residents.Where(r => r.Email is not null), r => Assert.Matches(@"@example\.(com|org|net)$", r.Email!));
    }

    [Fact]
    public void Generate_Population_HasTheMessTheDemoIsAbout()
    {
        var council = DemoCouncil.Generate();

        Assert.InRange(council.Residents.Count, 200, 500);
        Assert.Contains(council.Residents, r => r.PreviousHome is not null);
        Assert.Contains(council.Residents, r => r.BirthFamilyName is not null);
        // A father and son of one name under one roof.
        Assert.Contains(council.Residents.GroupBy(r => (r.Household, r.GivenName, r.FamilyName)), g => g.Count() > 1);
        // Benefits are upper case, without accents, in fixed columns.
        Assert.All(council.BenefitsLines.Skip(1), line => Assert.Equal(155, line.Length));
        Assert.All(council.BenefitsLines, line => Assert.DoesNotMatch("[a-z]", line));
    }

    [Fact]
    public void CreateElectoralRegister_HoldsEveryElector()
    {
        var council = DemoCouncil.Generate();
        var path = _folder.File("register/ERMS.db");

        council.CreateElectoralRegister(path);

        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var count = connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*), COUNT(DISTINCT ELECTOR_NO) FROM ELECTOR";
        using var reader = count.ExecuteReader();
        reader.Read();
        Assert.Equal((council.Electors.Count, council.Electors.Count), (reader.GetInt32(0), reader.GetInt32(1)));
    }

    /// <summary>A source's mapping as the demo's configuration writes it.</summary>
    private static FieldMapping DemoMapping(string source)
    {
        var config = JsonNode.Parse(DemoCouncil.Configuration())!;
        var mapping = config["Sources"]!.AsArray().Single(s => (string?)s!["Name"] == source)!["Mapping"]!;
        return mapping.Deserialize<FieldMapping>(new JsonSerializerOptions { Converters = { new JsonStringEnumConverter() } })!;
    }

    /// <summary>What each system holds: the files' bytes, the register's rows (a SQLite file's pages need not repeat) and the tenancies.</summary>
    private (string CouncilTax, string Benefits, string Register, string Tenancies) Write(DemoCouncil council, string into)
    {
        council.WriteCouncilTax(_folder.File($"{into}/ctax.csv"));
        council.WriteBenefits(_folder.File($"{into}/benefits.dat"));
        return (
            Convert.ToHexString(File.ReadAllBytes(_folder.File($"{into}/ctax.csv"))),
            Convert.ToHexString(File.ReadAllBytes(_folder.File($"{into}/benefits.dat"))),
            JsonSerializer.Serialize(council.Electors),
            JsonSerializer.Serialize(council.Tenancies));
    }
}
