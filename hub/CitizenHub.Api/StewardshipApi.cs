using CitizenHub.Api.Access;
using CitizenHub.Contracts;
using CitizenHub.Matching.Identity;
using CitizenHub.Matching.Linking;
using CitizenHub.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using static CitizenHub.Api.CitizenViewApi;

namespace CitizenHub.Api;

/// <summary>The steward queue: uncertain pairs, and the decisions that answer them.</summary>
internal static class StewardshipApi
{
    public const int DefaultReviewLimit = 50;

    public const int MaxReviewLimit = 200;

    public static void MapStewardship(this IEndpointRouteBuilder endpoints)
    {
        var reviews = endpoints.MapGroup("/reviews").WithTags("Stewardship").RequireAuthorization(ApiPolicies.Steward);
        reviews.MapGet("/", GetReviewsAsync)
            .WithName("GetReviews")
            .WithSummary("Uncertain pairs waiting for a steward (or answered ones, by status), oldest first, with their evidence; filtered by source and age, paged by cursor.");
        reviews.MapGet("/{id}", GetReviewAsync)
            .WithName("GetReview")
            .WithSummary("One review item, in whatever status, with its evidence.");
        reviews.MapPost("/{id}/decision", DecideAsync)
            .WithName("DecideReview")
            .WithSummary("Same person (their citizens merge) or different people (kept apart for good).");

        var citizens = endpoints.MapGroup("/citizens").WithTags("Stewardship").RequireAuthorization(ApiPolicies.Steward);
        citizens.MapPost("/{id}/merge", MergeAsync)
            .WithName("MergeCitizens")
            .WithSummary("Merge another citizen into this one (this id survives; the other forwards here).");
        citizens.MapPost("/{id}/split", SplitAsync)
            .WithName("SplitCitizen")
            .WithSummary("Take one source record out to a new citizen, kept apart from the records it leaves.");
    }

    internal static async Task<IResult> MergeAsync(
        string id, MergeRequest request, HttpContext http, IStewardship stewardship, IOptions<ApiAccessOptions> access, CancellationToken cancellationToken)
    {
        if (CitizenIdProblem(id) is { } idProblem)
        {
            return idProblem;
        }

        if (request?.Other is not { } other || !IsCitizenId(other))
        {
            return Problem(StatusCodes.Status400BadRequest, "invalid-citizen-id", "other must be the id of the citizen to merge in.", "other");
        }

        if (NoteProblem(request.Note) is { } noteProblem)
        {
            return noteProblem;
        }

        var outcome = await stewardship.MergeAsync(id, other, Caller.From(http, access.Value).Name, request.Note, cancellationToken).ConfigureAwait(false);
        return Answer(outcome);
    }

    internal static async Task<IResult> SplitAsync(
        string id, SplitRequest request, HttpContext http, IStewardship stewardship, IOptions<ApiAccessOptions> access, SourceVisibility visibility,
        CancellationToken cancellationToken)
    {
        if (CitizenIdProblem(id) is { } idProblem)
        {
            return idProblem;
        }

        if (string.IsNullOrWhiteSpace(request?.SourceSystem) || string.IsNullOrWhiteSpace(request.SourceKey))
        {
            return Problem(StatusCodes.Status400BadRequest, "invalid-record", "Name the source record: sourceSystem and sourceKey.", "sourceKey");
        }

        if (NoteProblem(request.Note) is { } noteProblem)
        {
            return noteProblem;
        }

        if (visibility.HiddenFrom(Caller.From(http, access.Value).Classes).Contains(request.SourceSystem))
        {
            return Answer(new StewardOutcome(StewardOutcomeKind.CitizenNotFound));
        }

        var outcome = await stewardship.SplitAsync(
            id, new SourceRecordRef(request.SourceSystem, request.SourceKey), Caller.From(http, access.Value).Name, request.Note, cancellationToken).ConfigureAwait(false);
        return Answer(outcome);
    }

    /// <summary>A steward's note is a reason, not a case file: the same bound as a purpose.</summary>
    private static IResult? NoteProblem(string? note) => note is { Length: > Caller.MaxPurposeLength }
        ? Problem(StatusCodes.Status400BadRequest, "invalid-note", $"note is at most {Caller.MaxPurposeLength} characters.", "note")
        : null;

    private static IResult Answer(StewardOutcome outcome) => outcome.Kind switch
    {
        StewardOutcomeKind.CitizenNotFound => Problem(StatusCodes.Status404NotFound, "citizen-not-found", "No active citizen has this id, or the record is not linked to it."),
        StewardOutcomeKind.Refused => Problem(StatusCodes.Status409Conflict, "steward-refused", "Not possible as asked: a citizen merged with itself, or its only record split off."),
        _ => TypedResults.Ok(new StewardResponse(outcome.CitizenId!, outcome.OtherCitizenId!)),
    };

