using System.Globalization;
using CitizenHub.Api;
using CitizenHub.Contracts;
using CitizenHub.Matching;
using CitizenHub.Matching.Identity;

namespace CitizenHub.Web;

/// <summary>
/// Source records side by side, a row a detail: what each system says, and whether it differs from what the golden
/// record shows (compared as a person reads them: case, spacing and punctuation aside).
/// </summary>
public static class RecordRows
{
    /// <param name="Compared">What is compared (a name without its title, an address with its postcode).</param>
    public sealed record Cell(string Value, bool Differs, string Compared = "");

    public sealed record Row(string Label, IReadOnlyList<Cell> Cells);

    public static IReadOnlyList<Row> For(CitizenResponse citizen) => For(citizen.SourceRecords.Select(r => r.Record).ToList(), citizen.Fields);

    /// <param name="golden">What each record is compared with; for two records side by side (a review), the other record.</param>
    public static IReadOnlyList<Row> For(IReadOnlyList<SourceRecord> records, IReadOnlyDictionary<string, FieldValue> golden)
    {
        string? Golden(params string[] fields) =>
            fields.Select(f => golden.TryGetValue(f, out var v) ? v.Value : null).Where(v => v is not null) is var values && values.Any() ? string.Join(' ', values) : null;

        var rows = new List<Row>
        {
            Make("Name", records, Name, Golden(GoldenFields.GivenNames, GoldenFields.FamilyName), r => Join(r.Name?.GivenNames, r.Name?.FamilyName)),
            Make("Date of birth", records, r => r.DateOfBirth is { } d ? Date(d) : null, Golden(GoldenFields.DateOfBirth) is { } dob ? Display.IsoDate(dob) : null),
            // Compared with the postcode, as the golden record's address holds it; shown without (it has a row of its own).
            Make("Address", records, r => Home(r) is { } a ? Join([.. a.Lines, a.Town]) : null, Golden(GoldenFields.Address), r => Home(r) is { } a ? Join([.. a.Lines, a.Town, a.Postcode]) : null),
            Make("Postcode", records, r => Home(r)?.Postcode, Golden(GoldenFields.Postcode)),
            Make("National Insurance number", records, r => Id(r, IdentifierScheme.NiNumber), Golden(GoldenFields.NiNumber)),
            Make("NHS number", records, r => Id(r, IdentifierScheme.NhsNumber), Golden(GoldenFields.NhsNumber)),
            Make("Email", records, r => r.Emails.FirstOrDefault(), Golden(GoldenFields.Email)),
            // A system's "07700 900933" is the golden record's "+447700900933": compared as the number dialled in the UK.
            Make("Phone", records, r => r.Phones.FirstOrDefault(), Golden(GoldenFields.Phone) is { } phone ? UkNumber(phone) : null, r => r.Phones.FirstOrDefault() is { } p ? UkNumber(p) : null),
        };
        // Most people's records hold no date of death: the row is there only when one does.
        if (records.Any(r => r.DateOfDeath is not null))
        {
            rows.Insert(2, Make("Date of death", records, r => r.DateOfDeath is { } d ? Date(d) : null, Golden(GoldenFields.DateOfDeath) is { } dod ? Display.IsoDate(dod) : null));
        }

        // Each attribute a system holds (a council tax band, a tenancy), where the caller may see it.
        foreach (var attribute in records.SelectMany(r => r.Attributes).Select(a => a.Name).Distinct(StringComparer.Ordinal))
        {
            rows.Add(new Row(
                attribute.Replace('-', ' '),
                [.. records.Select(r => new Cell(r.Attributes.FirstOrDefault(a => a.Name == attribute)?.Value ?? "", false))]));
        }

        rows.Add(new Row("Problems with the record", [.. records.Select(r => new Cell(string.Join("; ", r.Problems), false))]));
        return [.. rows.Where(r => r.Cells.Any(c => c.Value.Length > 0))];
    }

