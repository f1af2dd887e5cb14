using CitizenHub.Contracts;
using CitizenHub.Matching;
using CitizenHub.Matching.Identity;
using CitizenHub.Matching.Linking;

namespace CitizenHub.Store;

/// <summary>
/// The single customer view as the API and the web page read it: citizens, their records, lineage and history, the
/// stewards' queue, the change feed, and how each source's syncs went. Nothing here changes a golden record (steward
/// commands go through <see cref="IStewardship"/>, the resolution path). It writes only its own audit trail
/// (<see cref="IAuditLog"/>). Every member throws what its database driver throws when the database cannot be reached.
/// </summary>
public interface ICitizenReadModel : IAuditLog
{
    /// <summary>Failed messages, oldest first: those not applied since, or every one.</summary>
    Task<IReadOnlyList<FailedMessage>> GetFailedMessagesAsync(bool includeApplied, CancellationToken cancellationToken);

    /// <summary>The latest sync runs, newest first: of one source, or of every source when none is named.</summary>
    Task<IReadOnlyList<SyncRunRecord>> GetRunHistoryAsync(string? sourceSystem, int limit, CancellationToken cancellationToken);

    Task<CitizenView?> GetCitizenAsync(string citizenId, CancellationToken cancellationToken);

    Task<IReadOnlyList<CitizenSummary>> SearchAsync(CitizenSearch search, int limit, CancellationToken cancellationToken);

    /// <summary>Every source record held, with the citizen it is linked to, ordered by citizen.</summary>
    IAsyncEnumerable<CitizenLink> ReadLinksAsync(CancellationToken cancellationToken);

    /// <summary>The normalised form of every source record held, for estimating the match model's parameters.</summary>
    IAsyncEnumerable<NormalisedRecord> ReadNormalisedRecordsAsync(CancellationToken cancellationToken);

    /// <summary>Every change to a citizen's golden record, oldest first, with its cause.</summary>
    Task<IReadOnlyList<CitizenHistoryEntry>> GetHistoryAsync(string citizenId, CancellationToken cancellationToken);

    /// <summary>Review items (uncertain pairs for a steward) meeting the query, oldest first.</summary>
    Task<IReadOnlyList<ReviewItem>> GetReviewsAsync(ReviewQuery query, CancellationToken cancellationToken);

    /// <summary>One review item, in whatever status; null when no review has the id.</summary>
    Task<ReviewItem?> GetReviewAsync(long reviewId, CancellationToken cancellationToken);

    /// <summary>Why a source record is linked to its citizen: the pair that linked it and the per-field weights; null when it started its citizen.</summary>
    Task<PairEvidence?> GetLinkEvidenceAsync(string sourceSystem, string sourceKey, CancellationToken cancellationToken);

    /// <summary>A source record as held and the citizen it is linked to; null when no such record is held.</summary>
    Task<HeldSourceRecord?> GetSourceRecordAsync(string sourceSystem, string sourceKey, CancellationToken cancellationToken);

    /// <summary>Each source that has records or runs: its last run and how many records it has linked.</summary>
    Task<IReadOnlyList<SourceStatus>> GetSourcesAsync(CancellationToken cancellationToken);

    /// <summary>Changes after a cursor (0 for the beginning), in commit order.</summary>
    /// <param name="includeRestricted">Whether changes to citizens under restriction of processing are included.</param>
    /// <param name="hiddenSources">Sources the caller may not know of: a change one of their records caused is left out.</param>
    Task<IReadOnlyList<FeedChange>> GetChangesAsync(
        long after, int limit, bool includeRestricted, IReadOnlyCollection<string> hiddenSources, CancellationToken cancellationToken);

    /// <summary>Whether the store answers a trivial query.</summary>
    Task<bool> PingAsync(CancellationToken cancellationToken);
}

