using Microsoft.AspNetCore.Mvc;

namespace CitizenHub.Web;

/// <summary>The audit trail's filters and page, in the URL (the auditor's own criteria: who, which resident, what, when).</summary>
public sealed class AuditForm
{
    [FromQuery(Name = "caller")] public string? Caller { get; set; }

    [FromQuery(Name = "resident")] public string? Resident { get; set; }

    [FromQuery(Name = "action")] public string? Action { get; set; }

    /// <summary>From this day (yyyy-MM-dd), inclusive.</summary>
    [FromQuery(Name = "from")] public string? From { get; set; }

    /// <summary>To this day (yyyy-MM-dd), inclusive.</summary>
    [FromQuery(Name = "to")] public string? To { get; set; }

    [FromQuery(Name = "cursor")] public string? Cursor { get; set; }

    public const int PageSize = 50;

    /// <summary>The actions the trail records, as an auditor filters by them.</summary>
    public static IReadOnlyList<(string Action, string Label)> Actions { get; } =
    [
        ("read", "Opened a resident's record"), ("search-query", "Searched"), ("search", "Shown in search results"),
        ("history", "Read a resident's history"), ("explanation", "Read why records are linked"), ("source-record", "Read a system's record"),
        ("export", "Subject access export"), ("restrict", "Restricted processing"), ("unrestrict", "Lifted a restriction"),
        ("erase", "Erased a resident"), ("refused", "Refused request"), ("refusals-suppressed", "Refusals counted, not recorded"),
    ];

    public static string Describe(string action) => Actions.FirstOrDefault(a => a.Action == action).Label ?? action;

    public string Url(string? cursor) => new PageQuery(WebPaths.Audit)
        .Add("caller", Caller).Add("resident", Resident).Add("action", Action).Add("from", From).Add("to", To).Add("cursor", cursor)
        .ToString();
}
