using CitizenHub.Contracts;
using CitizenHub.Matching.Identity;

namespace CitizenHub.Store;

// Row shapes both stores read into with Dapper. SQLite hands back long and string, so these mirror that;
// times are ISO text in both stores, and PostgreSQL's uuid run ids are read as text.
internal sealed class RunRow
{
    public string RunId { get; set; } = "";
    public string SourceSystem { get; set; } = "";
    public long? ExpectedMessages { get; set; }
    public long Applied { get; set; }
    public long Failed { get; set; }
    public string? LastFailure { get; set; }
    public string? StartedAt { get; set; }
    public string? CompletedAt { get; set; }

    /// <summary>Text on SQLite, a UTC <see cref="DateTime"/> on PostgreSQL (a timestamptz).</summary>
    public object? LastAppliedAt { get; set; }
    public long? RecordCount { get; set; }
    public long? RejectCount { get; set; }
    public string? Failure { get; set; }
    public bool Refused { get; set; }
    public long Unchanged { get; set; }
    public long Added { get; set; }
    public long Updated { get; set; }
    public long Removed { get; set; }
    public long CitizensCreated { get; set; }
    public long Linked { get; set; }
    public long Merged { get; set; }
    public long Split { get; set; }
    public long Reviews { get; set; }
    public long AppliedThrough { get; set; }

    public RunTally Tally => new(
        (int)Unchanged, (int)Added, (int)Updated, (int)Removed, (int)CitizensCreated, (int)Linked, (int)Merged, (int)Split, (int)Reviews);

    public DateTimeOffset? LastApplied => LastAppliedAt switch
    {
        string text => StoreTime.Parse(text),
        DateTime time => new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)),
        _ => null,
    };
}

internal sealed class FailureRow
{
    public long FailureId { get; set; }
    public string RunId { get; set; } = "";
    public string Kind { get; set; } = "";
    public long Sequence { get; set; }
    public string? SourceSystem { get; set; }
    public string Reason { get; set; } = "";
    public string FailedAt { get; set; } = "";
    public string? ReplayedAt { get; set; }
    public bool Applied { get; set; }
    public string? Body { get; set; }

    public FailedMessage ToFailedMessage(bool withBody) => new(
        FailureId,
        new MessageIdentity(Guid.Parse(RunId), Kind, (int)Sequence),
        SourceSystem,
        Reason,
        StoreTime.Parse(FailedAt),
        ReplayedAt is null ? null : StoreTime.Parse(ReplayedAt),
        Applied,
        withBody ? Body : null);
}

internal sealed class CitizenRow
{
    public string CitizenId { get; set; } = "";
    public string Status { get; set; } = "";
    public string? MergedInto { get; set; }
    public long Version { get; set; }
    public string CreatedAt { get; set; } = "";
    public string UpdatedAt { get; set; } = "";

    public bool Restricted { get; set; }
}

internal sealed class LinkedRow
{
    public string SourceSystem { get; set; } = "";
    public string SourceKey { get; set; } = "";
    public string ObservedAt { get; set; } = "";
    public string LinkedAt { get; set; } = "";
    public byte[] Record { get; set; } = [];
}

/// <summary>A change-feed row as both stores read it (Dapper fills it by these names).</summary>
internal sealed class FeedRow
{
    public long Seq { get; set; }
    public string At { get; set; } = "";
    public string Kind { get; set; } = "";
    public string CitizenId { get; set; } = "";
    public string? Related { get; set; }
    public long? Version { get; set; }
    public string? Fields { get; set; }
    public string CauseSystem { get; set; } = "";
    public string CauseKey { get; set; } = "";

    public FeedChange ToChange() => new(
        Seq, StoreTime.Parse(At), Kind, CitizenId, Related, Version,
        string.IsNullOrEmpty(Fields) ? [] : Fields.Split(','), new SourceRecordRef(CauseSystem, CauseKey));
}