    /// <summary>Two records of a review side by side: each value is highlighted where the other record's differs.</summary>
    public static IReadOnlyList<Row> Pair(SourceRecord left, SourceRecord right)
    {
        var rows = For([left, right], new Dictionary<string, FieldValue>());
        return [.. rows.Select(row => row.Cells.Count == 2 && row.Cells.All(c => c.Compared.Length > 0) && !Same(row.Cells[0].Compared, row.Cells[1].Compared)
            ? row with { Cells = [.. row.Cells.Select(c => c with { Differs = true })] }
            : row)];
    }

    private static Row Make(string label, IReadOnlyList<SourceRecord> records, Func<SourceRecord, string?> shown, string? golden, Func<SourceRecord, string?>? compared = null) =>
        new(label, [.. records.Select(r =>
        {
            var value = shown(r) ?? "";
            var comparable = (compared ?? shown)(r);
            return new Cell(value, golden is not null && comparable is { Length: > 0 } && !Same(comparable, golden), comparable ?? "");
        })]);

    private static string? Name(SourceRecord record) => record.Name is { } n ? Join(n.Title, n.GivenNames, n.FamilyName, n.Suffix) : null;

    private static PostalAddress? Home(SourceRecord record) =>
        record.Addresses.FirstOrDefault(a => a.Kind == AddressKind.Residential) ?? record.Addresses.FirstOrDefault();

    private static string? Id(SourceRecord record, IdentifierScheme scheme) => record.Identifiers.FirstOrDefault(i => i.Scheme == scheme)?.Value;

    private static string Date(PartialDate date) => (date.Month, date.Day) switch
    {
        ({ } m, { } d) when DateTime.DaysInMonth(date.Year, m) >= d => new DateOnly(date.Year, m, d).ToString("d MMMM yyyy", CultureInfo.GetCultureInfo("en-GB")),
        ({ } m, _) => new DateOnly(date.Year, m, 1).ToString("MMMM yyyy", CultureInfo.GetCultureInfo("en-GB")),
        _ => date.Year.ToString(CultureInfo.InvariantCulture),
    };

    private static string? Join(params string?[] parts)
    {
        var joined = string.Join(' ', parts.Where(p => !string.IsNullOrWhiteSpace(p)).Select(p => p!.Trim()));
        return joined.Length == 0 ? null : joined;
    }

    private static string UkNumber(string phone)
    {
        var digits = new string([.. phone.Where(char.IsAsciiDigit)]);
        return digits.StartsWith("44", StringComparison.Ordinal) ? "0" + digits[2..] : digits;
    }

    private static bool Same(string a, string b) => string.Equals(Fold(a), Fold(b), StringComparison.Ordinal);

    private static string Fold(string value) => new([.. value.Where(char.IsLetterOrDigit).Select(char.ToUpperInvariant)]);
}

internal static class HistoryWords
{
    public static string Of(HistoryRow entry)
    {
        var record = entry.SourceSystem is null ? "" : $" {entry.SourceSystem} {entry.SourceKey}";
        return entry.Cause switch
        {
            HistoryCause.Created => $"Started from{record}",
            HistoryCause.RecordAdded => $"Linked{record}",
            HistoryCause.RecordUpdated => $"Updated by{record}",
            HistoryCause.RecordRemoved => $"Removed{record}",
            HistoryCause.Merged => $"Found to be the same person as {entry.RelatedCitizenId}, and merged into this record",
            HistoryCause.MergedInto => $"Merged into {entry.RelatedCitizenId}",
            HistoryCause.Split => $"Split:{record} moved, with {entry.RelatedCitizenId}",
            HistoryCause.StewardDecision => $"A data steward decided{(record.Length == 0 ? "" : " about" + record)}",
            HistoryCause.Restored => $"Restored: {record.Trim()} came back from its system",
            HistoryCause.Restricted => "Processing restricted",
            HistoryCause.Unrestricted => "Restriction lifted",
            HistoryCause.Erased => "Erased",
            _ => entry.Cause.ToString(),
        };
    }
}
