using CitizenHub.Contracts;

namespace CitizenHub.Adapters.Tests;

/// <summary>The ways real council extracts write names, dates and addresses.</summary>
public sealed class ConventionsTests
{
    private static readonly DateTimeOffset Observed = new(2026, 11, 1, 2, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("SMITH, John A Mr", "Mr", "John A", "SMITH", null)]
    [InlineData("SMITH,JOHN ANDREW", null, "JOHN ANDREW", "SMITH", null)]
    [InlineData("Smith-Jones, Helen Dr.", "Dr", "Helen", "Smith-Jones", null)]
    [InlineData("O'BRIEN, Sean Mr Jnr", "Mr", "Sean", "O'BRIEN", "Jnr")]
    [InlineData("SMITH John", null, "John", "SMITH", null)]
    [InlineData("MAC DONALD Morag", null, "Morag", "MAC DONALD", null)]
    [InlineData("Ní Bhriain Siobhán", null, "Siobhán", "Ní Bhriain", null)]
    [InlineData("ST JOHN, Lxeie", null, "Lxeie", "ST JOHN", null)]
    public void NameParser_FamilyFirst(string raw, string? title, string? given, string? family, string? suffix)
    {
        var name = NameParser.Parse(raw, NameOrder.FamilyFirst);

        Assert.Equal(new PersonName(title, given, family, suffix, Raw: raw), name);
    }

    [Theory]
    [InlineData("John Andrew Smith", null, "John Andrew", "Smith", null)]
    [InlineData("Mrs Margaret Hughes", "Mrs", "Margaret", "Hughes", null)]
    [InlineData("Mr John Smith Jr", "Mr", "John", "Smith", "Jr")]
    [InlineData("Ana de Souza", null, "Ana", "de Souza", null)]
    [InlineData("Pieter van der Berg", null, "Pieter", "van der Berg", null)]
    [InlineData("Smith", null, null, "Smith", null)]
    [InlineData("Lxeie St John", null, "Lxeie", "St John", null)]
    [InlineData("Lxeie St. John", null, "Lxeie", "St. John", null)]
    [InlineData("LXEIE ST JOHN", null, "LXEIE", "ST JOHN", null)]
    [InlineData("Siobhán Ní Bhriain", null, "Siobhán", "Ní Bhriain", null)]
    [InlineData("Siobhan Ni Bhriain", null, "Siobhan", "Ni Bhriain", null)]
    [InlineData("Morag Nic Dhòmhnaill", null, "Morag", "Nic Dhòmhnaill", null)]
    [InlineData("Pádraig Ó Briain", null, "Pádraig", "Ó Briain", null)]
    [InlineData("Mary O' Brien", null, "Mary", "O' Brien", null)]
    [InlineData("John O Smith", null, "John O", "Smith", null)]
    [InlineData("Hamish Mac Donald", null, "Hamish", "Mac Donald", null)]
    [InlineData("Sian Mc Gregor", null, "Sian", "Mc Gregor", null)]
    [InlineData("Dafydd ap Rhys", null, "Dafydd", "ap Rhys", null)]
    [InlineData("Gwen ab Owen", null, "Gwen", "ab Owen", null)]
    [InlineData("Maria De La Cruz", null, "Maria", "De La Cruz", null)]
    [InlineData("Di Smith", null, "Di", "Smith", null)]
    public void NameParser_GivenFirst(string raw, string? title, string? given, string? family, string? suffix)
    {
        var name = NameParser.Parse(raw, NameOrder.GivenFirst);

        Assert.Equal(new PersonName(title, given, family, suffix, Raw: raw), name);
    }

    [Theory]
    [InlineData("14 Weston Road, Stafford, ST16 3RZ", new[] { "14 Weston Road" }, "Stafford", "ST16 3RZ")]
    [InlineData("Flat 2, 9 Gaol Road, Stafford ST163AW", new[] { "Flat 2", "9 Gaol Road" }, "Stafford", "ST163AW")]
    [InlineData("The Old Rectory, Church Lane, Gnosall, st20 0eu", new[] { "The Old Rectory", "Church Lane" }, "Gnosall", "st20 0eu")]
    [InlineData("5 New Road, Stoke-on-Trent", new[] { "5 New Road" }, "Stoke-on-Trent", null)]
    public void OneLineAddress_SplitsLinesTownAndPostcode(string raw, string[] lines, string? town, string? postcode)
    {
        var address = OneLineAddress.Parse(raw)!;

        Assert.Equal(lines, address.Lines);
        Assert.Equal((town, postcode, raw), (address.Town, address.Postcode, address.Raw));
    }

