using CitizenHub.Api.Access;
using CitizenHub.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using static CitizenHub.Api.CitizenViewApi;

namespace CitizenHub.Api;

/// <summary>Where each source's rejects files are written: <c>{Path}/{source}/{time}-{run}.rejects.csv</c>.</summary>
public sealed record RejectsFolder(string Path);

/// <summary>
/// What an administrator needs to run the sources: the rows a sync rejected (downloadable), and the messages the hub
/// could not apply, with replay once the cause is mended.
/// </summary>
internal static class SourceOperationsApi
{
    public const string RejectsDownloadAction = "rejects-download";

    public static void MapSourceOperations(this IEndpointRouteBuilder endpoints)
    {
        var sources = endpoints.MapGroup("/sources").WithTags("Sources").RequireAuthorization(ApiPolicies.Admin);
        sources.MapGet("/{system}/rejects", GetRejectsAsync)
            .WithName("GetRejects")
            .WithSummary("The rows the source's latest sync with rejects could not read (CSV: where, why, the row as read). Holds personal data; audited.");
        sources.MapGet("/failed-messages", GetFailedMessages)
            .WithName("GetFailedMessages")
            .WithSummary("Messages the hub could not apply, oldest first, with why (all=true: those applied since, too).");
        sources.MapPost("/failed-messages/{id}/replay", ReplayAsync)
            .WithName("ReplayFailedMessage")
            .WithSummary("Send a failed message to the hub again, once its cause is mended; waits to see it applied.");
    }

    /// <summary>The newest rejects file of a source the hub holds (its name checked against the store, never used as a path as given).</summary>
    internal static async Task<IResult> GetRejectsAsync(
        string system, HttpContext http, ICitizenReadModel store, RejectsFolder rejects, IOptions<ApiAccessOptions> access, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var known = (await store.GetSourcesAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault(s => s.SourceSystem == system);
        var folder = known is null ? null : Path.Combine(rejects.Path, known.SourceSystem);
        var latest = folder is not null && Directory.Exists(folder)
            ? new DirectoryInfo(folder).EnumerateFiles("*.rejects.csv").OrderByDescending(f => f.Name, StringComparer.Ordinal).FirstOrDefault()
            : null;
        if (latest is null)
        {
            return Problem(StatusCodes.Status404NotFound, "rejects-not-found", "This source has no rejects file: no sync of it rejected anything.");
        }

        var caller = Caller.From(http, access.Value);
        await store.AppendAuditAsync([Audit(caller, RejectsDownloadAction, null, [$"rejects:{known!.SourceSystem}"], time)], cancellationToken).ConfigureAwait(false);
        return TypedResults.PhysicalFile(latest.FullName, "text/csv; charset=utf-8", latest.Name);
    }

    internal static async Task<IResult> GetFailedMessages(bool? all, ICitizenReadModel store, CancellationToken cancellationToken) =>
        TypedResults.Ok(new FailedMessagesResponse([.. (await store.GetFailedMessagesAsync(all ?? false, cancellationToken).ConfigureAwait(false)).Select(FailedMessageRow.From)]));

    internal static async Task<IResult> ReplayAsync(string id, IFailedMessageReplay replay, CancellationToken cancellationToken)
    {
        if (NumberIdProblem(id, "failure", out var failureId) is { } idProblem)
        {
            return idProblem;
        }

        var (outcome, failure) = await replay.ReplayAsync(failureId, cancellationToken).ConfigureAwait(false);
        return outcome switch
        {
            ReplayOutcome.NotFound => Problem(StatusCodes.Status404NotFound, "failure-not-found", "No failed message has this id."),
            ReplayOutcome.NoBody => Problem(StatusCodes.Status409Conflict, "failure-not-kept", "The message was not kept (it failed before messages were): run the sync again instead."),
            _ => TypedResults.Ok(new ReplayResponse(failureId, outcome, outcome == ReplayOutcome.FailedAgain ? failure?.Reason : null)),
        };
    }
}

public sealed record FailedMessagesResponse(IReadOnlyList<FailedMessageRow> Failures);

/// <summary>A message the hub could not apply: which run and batch, the source, why, and whether it was replayed or applied since. Never its records.</summary>
public sealed record FailedMessageRow(long FailureId, Guid RunId, string Kind, int Sequence, string? SourceSystem, string Reason, DateTimeOffset FailedAt, DateTimeOffset? ReplayedAt, bool Applied)
{
    public static FailedMessageRow From(FailedMessage failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        return new FailedMessageRow(failure.FailureId, failure.Message.RunId, failure.Message.Kind, failure.Message.Sequence, failure.SourceSystem, failure.Reason, failure.FailedAt, failure.ReplayedAt, failure.Applied);
    }
}

/// <param name="Reason">Why it failed again, when it did.</param>
public sealed record ReplayResponse(long FailureId, ReplayOutcome Outcome, string? Reason);
