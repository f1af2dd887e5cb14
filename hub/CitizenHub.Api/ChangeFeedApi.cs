using CitizenHub.Api.Access;
using CitizenHub.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using static CitizenHub.Api.CitizenViewApi;

namespace CitizenHub.Api;

/// <summary>
/// The change feed: every change to golden records in commit order, resumable from a cursor, long-polled. It carries
/// ids and field names only; a CRM keeping its own copy reads each changed citizen through the API (audited).
/// </summary>
internal static class ChangeFeedApi
{
    public const int DefaultLimit = 100;

    public const int MaxLimit = 1000;

    /// <summary>The longest a request waits for a change before answering with none.</summary>
    public const int MaxWaitSeconds = 30;

    /// <summary>How often a waiting request looks again.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    public static void MapChangeFeed(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/changes", GetChangesAsync)
            .WithTags("Changes")
            .WithName("GetChanges")
            .WithSummary("Changes after a cursor, oldest first; with wait, holds the request until one arrives (long poll).")
            .RequireAuthorization(ApiPolicies.ReadCitizens);

    internal static async Task<IResult> GetChangesAsync(
        long? after, int? limit, int? wait, HttpContext http, ICitizenReadModel store, IOptions<ApiAccessOptions> access, SourceVisibility visibility,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var cursor = after ?? 0;
        if (cursor < 0)
        {
            return Problem(StatusCodes.Status400BadRequest, "invalid-cursor", "after is a cursor from an earlier answer (0 for the beginning).", "after");
        }

        var pageSize = limit ?? DefaultLimit;
        if (pageSize is < 1 or > MaxLimit)
        {
            return Problem(StatusCodes.Status400BadRequest, "invalid-limit", $"limit must be from 1 to {MaxLimit}.", "limit");
        }

        var waitSeconds = wait ?? 0;
        if (waitSeconds is < 0 or > MaxWaitSeconds)
        {
            return Problem(StatusCodes.Status400BadRequest, "invalid-wait", $"wait must be from 0 to {MaxWaitSeconds} seconds.", "wait");
        }

        var caller = Caller.From(http, access.Value);
        var hidden = visibility.HiddenFrom(caller.Classes);
        var deadline = time.GetUtcNow().AddSeconds(waitSeconds);
        while (true)
        {
            var changes = await store.GetChangesAsync(cursor, pageSize, caller.MaySeeRestricted, hidden, cancellationToken).ConfigureAwait(false);
            if (changes.Count > 0 || time.GetUtcNow() >= deadline)
            {
                return TypedResults.Ok(new ChangesResponse(changes, changes.Count > 0 ? changes[^1].Sequence : cursor));
            }

            await Task.Delay(PollInterval, time, cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <param name="Next">The cursor to ask after next time: the last change's, or the one given when there were none.</param>
public sealed record ChangesResponse(IReadOnlyList<FeedChange> Changes, long Next);
