namespace CitizenHub.Matching.Tests;

public sealed class PersonNamesTests
{
    [Theory]
    [InlineData("MRS MARGARET ANN", "Mrs", "Margaret Ann")]
    [InlineData("Mrs. Margaret", "Mrs", "Margaret")]
    [InlineData("dr john", "Dr", "John")]
    [InlineData("Revd Alan", "Revd", "Alan")]
    [InlineData("Rev. Alan", "Rev", "Alan")]
    [InlineData("Prof Jane", "Prof", "Jane")]
    [InlineData("Professor Jane", "Prof", "Jane")]
    [InlineData("Sir Ian", "Sir", "Ian")]
    [InlineData("Dame Judi", "Dame", "Judi")]
    [InlineData("Lady Jane", "Lady", "Jane")]
    [InlineData("Capt. Tom", "Capt", "Tom")]
    [InlineData("MX SAM", "Mx", "Sam")]
    [InlineData("Miss", "Miss", null)]
    [InlineData("Rev Dr Paul", "Rev Dr", "Paul")]
    public void Parse_TitleInGivenNames_SplitsItOut(string given, string expectedTitle, string? expectedGiven)
    {
        var parsed = PersonNames.Parse(null, given, "Hughes", null);

        Assert.Equal((expectedTitle, expectedGiven), (parsed.Title, parsed.GivenNames));
    }

    [Fact]
    public void Parse_TitleGivenAndAnotherInGivenNames_LeavesTheGivenNamesAlone()
    {
        var parsed = PersonNames.Parse("Dr", "Mr John", "Hughes", null);

        Assert.Equal(("Dr", "Mr John"), (parsed.Title, parsed.GivenNames));
    }

    [Fact]
    public void Parse_SameTitleTypedTwice_KeepsOne()
    {
        var parsed = PersonNames.Parse("MRS", "MRS MARGARET", "HUGHES", null);

        Assert.Equal(("Mrs", "Margaret"), (parsed.Title, parsed.GivenNames));
    }

    [Theory]
    [InlineData(" MRS. ", "Mrs")]
    [InlineData("doctor", "Dr")]
    [InlineData("Cllr", "Cllr")]
    [InlineData("HRH", "Hrh")] // unknown titles are cased like names, as before
    [InlineData("Canon.", "Canon")]
    public void Parse_TitleField_IsCanonical(string title, string expected) =>
        Assert.Equal(expected, PersonNames.Parse(title, "John", "Hughes", null).Title);

    [Fact]
    public void Parse_GivenNameThatLooksLikeNoTitle_IsKept()
    {
        var parsed = PersonNames.Parse(null, "Mrinal", "Sen", null);

        Assert.Equal((null, "Mrinal"), (parsed.Title, parsed.GivenNames));
    }

    [Theory]
    [InlineData("Hughes Jr", "Hughes", "Jr")]
    [InlineData("HUGHES JNR", "Hughes", "Jr")]
    [InlineData("Hughes Jr.", "Hughes", "Jr")]
    [InlineData("Hughes, Junior", "Hughes", "Jr")]
    [InlineData("Hughes Sr", "Hughes", "Sr")]
    [InlineData("Hughes Snr.", "Hughes", "Sr")]
    [InlineData("Hughes Senior", "Hughes", "Sr")]
    [InlineData("Hughes II", "Hughes", "II")]
    [InlineData("Hughes iii", "Hughes", "III")]
    [InlineData("Hughes IV", "Hughes", "IV")]
    [InlineData("Smith-Jones Jnr", "Smith-Jones", "Jr")]
    public void Parse_SuffixAtEndOfFamilyName_SplitsItOut(string family, string expectedFamily, string expectedSuffix)
    {
        var parsed = PersonNames.Parse(null, "John", family, null);

        Assert.Equal((expectedFamily, expectedSuffix), (parsed.FamilyName, parsed.Suffix));
    }

    [Fact]
    public void Parse_SuffixAtEndOfGivenNames_SplitsItOut()
    {
        var parsed = PersonNames.Parse(null, "John Andrew Jnr", "Hughes", null);

        Assert.Equal(("John Andrew", "Jr"), (parsed.GivenNames, parsed.Suffix));
    }

    [Fact]
    public void Parse_NameThatIsOnlyASuffixWord_IsNotEmptied()
    {
        var parsed = PersonNames.Parse(null, "John", "Senior", null);

        Assert.Equal(("Senior", null), (parsed.FamilyName, parsed.Suffix));
    }

