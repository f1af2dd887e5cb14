using CitizenHub.Matching;

namespace CitizenHub.Store.Tests;

public sealed class GoldenRowTests
{
    private static readonly GoldenField[] Fields =
    [
        new(GoldenFields.GivenNames, "Amelia", "council-tax", "CT1027020", new DateTimeOffset(2026, 3, 1, 9, 30, 0, TimeSpan.Zero)),
        new(GoldenFields.FamilyName, "O'Neill", "electoral-register", "ER-88", new DateTimeOffset(2025, 11, 20, 0, 0, 0, TimeSpan.Zero)),
    ];

    [Fact]
    public void Decode_OfEncode_GivesBackEachFieldWithItsLineage()
    {
        Assert.Equal(Fields, GoldenRow.Decode(GoldenRow.Encode(Fields)));
    }

    [Fact]
    public void DecodeWhenRead_OfEncode_ReadsAsDecodeDoes()
    {
        var deferred = GoldenRow.DecodeWhenRead(GoldenRow.Encode(Fields));

        Assert.Equal(Fields.Length, deferred.Count);
        Assert.Equal(Fields[1], deferred[1]);
        Assert.Equal(Fields, deferred);
    }

    [Fact]
    public void DecodeWhenRead_NoRow_IsNoFields()
    {
        Assert.Empty(GoldenRow.DecodeWhenRead(null));
    }

    [Fact]
    public void DecodeWhenRead_DecodesOnlyWhenRead()
    {
        // A row that is not JSON fails only when its fields are read, which shows that a citizen whose golden record is
        // never read costs no decoding.
        var deferred = GoldenRow.DecodeWhenRead("not a golden row");

        Assert.ThrowsAny<System.Text.Json.JsonException>(() => deferred.Count);
    }
}
