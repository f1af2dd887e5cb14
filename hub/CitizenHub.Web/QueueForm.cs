using System.Globalization;
using Microsoft.AspNetCore.Mvc;

namespace CitizenHub.Web;

/// <summary>The steward queue's filters and page, in the URL.</summary>
public sealed class QueueForm
{
    [FromQuery(Name = "source")] public string? Source { get; set; }

    /// <summary>Only pairs waiting at least this many days.</summary>
    [FromQuery(Name = "waiting")] public int? WaitingDays { get; set; }

    /// <summary>The last review id of the page before.</summary>
    [FromQuery(Name = "after")] public long? After { get; set; }

    public const int PageSize = 25;

    public static IReadOnlyList<(int Days, string Label)> WaitingChoices { get; } = [(1, "more than a day"), (7, "more than a week"), (30, "more than 30 days")];

    public string Url(long? after) => new PageQuery(WebPaths.Queue)
        .Add("source", Source).Add("waiting", WaitingDays?.ToString(CultureInfo.InvariantCulture)).Add("after", after?.ToString(CultureInfo.InvariantCulture))
        .ToString();
}
