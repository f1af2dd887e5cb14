using CitizenHub.Contracts;
using CitizenHub.Matching;
using Microsoft.Extensions.Configuration;

namespace CitizenHub.Hub.Tests;

public sealed class SourceCatalogTests
{
    [Fact]
    public void Load_FieldPriorities_RankThatSourceOtherwiseForThoseFieldsOnly()
    {
        var catalog = SourceCatalog.Load(Configuration(
            ("Sources:0:Name", "council-tax"), ("Sources:0:Kind", "Csv"), ("Sources:0:Priority", "1"), ("Sources:0:Mapping:Key", "ref"),
            ("Sources:1:Name", "electoral-register"), ("Sources:1:Kind", "Csv"), ("Sources:1:Priority", "2"), ("Sources:1:Mapping:Key", "no"),
            ("Sources:1:FieldPriorities:address", "1")), ".");

        Assert.Equal(1, catalog.Survivorship.Rank("electoral-register", GoldenFields.Address));
        Assert.Equal(2, catalog.Survivorship.Rank("electoral-register", GoldenFields.GivenNames));
        Assert.Equal(1, catalog.Survivorship.Rank("council-tax", GoldenFields.Address));
        Assert.Equal(int.MaxValue, catalog.Survivorship.Rank("unknown", GoldenFields.Address));
    }

    [Fact]
    public void Load_UnknownFieldOrBadRank_EachProblemNamedWithItsPath()
    {
        var problem = Assert.Throws<ConfigurationProblemException>(() => SourceCatalog.Load(Configuration(
            ("Sources:0:Name", "council-tax"), ("Sources:0:Kind", "Csv"), ("Sources:0:Mapping:Key", "ref"),
            ("Sources:0:FieldPriorities:shoe_size", "1"), ("Sources:0:FieldPriorities:address", "first")), "."));

        Assert.Contains(problem.Problems, p => p.StartsWith("$.Sources[0].FieldPriorities.shoe_size: is not a golden-record field; allowed: title, ", StringComparison.Ordinal));
        Assert.Contains("$.Sources[0].FieldPriorities.address: must be a whole number; allowed 1 or more", problem.Problems);
    }

    [Fact]
    public void Load_Sensitivity_NamesTheClassOfEachSensitiveSource_GeneralAndUnsetAreNotListed_BlankIsAProblem()
    {
        var catalog = SourceCatalog.Load(Configuration(
            ("Sources:0:Name", "council-tax"), ("Sources:0:Kind", "Csv"), ("Sources:0:Mapping:Key", "ref"),
            ("Sources:1:Name", "social-care"), ("Sources:1:Kind", "Sql"), ("Sources:1:Mapping:Key", "id"), ("Sources:1:Sensitivity", "social-care"),
            ("Sources:2:Name", "waste"), ("Sources:2:Kind", "Csv"), ("Sources:2:Mapping:Key", "id"), ("Sources:2:Sensitivity", "general")), ".");
        var blank = Assert.Throws<ConfigurationProblemException>(() => SourceCatalog.Load(Configuration(
            ("Sources:0:Name", "social-care"), ("Sources:0:Kind", "Sql"), ("Sources:0:Mapping:Key", "id"), ("Sources:0:Sensitivity", " ")), "."));

        Assert.Equal(new Dictionary<string, string> { ["social-care"] = "social-care" }, catalog.Sensitivity);
        Assert.StartsWith("$.Sources[0].Sensitivity: must name a class", Assert.Single(blank.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_AgeAtObservation_BothBoundsAsWritten()
    {
        var catalog = SourceCatalog.Load(Configuration(
            ("Sources:0:Name", "care-leavers"), ("Sources:0:Kind", "Csv"), ("Sources:0:Mapping:Key", "ref"),
            ("Sources:0:Mapping:AgeAtObservation:AtLeast", "16"), ("Sources:0:Mapping:AgeAtObservation:Under", "25")), ".");

        var age = Assert.Single(catalog.Sources).Mapping.AgeAtObservation;

        Assert.Equal((16, 25), (age?.AtLeast, age?.Under));
    }

    [Theory]
    [InlineData("UK", PostcodeFormat.Uk)]
    [InlineData("Any", PostcodeFormat.Any)]
    [InlineData(null, PostcodeFormat.Uk)]
    public void Load_PostcodeFormat_AsTheSchemaSpellsIt(string? written, PostcodeFormat expected)
    {
        var settings = new List<(string, string)> { ("Sources:0:Name", "overseas"), ("Sources:0:Kind", "Csv"), ("Sources:0:Mapping:Key", "ref") };
        if (written is not null)
        {
            settings.Add(("Sources:0:Mapping:PostcodeFormat", written));
        }

        Assert.Equal(expected, Assert.Single(SourceCatalog.Load(Configuration([.. settings]), ".").Sources).Mapping.PostcodeFormat);
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();
}
