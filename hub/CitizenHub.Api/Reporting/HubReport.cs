namespace CitizenHub.Api.Reporting;

/// <summary>
/// How well the hub knows the council's residents, as at one moment: counts and shares only. No figure names, dates,
/// addresses or identifies anyone, and no invalid value is quoted, so the report can go to anyone who runs the service.
/// </summary>
/// <param name="AsAt">When the figures were read.</param>
/// <param name="Sources">Each system's data quality, by name.</param>
/// <param name="MergesAndSplits">Merges and splits per day (or per week, when they span more than a month), oldest first.</param>
/// <param name="Trends">Each system's latest sync runs, oldest first.</param>
public sealed record HubReport(
    DateTimeOffset AsAt,
    IReadOnlyList<SourceQuality> Sources,
    SourceOverlap Overlap,
    ReviewBacklog Reviews,
    ChangeTimeline MergesAndSplits,
    IReadOnlyList<SourceTrend> Trends,
    ResidentLookUps Usage)
{
    /// <summary>Source records held, over every system.</summary>
    public long Records => Sources.Sum(s => s.Records);
}

/// <summary>The key fields whose completeness the report measures, in the order it shows them.</summary>
public static class ReportFields
{
    public const string Name = "Name";
    public const string DateOfBirth = "Date of birth";
    public const string Postcode = "Postcode";
    public const string NiNumber = "NI number";
    public const string NhsNumber = "NHS number";
    public const string Uprn = "UPRN";
    public const string Email = "Email";
    public const string Phone = "Phone";

    public static readonly IReadOnlyList<string> All = [Name, DateOfBirth, Postcode, NiNumber, NhsNumber, Uprn, Email, Phone];

    /// <summary>The kinds of invalid value the report counts, in the order it shows them (<see cref="Other"/> last).</summary>
    public static readonly IReadOnlyList<string> InvalidKinds = [Postcode, NiNumber, NhsNumber, DateOfBirth, Uprn, Phone, Other];

    public const string Other = "Other";
}

/// <summary>One system's records: how complete, how many values could not be used, duplicates, and links to other systems.</summary>
/// <param name="Records">Records held.</param>
/// <param name="Present">By field (<see cref="ReportFields"/>): records holding a usable value.</param>
/// <param name="Invalid">By kind: records holding a value of that kind that failed its check (kept raw, not used).</param>
/// <param name="DuplicateRecords">Records beyond the first that this system holds for one resident.</param>
/// <param name="ResidentsWithDuplicates">Residents this system holds more than one record for.</param>
/// <param name="LinkedElsewhere">Records whose resident is known to at least one other system too.</param>
public sealed record SourceQuality(
    string Source,
    long Records,
    IReadOnlyDictionary<string, long> Present,
    IReadOnlyDictionary<string, long> Invalid,
    long DuplicateRecords,
    long ResidentsWithDuplicates,
    long LinkedElsewhere);

/// <summary>Who is known to which systems.</summary>
/// <param name="Residents">Golden records holding at least one source record.</param>
/// <param name="BySourceCount">Residents known to 1, 2, 3, and 4 or more systems (four entries).</param>
/// <param name="Pairs">For each two systems (A before B by name): residents known to both.</param>
public sealed record SourceOverlap(long Residents, IReadOnlyList<long> BySourceCount, IReadOnlyList<SourcePair> Pairs)
{
    /// <summary>Residents the hub joined up: known to two systems or more, which no one system knew as one person.</summary>
    public long JoinedUp => BySourceCount.Skip(1).Sum();

    public long Both(string a, string b) =>
        Pairs.FirstOrDefault(p => (p.A == a && p.B == b) || (p.A == b && p.B == a))?.Residents ?? 0;
}

public sealed record SourcePair(string A, string B, long Residents);

/// <summary>The uncertain pairs waiting for a data steward.</summary>
/// <param name="ByAge">Open items in the buckets of <see cref="Ages"/>: under a day, 1 to 7 days, 1 to 4 weeks, older.</param>
/// <param name="OldestSince">When the oldest open item was raised; null when none is open.</param>
public sealed record ReviewBacklog(long Open, IReadOnlyList<long> ByAge, DateTimeOffset? OldestSince)
{
    public static readonly IReadOnlyList<string> Ages = ["Under a day", "1 to 7 days", "1 to 4 weeks", "Over 4 weeks"];
}

/// <summary>Merges (two golden records found to be one person) and splits (one found to be two) over time.</summary>
/// <param name="Weekly">Whether each period is a week (starting Monday) rather than a day.</param>
public sealed record ChangeTimeline(bool Weekly, IReadOnlyList<ChangePeriod> Periods)
{
    public long Merges => Periods.Sum(p => p.Merges);

    public long Splits => Periods.Sum(p => p.Splits);
}

public sealed record ChangePeriod(DateOnly Start, long Merges, long Splits);

/// <summary>One system's latest sync runs, oldest first.</summary>
public sealed record SourceTrend(string Source, IReadOnlyList<RunPoint> Runs);

/// <param name="Records">Records the run read; null when it never said.</param>
/// <param name="LinkageRate">Of the records it added or changed, the share linked to a resident other records describe; null when it changed none.</param>
/// <param name="Duration">From its start until the hub applied its last message (or it finished reading, if later).</param>
public sealed record RunPoint(DateTimeOffset StartedAt, string Status, int? Records, int? Rejects, double? LinkageRate, TimeSpan? Duration);

/// <summary>How often staff looked residents up, from the audit trail, over the last <see cref="Days"/> days.</summary>
/// <param name="PerDay">Each day, oldest first, with look-ups by role.</param>
/// <param name="ByPurpose">Look-ups by the purpose given (its words before any colon, which is where a reference follows), commonest first.</param>
public sealed record ResidentLookUps(int Days, IReadOnlyList<DayLookUps> PerDay, IReadOnlyList<KeyValuePair<string, long>> ByPurpose)
{
    public long Total => PerDay.Sum(d => d.Total);

    public IReadOnlyList<string> Roles => [.. PerDay.SelectMany(d => d.ByRole.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
}

public sealed record DayLookUps(DateOnly Day, IReadOnlyDictionary<string, long> ByRole)
{
    public long Total => ByRole.Values.Sum();
}
