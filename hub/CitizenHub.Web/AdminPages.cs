using System.Globalization;
using CitizenHub.Api;
using CitizenHub.Store;
using CitizenHub.Web.Pages;
using Microsoft.AspNetCore.Http;
using static CitizenHub.Web.CitizenHubWeb;

namespace CitizenHub.Web;

/// <summary>The administrator's sources page and the auditor's audit trail, through the API's own handlers.</summary>
internal static class AdminPages
{
    public static async Task<IResult> AuditAsync(HttpContext http, [AsParameters] AuditForm form, ICitizenStore store, CancellationToken cancellationToken)
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

    public static async Task<IResult> SourcesAsync(HttpContext http, ICitizenStore store, CancellationToken cancellationToken)
    {
        var sources = await ApiAnswer<SourcesResponse>.FromAsync(http, CitizenDetailsApi.GetSourcesAsync(store, cancellationToken)).ConfigureAwait(false);
        var failed = await store.GetFailedMessagesAsync(includeApplied: false, cancellationToken).ConfigureAwait(false);
        return Render<SourcesPage>(new() { ["Frame"] = PageFrame.For(http), ["Sources"] = sources.Value, ["Failed"] = failed });
    }
}
