namespace CitizenHub.Matching.Identity;

/// <summary>
/// What rebuilding a golden record changes, for both stores: the fields whose shown value changed (the change event
/// names them), and the rows to delete and write. A record linking to a citizen usually moves the lineage of one or
/// two fields, and only those are written rather than all a dozen deleted and re-inserted (on SQLite the ingest rate
/// moved within its noise; it is fewer index writes on either store all the same).
/// </summary>
public sealed record GoldenRecordDiff(IReadOnlyList<string> Changed, IReadOnlyList<string> Removed, IReadOnlyList<GoldenField> Written)
{
    /// <summary>
    /// Whether anything is written. A new observation of the same value changes no shown value, but its lineage is
    /// rewritten, and versioned, all the same.
    /// </summary>
    public bool Rewritten => Removed.Count > 0 || Written.Count > 0;

    public static GoldenRecordDiff Between(IReadOnlyList<GoldenField> before, IReadOnlyList<GoldenField> after)
    {
        var held = before.ToDictionary(f => f.Field, StringComparer.Ordinal);
        var shown = after.ToDictionary(f => f.Field, StringComparer.Ordinal);
        var removed = held.Keys.Where(field => !shown.ContainsKey(field)).Order(StringComparer.Ordinal).ToList();
        var written = after.Where(f => !held.TryGetValue(f.Field, out var old) || old != f).ToList();
        var changed = written.Where(f => held.GetValueOrDefault(f.Field)?.Value != f.Value).Select(f => f.Field)
            .Concat(removed)
            .Order(StringComparer.Ordinal)
            .ToList();
        return new GoldenRecordDiff(changed, removed, written);
    }
}