/// <summary>Who read which citizen's data, why: append-only.</summary>
public interface IAuditLog
{
    /// <summary>Appends rows to the audit trail (which can only grow).</summary>
    Task AppendAuditAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken);

    /// <summary>
    /// One page of the audit trail: the rows meeting every criterion of the query, in its order, and where the next
    /// page starts (null when there is none). A citizen criterion finds rows recorded under the ids merged into it too.
    /// </summary>
    Task<AuditPage> QueryAuditAsync(AuditQuery query, CancellationToken cancellationToken);
}
/// <summary>
/// One read of a citizen's data: who (the key's or token's name, never a resident's), with which roles, what they
/// did, about whom, why (the caller's stated purpose), and which fields they were given (names only, no values).
/// </summary>
public sealed record AuditEntry(
    long Sequence,
    DateTimeOffset At,
    string Caller,
    string Roles,
    string Action,
    string? CitizenId,
    string? Purpose,
    IReadOnlyList<string> Fields)
{
    /// <summary>
    /// What else the row records, by name: a search's criteria as given, a refusal's status, reason and route.
    /// Null when there is nothing more. Names and the auditor's business only: it is never logged.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Details { get; init; }
}

/// <summary>Which review items to read: every criterion given must hold; null criteria are not applied.</summary>
/// <param name="Limit">The most items in the page (at least 1).</param>
public sealed record ReviewQuery(ReviewStatus Status, int Limit)
{
    /// <summary>Continue after this review id: the last of the page before.</summary>
    public long? After { get; init; }

    /// <summary>Pairs with a record of this source, on either side.</summary>
    public string? Source { get; init; }

    /// <summary>Pairs waiting since before this time.</summary>
    public DateTimeOffset? CreatedBefore { get; init; }

    /// <summary>Sources whose records the reader may not know of: a pair with one of them on either side is left out.</summary>
    public IReadOnlyCollection<string> HiddenSources { get; init; } = [];
}

/// <summary>Which audit rows to read: every criterion given must hold; null criteria are not applied.</summary>
/// <param name="Limit">The most rows in the page (at least 1).</param>
public sealed record AuditQuery(int Limit)
{
    public string? Caller { get; init; }

    /// <summary>Rows about this citizen or any id merged into it (following merges of merges).</summary>
    public string? CitizenId { get; init; }

    public string? Action { get; init; }

    /// <summary>Rows at or after this time.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Rows before this time.</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>Newest first (descending sequence) rather than oldest first.</summary>
    public bool NewestFirst { get; init; }

    /// <summary>Continue after this sequence, in the query's order: the <see cref="AuditPage.Next"/> of the page before.</summary>
    public long? After { get; init; }
}

/// <param name="Next">The sequence to continue after for the next page; null when this page is the last.</param>
public sealed record AuditPage(IReadOnlyList<AuditEntry> Entries, long? Next);

/// <summary>A message the hub could not apply after its retries, kept for an operator to replay.</summary>
/// <param name="SourceSystem">The run's source, when the run is known.</param>
/// <param name="Applied">Whether the message has been applied since (by a replay or a redelivery).</param>
/// <param name="Body">The message as JSON; null when it was not kept (failures recorded before bodies were).</param>
public sealed record FailedMessage(
    long FailureId,
    MessageIdentity Message,
    string? SourceSystem,
    string Reason,
    DateTimeOffset FailedAt,
    DateTimeOffset? ReplayedAt,
    bool Applied,
    string? Body);

/// <summary>Identifies one bus message of a run: its kind (records or removals) and its sequence.</summary>
public sealed record MessageIdentity(Guid RunId, string Kind, int Sequence)
{
    public const string RecordBatch = "records";
    public const string Removal = "removals";
}


/// <summary>What became of a replayed message.</summary>
public enum ReplayOutcome
{
    /// <summary>Applied: its run no longer counts it as failed.</summary>
    Applied,

    /// <summary>It had been applied already (by a redelivery or an earlier replay); nothing was sent.</summary>
    AlreadyApplied,

    /// <summary>It failed again; the failure's reason says why.</summary>
    FailedAgain,

    /// <summary>The hub did not finish it in time (no instance consuming?). It stays sent.</summary>
    TimedOut,

    /// <summary>There is no failed message of that id.</summary>
    NotFound,

