using CitizenHub.Contracts;

namespace CitizenHub.Store;

/// <summary>
/// A bus event and its change-feed row are the same fact: the feed holds everything the thin events carry, which is
/// what lets the feed serve as the outbox the events are published from.
/// </summary>
public static class FeedEvents
{
    public const string Created = "Created";
    public const string Changed = "Changed";
    public const string Merged = "Merged";
    public const string Split = "Split";
    public const string Restricted = "Restricted";
    public const string Unrestricted = "Unrestricted";
    public const string Erased = "Erased";

    /// <summary>The cause an erasure's entry names: none (the records it would name are erased).</summary>
    private static readonly SourceRecordRef NoCause = new("", "");

    /// <summary>The feed row of an event (its sequence is the store's to assign: 0 here).</summary>
    public static FeedChange ToChange(object citizenEvent) => citizenEvent switch
    {
        CitizenCreated c => new FeedChange(0, c.OccurredAt, Created, c.CitizenId, null, c.Version, [], c.Cause),
        CitizenChanged c => new FeedChange(0, c.OccurredAt, Changed, c.CitizenId, null, c.Version, c.ChangedFields, c.Cause),
        CitizensMerged m => new FeedChange(0, m.OccurredAt, Merged, m.SurvivingId, m.RetiredId, null, [], m.Cause),
        CitizenSplit s => new FeedChange(0, s.OccurredAt, Split, s.OriginalId, s.NewId, null, [], s.Cause),
        CitizenRestrictionChanged r => new FeedChange(0, r.OccurredAt, r.Restricted ? Restricted : Unrestricted, r.CitizenId, null, null, [], r.Cause),
        CitizenErased e => new FeedChange(0, e.OccurredAt, Erased, e.CitizenId, null, null, [], NoCause),
        _ => throw new ArgumentException($"Not a citizen event: {citizenEvent?.GetType().Name}.", nameof(citizenEvent)),
    };

    /// <summary>The event a feed row stands for.</summary>
    public static object ToEvent(FeedChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        return change.Kind switch
        {
            Created => new CitizenCreated(change.CitizenId, change.Version ?? 0, change.Cause, change.At),
            Changed => new CitizenChanged(change.CitizenId, change.Version ?? 0, change.ChangedFields, change.Cause, change.At),
            Merged => new CitizensMerged(change.CitizenId, change.RelatedCitizenId!, change.Cause, change.At),
            Split => new CitizenSplit(change.CitizenId, change.RelatedCitizenId!, change.Cause, change.At),
            Restricted or Unrestricted => new CitizenRestrictionChanged(change.CitizenId, change.Kind == Restricted, change.Cause, change.At),
            Erased => new CitizenErased(change.CitizenId, change.At),
            _ => throw new InvalidDataException($"The change feed holds a change of unknown kind '{change.Kind}'."),
        };
    }
}