    [Theory]
    [InlineData("12-MAR-1975", "dd-MMM-yyyy", 1975, 3, 12)]
    [InlineData("12-Mar-1975", "dd-MMM-yyyy", 1975, 3, 12)]
    [InlineData("19750312", "yyyyMMdd", 1975, 3, 12)]
    [InlineData("12/03/75", "dd/MM/yy", 1975, 3, 12)]
    [InlineData("12/03/15", "dd/MM/yy", 2015, 3, 12)]
    [InlineData("12/03/27", "dd/MM/yy", 1927, 3, 12)] // observed in 2026: nobody is born next year
    public void Dates_CouncilFormats_Parse(string raw, string format, int year, int month, int day)
    {
        var record = Map(new FieldMapping { Key = "ref", DateOfBirth = "dob", DateFormats = [format] }, ("dob", raw));

        Assert.Equal(new PartialDate(year, month, day, raw), record.DateOfBirth);
    }

    [Fact]
    public void Dates_TwoDigitYearMaxConfigured_OverridesTheObservationYear()
    {
        var record = Map(new FieldMapping { Key = "ref", DateOfBirth = "dob", DateFormats = ["dd/MM/yy"], TwoDigitYearMax = 2010 }, ("dob", "01/01/15"));

        Assert.Equal(1915, record.DateOfBirth!.Year);
    }

    [Fact]
    public void Mapping_FullNameAndOneLineAddress_FillTheCanonicalParts()
    {
        var mapping = new FieldMapping { Key = "ref", FullName = "name", NameOrder = NameOrder.FamilyFirst, AddressOneLine = "addr" };

        var record = Map(mapping, ("name", "HUGHES, Margaret Mrs"), ("addr", "14 Weston Road, Stafford, ST16 3RZ"));

        Assert.Equal(("Mrs", "Margaret", "HUGHES"), (record.Name!.Title, record.Name.GivenNames, record.Name.FamilyName));
        Assert.Equal("HUGHES, Margaret Mrs", record.Name.Raw);
        Assert.Equal(("Stafford", "ST16 3RZ"), (record.Addresses[0].Town, record.Addresses[0].Postcode));
    }

    [Fact]
    public void Mapping_SeparateMiddleNames_FollowTheGivenNames()
    {
        var record = Map(new FieldMapping { Key = "ref", GivenNames = "first", MiddleNames = "middle", FamilyName = "last" }, ("first", "John"), ("middle", "Andrew"), ("last", "Smith"));

        Assert.Equal("John Andrew", record.Name!.GivenNames);
    }

    [Fact]
    public void Mapping_PartsMappedSeparately_WinOverTheWholeName()
    {
        var mapping = new FieldMapping { Key = "ref", FullName = "name", FamilyName = "surname" };

        var record = Map(mapping, ("name", "Peggy Hughes"), ("surname", "Hughes-Lee"));

        Assert.Equal(("Peggy", "Hughes-Lee"), (record.Name!.GivenNames, record.Name.FamilyName));
    }

    [Fact]
    public void Mapping_Constant_FillsTheFieldAndNeedsNoSourceField()
    {
        var mapping = new FieldMapping { Key = "ref", Town = "=Stafford", Attributes = [new AttributeMapping { Field = "=electoral", Name = "register" }] };

        var record = Map(mapping);

        Assert.Equal("Stafford", record.Addresses[0].Town);
        Assert.Equal(new SourceAttribute("register", "electoral"), record.Attributes[0]);
        Assert.Equal(["ref"], mapping.ReferencedFields());
    }

    private static SourceRecord Map(FieldMapping mapping, params (string Field, string Value)[] fields)
    {
        var row = fields.ToDictionary(f => f.Field, f => (string?)f.Value);
        row["ref"] = "1";
        Assert.True(new RecordMapper("test", mapping).TryMap(row, Observed, out var record, out var reason), reason);
        return record!;
    }
}