    /// <summary>The failure was recorded without the message (before bodies were kept): re-run the sync instead.</summary>
    NoBody,
}

/// <summary>Sends a failed message to the hub again, once its cause is mended (the command line and the sources page call it).</summary>
public interface IFailedMessageReplay
{
    Task<(ReplayOutcome Outcome, FailedMessage? Failure)> ReplayAsync(long failureId, CancellationToken cancellationToken);
}

/// <summary>Stewards' commands against golden records (the API calls them; the hub carries them out).</summary>
public interface IStewardship
{
    /// <summary>
    /// Answers a review: the same person (their citizens are merged) or two people (split apart if one citizen holds
    /// both). Either way the decision is kept, so that no later sync undoes it.
    /// </summary>
    Task<StewardOutcome> DecideAsync(long reviewId, bool samePerson, string steward, string? note, CancellationToken cancellationToken);

    /// <summary>Merges <paramref name="otherId"/> into <paramref name="citizenId"/> (which survives), and keeps the decision.</summary>
    Task<StewardOutcome> MergeAsync(string citizenId, string otherId, string steward, string? note, CancellationToken cancellationToken);

    /// <summary>
    /// Takes a source record out of its citizen into a new one, and keeps it apart from the records it leaves:
    /// no later sync links it back to them.
    /// </summary>
    Task<StewardOutcome> SplitAsync(string citizenId, SourceRecordRef record, string steward, string? note, CancellationToken cancellationToken);

    /// <summary>
    /// Places restriction of processing on a citizen (on every record it holds, and on each that joins it later) or
    /// lifts it, with a history row and a change event when its state changes.
    /// </summary>
    Task<StewardOutcome> SetRestrictionAsync(string citizenId, bool restricted, CancellationToken cancellationToken);

    /// <summary>Erases a citizen's data from the hub and suppresses its records (see <see cref="IdentityEngine.Erase"/>).</summary>
    Task<StewardOutcome> EraseAsync(string citizenId, CancellationToken cancellationToken);
}

/// <summary>One entry of the change feed: which citizen changed, how, and why; <see cref="Sequence"/> is the cursor.</summary>
/// <param name="Kind"><c>Created</c>, <c>Changed</c>, <c>Merged</c> (Citizen survived, Related retired) or <c>Split</c> (Related is new).</param>
public sealed record FeedChange(
    long Sequence, DateTimeOffset At, string Kind, string CitizenId, string? RelatedCitizenId, long? Version, IReadOnlyList<string> ChangedFields, SourceRecordRef Cause);

/// <summary>A golden record as served: shown values with lineage, and the source records linked to it.</summary>
public sealed record CitizenView(
    string CitizenId,
    CitizenStatus Status,
    string? MergedInto,
    long Version,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<GoldenField> Fields,
    IReadOnlyList<LinkedSourceRecord> SourceRecords,
    bool Restricted = false);

/// <summary>A source record as held, and the citizen it belongs to (and whether that citizen is under restriction).</summary>
public sealed record HeldSourceRecord(string CitizenId, DateTimeOffset ObservedAt, DateTimeOffset LinkedAt, SourceRecord Record, bool CitizenRestricted = false);

/// <summary>A source's state: the records it has linked, and its last sync run.</summary>
/// <param name="LastRunStatus"><c>Running</c>, <c>Completed</c>, <c>Failed</c> (the source could not be read, or a message of the
/// run could not be applied) or <c>Refused</c> (a safeguard stopped it, e.g. a mass removal).</param>
/// <param name="LastRunFailure">Why the last run failed or was refused; null when it did not.</param>
public sealed record SourceStatus(
    string SourceSystem,
    long RecordsHeld,
    Guid? LastRunId,
    DateTimeOffset? LastRunStartedAt,
    DateTimeOffset? LastRunCompletedAt,
    int? LastRunRecords,
    int? LastRunRejects,
    string? LastRunStatus,
    string? LastRunFailure);

