namespace CitizenHub.Matching.Tests;

public sealed class PremisesTests
{
    [Theory]
    [InlineData("Flat 14A, 3 High Street", "14A", "3", null, "HIGHSTREET")]
    [InlineData("Flat 14c Weston Court", "14C", null, "WESTONCOURT", null)]
    [InlineData("14A High Street", null, "14A", null, "HIGHSTREET")]
    [InlineData("Apartment 2, 7-9 Mill Lane", "2", "7-9", null, "MILLLANE")]
    [InlineData("2/3 Church Road", "2", "3", null, "CHURCHROAD")]
    [InlineData("Rose Cottage, Church Lane", null, null, "ROSECOTTAGE", "CHURCHLANE")]
    [InlineData("Unit 4, Riverside Industrial Estate", "4", null, "RIVERSIDEINDUSTRIALESTATE", null)]
    [InlineData("Room 12", "12", null, null, null)]
    [InlineData("Flat B, 10 Mill Lane", "B", "10", null, "MILLLANE")]
    [InlineData("Apt. 5 12 Weston Road", "5", "12", null, "WESTONROAD")]
    [InlineData("Flat No. 3, 12 Weston Road", "3", "12", null, "WESTONROAD")]
    [InlineData("Ground Floor Flat, 12 Weston Road", "GROUNDFLOOR", "12", null, "WESTONROAD")]
    [InlineData("Flat 3, Weston Court, High Street", "3", null, "WESTONCOURT", "HIGHSTREET")]
    [InlineData("The Old Rectory", null, null, "THEOLDRECTORY", null)]
    [InlineData("Church Lane", null, null, null, "CHURCHLANE")]
    [InlineData("3 High Street, Weston", null, "3", null, "HIGHSTREET")] // a locality after the street is not the street
    [InlineData("14 Weston Road", null, "14", null, "WESTONROAD")]
    public void Parse_OneLine_FindsEachPart(string line, string? flat, string? house, string? building, string? street) =>
        Assert.Equal(new PremisesParts(flat, house, building, street), Premises.Parse([line]));

    [Fact]
    public void Parse_PartsOnSeparateLines_AreReadInOrder() =>
        Assert.Equal(new PremisesParts("14A", "3", null, "HIGHSTREET"), Premises.Parse(["Flat 14A", "3 High Street", "Stafford"]));

    [Fact]
    public void Parse_NumberOnItsOwnLine_StreetOnTheNext() =>
        Assert.Equal(new PremisesParts(null, "3", null, "HIGHSTREET"), Premises.Parse(["3", "High Street"]));

    [Fact]
    public void Parse_TwoFlatsOfOneBuilding_HaveDifferentFlats()
    {
        var a = Premises.Parse(["Flat 14A, 3 High Street"]);
        var b = Premises.Parse(["Flat 14C, 3 High Street"]);

        Assert.NotEqual(a.Flat, b.Flat);
        Assert.Equal((a.HouseNumber, a.StreetKey), (b.HouseNumber, b.StreetKey));
    }

    [Theory]
    [InlineData("3 High St", "3 High Street")]
    [InlineData("3 High St.", "3 High Street")]
    [InlineData("3 Mill Rd", "3 Mill Road")]
    [InlineData("3 Park Ave", "3 Park Avenue")]
    [InlineData("3 Mill Ln", "3 Mill Lane")]
    [InlineData("3 Oak Cl", "3 Oak Close")]
    [InlineData("3 Oak Dr", "3 Oak Drive")]
    [InlineData("3 Moor Cres", "3 Moor Crescent")]
    [InlineData("3 high street", "3 HIGH STREET")]
    public void Parse_AbbreviatedStreet_AgreesWithTheWrittenOut(string abbreviated, string written) =>
        Assert.Equal(Premises.Parse([written]), Premises.Parse([abbreviated]));

    [Fact]
    public void Parse_StAtTheStart_StaysASaint() =>
        Assert.Equal("STJOHNSROAD", Premises.Parse(["3 St Johns Rd"]).StreetKey);

    [Fact]
    public void Parse_FlatLetterCase_IsUpper() => Assert.Equal("14C", Premises.Parse(["Flat 14c"]).Flat);

    [Fact]
    public void Parse_NoLines_IsAllNull() => Assert.Equal(new PremisesParts(null, null, null, null), Premises.Parse([]));

    [Fact]
    public void Parse_BlankLines_AreSkipped() =>
        Assert.Equal(new PremisesParts(null, "3", null, "HIGHSTREET"), Premises.Parse([" ", "", "3 High Street"]));
}
