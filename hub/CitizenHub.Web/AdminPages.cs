using System.Globalization;
using CitizenHub.Api;
using CitizenHub.Api.Reporting;
using CitizenHub.Store;
using CitizenHub.Web.Pages;
using CitizenHub.Web.Reporting;
using CitizenHub.Api.Access;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using static CitizenHub.Web.CitizenHubWeb;

namespace CitizenHub.Web;

/// <summary>The administrator's sources page and report, and the auditor's audit trail, through the API's own handlers.</summary>
internal static class AdminPages
{
    public static async Task<IResult> AuditAsync(HttpContext http, [AsParameters] AuditForm form, ICitizenReadModel store, CancellationToken cancellationToken)
    {
        // "To" names a day, included: the API's bound is the start of the next.
        var to = DateOnly.TryParseExact(form.To?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? day.AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : form.To;
        var answer = await ApiAnswer<AuditResponse>.FromAsync(http, CitizenViewApi.GetAuditAsync(
            form.Caller, form.Resident, form.Action, form.From, to, AuditQueries.Newest, form.Cursor, AuditForm.PageSize, store, cancellationToken)).ConfigureAwait(false);
        var errors = new List<FieldError>();
        if (!answer.Succeeded && answer.Problem?.Extensions.TryGetValue("field", out var field) == true && field is string name)
        {
            errors.Add(new FieldError(name == "citizen" ? "resident" : name, answer.Problem.Detail ?? "Check this filter"));
        }
        else if (!answer.Succeeded)
        {
            return ResidentPages.Problem(http, answer);
        }

        return Render<AuditTrailPage>(new() { ["Frame"] = PageFrame.For(http), ["Form"] = form, ["Entries"] = answer.Value, ["Errors"] = errors }, answer.Status);
    }

    public static async Task<IResult> SourcesAsync(
        HttpContext http, string? replayed, string? outcome, ICitizenReadModel store, CancellationToken cancellationToken)
    {
        var sources = await ApiAnswer<SourcesResponse>.FromAsync(http, CitizenDetailsApi.GetSourcesAsync(store, cancellationToken)).ConfigureAwait(false);
        var failed = await ApiAnswer<FailedMessagesResponse>.FromAsync(http, SourceOperationsApi.GetFailedMessages(false, store, cancellationToken)).ConfigureAwait(false);
        var notice = (replayed, outcome) switch
        {
            (null, _) => null,
            (_, nameof(ReplayOutcome.Applied)) => $"Message {replayed} was sent again and applied.",
            (_, nameof(ReplayOutcome.AlreadyApplied)) => $"Message {replayed} had been applied already: nothing was sent.",
            (_, nameof(ReplayOutcome.FailedAgain)) => $"Message {replayed} failed again: see why below, mend the cause, and replay it once more.",
            (_, nameof(ReplayOutcome.TimedOut)) => $"Message {replayed} was sent, but not applied in time: is a hub instance running?",
            _ => null,
        };
        return Render<SourcesPage>(new()
        {
            ["Frame"] = PageFrame.For(http), ["Sources"] = sources.Value, ["Failed"] = failed.Value?.Failures ?? [], ["Notice"] = notice,
        });
    }

    /// <summary>The hub's report, through the API's own handler (<c>GET /report</c>), in the page's frame.</summary>
    public static async Task<IResult> ReportAsync(HttpContext http, ICitizenReadModel store, TimeProvider time, CancellationToken cancellationToken)
    {
        var answer = await ApiAnswer<HubReport>.FromAsync(http, ReportApi.GetReportAsync(store, time, cancellationToken)).ConfigureAwait(false);
        return answer.Value is { } report
            ? Render<ReportPage>(new() { ["Frame"] = PageFrame.For(http), ["Body"] = HubReportHtml.Body(report) })
            : ResidentPages.Problem(http, answer);
    }

    /// <summary>The same report as one self-contained file, to keep or send (what <c>citizenhub report</c> writes).</summary>
    public static async Task<IResult> ReportFileAsync(HttpContext http, ICitizenReadModel store, TimeProvider time, CancellationToken cancellationToken)
    {
        var answer = await ApiAnswer<HubReport>.FromAsync(http, ReportApi.GetReportAsync(store, time, cancellationToken)).ConfigureAwait(false);
        if (answer.Value is not { } report)
        {
            return ResidentPages.Problem(http, answer);
        }

        var name = $"citizenhub-report-{report.AsAt.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}.html";
        return Results.File(System.Text.Encoding.UTF8.GetBytes(HubReportHtml.Document(report)), "text/html; charset=utf-8", name);
    }

    /// <summary>The source's latest rejects file, as the API serves it (admin only, audited).</summary>
    public static async Task<IResult> RejectsAsync(
        string system, HttpContext http, ICitizenReadModel store, RejectsFolder rejects, IOptions<ApiAccessOptions> access, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var result = await SourceOperationsApi.GetRejectsAsync(system, http, store, rejects, access, time, cancellationToken).ConfigureAwait(false);
        return result is ProblemHttpResult problem
            ? Render<ErrorPage>(new()
            {
                ["Frame"] = PageFrame.For(http), ["Heading"] = "No rejects file", ["Detail"] = problem.ProblemDetails.Detail,
                ["WhatToDo"] = "Go back to the sources.",
            }, problem.StatusCode)
            : result;
    }

    public static async Task<IResult> ReplayAsync(string id, HttpContext http, IFailedMessageReplay replay, CancellationToken cancellationToken)
    {
        var answer = await ApiAnswer<ReplayResponse>.FromAsync(http, SourceOperationsApi.ReplayAsync(id, replay, cancellationToken)).ConfigureAwait(false);
        return answer.Value is { } replayed
            ? Results.Redirect($"{WebPaths.Sources}?replayed={replayed.FailureId.ToString(CultureInfo.InvariantCulture)}&outcome={replayed.Outcome}")
            : ResidentPages.Problem(http, answer);
    }
}
