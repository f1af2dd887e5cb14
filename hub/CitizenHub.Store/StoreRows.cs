using CitizenHub.Contracts;
using CitizenHub.Matching.Identity;

namespace CitizenHub.Store;

// Row shapes both stores read into with Dapper. SQLite hands back long and string, so these mirror that;
// times are ticks in both stores (StoreTime), and PostgreSQL's uuid run ids are read as text.
internal sealed class RunRow
{
    public string RunId { get; set; } = "";
    public string SourceSystem { get; set; } = "";
    public long? ExpectedMessages { get; set; }
    public long Applied { get; set; }
    public long Failed { get; set; }
    public string? LastFailure { get; set; }
    public long? StartedAt { get; set; }
    public long? CompletedAt { get; set; }

    /// <summary>Ticks on SQLite, a UTC <see cref="DateTime"/> on PostgreSQL (a timestamptz).</summary>
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
        long ticks => StoreTime.FromTicks(ticks),
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
    public long FailedAt { get; set; }
    public long? ReplayedAt { get; set; }
    public bool Applied { get; set; }
    public string? Body { get; set; }

    public FailedMessage ToFailedMessage(bool withBody) => new(
        FailureId,
        new MessageIdentity(Guid.Parse(RunId), Kind, (int)Sequence),
        SourceSystem,
        Reason,
        StoreTime.FromTicks(FailedAt),
        StoreTime.FromTicks(ReplayedAt),
        Applied,
        withBody ? Body : null);
}

internal sealed class CitizenRow
{
    public string CitizenId { get; set; } = "";
    public string Status { get; set; } = "";
    public string? MergedInto { get; set; }
    public long Version { get; set; }
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }

    public bool Restricted { get; set; }
}

internal sealed class LinkedRow
{
    public string SourceSystem { get; set; } = "";
    public string SourceKey { get; set; } = "";
    public long ObservedAt { get; set; }
    public long LinkedAt { get; set; }
    public byte[] Record { get; set; } = [];
}

/// <summary>A change-feed row as both stores read it (Dapper fills it by these names).</summary>
internal sealed class FeedRow
{
    public long Seq { get; set; }
    public long At { get; set; }
    public string Kind { get; set; } = "";
    public string CitizenId { get; set; } = "";
    public string? Related { get; set; }
    public long? Version { get; set; }
    public string? Fields { get; set; }
    public string CauseSystem { get; set; } = "";
    public string CauseKey { get; set; } = "";

    public FeedChange ToChange() => new(
        Seq, StoreTime.FromTicks(At), Kind, CitizenId, Related, Version,
        string.IsNullOrEmpty(Fields) ? [] : Fields.Split(','), new SourceRecordRef(CauseSystem, CauseKey));
}

/// <summary>A review as both stores read it (<see cref="StoreReads.ReviewColumns"/>).</summary>
internal sealed class ReviewRow
{
    public long Id { get; set; }
    public string SourceSystem { get; set; } = "";
    public string SourceKey { get; set; } = "";
    public byte[] Evidence { get; set; } = [];
    public string Status { get; set; } = "";
    public long CreatedAt { get; set; }
    public string CandidateCitizen { get; set; } = "";
    public string CandidateSystem { get; set; } = "";
    public string CandidateKey { get; set; } = "";
}
