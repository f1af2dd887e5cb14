using CitizenHub.Contracts;
using CitizenHub.Matching.Identity;

namespace CitizenHub.Store;

/// <summary>
/// Where golden records, their links to source records, lineage and sync runs are kept: each role a contract of its own
/// (the read model the API serves from, the audit log, the resolution path, sync operations, the change outbox), and a
/// provider (SQLite, PostgreSQL) implements them all.
/// </summary>
/// <remarks>
/// Writes to golden records happen only inside an <see cref="IResolutionSession"/>: one transaction per bus message,
/// recorded against the message's identity so a redelivered message changes nothing. Every member throws what its
/// database driver throws when the database cannot be reached or refuses a statement; none retries.
/// </remarks>
public interface ICitizenStore : ICitizenReadModel, IResolutionStore, ISyncOperations, IChangeOutbox;

/// <summary>The resolution path's way in: the schema, and one session per message.</summary>
public interface IResolutionStore
{
    /// <summary>Creates or upgrades the schema. Safe to call on every start.</summary>
    Task MigrateAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Opens the transaction that applies one message, or returns null when that message was applied before.
    /// </summary>
    Task<IResolutionSession?> BeginMessageAsync(MessageIdentity message, CancellationToken cancellationToken);
}

/// <summary>What sync runs keep: runs, cursors, the per-source lock, failed messages and the keys a source holds.</summary>
public interface ISyncOperations
{
    Task RecordRunStartedAsync(SyncRunStarted started, CancellationToken cancellationToken);

    Task RecordRunCompletedAsync(SyncRunCompleted completed, CancellationToken cancellationToken);

    /// <summary>
    /// Records that a message of a run could not be applied, so whoever waits on the run learns of it, and keeps the
    /// message for replay. A message that fails again after a replay keeps its id.
    /// </summary>
    /// <param name="reason">Why, without personal data (an exception type and message from our own code).</param>
    /// <param name="body">The message itself as JSON (it holds personal data, so it is kept where the records are, never logged); null when it is not to hand.</param>
    Task RecordMessageFailedAsync(MessageIdentity message, string reason, string? body, DateTimeOffset failedAt, CancellationToken cancellationToken);

    /// <summary>One failed message with its body; null when there is none of that id.</summary>
    Task<FailedMessage?> GetFailedMessageAsync(long failureId, CancellationToken cancellationToken);

    /// <summary>Notes that an operator sent a failed message again.</summary>
    Task MarkReplayedAsync(long failureId, DateTimeOffset at, CancellationToken cancellationToken);

    Task<SyncRunProgress?> GetRunAsync(Guid runId, CancellationToken cancellationToken);

    /// <summary>
    /// Takes a source's sync lock for a run, unless another run holds it: free, its lease run out, or held by the run
    /// <paramref name="replacing"/> names (one whose process is known to have died). Returns null when taken, and the
    /// holder otherwise.
    /// </summary>
    Task<SyncLockHolder?> TakeSyncLockAsync(SyncLockHolder claimant, Guid? replacing, CancellationToken cancellationToken);

    /// <summary>Extends the run's hold on the lock; false when it no longer holds it (another took it when the lease ran out).</summary>
    Task<bool> RenewSyncLockAsync(string sourceSystem, Guid runId, DateTimeOffset leaseUntil, CancellationToken cancellationToken);

    /// <summary>Lets the lock go, if the run still holds it.</summary>
    Task ReleaseSyncLockAsync(string sourceSystem, Guid runId, CancellationToken cancellationToken);

    /// <summary>
    /// Before a first load: when the store holds no record, drops the indexes only the API's search reads, so that the
    /// load writes each record without them, and returns true; otherwise leaves everything as it is and returns false.
    /// Searching still answers meanwhile, by reading every record. <see cref="BuildSearchIndexesAsync"/> ends it, and
    /// so does the next start of any process on the store (its migration), should the load never finish.
    /// </summary>
    Task<bool> DeferSearchIndexesAsync(CancellationToken cancellationToken);

    /// <summary>Builds each of the search indexes that is missing (after a first load); nothing when all are in place.</summary>
    Task BuildSearchIndexesAsync(CancellationToken cancellationToken);

    /// <summary>Where the source's last successful read stopped; null when it has never been read.</summary>
    Task<string?> GetCursorAsync(string sourceSystem, CancellationToken cancellationToken);

