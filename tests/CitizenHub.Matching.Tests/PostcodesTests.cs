namespace CitizenHub.Matching.Tests;

public sealed class PostcodesTests
{
    [Theory]
    [InlineData("st162ab", "ST16 2AB")]
    [InlineData(" ST16  2AB ", "ST16 2AB")]
    [InlineData("M1 1AE", "M1 1AE")]       // A9 9AA
    [InlineData("B338TH", "B33 8TH")]      // A99 9AA
    [InlineData("cr2 6xh", "CR2 6XH")]     // AA9 9AA
    [InlineData("DN55 1PT", "DN55 1PT")]   // AA99 9AA
    [InlineData("W1A 1HQ", "W1A 1HQ")]     // A9A 9AA
    [InlineData("EC1A1BB", "EC1A 1BB")]    // AA9A 9AA
    [InlineData("gir 0aa", "GIR 0AA")]
    public void Canonical_ValidInAnyCaseOrSpacing_IsUpperCaseWithOneSpace(string input, string expected) =>
        Assert.Equal(expected, Postcodes.Canonical(input));

    [Theory]
    [InlineData("12345")]
    [InlineData("ST16")]
    [InlineData("ST16 2A")]
    [InlineData("QQQ 1AB")]
    [InlineData("ST16 2ABC")]
    [InlineData("1ST 6AB")]
    [InlineData("")]
    [InlineData(null)]
    public void Canonical_NotAPostcode_IsNull(string? input) => Assert.Null(Postcodes.Canonical(input));

    [Theory]
    [InlineData("ST16 2AB", "ST16")]
    [InlineData("M1 1AE", "M1")]
    [InlineData("EC1A 1BB", "EC1A")]
    public void Outward_IsThePartBeforeTheSpace(string canonical, string expected) => Assert.Equal(expected, Postcodes.Outward(canonical));

    [Theory]
    [InlineData("4223", "4223")]           // Australia
    [InlineData("d02 x285", "D02X285")]    // an Irish Eircode
    [InlineData("75-008", "75008")]
    [InlineData("Zürich 8001", "ZURICH8001")]
    [InlineData("st162ab", "ST16 2AB")]    // a UK postcode among them, as a UK source writes it
    public void AnyCountry_FoldsCaseSpacesAndPunctuation_AndWritesAUkPostcodeTheUkWay(string input, string expected) =>
        Assert.Equal(expected, Postcodes.AnyCountry(input));

    [Theory]
    [InlineData("--")]
    [InlineData(" ")]
    [InlineData(null)]
    public void AnyCountry_NoLetterOrDigit_IsNull(string? input) => Assert.Null(Postcodes.AnyCountry(input));
}
