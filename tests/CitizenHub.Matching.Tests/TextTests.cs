namespace CitizenHub.Matching.Tests;

public sealed class TextTests
{
    [Theory]
    [InlineData("  John   Andrew  ", "John Andrew")]
    [InlineData("John\tAndrew\r\n", "John Andrew")]
    [InlineData("   ", null)]
    [InlineData(null, null)]
    public void Tidy_TrimsAndCollapsesWhiteSpace(string? input, string? expected) => Assert.Equal(expected, Text.Tidy(input));

    [Theory]
    [InlineData("O'Brien", "OBRIEN")]
    [InlineData("o brien", "OBRIEN")]
    [InlineData("Zoë", "ZOE")]
    [InlineData("Smith-Jones", "SMITHJONES")]
    [InlineData("Ó Súilleabháin", "OSUILLEABHAIN")]
    [InlineData(" - ", null)]
    [InlineData("", null)]
    public void FoldKey_FoldsCaseAccentsAndPunctuation(string? input, string? expected) => Assert.Equal(expected, Text.FoldKey(input));

    [Theory]
    [InlineData("SMITH", "Smith")]
    [InlineData("smith", "Smith")]
    [InlineData("o'brien", "O'Brien")]
    [InlineData("MCDONALD", "McDonald")]
    [InlineData("smith-jones", "Smith-Jones")]
    [InlineData("JOHN ANDREW", "John Andrew")]
    [InlineData("de Souza", "de Souza")]
    [InlineData("MacLeod", "MacLeod")]
    [InlineData("  SMITH  ", "Smith")]
    public void NameCase_CasesShoutedNamesAndLeavesMixedCaseAlone(string input, string expected) => Assert.Equal(expected, Text.NameCase(input));
}