    /// <summary>Saves where a read stopped. Call only once every record read before it has been applied.</summary>
    Task SaveCursorAsync(string sourceSystem, string? cursor, Guid runId, DateTimeOffset savedAt, CancellationToken cancellationToken);

    /// <summary>
    /// The keys of every record held for a source, and of those an erasure suppressed, for finding what a full extract no
    /// longer has.
    /// </summary>
    IAsyncEnumerable<string> ReadSourceKeysAsync(string sourceSystem, CancellationToken cancellationToken);

    /// <summary>
    /// The key and content digest (<see cref="IdentityEngine.ContentHash"/>) of every record held for a source, and of
    /// those an erasure suppressed (with what they said when erased), for passing over what a full extract repeats.
    /// </summary>
    IAsyncEnumerable<(string SourceKey, string ContentHash)> ReadSourceContentHashesAsync(string sourceSystem, CancellationToken cancellationToken);
}

/// <summary>The outbox of the change feed: changes claimed for publishing on the bus, and marked published.</summary>
public interface IChangeOutbox
{
    /// <summary>
    /// Takes up to <paramref name="limit"/> change-feed rows not yet published on the bus, oldest first, and leases
    /// them until <paramref name="leaseUntil"/> so another instance does not publish them meanwhile. Rows whose lease ran
    /// out (their publisher died) are taken again.
    /// </summary>
    /// <param name="occurredBefore">Only changes that happened before this: a sweep leaves a change just committed to the instance that committed it.</param>
    Task<IReadOnlyList<FeedChange>> ClaimUnpublishedChangesAsync(DateTimeOffset now, DateTimeOffset occurredBefore, DateTimeOffset leaseUntil, int limit, CancellationToken cancellationToken);

    /// <summary>Marks change-feed rows as published on the bus.</summary>
    Task MarkPublishedAsync(IReadOnlyCollection<long> sequences, DateTimeOffset at, CancellationToken cancellationToken);
}

/// <summary>The writes that resolve one message's records into golden records, applied together or not at all.</summary>
public interface IResolutionSession : IAsyncDisposable
{
    // What the identity engine's snapshot is read from (IdentitySnapshot): each read is one query, or one round trip,
    // for the whole message, and sees every change applied in this session so far.

    /// <summary>What the store holds of each record named; a record it does not hold is absent.</summary>
    Task<IReadOnlyDictionary<SourceRecordRef, HeldRecord>> GetHeldAsync(IReadOnlyCollection<SourceRecordRef> records);

    /// <summary>
    /// Each citizen named that the store has, with its records (by source, then key, ordinally), golden record,
    /// version, place in the store's order and whether it is restricted; an id the store does not have is absent.
    /// </summary>
    Task<IReadOnlyList<CitizenState>> GetCitizensAsync(IReadOnlyCollection<string> citizenIds);

    /// <summary>What stewards said about each record named; a record they said nothing about is absent.</summary>
    Task<IReadOnlyDictionary<SourceRecordRef, StewardDeclarations>> GetDeclarationsAsync(IReadOnlyCollection<SourceRecordRef> records);

    /// <summary>For each record named that was removed: the citizen it was in, while that citizen answers as removed (not merged or erased).</summary>
    Task<IReadOnlyDictionary<SourceRecordRef, string>> GetFormerCitizensAsync(IReadOnlyCollection<SourceRecordRef> records);

    /// <summary>How many records hold each of these names (those held by none are absent), and over how many records.</summary>
    Task<NameCounts> GetNameCountsAsync(IReadOnlyCollection<string> familyKeys, IReadOnlyCollection<string> givenKeys);

    /// <summary>The blocking keys of every record held, brought up to date first; valid until the next change is applied.</summary>
    Task<IHeldKeys> GetKeysAsync();

    /// <summary>
    /// Writes what the identity engine decided, change by change in order, with its events in the change feed and its
    /// tally against the message; reads nothing. Committed by <see cref="CommitAsync"/>.
    /// </summary>
    Task ApplyAsync(MessageIdentity message, ChangeSet changes);

    /// <summary>One review item, whatever its status; null when there is none of that id.</summary>
    Task<ReviewItem?> GetReviewAsync(long reviewId);

    /// <summary>The records named that an erasure keeps out, each with the digest of what it said when erased.</summary>
    Task<IReadOnlyDictionary<SourceRecordRef, string>> GetSuppressedAsync(IReadOnlyCollection<SourceRecordRef> records);

    Task CommitAsync(CancellationToken cancellationToken);
}
