using CitizenHub.Contracts;
using CitizenHub.Matching;
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
    IReadOnlyList<SourceRecordResponse> SourceRecords)
{
    public static CitizenResponse From(CitizenView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        return new CitizenResponse(
            view.CitizenId,
            view.Version,
            view.CreatedAt,
            view.UpdatedAt,
            FieldValue.Map(view.Fields),
            [.. view.SourceRecords.Select(r => new SourceRecordResponse(r.SourceSystem, r.SourceKey, r.ObservedAt, r.LinkedAt, r.Record))]);
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

public sealed record SearchResponse(IReadOnlyList<SearchResult> Results, int Limit);

public sealed record SearchResult(string CitizenId, string Href, IReadOnlyDictionary<string, FieldValue> Fields);
