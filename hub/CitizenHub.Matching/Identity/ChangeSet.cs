using CitizenHub.Contracts;
using CitizenHub.Matching.Linking;

namespace CitizenHub.Matching.Identity;

/// <summary>
/// What the engine decided for one message: the store's changes in the order they were made, the events to publish once
/// they are committed, and the count of what was done for the run's summary. A store applies the changes in order, in
/// one transaction, reading nothing: each change says all its write needs.
/// </summary>
public sealed record ChangeSet(IReadOnlyList<IdentityChange> Changes, IReadOnlyList<object> Events, RunTally Tally)
{
    public static ChangeSet Empty { get; } = new([], [], RunTally.None);
}

/// <summary>One change to the store, as the engine made it.</summary>
public abstract record IdentityChange
{
    private IdentityChange()
    {
    }

    /// <summary>A new citizen, holding nothing yet (version 0).</summary>
    public sealed record CitizenStarted(string CitizenId, DateTimeOffset At) : IdentityChange;

    /// <summary>
    /// A source record held (replacing its earlier version) and linked to a citizen, with its blocking keys. Its link time
    /// stays when it stays with the same citizen, and is <paramref name="At"/> otherwise.
    /// </summary>
    /// <param name="WasHeld">Whether the store held the record before: a new record adds to the store's count.</param>
    /// <param name="Before">The record's normalised form as held before, when it was (its names' counts move).</param>
    public sealed record RecordSaved(
        string CitizenId,
        SourceRecord Record,
        NormalisedRecord Normalised,
        string ContentHash,
        IReadOnlyList<string> MatchKeys,
        PairEvidence? Evidence,
        bool WasHeld,
        NormalisedRecord? Before,
        DateTimeOffset At) : IdentityChange;

    /// <summary>A held record moved to another citizen, keeping its evidence; its link time is <paramref name="At"/>.</summary>
    public sealed record RecordMoved(SourceRecordRef Record, string CitizenId, DateTimeOffset At) : IdentityChange;

    /// <summary>A held record removed; the citizen it was in is noted, so it can come back to it.</summary>
    public sealed record RecordRemoved(SourceRecordRef Record, string CitizenId, NormalisedRecord? Before) : IdentityChange;

    /// <summary>
    /// One citizen merged into another: its records move there, its golden record goes, it forwards to the survivor
    /// (as do the ids that forwarded to it), and its version moves on.
    /// </summary>
    public sealed record CitizenAbsorbed(string SurvivorId, string AbsorbedId, DateTimeOffset At) : IdentityChange;

    /// <summary>
    /// A golden record rebuilt: every field it shows now, with lineage, and the version it now has; left empty, the
    /// citizen answers as removed.
    /// </summary>
    /// <param name="Rewritten">Whether any field or its lineage changed, which moves the version and the update time.</param>
    public sealed record GoldenRecordWritten(string CitizenId, IReadOnlyList<GoldenField> Fields, long Version, bool Rewritten, DateTimeOffset At) : IdentityChange
    {
        /// <summary>No shown values: every record the citizen had is gone.</summary>
        public bool Empty => Fields.Count == 0;
    }

    public sealed record HistoryAdded(CitizenHistoryEntry Entry) : IdentityChange;

    /// <summary>An uncertain pair for a steward; not added when the same pair is open already.</summary>
    public sealed record ReviewAdded(SourceRecordRef Record, PairEvidence Candidate, DateTimeOffset At) : IdentityChange;

    /// <summary>The open reviews of a record, on either side, closed as superseded: the record changed or went.</summary>
    public sealed record ReviewsSuperseded(SourceRecordRef Record, DateTimeOffset At) : IdentityChange;

    public sealed record ReviewClosed(long ReviewId, ReviewStatus Status, DateTimeOffset At) : IdentityChange;

    public sealed record StewardDecisionAdded(StewardDecision Decision) : IdentityChange;

    /// <summary>An erased record no longer kept out: its source removed it, or says something new under its key.</summary>
    public sealed record SuppressionLifted(SourceRecordRef Record) : IdentityChange;

    /// <summary>A citizen's data erased (its records already removed), and those records kept out while their sources send them unchanged.</summary>
    public sealed record CitizenErased(string CitizenId, IReadOnlyList<SuppressedRecord> Suppressed, DateTimeOffset At) : IdentityChange;

    /// <summary>Restriction of processing placed on every record a citizen holds, or lifted from them and from those it had removed.</summary>
    public sealed record RestrictionSet(string CitizenId, bool Restricted, DateTimeOffset At) : IdentityChange;
}
