namespace CitizenHub.Matching.Tests;

public sealed class IdentifiersTests
{
    [Theory]
    [InlineData("AB 12 34 56 C", "AB123456C")]
    [InlineData("ab123456c", "AB123456C")]
    [InlineData("JG-10-37-92-A", "JG103792A")]
    public void NiNumber_Valid_IsCompactUpperCase(string input, string expected) => Assert.Equal(expected, Identifiers.NiNumber(input));

    [Theory]
    [InlineData("DA123456A")] // D never a first letter
    [InlineData("QA123456A")]
    [InlineData("VA123456A")]
    [InlineData("AO123456A")] // O never a second letter
    [InlineData("AD123456A")]
    [InlineData("BG123456A")] // prefixes never issued
    [InlineData("GB123456A")]
    [InlineData("NK123456A")]
    [InlineData("KN123456A")]
    [InlineData("TN123456A")]
    [InlineData("NT123456A")]
    [InlineData("ZZ123456A")]
    [InlineData("AB123456E")] // suffix A-D only
    [InlineData("AB12345C")]
    [InlineData("AB1234567C")]
    [InlineData("")]
    [InlineData(null)]
    public void NiNumber_Invalid_IsNull(string? input) => Assert.Null(Identifiers.NiNumber(input));

    [Theory]
    [InlineData("943 476 5919", "9434765919")]
    [InlineData("943-476-5919", "9434765919")]
    [InlineData("4010232137", "4010232137")]
    public void NhsNumber_CheckDigitHolds_IsTenDigits(string input, string expected) => Assert.Equal(expected, Identifiers.NhsNumber(input));

    [Theory]
    [InlineData("9434765918")] // wrong check digit
    [InlineData("9434765910")]
    [InlineData("0000000060")] // check digit computes to 10: never issued
    [InlineData("0000000000")] // placeholders pass the arithmetic but are not numbers
    [InlineData("1111111111")]
    [InlineData("943476591")]
    [InlineData("94347659190")]
    [InlineData("943476591X")]
    [InlineData(null)]
    public void NhsNumber_Invalid_IsNull(string? input) => Assert.Null(Identifiers.NhsNumber(input));

    [Theory]
    [InlineData("07700 900123", "+447700900123")]
    [InlineData("+44 7700 900123", "+447700900123")]
    [InlineData("+44 (0)1785 123456", "+441785123456")]
    [InlineData("0044 7700 900123", "+447700900123")]
    [InlineData("(01785) 123456", "+441785123456")]
    [InlineData("016977 3456", "+44169773456")] // one of the few nine-digit area numbers
    public void UkPhone_Valid_IsE164(string input, string expected) => Assert.Equal(expected, Identifiers.UkPhone(input));

    [Theory]
    [InlineData("+1 202 555 0101")]
    [InlineData("12345")]
    [InlineData("0770090012")] // a mobile one digit short
    [InlineData("01697 4123")]
    [InlineData("077009001234")]
    [InlineData("")]
    public void UkPhone_NotAUkNumber_IsNull(string input) => Assert.Null(Identifiers.UkPhone(input));

    [Theory]
    [InlineData("100031234567", "100031234567")]
    [InlineData("000010001234", "10001234")]
    [InlineData("1000 3123 4567", "100031234567")]
    public void Uprn_Digits_AreKeptWithoutLeadingZeros(string input, string expected) => Assert.Equal(expected, Identifiers.Uprn(input));

    [Theory]
    [InlineData("1000312345678")]
    [InlineData("0000")]
    [InlineData("UPRN1")]
    public void Uprn_Invalid_IsNull(string input) => Assert.Null(Identifiers.Uprn(input));
}
