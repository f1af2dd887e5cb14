using System.Text;
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

    // The row as the first packed form wrote it. A kept store holds golden records in this form: if it no longer reads,
    // the dictionary or the form has changed under them.
    private const string PackedByFormOne = "ASi1L/0gwi0DAMIEEhhwrQNA1SomBcFQp3RIvQvNNykwKtL/LwQLr1VqAecWKebjTMv9J+OE/a1J/72NdjAhYLy4LVYJoUmjN/cdOlCEmvT5dzMoAQkATEQYNKDuobTxhyAjqwMgDIgLMIovIOYK";

    // The row as it was kept before golden records were packed: its JSON, unpacked.
    private const string KeptUnpacked =
        """[["given_names","Amelia","council-tax","CT1027020","2026-03-01T09:30:00.0000000\u002B00:00"],["family_name","O\u0027Neill","electoral-register","ER-88","2025-11-20T00:00:00.0000000\u002B00:00"]]""";

    [Fact]
    public void Encode_AUsualRow_PacksToLessThanAThirdOfItsJson()
    {
        // Seven fields from one record, as most citizens' rows are: the lineage repeats for each.
        var at = new DateTimeOffset(2026, 11, 2, 3, 0, 0, TimeSpan.Zero);
        GoldenField[] usual =
        [
            new(GoldenFields.Title, "Mr", "council-tax", "CT1068254", at),
            new(GoldenFields.GivenNames, "Bennie Samuel", "council-tax", "CT1068254", at),
            new(GoldenFields.FamilyName, "Fahey", "council-tax", "CT1068254", at),
            new(GoldenFields.Address, "Flat 2B, Albert House, 4 Auer Terrace, Tamworth, B78 7WF", "council-tax", "CT1068254", at),
            new(GoldenFields.Postcode, "B78 7WF", "council-tax", "CT1068254", at),
            new(GoldenFields.Uprn, "10000039103", "council-tax", "CT1068254", at),
            new(GoldenFields.Email, "bennie.fahey@example.net", "council-tax", "CT1068254", at),
        ];
        var json = System.Text.Json.JsonSerializer.Serialize(usual.Select(f => new[] { f.Field, f.Value, f.SourceSystem, f.SourceKey, f.ObservedAt.ToUniversalTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture) }));

        Assert.True(GoldenRow.Encode(usual)!.Length * 3 < Encoding.UTF8.GetByteCount(json));
        Assert.Equal(usual, GoldenRow.Decode(Encoding.UTF8.GetBytes(json)));
    }

    [Fact]
    public void Decode_ARowPackedByTheFirstForm_StillReads()
    {
        Assert.Equal(Fields, GoldenRow.Decode(Convert.FromBase64String(PackedByFormOne)));
    }

    [Fact]
    public void Decode_ARowKeptAsJsonBeforeGoldenRecordsWerePacked_StillReads()
    {
        Assert.Equal(Fields, GoldenRow.Decode(Encoding.UTF8.GetBytes(KeptUnpacked)));
    }

    [Fact]
    public void Encode_NoFields_IsNoRow()
    {
        Assert.Null(GoldenRow.Encode([]));
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
        var deferred = GoldenRow.DecodeWhenRead(Encoding.UTF8.GetBytes("[not a golden row"));

        Assert.ThrowsAny<System.Text.Json.JsonException>(() => deferred.Count);
    }
}
