using CitizenHub.Contracts;

namespace CitizenHub.Adapters;

/// <summary>Reads one legacy source into canonical records.</summary>
/// <remarks>
/// <para>
/// Failure behaviour: a single bad input (a row, a file, an envelope) is never thrown; it is
/// yielded as a <see cref="SourceReadResult.Rejected"/> with where and why, and reading goes on.
/// Throw only when the source as a whole cannot be read (it is unreachable, or the adapter is
/// misconfigured); the runner then fails that source's run and goes on with the others.
/// </para>
/// <para>
/// Yield a <see cref="SourceReadResult.CheckpointReached"/> when everything up to a point has been yielded:
/// resuming from that cursor must yield neither fewer nor more records. The runner saves the last
/// checkpoint only after the hub has applied every record read before it, so a crash re-reads and never skips.
/// </para>
/// <para>
/// Honour the cancellation token between records. An adapter knows nothing of
/// batching, publishing, checkpoints or matching: the runner in the hub does those.
/// </para>
/// </remarks>
public interface ISourceAdapter
{
    /// <summary>Reads the records the source holds after <paramref name="since"/>.</summary>
    IAsyncEnumerable<SourceReadResult> ReadAsync(SourceCursor since, CancellationToken cancellationToken);
}

/// <summary>
/// Implemented by an adapter that must act once its records are safe in the hub — e.g. move processed
/// files to an archive. Never act on a source before this: a crash before it must leave the source as it was.
/// </summary>
public interface ISourceCommitHandler
{
    /// <summary>
    /// Called after the hub applied every record read up to <paramref name="cursor"/> and the cursor was saved.
    /// A failure here is reported as a warning; the records stay applied and the next read starts from the cursor.
    /// </summary>
    Task OnCommittedAsync(SourceCursor cursor, CancellationToken cancellationToken);
}

/// <summary>Where a previous read stopped. The meaning of <see cref="Value"/> is the adapter's own.</summary>
public sealed record SourceCursor(string? Value)
{
    /// <summary>Read everything: a full extract.</summary>
    public static SourceCursor Start { get; } = new((string?)null);
}

/// <summary>One item read from a source: a record, or an input that could not be made into one.</summary>
public abstract record SourceReadResult
{
    private SourceReadResult()
    {
    }

    public static SourceReadResult Accept(SourceRecord record) => new Accepted(record);

    public static SourceReadResult Reject(InputPosition position, string reason, string? rawText, RejectKind kind = RejectKind.Unreadable) =>
        new Rejected(new RejectedInput(position, reason, rawText, kind));

    /// <summary>Everything before this point has been yielded; reading again from <paramref name="cursor"/> yields the rest.</summary>
    public static SourceReadResult Checkpoint(SourceCursor cursor) => new CheckpointReached(cursor);

    public sealed record Accepted(SourceRecord Record) : SourceReadResult;

    public sealed record CheckpointReached(SourceCursor Cursor) : SourceReadResult;

    public sealed record Rejected(RejectedInput Input) : SourceReadResult;
}

/// <summary>An input that could not be read, kept for replay.</summary>
/// <param name="Reason">Why, in words that never quote a personal value (the raw text carries it).</param>
/// <param name="RawText">The input as read, for the rejects file; never logged.</param>
/// <param name="Kind">What sort of reject it is, so a run's summary can count them apart.</param>
public sealed record RejectedInput(InputPosition Position, string Reason, string? RawText, RejectKind Kind = RejectKind.Unreadable);

/// <summary>What sort of input was rejected.</summary>
public enum RejectKind
{
    /// <summary>An input that could not be read or mapped: broken quoting, a missing key, a row over its limit.</summary>
    Unreadable,

    /// <summary>A row whose key another row of the same extract also has.</summary>
    DuplicateKey,
}

/// <summary>Where in a source an input was found: a file and line, a page, a key.</summary>
public sealed record InputPosition(string? File = null, long? Line = null, string? Page = null, string? Key = null)
{
    public override string ToString()
    {
        var parts = new List<string>(4);
        if (File is not null)
        {
            parts.Add(Line is null ? File : $"{File}:{Line}");
        }
        else if (Line is not null)
        {
            parts.Add($"line {Line}");
        }

        if (Page is not null)
        {
            parts.Add($"page {Page}");
        }

        if (Key is not null)
        {
            parts.Add($"key {Key}");
        }

        return string.Join(", ", parts);
    }
}
