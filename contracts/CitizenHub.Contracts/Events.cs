namespace CitizenHub.Contracts;

// Outbound events for CRM front ends and other subscribers. They are thin on purpose:
// they say which citizen changed and why, and a subscriber reads the current view through
// the Customer View API, where access control and audit apply. No personal data rides on them.

/// <summary>A new golden record exists.</summary>
public sealed record CitizenCreated(string CitizenId, long Version, SourceRecordRef Cause, DateTimeOffset OccurredAt);

/// <summary>A golden record's shown values or links changed.</summary>
/// <param name="ChangedFields">Names of the golden-record fields whose shown value changed.</param>
public sealed record CitizenChanged(
    string CitizenId,
    long Version,
    IReadOnlyList<string> ChangedFields,
    SourceRecordRef Cause,
    DateTimeOffset OccurredAt);

/// <summary>Two golden records were found to be one person: <see cref="RetiredId"/> now forwards to <see cref="SurvivingId"/>.</summary>
public sealed record CitizensMerged(string SurvivingId, string RetiredId, SourceRecordRef Cause, DateTimeOffset OccurredAt);

/// <summary>
/// A golden record no longer described one person (a source record changed or went): the records of
/// another person moved from <see cref="OriginalId"/> to the new citizen <see cref="NewId"/>.
/// </summary>
public sealed record CitizenSplit(string OriginalId, string NewId, SourceRecordRef Cause, DateTimeOffset OccurredAt);

/// <summary>
/// Restriction of processing was placed on a citizen (<see cref="Restricted"/> true) or lifted. A subscriber that keeps
/// copies of citizens hides the citizen from those of its users not entitled to see restricted residents, or shows it again.
/// </summary>
/// <param name="Cause">One of the citizen's source records (the restriction is placed on them all).</param>
public sealed record CitizenRestrictionChanged(string CitizenId, bool Restricted, SourceRecordRef Cause, DateTimeOffset OccurredAt);

/// <summary>
/// A citizen's data was erased from the hub (a right to erasure). A subscriber that keeps a copy of the citizen erases
/// it too; the id answers as erased from now on.
/// </summary>
public sealed record CitizenErased(string CitizenId, DateTimeOffset OccurredAt);

/// <summary>Points at one source record without carrying its contents.</summary>
public sealed record SourceRecordRef(string SourceSystem, string SourceKey);
