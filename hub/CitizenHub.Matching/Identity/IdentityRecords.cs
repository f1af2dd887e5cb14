using CitizenHub.Contracts;
using CitizenHub.Matching.Linking;

namespace CitizenHub.Matching.Identity;

/// <summary>What the store holds of a source record: its citizen and what it last said.</summary>
public sealed record HeldRecord(string CitizenId, string ContentHash, DateTimeOffset ObservedAt);

public sealed record GoldenRecordChange(long Version, IReadOnlyList<string> ChangedFields);

/// <summary>Why a golden record changed.</summary>
public enum HistoryCause
{
    /// <summary>A new citizen, started by a source record no one else matched.</summary>
    Created,

    /// <summary>A source record was linked to the citizen.</summary>
    RecordAdded,

    /// <summary>A linked source record changed.</summary>
    RecordUpdated,

    /// <summary>A linked source record was removed, or moved to another citizen.</summary>
    RecordRemoved,

    /// <summary>Another citizen was found to be the same person and merged into this one.</summary>
    Merged,

    /// <summary>This citizen was merged into another (<see cref="CitizenHistoryEntry.RelatedCitizenId"/>); its id forwards there.</summary>
    MergedInto,

    /// <summary>What remained no longer described one person: records moved to a new citizen (or came from one).</summary>
    Split,

    /// <summary>A data steward decided.</summary>
    StewardDecision,

    /// <summary>A removed citizen's record came back from its source under the same key, and the citizen with it.</summary>
    Restored,

    /// <summary>Restriction of processing was placed on the citizen's records: hidden from every caller not entitled to see it.</summary>
    Restricted,

    /// <summary>Restriction of processing was lifted.</summary>
    Unrestricted,

    /// <summary>The citizen's data was erased from the hub; this row is all its history keeps.</summary>
    Erased,
}

/// <summary>One change to a golden record: its cause, the source record behind it, and any other citizen involved.</summary>
public sealed record CitizenHistoryEntry(
    string CitizenId,
    HistoryCause Cause,
    SourceRecordRef? Record,
    string? RelatedCitizenId,
    DateTimeOffset At);

public enum StewardOutcomeKind
{
    /// <summary>Done.</summary>
    Applied,

    /// <summary>There is no review of that id.</summary>
    ReviewNotFound,

    /// <summary>The review was answered already, or superseded because a record changed.</summary>
    ReviewClosed,

    /// <summary>A citizen named is not an active citizen (or a record named is not linked to it).</summary>
    CitizenNotFound,

    /// <summary>The request makes no sense as asked: merging a citizen with itself, splitting its only record.</summary>
    Refused,
}

/// <param name="CitizenId">The citizen the review's record belongs to now.</param>
/// <param name="OtherCitizenId">The citizen the candidate record belongs to now (the same one after "same person").</param>
public sealed record StewardOutcome(StewardOutcomeKind Kind, string? CitizenId = null, string? OtherCitizenId = null);

/// <summary>What stewards have said about one record: the records that are the same person, and those that are not.</summary>
public sealed record StewardDeclarations(IReadOnlySet<SourceRecordRef> Same, IReadOnlySet<SourceRecordRef> Different)
{
    public static StewardDeclarations None { get; } = new(new HashSet<SourceRecordRef>(), new HashSet<SourceRecordRef>());
}

/// <summary>A steward's answer about two records: one person, or two.</summary>
public sealed record StewardDecision(
    long? ReviewId, SourceRecordRef Record, SourceRecordRef Other, bool SamePerson, string Steward, string? Note, DateTimeOffset At);

public enum ReviewStatus
{
    /// <summary>Waiting for a steward.</summary>
    Open,

    /// <summary>The record changed or went since; the question no longer stands.</summary>
    Superseded,

    /// <summary>A steward decided they are one person.</summary>
    Same,

    /// <summary>A steward decided they are two people.</summary>
    Different,
}

/// <summary>An uncertain pair: an incoming record and a record of a candidate citizen, with the evidence.</summary>
public sealed record ReviewItem(
    long ReviewId,
    SourceRecordRef Record,
    PairEvidence Candidate,
    ReviewStatus Status,
    DateTimeOffset CreatedAt);

public enum CitizenStatus
{
    /// <summary>A current golden record.</summary>
    Active,

    /// <summary>Merged into another citizen; the id forwards there.</summary>
    Merged,

    /// <summary>Every source record it had was removed.</summary>
    Removed,

    /// <summary>Its data was erased from the hub (a right to erasure); its records are suppressed.</summary>
    Erased,
}

/// <summary>A record an erasure keeps out of the hub while its source sends it unchanged.</summary>
/// <param name="ContentHash">The digest of what it said when erased: a changed record is news, and comes in.</param>
public sealed record SuppressedRecord(SourceRecordRef Record, string ContentHash);

/// <summary>
/// What applying a run's records did, counted as they were resolved and kept with each message applied, so a message
/// applied twice (a redelivery) is counted once.
/// </summary>
/// <param name="Unchanged">Records that said nothing new (the same as held, or older than it).</param>
/// <param name="Added">Records the hub did not hold before.</param>
/// <param name="Updated">Held records that changed.</param>
/// <param name="Removed">Held records the source no longer has (or reported deleted).</param>
/// <param name="CitizensCreated">New citizens started by a record that matched no one.</param>
/// <param name="Linked">Of the records added or updated, those linked to a citizen that held other records.</param>
/// <param name="Merged">Citizens found to be one person with another and merged into it.</param>
/// <param name="Split">Citizens split off because their records no longer link up.</param>
/// <param name="Reviews">Uncertain pairs sent to a steward.</param>
public sealed record RunTally(
    int Unchanged = 0,
    int Added = 0,
    int Updated = 0,
    int Removed = 0,
    int CitizensCreated = 0,
    int Linked = 0,
    int Merged = 0,
    int Split = 0,
    int Reviews = 0)
{
    public static readonly RunTally None = new();

    /// <summary>Records that changed what the hub holds: added, updated or removed.</summary>
    public int Applied => Added + Updated + Removed;

    public static RunTally operator +(RunTally left, RunTally right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        return new RunTally(
            left.Unchanged + right.Unchanged,
            left.Added + right.Added,
            left.Updated + right.Updated,
            left.Removed + right.Removed,
            left.CitizensCreated + right.CitizensCreated,
            left.Linked + right.Linked,
            left.Merged + right.Merged,
            left.Split + right.Split,
            left.Reviews + right.Reviews);
    }
}
