using System.Text;
using CitizenHub.Contracts;
using CitizenHub.Matching;
using CitizenHub.TestKit;

namespace CitizenHub.Store.Tests;

public sealed class StoredRecordTests
{
    // A fictional resident, as an adapter reads one: parsed fields beside the raw ones, a problem flagged.
    private static readonly SourceRecord Record = Records.Person("housing-benefits", "HB-024506", "Tamara", "Schadn", (1991, 5, 20), ni: "EB614431A", postcode: "WS15 1UG") with
    {
        Phones = ["02079460013"],
        Attributes = [new SourceAttribute("tenancy", "secure")],
        RawFields = new Dictionary<string, string?> { ["CLAIM_REF"] = "HB-024506", ["SURNAME"] = "SCHADN", ["FORENAMES"] = "TAMARA", ["DOB"] = "1991-05-20", ["EMAIL"] = "not an address" },
        Problems = ["EMAIL: not an e-mail address"],
    };

    // Record as the first packed form (Zstandard against the shape dictionary) wrote it. A kept store holds records in
    // this form: if it no longer reads, the dictionary or the form has changed under them.
    private const string PackedByFormOne =
        "ASi1L/1gnAE9CACCjCskUIe6AUBQoLSULDK4+HLmp9CfWoeSQ4Bu2hpJUQ6QXMbMzOcECQMG1kPcbE6j3+pF11lFwiPcZPm5hV03z+Kwybrk0R"
        + "nrrITRIygtEJtsdHDIINdZGD2SGhIBJYKYcIVhYpFpZggTfTrrFpqZURoAfrzeBUVp5oEBjW5LSwEHdlHUV1nnxKps1cOCWvNbuqGOryb52EOe"
        + "kexBfM3wojx2D5RVi5p0FrgHtbLIVQUeAE+VglTGpIYIJDqwpcixi9Lq8dXJBiEv4ILBv8LsbCkC8EX+9NoX5SVBYtm48EpOd+PfuiyCY7ertdoN4esiMHXJjClvcK4BAB8MjHQ/aXM7WJyXFQ==";

    [Fact]
    public void Decode_OfEncode_GivesBackTheRecordAsReceived()
    {
        Assert.Equal(StoreJson.Serialize(Record), StoreJson.Serialize(StoredRecord.Decode(StoredRecord.Encode(Record))));
    }

    [Fact]
    public void Encode_PacksTheRecordToLessThanHalfItsJson()
    {
        Assert.True(StoredRecord.Encode(Record).Length * 2 < Encoding.UTF8.GetByteCount(StoreJson.Serialize(Record)));
    }

    [Fact]
    public void Decode_ARecordPackedByTheFirstForm_StillReads()
    {
        Assert.Equal(StoreJson.Serialize(Record), StoreJson.Serialize(StoredRecord.Decode(Convert.FromBase64String(PackedByFormOne))));
    }

    [Fact]
    public void Decode_ARecordKeptAsJsonBeforeRecordsWerePacked_StillReads()
    {
        var kept = Encoding.UTF8.GetBytes(StoreJson.Serialize(Record));

        Assert.Equal(StoreJson.Serialize(Record), StoreJson.Serialize(StoredRecord.Decode(kept)));
    }

    [Fact]
    public void Normalised_IsTheRecordNormalised()
    {
        Assert.Equal(StoreJson.Serialize(RecordNormaliser.Normalise(Record)), StoreJson.Serialize(StoredRecord.Normalised(StoredRecord.Encode(Record))));
    }

    [Fact]
    public void Normalised_AnAddressAbroad_KeepsItsPostcodeFormat()
    {
        var abroad = Record with { Addresses = [new PostalAddress(["8 Stanley Street"], "Winston Hills", "4223") { PostcodeFormat = PostcodeFormat.Any }] };

        Assert.Equal("4223", StoredRecord.Normalised(StoredRecord.Encode(abroad)).Address!.Postcode);
    }

    [Fact]
    public void Normalised_ARecordOfASourceThatSaysEveryonesAge_KeepsWhatItSays()
    {
        var elector = Record with { AgeAtObservation = new AgeRange(16, null) };

        var stored = StoredRecord.Normalised(StoredRecord.Encode(elector));

        Assert.Equal(RecordNormaliser.Normalise(elector).BornOnOrBefore, stored.BornOnOrBefore);
        Assert.NotNull(stored.BornOnOrBefore);
        Assert.Null(StoredRecord.Normalised(StoredRecord.Encode(Record)).BornOnOrBefore);
    }

    [Fact]
    public void Normalised_ARecordOfADeath_KeepsTheDateAndTheBirthItBounds()
    {
        var died = Record with { DateOfDeath = new PartialDate(2024, 9, 17) };

        var stored = StoredRecord.Normalised(StoredRecord.Encode(died));

        Assert.Equal(new PartialDate(2024, 9, 17), stored.DateOfDeath);
        Assert.Equal(new DateOnly(2024, 9, 17), stored.BornOnOrBefore);
        Assert.Equal(died.DateOfDeath, StoredRecord.Decode(StoredRecord.Encode(died)).DateOfDeath);
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 9, 1, 2, 3 })]
    public void Decode_BytesInNoKnownForm_SaysSo(byte[] stored)
    {
        var error = Assert.Throws<InvalidDataException>(() => StoredRecord.Decode(stored));

        Assert.Contains("no form", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_APackedRecordCutShort_FailsRatherThanGivingAPartRecord()
    {
        var packed = StoredRecord.Encode(Record);

        Assert.ThrowsAny<Exception>(() => StoredRecord.Decode(packed[..(packed.Length / 2)]));
    }
}
