using CitizenHub.Contracts;
using CitizenHub.Matching;
using CitizenHub.Matching.Scoring;
using CitizenHub.Store;

namespace CitizenHub.Api;

/// <summary>A golden record as a CRM front end receives it.</summary>
/// <param name="Fields">Each shown value by field name, with the source record it came from.</param>
public sealed record CitizenResponse(
    string CitizenId,
    long Version,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyDictionary<string, FieldValue> Fields,
    IReadOnlyList<SourceRecordResponse> SourceRecords,
    bool Restricted)
{
    /// <param name="visibleClasses">
    /// The sensitivity classes the caller may see. An attribute of another class is left out, not masked; and the
    /// record's raw fields with it, since a raw row carries every column the attribute was read from.
    /// </param>
    public static CitizenResponse From(CitizenView view, IReadOnlySet<string> visibleClasses)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(visibleClasses);
        return new CitizenResponse(
            view.CitizenId,
            view.Version,
            view.CreatedAt,
            view.UpdatedAt,
            FieldValue.Map(view.Fields),
            [.. view.SourceRecords.Select(r => new SourceRecordResponse(r.SourceSystem, r.SourceKey, r.ObservedAt, r.LinkedAt, Visible(r.Record, visibleClasses)))],
            view.Restricted);
    }

    /// <summary>The names of what the answer holds (golden fields and attributes), for the audit trail: names, never values.</summary>
    public IReadOnlyList<string> ReturnedFields() =>
        [.. Fields.Keys.Concat(SourceRecords.SelectMany(r => r.Record.Attributes.Select(a => "attribute:" + a.Name))).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    internal static SourceRecord Visible(SourceRecord record, IReadOnlySet<string> visibleClasses)
    {
        if (record.Attributes.All(a => visibleClasses.Contains(a.Sensitivity)))
        {
            return record;
        }

        return record with
        {
            Attributes = [.. record.Attributes.Where(a => visibleClasses.Contains(a.Sensitivity))],
            RawFields = new Dictionary<string, string?>(),
        };
    }
}

/// <summary>A shown value and its lineage.</summary>
public sealed record FieldValue(string Value, Lineage Source)
{
    public static IReadOnlyDictionary<string, FieldValue> Map(IEnumerable<GoldenField> fields) =>
        fields.ToDictionary(
            f => f.Field,
            f => new FieldValue(f.Value, new Lineage(f.SourceSystem, f.SourceKey, f.ObservedAt)),
            StringComparer.Ordinal);
}

/// <summary>Which source record said a value, and when.</summary>
public sealed record Lineage(string System, string Key, DateTimeOffset ObservedAt);

/// <summary>A linked source record as held: parsed values beside the raw fields.</summary>
public sealed record SourceRecordResponse(string SourceSystem, string SourceKey, DateTimeOffset ObservedAt, DateTimeOffset LinkedAt, SourceRecord Record);

/// <param name="Total">Citizens found and ranked (at most the cap).</param>
/// <param name="Truncated">More were found than are ranked: narrow the search.</param>
public sealed record SearchResponse(IReadOnlyList<SearchResult> Results, int Limit, int Offset, int Total, bool Truncated);

/// <param name="Score">How well the citizen's best record matches the query: its match weight in bits.</param>
/// <param name="Matched">Why: each criterion compared with that record, its agreement level and weight.</param>
public sealed record SearchResult(string CitizenId, string Href, double Score, IReadOnlyDictionary<string, FieldValue> Fields, IReadOnlyList<FieldWeight> Matched);

/// <param name="Next">The cursor of the next page (pass it as <c>cursor</c> with the same order); null at the end.</param>
public sealed record AuditResponse(IReadOnlyList<AuditRow> Entries, int Limit, string? Next);

/// <summary>One row of the audit trail, as an auditor sees it.</summary>
/// <param name="Details">A search's criteria as given, or a refusal's status, reason and route; null when the row has none.</param>
public sealed record AuditRow(
    long Sequence,
    DateTimeOffset At,
    string Caller,
    string Roles,
    string Action,
    string? CitizenId,
    string? Purpose,
    IReadOnlyList<string> Fields,
    IReadOnlyDictionary<string, string>? Details)
{
    public static AuditRow From(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new AuditRow(entry.Sequence, entry.At, entry.Caller, entry.Roles, entry.Action, entry.CitizenId, entry.Purpose, entry.Fields, entry.Details);
    }
}
