namespace CitizenHub.Bench.Tests;

public sealed class UkIdentifiersTests
{
    [Theory]
    [InlineData("AB123456C", true)]
    [InlineData("ab 12 34 56 c", true)]
    [InlineData("JG103792A", true)]
    [InlineData("DA123456A", false)] // D never first
    [InlineData("AO123456A", false)] // O never second
    [InlineData("BG123456A", false)] // unused prefix
    [InlineData("TN123456A", false)]
    [InlineData("AB123456E", false)] // suffix A–D only
    [InlineData("AB12345C", false)]
    [InlineData(null, false)]
    public void IsValidNiNumber_FollowsHmrcRules(string? value, bool valid) => Assert.Equal(valid, UkIdentifiers.IsValidNiNumber(value));

    [Theory]
    [InlineData("9434765919", true)]
    [InlineData("943 476 5919", true)]
    [InlineData("9434765918", false)]
    [InlineData("943476591", false)]
    [InlineData(null, false)]
    public void IsValidNhsNumber_ChecksModulus11(string? value, bool valid) => Assert.Equal(valid, UkIdentifiers.IsValidNhsNumber(value));

    [Fact]
    public void Break_MakesValidNumbersInvalid()
    {
        var random = new Bogus.Randomizer(3);
        for (var i = 0; i < 500; i++)
        {
            var ni = UkIdentifiers.NewNiNumber(random);
            var nhs = UkIdentifiers.NewNhsNumber(random);
            Assert.True(UkIdentifiers.IsValidNiNumber(ni));
            Assert.True(UkIdentifiers.IsValidNhsNumber(nhs));
            Assert.False(UkIdentifiers.IsValidNiNumber(UkIdentifiers.BreakNiNumber(ni, random)));
            Assert.False(UkIdentifiers.IsValidNhsNumber(UkIdentifiers.BreakNhsNumber(nhs, random)));
            Assert.True(UkIdentifiers.IsValidNiNumber(UkIdentifiers.SpaceNiNumber(ni)));
        }
    }
}
