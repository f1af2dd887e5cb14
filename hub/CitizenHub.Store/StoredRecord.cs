using CitizenHub.Contracts;
using CitizenHub.Matching;

namespace CitizenHub.Store;

/// <summary>
/// How a source record is kept: as received, and only so. Its normalised form is made again whenever a record is read
/// for matching rather than kept beside it: normalising is pure and costs about what reading a kept copy did, and
/// a kept copy would be a quarter of every record's bytes, and stale whenever the normalising rules improve.
/// </summary>
internal static class StoredRecord
{
    public static string Encode(SourceRecord record) => StoreJson.Serialize(record);

    public static SourceRecord Decode(string stored) => StoreJson.Deserialize<SourceRecord>(stored);

    public static NormalisedRecord Normalised(string stored) => RecordNormaliser.Normalise(Decode(stored));
}
