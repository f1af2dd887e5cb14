using System.Globalization;
using CitizenHub.Api;
using CitizenHub.Api.Access;
using CitizenHub.Store;
using CitizenHub.Web.Pages;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using static CitizenHub.Web.CitizenHubWeb;

namespace CitizenHub.Web;

/// <summary>The steward queue: uncertain pairs, side by side, decided through the API's own review and decision handlers.</summary>
internal static class StewardPages
{
    public static async Task<IResult> QueueAsync(
        HttpContext http, [AsParameters] QueueForm form, string? decided, string? first, string? second, ICitizenReadModel store,
        IOptions<ApiAccessOptions> access, SourceVisibility visibility, TimeProvider time, CancellationToken cancellationToken)
    {
        var before = form.WaitingDays is { } days and > 0 ? time.GetUtcNow().AddDays(-days).ToString("O", CultureInfo.InvariantCulture) : null;
        var answer = await ApiAnswer<ReviewsResponse>.FromAsync(http, StewardshipApi.GetReviewsAsync(
            "open", QueueForm.PageSize, form.After, form.Source, before, http, store, access, visibility, cancellationToken)).ConfigureAwait(false);
        if (!answer.Succeeded)
        {
            return ResidentPages.Problem(http, answer);
        }

        var systems = await ResidentPages.VisibleSystemsAsync(http, store, access.Value, visibility, cancellationToken).ConfigureAwait(false);
        // After "different people": what the decision did, with both residents to look at.
        var links = new[] { ("First resident", first), ("Second resident", second) }
            .Where(l => l.Item2 is { } id && CitizenViewApi.IsCitizenId(id))
            .Select(l => (l.Item1, WebPaths.Resident(l.Item2!)))
            .ToList();
        return Render<QueuePage>(new()
        {
            ["Frame"] = PageFrame.For(http), ["Form"] = form, ["Reviews"] = answer.Value, ["Systems"] = systems,
            ["Notice"] = decided is null ? null : "Decision saved: they are kept apart as two people, and no sync will join them.",
            ["NoticeLinks"] = links,
        });
    }

    public static async Task<IResult> ReviewAsync(
        string id, HttpContext http, ICitizenReadModel store, IOptions<ApiAccessOptions> access, SourceVisibility visibility, TimeProvider time,
        CancellationToken cancellationToken) =>
        await ShowAsync(id, http, store, access, visibility, time, [], null, null, StatusCodes.Status200OK, cancellationToken).ConfigureAwait(false);

    public static async Task<IResult> DecideAsync(
        string id, [FromForm] string? decision, [FromForm] string? note, HttpContext http, IStewardship stewardship, ICitizenReadModel store,
        IOptions<ApiAccessOptions> access, SourceVisibility visibility, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = new List<FieldError>();
        if (decision is not ("same" or "different"))
        {
            errors.Add(new FieldError("decision", "Say whether these are the same person or different people"));
        }

        if (string.IsNullOrWhiteSpace(note))
        {
            errors.Add(new FieldError("note", "Say why, for the record"));
        }

        if (errors.Count > 0)
        {
            return await ShowAsync(id, http, store, access, visibility, time, errors, decision, note, StatusCodes.Status400BadRequest, cancellationToken).ConfigureAwait(false);
        }

        var answer = await ApiAnswer<DecisionResponse>.FromAsync(http, StewardshipApi.DecideAsync(
            id, new DecisionRequest(decision, note!.Trim()), http, stewardship, access, cancellationToken)).ConfigureAwait(false);
        if (answer.Value is { } decided)
        {
            // Post, then redirect: the effect is shown where it happened, and a reload does not send the decision twice.
            return decided.Decision == "same"
                ? Results.Redirect($"{WebPaths.Resident(decided.CitizenId)}?notice=merged")
                : Results.Redirect($"{WebPaths.Queue}?decided={decided.ReviewId.ToString(CultureInfo.InvariantCulture)}&first={decided.CitizenId}&second={decided.OtherCitizenId}");
        }

        if (answer.Code is "review-closed" or "invalid-note")
        {
            return await ShowAsync(
                id, http, store, access, visibility, time, [new FieldError(answer.Code == "invalid-note" ? "note" : "decision", answer.Problem!.Detail ?? "")],
                decision, note, answer.Status, cancellationToken).ConfigureAwait(false);
        }

        return ResidentPages.Problem(http, answer);
    }

    private static async Task<IResult> ShowAsync(
        string id, HttpContext http, ICitizenReadModel store, IOptions<ApiAccessOptions> access, SourceVisibility visibility, TimeProvider time,
        IReadOnlyList<FieldError> errors, string? decision, string? note, int status, CancellationToken cancellationToken)
    {
        // The two records are residents' data: read as any other, with the stated purpose, and audited.
        if (ResidentPages.RequirePurpose(http) is { } askFirst)
        {
            return askFirst;
        }

        var review = await ApiAnswer<ReviewRow>.FromAsync(http, StewardshipApi.GetReviewAsync(id, http, store, access, visibility, cancellationToken)).ConfigureAwait(false);
        if (review.Value is not { } pair)
        {
            return ResidentPages.Problem(http, review);
        }

        var left = await ApiAnswer<HeldSourceRecordResponse>.FromAsync(http, CitizenDetailsApi.GetSourceRecordAsync(
            pair.SourceSystem, pair.SourceKey, http, store, access, visibility, time, cancellationToken)).ConfigureAwait(false);
        var right = await ApiAnswer<HeldSourceRecordResponse>.FromAsync(http, CitizenDetailsApi.GetSourceRecordAsync(
            pair.Candidate.SourceSystem, pair.Candidate.SourceKey, http, store, access, visibility, time, cancellationToken)).ConfigureAwait(false);
        if (left.Value is null || right.Value is null)
        {
            // A record removed or restricted since the pair was found: nothing left here to decide on.
            return ResidentPages.Problem(http, left.Value is null ? left : right);
        }

        return Render<ReviewPage>(new()
        {
            ["Frame"] = PageFrame.For(http), ["Review"] = pair, ["Rows"] = RecordRows.Pair(left.Value.Record, right.Value.Record),
            ["Errors"] = errors, ["Decision"] = decision, ["Note"] = note,
        }, status);
    }
}
