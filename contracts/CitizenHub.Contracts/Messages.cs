namespace CitizenHub.Contracts;

// Messages carried from the runner to the hub. MassTransit routes by type name:
// renaming or moving one of these is a breaking change for a running deployment.

/// <summary>
/// A batch of records from one sync run. Records travel in batches of hundreds, because one
/// message per record caps the whole hub at the broker's message rate.
/// </summary>
/// <param name="Sequence">The batch's position in its run, from 1.</param>
public sealed record SourceRecordBatch(
    Guid RunId,
    string SourceSystem,
    int Sequence,
    IReadOnlyList<SourceRecord> Records);

/// <summary>Records the source no longer holds (a full extract that lacks them, or a deletion feed).</summary>
public sealed record SourceRecordsRemoved(
    Guid RunId,
    string SourceSystem,
    int Sequence,
    IReadOnlyList<string> SourceKeys,
    DateTimeOffset ObservedAt);

/// <summary>A sync run of one source has begun.</summary>
public sealed record SyncRunStarted(Guid RunId, string SourceSystem, DateTimeOffset StartedAt);

/// <summary>
/// The runner has published everything for a run. The hub has finished the run when it has
/// processed <see cref="BatchCount"/> messages (record batches and removals) for it.
/// </summary>
/// <param name="Failure">Why the runner could not finish the run (the source unreadable, or a safeguard refused it), in
/// words that quote no personal data; null when it read the source whole.</param>
/// <param name="Refused">True when <paramref name="Failure"/> is a safeguard's refusal (e.g. a mass removal) rather than an error.</param>
/// <param name="UnchangedNotSent">Of <paramref name="RecordCount"/>, the records a full run found the hub already holding
/// as they are (the same content digest) and so did not send: the hub counts them with the unchanged records it was sent.</param>
public sealed record SyncRunCompleted(
    Guid RunId,
    string SourceSystem,
    DateTimeOffset CompletedAt,
    int BatchCount,
    int RecordCount,
    int RejectCount,
    string? Failure = null,
    bool Refused = false,
    int UnchangedNotSent = 0);