/// <summary>A source record as held, linked to a citizen.</summary>
public sealed record LinkedSourceRecord(
    string SourceSystem,
    string SourceKey,
    DateTimeOffset ObservedAt,
    DateTimeOffset LinkedAt,
    SourceRecord Record);

/// <summary>
/// Search criteria, each already in normalised form; a null criterion is not applied. A citizen is found when one
/// of its records meets every criterion given: names by key, by sound or (given names) by a pet form; the rest exactly.
/// </summary>
/// <param name="IncludeRestricted">Whether citizens under restriction of processing are found (never for agents).</param>
public sealed record CitizenSearch(string? FamilyKey, string? GivenKey, string? DateOfBirth, string? Postcode, bool IncludeRestricted = false)
{
    /// <summary>The family name's sound key: records whose family name sounds the same are found too.</summary>
    public string? FamilyPhonetic { get; init; }

    public string? GivenPhonetic { get; init; }

    /// <summary>Other forms of the given name (pet forms): records under any of them are found too.</summary>
    public IReadOnlyList<string> GivenEquivalents { get; init; } = [];

    /// <summary>Identifier blocking keys (<c>ni:</c>, <c>nhs:</c>, <c>uprn:</c>) a record must hold, every one.</summary>
    public IReadOnlyList<string> IdentifierKeys { get; init; } = [];

    public SourceRecordRef? SourceRecord { get; init; }

    /// <summary>Sources the caller may not know of: a record of theirs finds no one.</summary>
    public IReadOnlyCollection<string> HiddenSources { get; init; } = [];

    public bool IsEmpty => FamilyKey is null && GivenKey is null && DateOfBirth is null && Postcode is null
        && IdentifierKeys.Count == 0 && SourceRecord is null;
}

/// <param name="Records">The normalised form of every record linked to the citizen, for ranking.</param>
public sealed record CitizenSummary(string CitizenId, IReadOnlyList<GoldenField> Fields, IReadOnlyList<NormalisedRecord>? Records = null);

public sealed record CitizenLink(string CitizenId, string SourceSystem, string SourceKey);

/// <summary>How far the hub has got with a sync run.</summary>
/// <param name="ExpectedMessages">How many messages the runner published; null until it has said.</param>
/// <param name="LastFailure">Why the last failed message failed, if any did.</param>
public sealed record SyncRunProgress(
    Guid RunId,
    string SourceSystem,
    int? ExpectedMessages,
    int AppliedMessages,
    int FailedMessages,
    string? LastFailure)
{
    /// <summary>True when every message the runner published has been applied or has failed.</summary>
    public bool IsFinished => ExpectedMessages is { } expected && AppliedMessages + FailedMessages >= expected;

    /// <summary>What the messages applied so far did.</summary>
    public RunTally Tally { get; init; } = RunTally.None;

    /// <summary>The last record batch up to which every batch of the run (from 1) is applied; 0 while the first is not.</summary>
    public int AppliedThrough { get; init; }
}

/// <summary>Who holds a source's sync lock: a run of a process on a machine, since when, and until when unless renewed.</summary>
/// <param name="ProcessStartedAt">When the process started, so a process id the system has since reused is not taken for the holder.</param>
public sealed record SyncLockHolder(
    string SourceSystem,
    Guid RunId,
    string Machine,
    int ProcessId,
    DateTimeOffset? ProcessStartedAt,
    DateTimeOffset Since,
    DateTimeOffset LeaseUntil);

/// <summary>One sync run as the store recorded it, for the history of runs.</summary>
/// <param name="CompletedAt">When the runner finished publishing; null while it runs, or when it never finished (killed).</param>
/// <param name="LastAppliedAt">When the hub applied the run's last message; null when it applied none.</param>
/// <param name="Status">Completed, Failed, Refused or Running (which a run that died also reads as, until a later run of its source starts).</param>
public sealed record SyncRunRecord(
    Guid RunId,
    string SourceSystem,
    DateTimeOffset? StartedAt,
    DateTimeOffset? CompletedAt,
    DateTimeOffset? LastAppliedAt,
    int? Records,
    int? Rejects,
    string Status,
    string? Failure,
    RunTally Tally);
