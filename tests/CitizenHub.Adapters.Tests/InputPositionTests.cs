namespace CitizenHub.Adapters.Tests;

public sealed class InputPositionTests
{
    [Theory]
    [InlineData("people.csv", 14L, null, null, "people.csv:14")]
    [InlineData("people.csv", null, null, null, "people.csv")]
    [InlineData(null, 14L, null, null, "line 14")]
    [InlineData(null, null, "3", "HB-1", "page 3, key HB-1")]
    [InlineData("people.csv", 14L, null, "CT1", "people.csv:14, key CT1")]
    public void ToString_SaysWhereInWords(string? file, long? line, string? page, string? key, string expected) =>
        Assert.Equal(expected, new InputPosition(file, line, page, key).ToString());
}