    internal static async Task<IResult> GetReviewsAsync(
        string? status, int? limit, long? after, string? source, string? createdBefore, HttpContext http, ICitizenReadModel store,
        IOptions<ApiAccessOptions> access, SourceVisibility visibility, CancellationToken cancellationToken)
    {
        var wanted = ReviewStatus.Open;
        if (status is not null && !Enum.TryParse(status, ignoreCase: true, out wanted))
        {
            return Problem(StatusCodes.Status400BadRequest, "invalid-status", "status must be open, same, different or superseded.", "status");
        }

        var pageSize = limit ?? DefaultReviewLimit;
        if (pageSize is < 1 or > MaxReviewLimit)
        {
            return Problem(StatusCodes.Status400BadRequest, "invalid-limit", $"limit must be from 1 to {MaxReviewLimit}.", "limit");
        }

        DateTimeOffset? before = null;
        if (createdBefore is not null)
        {
            if (!DateTimeOffset.TryParse(createdBefore, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var parsed))
            {
                return Problem(StatusCodes.Status400BadRequest, "invalid-created-before", "createdBefore must be a date or a time (ISO 8601, e.g. 2026-11-30 or 2026-11-30T09:00:00Z).", "createdBefore");
            }

            before = parsed;
        }

        // A pair with a record of a source hidden from the steward is another steward's to decide.
        var hidden = visibility.HiddenFrom(Caller.From(http, access.Value).Classes);
        var items = await store.GetReviewsAsync(
            new ReviewQuery(wanted, pageSize) { After = after, Source = string.IsNullOrWhiteSpace(source) ? null : source.Trim(), CreatedBefore = before, HiddenSources = hidden },
            cancellationToken).ConfigureAwait(false);
        // A full page may have more after it; the cursor is the last id shown.
        return TypedResults.Ok(new ReviewsResponse([.. items.Select(ReviewRow.From)], pageSize, items.Count == pageSize ? items[^1].ReviewId : null));
    }

    internal static async Task<IResult> GetReviewAsync(
        string id, HttpContext http, ICitizenReadModel store, IOptions<ApiAccessOptions> access, SourceVisibility visibility, CancellationToken cancellationToken)
    {
        if (NumberIdProblem(id, "review", out var reviewId) is { } idProblem)
        {
            return idProblem;
        }

        var hidden = visibility.HiddenFrom(Caller.From(http, access.Value).Classes);
        var item = await store.GetReviewAsync(reviewId, cancellationToken).ConfigureAwait(false);
        return item is null || hidden.Contains(item.Record.SourceSystem) || hidden.Contains(item.Candidate.SourceSystem)
            ? Problem(StatusCodes.Status404NotFound, "review-not-found", "No review has this id.")
            : TypedResults.Ok(ReviewRow.From(item));
    }

    internal static async Task<IResult> DecideAsync(
        string id, DecisionRequest request, HttpContext http, IStewardship stewardship, IOptions<ApiAccessOptions> access, CancellationToken cancellationToken)
    {
        if (NumberIdProblem(id, "review", out var reviewId) is { } idProblem)
        {
            return idProblem;
        }

        bool samePerson;
        switch (request?.Decision?.Trim().ToLowerInvariant())
        {
            case "same":
                samePerson = true;
                break;
            case "different":
                samePerson = false;
                break;
            default:
                return Problem(StatusCodes.Status400BadRequest, "invalid-decision", "decision must be \"same\" or \"different\".", "decision");
        }

        if (NoteProblem(request.Note) is { } noteProblem)
        {
            return noteProblem;
        }

        var caller = Caller.From(http, access.Value);
        var outcome = await stewardship.DecideAsync(reviewId, samePerson, caller.Name, request.Note, cancellationToken).ConfigureAwait(false);
        return outcome.Kind switch
        {
            StewardOutcomeKind.ReviewNotFound => Problem(StatusCodes.Status404NotFound, "review-not-found", "No review has this id."),
            StewardOutcomeKind.ReviewClosed => Problem(StatusCodes.Status409Conflict, "review-closed", "The review was answered already, or one of its records changed since."),
            _ => TypedResults.Ok(new DecisionResponse(reviewId, samePerson ? "same" : "different", outcome.CitizenId!, outcome.OtherCitizenId!)),
        };
    }
}

/// <param name="Other">The citizen to merge into this one.</param>
public sealed record MergeRequest(string? Other, string? Note);

public sealed record SplitRequest(string? SourceSystem, string? SourceKey, string? Note);

/// <param name="OtherCitizenId">After a merge, the survivor again; after a split, the new citizen.</param>
public sealed record StewardResponse(string CitizenId, string OtherCitizenId);

/// <param name="Next">Pass as <c>after</c> for the next page; null at the end.</param>
public sealed record ReviewsResponse(IReadOnlyList<ReviewRow> Reviews, int Limit, long? Next);

/// <summary>An uncertain pair: the record, the candidate record and its citizen, and why they might be one person.</summary>
public sealed record ReviewRow(long ReviewId, ReviewStatus Status, DateTimeOffset CreatedAt, string SourceSystem, string SourceKey, PairEvidence Candidate)
{
    public static ReviewRow From(ReviewItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return new ReviewRow(item.ReviewId, item.Status, item.CreatedAt, item.Record.SourceSystem, item.Record.SourceKey, item.Candidate);
    }
}

/// <param name="Decision"><c>same</c> or <c>different</c>.</param>
/// <param name="Note">Why, for the record (kept with the decision; no personal data, please).</param>
public sealed record DecisionRequest(string? Decision, string? Note);

/// <param name="CitizenId">The citizen the review's record belongs to now.</param>
/// <param name="OtherCitizenId">The candidate record's citizen now: the same one after <c>same</c>.</param>
public sealed record DecisionResponse(long ReviewId, string Decision, string CitizenId, string OtherCitizenId);
