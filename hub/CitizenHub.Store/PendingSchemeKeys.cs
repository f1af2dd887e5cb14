using CitizenHub.Matching.Linking;

namespace CitizenHub.Store;

/// <summary>
/// The named schemes' identifier keys of records held before the store kept them (SQLite migration 30, PostgreSQL 19),
/// written from the records at the next start by each store, a batch at a time from its list of records still to do.
/// </summary>
internal static class PendingSchemeKeys
{
    /// <summary>The records listed still to do, with each one's stored record (null once removed or erased), at most a batch.</summary>
    public const string ReadBatch = """
        SELECT p.source_system, p.source_key, s.record FROM scheme_keys_pending p
        LEFT JOIN source_records s ON s.source_system = p.source_system AND s.source_key = p.source_key
        LIMIT 10000;
        """;

    /// <summary>Each identifier key of the records read; a record removed or erased since it was listed has nothing left to find it by.</summary>
    public static List<(string MatchKey, string System, string Key)> Of(IEnumerable<(string System, string Key, byte[]? Record)> rows) =>
        [.. rows.Where(r => r.Record is not null)
            .SelectMany(r => StoredRecord.Normalised(r.Record!).SchemeIdentifiers.Select(identifier => (BlockingKeys.OfSchemeIdentifier(identifier), r.System, r.Key)))];
}
