using CitizenHub.Contracts;

namespace CitizenHub.Matching;

/// <summary>One shown value of a golden record and the source record that gave it.</summary>
public sealed record GoldenField(string Field, string Value, string SourceSystem, string SourceKey, DateTimeOffset ObservedAt);

/// <summary>The names of the golden-record fields, as stored and served.</summary>
public static class GoldenFields
{
    public const string Title = "title";
    public const string GivenNames = "given_names";
    public const string FamilyName = "family_name";
    public const string DateOfBirth = "date_of_birth";

    /// <summary>When a source records the person died: shown so that no one writes to, bills or calls a person who has died.</summary>
    public const string DateOfDeath = "date_of_death";

    public const string Address = "address";
    public const string Postcode = "postcode";
    public const string Uprn = "uprn";
    public const string NiNumber = "ni_number";
    public const string NhsNumber = "nhs_number";
    public const string Email = "email";
    public const string Phone = "phone";

    /// <summary>Every field, in the order a golden record lists them.</summary>
    public static IReadOnlyList<string> All { get; } =
        [Title, GivenNames, FamilyName, DateOfBirth, DateOfDeath, Address, Postcode, Uprn, NiNumber, NhsNumber, Email, Phone];
}

/// <summary>
/// Whose value a golden record shows: each source's rank (1 first) and, per source, fields ranked otherwise
/// (the register trusted for addresses, the benefits system for NI numbers). Unranked sources come last.
/// </summary>
public sealed class SurvivorshipRanks(
    IReadOnlyDictionary<string, int> bySource,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>>? byField = null)
{
    /// <summary>No source ranked above another: the most complete, then the most recent value is shown.</summary>
    public static SurvivorshipRanks None { get; } = new(new Dictionary<string, int>());

    /// <summary>The rank of a source's value for one golden-record field.</summary>
    public int Rank(string sourceSystem, string field) =>
        byField is not null && byField.TryGetValue(sourceSystem, out var fields) && fields.TryGetValue(field, out var fieldRank) ? fieldRank
        : bySource.TryGetValue(sourceSystem, out var rank) ? rank
        : int.MaxValue;
}

/// <summary>
/// Survivorship: chooses each golden-record field from the linked source records. A value from a
/// source of higher priority for that field wins; between equal priorities a more complete value (validity: a whole date of
/// birth, an address with a valid postcode) and then the more recent observation wins; the source key breaks
/// the last tie so the outcome never depends on the order records arrived in. Invalid values never survive:
/// they are not on the normalised record.
/// </summary>
public static class GoldenRecordBuilder
{
    /// <param name="sourcePriority">Rank of each source system, 1 first; unlisted systems come last.</param>
    public static IReadOnlyList<GoldenField> Build(IReadOnlyCollection<NormalisedRecord> records, IReadOnlyDictionary<string, int> sourcePriority) =>
        Build(records, new SurvivorshipRanks(sourcePriority));

    public static IReadOnlyList<GoldenField> Build(IReadOnlyCollection<NormalisedRecord> records, SurvivorshipRanks ranks)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(ranks);
        // Recency and then keys order the records once; each field then ranks them by its own priorities (a stable sort).
        var byRecency = records
            .OrderByDescending(r => r.ObservedAt)
            .ThenBy(r => r.SourceSystem, StringComparer.Ordinal)
            .ThenBy(r => r.SourceKey, StringComparer.Ordinal)
            .ToList();

        var fields = new List<GoldenField>(GoldenFields.All.Count);
        Choose(GoldenFields.Title, r => r.Title);
        Choose(GoldenFields.GivenNames, r => r.GivenNames);
        Choose(GoldenFields.FamilyName, r => r.FamilyName);
        Choose(GoldenFields.DateOfBirth, r => FormatDate(r.DateOfBirth), r => Completeness(r.DateOfBirth));
        Choose(GoldenFields.DateOfDeath, r => FormatDate(r.DateOfDeath), r => Completeness(r.DateOfDeath));
        Choose(GoldenFields.Address, r => r.Address is { } a && a.OneLine.Length > 0 ? a.OneLine : null, r => r.Address?.Postcode is null ? 0 : 1);
        Choose(GoldenFields.Postcode, r => r.Address?.Postcode);
        Choose(GoldenFields.Uprn, r => r.Address?.Uprn);
        Choose(GoldenFields.NiNumber, r => r.NiNumber);
        Choose(GoldenFields.NhsNumber, r => r.NhsNumber);
        Choose(GoldenFields.Email, r => r.Emails.FirstOrDefault());
        Choose(GoldenFields.Phone, r => r.Phones.FirstOrDefault());
        return fields;

        void Choose(string field, Func<NormalisedRecord, string?> value, Func<NormalisedRecord, int>? completeness = null)
        {
            NormalisedRecord? chosen = null;
            string? shown = null;
            foreach (var record in byRecency.OrderBy(r => Rank(r, field)))
            {
                if (value(record) is not { } v)
                {
                    continue;
                }

                // Among sources of one priority, a more complete value (a whole date of birth rather than a year, an
                // address with a postcode) beats a more recent one: the ranking is priority, validity, recency.
                if (chosen is null
                    || (Rank(record, field) == Rank(chosen, field) && completeness is not null && completeness(record) > completeness(chosen)))
                {
                    chosen = record;
                    shown = v;
                }
            }

            if (chosen is not null)
            {
                fields.Add(new GoldenField(field, shown!, chosen.SourceSystem, chosen.SourceKey, chosen.ObservedAt));
            }
        }

        int Rank(NormalisedRecord record, string field) => ranks.Rank(record.SourceSystem, field);
    }

    /// <summary><c>yyyy-MM-dd</c>, or <c>yyyy-MM</c> / <c>yyyy</c> when only part of the date is known.</summary>
    private static string? FormatDate(PartialDate? date) => date switch
    {
        null => null,
        { Month: null } d => $"{d.Year:D4}",
        { Day: null } d => $"{d.Year:D4}-{d.Month:D2}",
        { } d => $"{d.Year:D4}-{d.Month:D2}-{d.Day:D2}",
    };

    /// <summary>A whole date above a year and month, above a year alone.</summary>
    private static int Completeness(PartialDate? date) => date is { Day: not null } ? 2 : date is { Month: not null } ? 1 : 0;
}