    [Theory]
    [InlineData("jnr.", "Jr")]
    [InlineData("Junior", "Jr")]
    [InlineData("SNR", "Sr")]
    [InlineData("iii", "III")]
    [InlineData(" OBE ", "OBE")] // not generational: kept as the source wrote it, tidied
    public void Parse_SuffixField_IsCanonical(string suffix, string expected) =>
        Assert.Equal(expected, PersonNames.Parse(null, "John", "Hughes", suffix).Suffix);

    [Fact]
    public void Parse_SuffixFieldAndSuffixInName_FieldWinsAndNameIsCleaned()
    {
        var parsed = PersonNames.Parse(null, "John", "Hughes Jr", "Sr");

        Assert.Equal(("Hughes", "Sr"), (parsed.FamilyName, parsed.Suffix));
    }

    [Fact]
    public void Parse_ShoutedNames_AreNameCased()
    {
        var parsed = PersonNames.Parse(null, "  MARY-JANE  ", "O'BRIEN", null);

        Assert.Equal(new ParsedName(null, "Mary-Jane", "O'Brien", null), parsed);
    }

    [Fact]
    public void Parse_Nothing_IsAllNull() => Assert.Equal(new ParsedName(null, null, null, null), PersonNames.Parse(null, " ", null, ""));

    [Theory]
    [InlineData("MacDonald", "MCDONALD")]
    [InlineData("McDonald", "MCDONALD")]
    [InlineData("MACKENZIE", "MCKENZIE")]
    [InlineData("MacLeod", "MCLEOD")] // four letters after Mac: folded
    [InlineData("Mack", "MACK")]
    [InlineData("Mace", "MACE")]
    [InlineData("Macon", "MACON")]
    [InlineData("Mackay", "MACKAY")] // three letters after Mac: left alone
    [InlineData("Mac Donald", "MCDONALD")]
    [InlineData("O'Brien", "OBRIEN")]
    [InlineData("O Brien", "OBRIEN")]
    [InlineData("Smith-Jones", "SMITHJONES")]
    [InlineData("Smith Jones", "SMITHJONES")]
    [InlineData("de la Cruz", "DELACRUZ")]
    [InlineData("Müller", "MULLER")]
    [InlineData("Smith-MacDonald", "SMITHMCDONALD")]
    public void FamilyKey_FoldsForComparison(string family, string expected) => Assert.Equal(expected, PersonNames.FamilyKey(family));

    [Theory]
    [InlineData(null)]
    [InlineData("  ")]
    [InlineData("-")]
    public void FamilyKey_Blank_IsNull(string? family) => Assert.Null(PersonNames.FamilyKey(family));

    [Theory]
    [InlineData("Smith-Jones", new[] { "SMITH", "JONES" })]
    [InlineData("Smith Jones", new[] { "SMITH", "JONES" })]
    [InlineData("Smith–Jones", new[] { "SMITH", "JONES" })] // en dash
    [InlineData("de la Cruz", new[] { "DELACRUZ" })]
    [InlineData("van der Berg", new[] { "VANDERBERG" })]
    [InlineData("Garcia de la Cruz", new[] { "GARCIA", "DELACRUZ" })]
    [InlineData("St John", new[] { "STJOHN" })]
    [InlineData("ap Rhys", new[] { "APRHYS" })]
    [InlineData("Le", new[] { "LE" })]
    [InlineData("Hughes-MacLeod", new[] { "HUGHES", "MCLEOD" })]
    [InlineData("O'Brien", new[] { "OBRIEN" })]
    [InlineData("Ó Briain", new[] { "OBRIAIN" })]
    [InlineData("Ní Bhriain", new[] { "NIBHRIAIN" })]
    [InlineData("Nic Dhòmhnaill", new[] { "NICDHOMHNAILL" })]
    [InlineData("Uí Bhriain", new[] { "UIBHRIAIN" })]
    [InlineData("ab Owen", new[] { "ABOWEN" })]
    [InlineData("St. John-Smith", new[] { "STJOHN", "SMITH" })]
    public void FamilyParts_SplitsOnSpacesAndHyphensWithParticlesJoined(string family, string[] expected) =>
        Assert.Equal(expected, PersonNames.FamilyParts(family));

    [Fact]
    public void FamilyParts_Blank_IsEmpty() => Assert.Empty(PersonNames.FamilyParts(null));
}
