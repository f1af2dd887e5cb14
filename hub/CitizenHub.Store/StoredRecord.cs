using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CitizenHub.Contracts;
using CitizenHub.Matching;

namespace CitizenHub.Store;

/// <summary>
/// How a source record is kept: as received, and only so, packed. Its normalised form is made again whenever a record
/// is read for matching rather than kept beside it: normalising is pure, and a kept copy was a large part of every
/// record's bytes, stale whenever the normalising rules improve. Making it again costs processor time on each read,
/// which <see cref="NormalisedRecordCache"/> spares for records read again (the trade is measured in docs/store.md).
/// </summary>
/// <remarks>
/// A kept record is its JSON compressed with Zstandard against a dictionary of the record's shape (its property names
/// and their usual order, no one's data), behind one byte that names that form. A dictionary trained on the records
/// themselves packs tighter, but would hold residents' names and addresses outside every record, where erasure cannot
/// reach them. A record kept before records were packed is its JSON as UTF-8 (it begins with '{') and still reads.
/// </remarks>
internal static class StoredRecord
{
    /// <summary>
    /// The one packed form so far, 1: the record's JSON against this shape. Never change either: kept records need them.
    /// </summary>
    private static readonly PackedJson PackedWithShapeV1 = new(
        form: 1,
        shape:
        """
        "title":"","suffix":"","previousFamilyNames":[""],"raw":"","uprn":"","validFrom":"","validTo":"","kind":"Correspondence"},{"lines":["","kind":"Previous"},"sourceVersion":"","attributes":[{"name":"","value":"","sensitivity":"general"}],{"scheme":"NhsNumber","value":""}],"deleted":true,"problems":["{"sourceSystem":"","sourceKey":"","observedAt":"2026-01-01T00:00:00.0000000+00:00","deleted":false,"name":{"givenNames":"","familyName":""},"dateOfBirth":{"year":19,"month":1,"day":1,"raw":"19"},"addresses":[{"lines":[""],"town":"","postcode":"","kind":"Residential"}],"identifiers":[{"scheme":"NiNumber","value":""}],"emails":[],"phones":[],"attributes":[],"rawFields":{"":""},"problems":[]}
        """);

    public static byte[] Encode(SourceRecord record) =>
        PackedWithShapeV1.Pack(JsonSerializer.SerializeToUtf8Bytes(record, StoreJson.Options));

    public static SourceRecord Decode(byte[] stored) =>
        JsonSerializer.Deserialize<SourceRecord>(PackedWithShapeV1.Unpack(stored, "record"), StoreJson.Options)
            ?? throw new InvalidDataException("A stored record is null.");

    /// <summary>
    /// The record's normalised form. Read without the parts normalising never looks at (the fields as the source gave
    /// them, the attributes): a record is read for matching far more often than it is shown, and building those
    /// dictionaries and lists was as much work as the rest of the record.
    /// </summary>
    public static NormalisedRecord Normalised(byte[] stored) =>
        RecordNormaliser.Normalise(
            JsonSerializer.Deserialize<SourceRecord>(PackedWithShapeV1.Unpack(stored, "record"), ForNormalising)
                ?? throw new InvalidDataException("A stored record is null."));

    private static readonly JsonSerializerOptions ForNormalising = new(StoreJson.Options)
    {
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { SkipWhatNormalisingIgnores } },
    };

    private static void SkipWhatNormalisingIgnores(JsonTypeInfo type)
    {
        if (type.Type != typeof(SourceRecord))
        {
            return;
        }

        for (var i = type.Properties.Count - 1; i >= 0; i--)
        {
            if (type.Properties[i].Name is "rawFields" or "attributes")
            {
                type.Properties.RemoveAt(i);
            }
        }
    }
}
