using System.Globalization;
using System.Text;
using CitizenHub.Api.Reporting;
using static CitizenHub.Web.Reporting.ReportCharts;

namespace CitizenHub.Web.Reporting;

/// <summary>
/// A <see cref="HubReport"/> in words, charts and tables, for the council's management as much as for IT: each chart says
/// what it shows and what a good figure looks like, and its numbers are in a table beside it. The same body is the admin
/// page's and the file's; the file adds its own stylesheet, so that it opens anywhere with nothing fetched.
/// </summary>
public static class HubReportHtml
{
    private static readonly CultureInfo EnGb = CultureInfo.GetCultureInfo("en-GB");

    /// <summary>The whole report as one self-contained HTML file: its styles inline, no script, nothing loaded from elsewhere.</summary>
    public static string Document(HubReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return $"""
            <!DOCTYPE html>
            <html lang="en-GB">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>CitizenHub report, {Encode(Day(report.AsAt))}</title>
            <style>{DocumentStyles}</style>
            </head>
            <body>
            <main class="govuk-width-container">
            {Body(report)}
            </main>
            </body>
            </html>
            """;
    }

    /// <summary>The report's content (headings, words, charts, tables) in GOV.UK Design System classes, with no inline style.</summary>
    public static string Body(HubReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var html = new StringBuilder();
        html.Append("<div class=\"app-report\">");
        html.Append("<h1 class=\"govuk-heading-xl\">How well the hub knows the council's residents</h1>");
        html.Append(P($"Figures as at {Encode(DateTime(report.AsAt))} (UTC), read from the hub's store. The report counts records and residents; it names no one and shows no one's details.", "govuk-body-l"));
        AtAGlance(html, report);
        Completeness(html, report);
        Invalid(html, report);
        Duplicates(html, report);
        Overlap(html, report);
        Reviews(html, report);
        MergesAndSplits(html, report);
        Trends(html, report);
        LookUps(html, report);
        html.Append("</div>");
        return html.ToString();
    }

    /// <summary>A line for an operator: the headline figures.</summary>
    public static string Summary(HubReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return $"{Number(report.Records)} records from {Number(report.Sources.Count)} systems, {Number(report.Overlap.Residents)} residents, "
            + $"{Number(report.Overlap.JoinedUp)} joined up across systems, {Number(report.Reviews.Open)} pairs waiting for a steward";
    }

    private static void AtAGlance(StringBuilder html, HubReport report)
    {
        html.Append("<h2 class=\"govuk-heading-l\">At a glance</h2><dl class=\"govuk-summary-list\">");
        Row(html, "Records held", $"{Number(report.Records)} from {Number(report.Sources.Count)} systems");
        Row(html, "Residents", $"{Number(report.Overlap.Residents)} (one golden record each)");
        Row(html, "Joined up by the hub", $"{Number(report.Overlap.JoinedUp)} residents ({Percent(report.Overlap.JoinedUp, report.Overlap.Residents)}) are known to two systems or more, which no single system knew as one person");
        Row(html, "Waiting for a steward", report.Reviews.Open == 0 ? "None" : $"{Number(report.Reviews.Open)} uncertain pairs, the oldest raised {Encode(Day(report.Reviews.OldestSince!.Value))}");
        Row(html, "Merges and splits", $"{Number(report.MergesAndSplits.Merges)} merges, {Number(report.MergesAndSplits.Splits)} splits");
        Row(html, $"Look-ups in the last {report.Usage.Days} days", Number(report.Usage.Total));
        html.Append("</dl>");

        static void Row(StringBuilder html, string key, string value) =>
            html.Append($"<div class=\"govuk-summary-list__row\"><dt class=\"govuk-summary-list__key\">{Encode(key)}</dt><dd class=\"govuk-summary-list__value\">{value}</dd></div>");
    }

    private static void Completeness(StringBuilder html, HubReport report)
    {
        Section(
            html,
            "Is each system's data complete?",
            "For each system, the share of its records that hold a usable value of each key field: a value that is present and passed its check (a real date, a postcode in the right form, an NI or NHS number that is valid). The more complete a record, the more surely it is matched to the right resident.",
            "name and date of birth near 100%; postcode above 90% for systems about where people live; the identifiers (NI number, NHS number, UPRN) wherever the system should hold them. A field at or near 0% is usually one the system does not send.");
        SystemsByColumn(
            html,
            "completeness",
            "Share of records with a usable value, by system and field",
            "A grid: one row a system, one column a field; each cell gives the percentage of that system's records holding a usable value, darker for more. The same figures are in the table below.",
            report.Sources,
            ReportFields.All,
            (source, field) => source.Records == 0 ? (null, "–") : Share(source.Present[field], source.Records),
            Blue);
    }

    private static void Invalid(StringBuilder html, HubReport report)
    {
        Section(
            html,
            "Values that could not be used",
            "Values a system sent that failed their check: a postcode that is not one, an NI or NHS number that cannot exist, a date of birth that is not a real date or is in the future. The hub keeps such a value as it came but does not use it to match, so each is a resident harder to find. They are counted here, never shown.",
            "none. A count that grows from one sync to the next points at a form or an export to mend at the source.");
        var kinds = ReportFields.InvalidKinds;
        // Shaded against the worst cell, so that the worst shows dark even when every share is small.
        var worst = report.Sources.SelectMany(s => kinds.Select(k => s.Records == 0 ? 0 : (double)s.Invalid[k] / s.Records)).DefaultIfEmpty(0).Max();
        SystemsByColumn(
            html,
            "invalid",
            "Records with an invalid value, by system and kind",
            "A grid: one row a system, one column a kind of value; each cell gives how many of that system's records hold an invalid value of that kind, darker for a larger share. The same figures are in the table below.",
            report.Sources,
            kinds,
            (source, kind) => (worst == 0 || source.Records == 0 ? 0 : (double)source.Invalid[kind] / source.Records / worst, Number(source.Invalid[kind])),
            Red);
    }

    /// <summary>A grid of a figure by system and column, then the same figures in a table with each system's records.</summary>
    private static void SystemsByColumn(
        StringBuilder html, string id, string title, string description, IReadOnlyList<SourceQuality> sources, IReadOnlyList<string> columns,
        Func<SourceQuality, string, (double? Shade, string Text)> cell, string colour)
    {
        html.Append(Grid(id, title, description, [.. sources.Select(s => s.Source)], columns, (r, c) => cell(sources[r], columns[c]), colour));
        Table(html, title, ["System", "Records", .. columns],
            sources.Select(s => (s.Source, (IReadOnlyList<string>)[Number(s.Records), .. columns.Select(c => cell(s, c).Text)])));
    }

    /// <summary>A section's heading, what its figures show, and what a good figure looks like: every section says both.</summary>
    private static void Section(StringBuilder html, string heading, string shows, string good)
    {
        html.Append($"<h2 class=\"govuk-heading-l\">{Encode(heading)}</h2>");
        html.Append(P(shows));
        html.Append(P("What good looks like: " + good));
    }

    private static void Duplicates(StringBuilder html, HubReport report)
    {
        Section(
            html,
            "Duplicates, and records joined to other systems",
            "A duplicate is a second (or third) record one system holds for the same resident: the hub joined them, but the system itself still has two. Records joined to another system are those whose resident at least one other system knows too: that is what lets a contact centre see the whole person.",
            "few duplicates (each is work for the system's owner to merge); a high share joined to another system for the systems most residents appear in, such as council tax and the electoral register.");
        var sources = report.Sources;
        html.Append(HorizontalBars(
            "linked",
            "Share of each system's records joined to a record of another system",
            "A bar for each system: the percentage of its records whose resident is also known to another system. The same figures are in the table below.",
            [.. sources.Select(s => (s.Source, s.Records == 0 ? 0 : (double)s.LinkedElsewhere / s.Records, Percent(s.LinkedElsewhere, s.Records)))],
            1,
            Blue));
        Table(html, "Duplicates and records joined to another system, by system", ["System", "Records", "Duplicate records", "Residents with duplicates", "Joined to another system"],
            sources.Select(s => (s.Source, (IReadOnlyList<string>)[
                Number(s.Records), $"{Number(s.DuplicateRecords)} ({Percent(s.DuplicateRecords, s.Records)})", Number(s.ResidentsWithDuplicates),
                $"{Number(s.LinkedElsewhere)} ({Percent(s.LinkedElsewhere, s.Records)})"])));
    }

    private static void Overlap(StringBuilder html, HubReport report)
    {
        var overlap = report.Overlap;
        var sources = report.Sources;
        Section(
            html,
            "Who is known to which systems",
            $"Of {Number(overlap.Residents)} residents, the hub joined up {Number(overlap.JoinedUp)} ({Percent(overlap.JoinedUp, overlap.Residents)}): each is known to two systems or more, and no single system knew them as one person. The grid counts the residents known to both of two systems; on the diagonal, the residents each system knows.",
            "large overlaps between systems that serve the same households; a small overlap where a large one is expected can mean records that should match but do not (a missing date of birth, a postcode in the wrong form).");
        html.Append(Grid(
            "overlap",
            "Residents known to both of two systems",
            "A grid with a row and a column for each system; each cell gives how many residents both systems know, and the diagonal how many each knows. The same figures are in the table below.",
            [.. sources.Select(s => s.Source)],
            [.. sources.Select(s => s.Source)],
            (r, c) =>
            {
                var both = r == c ? Known(sources[r]) : overlap.Both(sources[r].Source, sources[c].Source);
                var smaller = Math.Min(Known(sources[r]), Known(sources[c]));
                return (smaller == 0 ? 0 : (double)both / smaller, Number(both));
            },
            Purple));
        Table(html, "Residents known to both of two systems", ["System", .. sources.Select(s => s.Source)],
            sources.Select(a => (a.Source, (IReadOnlyList<string>)[.. sources.Select(b => Number(a == b ? Known(a) : overlap.Both(a.Source, b.Source)))])));

        string[] counts = ["1 system", "2 systems", "3 systems", "4 or more"];
        html.Append("<h3 class=\"govuk-heading-m\">Residents by the number of systems that know them</h3>");
        html.Append(P("What good looks like: most residents in two systems or more, since nearly everyone pays council tax and is on the electoral register. Many known to one system only can mean people the hub could not match."));
        html.Append(HorizontalBars(
            "by-sources",
            "Residents by the number of systems that know them",
            "A bar for 1, 2, 3, and 4 or more systems: how many residents that many systems know. The same figures are in the table below.",
            [.. counts.Select((label, i) => (label, (double)overlap.BySourceCount[i], $"{Number(overlap.BySourceCount[i])} ({Percent(overlap.BySourceCount[i], overlap.Residents)})"))],
            overlap.BySourceCount.DefaultIfEmpty(0).Max(),
            Green));
        Table(html, "Residents by the number of systems that know them", ["Known to", "Residents", "Share"],
            counts.Select((label, i) => (label, (IReadOnlyList<string>)[Number(overlap.BySourceCount[i]), Percent(overlap.BySourceCount[i], overlap.Residents)])));
    }

    private static void Reviews(StringBuilder html, HubReport report)
    {
        var reviews = report.Reviews;
        Section(
            html,
            "Waiting for a data steward",
            $"{Number(reviews.Open)} pairs of records are waiting for a steward to say whether they are one person or two. The hub does not guess: until someone decides, the two records stay apart and a member of staff sees only part of the person.",
            "a short queue, nearly all of it under a week old. Pairs over four weeks old mean the queue needs more steward time.");
        html.Append(HorizontalBars(
            "backlog",
            "Pairs waiting for a steward, by how long they have waited",
            "A bar for each age: under a day, 1 to 7 days, 1 to 4 weeks, and over 4 weeks; each gives how many pairs have waited that long. The same figures are in the table below.",
            [.. ReviewBacklog.Ages.Select((age, i) => (age, (double)reviews.ByAge[i], Number(reviews.ByAge[i])))],
            reviews.ByAge.DefaultIfEmpty(0).Max(),
            Orange));
        Table(html, "Pairs waiting for a steward, by age", ["Waiting", "Pairs"],
            ReviewBacklog.Ages.Select((age, i) => (age, (IReadOnlyList<string>)[Number(reviews.ByAge[i])])));
    }

    private static void MergesAndSplits(StringBuilder html, HubReport report)
    {
        var timeline = report.MergesAndSplits;
        var period = timeline.Weekly ? "week" : "day";
        Section(
            html,
            "Merges and splits over time",
            $"A merge is two golden records found to be one person (by new evidence or a steward); a split is one found to be two. Each {period} with either is shown.",
            "merges high in the first loads and then falling to a trickle as each system's records settle; splits rare, since each is a resident the hub had joined wrongly.");
        if (timeline.Periods.Count == 0)
        {
            html.Append(P("There have been no merges or splits yet."));
            return;
        }

        var labels = timeline.Periods.Select(p => p.Start.ToString(timeline.Weekly ? "'w/c' d MMM" : "d MMM", EnGb)).ToList();
        html.Append(Columns(
            "merges",
            $"Merges and splits per {period}",
            $"Columns for each {period} from {Encode(labels[0])} to {Encode(labels[^1])}: merges and splits side by side. The same figures are in the table below.",
            labels,
            [("Merges", Blue, [.. timeline.Periods.Select(p => (double)p.Merges)]), ("Splits", Orange, [.. timeline.Periods.Select(p => (double)p.Splits)])],
            stacked: false));
        Table(html, $"Merges and splits per {period}", [timeline.Weekly ? "Week starting" : "Day", "Merges", "Splits"],
            timeline.Periods.Where(p => p.Merges + p.Splits > 0).Select(p => (p.Start.ToString("d MMMM yyyy", EnGb), (IReadOnlyList<string>)[Number(p.Merges), Number(p.Splits)])));
    }

    private static void Trends(StringBuilder html, HubReport report)
    {
        Section(
            html,
            "Syncs: the latest runs of each system",
            $"The last {HubReportBuilder.RunsPerSource} syncs of each system at most: records read, rows rejected (unreadable, kept for checking), the linkage rate (of the records a run added or changed, the share joined to a resident that other records describe) and how long it took, until the hub had applied everything.",
            "records steady or growing slowly; rejects at or near none; a linkage rate that holds steady (a sudden fall means something changed in an extract); durations that do not creep up.");
        var runs = report.Trends.Where(t => t.Runs.Count > 0).ToList();
        if (runs.Count == 0)
        {
            html.Append(P("No system has been synced yet."));
            return;
        }

        var longest = runs.Max(t => t.Runs.Count);
        var points = Enumerable.Range(1, longest).Select(i => i == longest ? "latest" : $"-{longest - i}").ToList();
        html.Append(Lines(
            "linkage",
            "Linkage rate of each system's latest runs",
            $"A line for each system over its last {longest} runs, oldest on the left: the percentage of the records each run added or changed that were joined to a resident other records describe. The same figures are in the tables below.",
            points,
            [.. runs.Select((t, i) => (t.Source, Series[i % Series.Count], (IReadOnlyList<double?>)[.. Enumerable.Repeat<double?>(null, longest - t.Runs.Count), .. t.Runs.Select(r => r.LinkageRate)]))],
            1,
            v => v.ToString("P0", EnGb)));
        foreach (var trend in runs)
        {
            Table(html, $"Latest runs of {trend.Source}", ["Started", "Outcome", "Records", "Rejected", "Linkage rate", "Took"],
                trend.Runs.Select(r => (DateTime(r.StartedAt), (IReadOnlyList<string>)[
                    r.Status, r.Records is { } n ? Number(n) : "–", r.Rejects is { } j ? Number(j) : "–",
                    r.LinkageRate is { } rate ? rate.ToString("P0", EnGb) : "–", r.Duration is { } d ? Duration(d) : "–"])));
        }
    }

    private static void LookUps(StringBuilder html, HubReport report)
    {
        var usage = report.Usage;
        Section(
            html,
            $"Use: residents looked up in the last {usage.Days} days",
            "Each time a member of staff opened a resident's record, its history, why a record is linked, one system's record or an export, as the audit trail recorded it, by the role of the caller and the purpose they gave.",
            "steady use by the contact centre (agents) on working days. Look-ups with no purpose ('none given') or a vague one are worth a word with the team: each look-up must say why.");
        if (usage.Total == 0)
        {
            html.Append(P("No resident was looked up in this time."));
            return;
        }

        var roles = usage.Roles;
        var labels = usage.PerDay.Select(d => d.Day.ToString("d MMM", EnGb)).ToList();
        html.Append(Columns(
            "lookups",
            $"Look-ups per day over the last {usage.Days} days, by role",
            $"Columns for each day from {Encode(labels[0])} to {Encode(labels[^1])}, one colour a role, stacked: {Number(usage.Total)} look-ups in all. The same figures are in the tables below.",
            labels,
            [.. roles.Select((role, i) => (role, Series[i % Series.Count], (IReadOnlyList<double>)[.. usage.PerDay.Select(d => (double)d.ByRole.GetValueOrDefault(role))]))],
            stacked: true));
        var busy = usage.PerDay.Where(d => d.Total > 0).ToList();
        Table(html, "Look-ups per day, by role (days with none are left out)", ["Day", .. roles, "All"],
            busy.Select(d => (d.Day.ToString("ddd d MMMM", EnGb), (IReadOnlyList<string>)[.. roles.Select(r => Number(d.ByRole.GetValueOrDefault(r))), Number(d.Total)])));
        Table(html, "Look-ups by purpose", ["Purpose", "Look-ups", "Share"],
            usage.ByPurpose.Select(p => (p.Key, (IReadOnlyList<string>)[Number(p.Value), Percent(p.Value, usage.Total)])));
    }

    /// <summary>A table with a caption, a header row and one row a subject (its first cell a row header); figures aligned right.</summary>
    private static void Table(StringBuilder html, string caption, IReadOnlyList<string> headers, IEnumerable<(string Row, IReadOnlyList<string> Cells)> rows)
    {
        html.Append($"<table class=\"govuk-table app-report-table\"><caption class=\"govuk-table__caption govuk-table__caption--s\">{Encode(caption)}</caption>");
        html.Append("<thead class=\"govuk-table__head\"><tr class=\"govuk-table__row\">");
        for (var i = 0; i < headers.Count; i++)
        {
            html.Append($"<th scope=\"col\" class=\"govuk-table__header{(i == 0 ? "" : " govuk-table__header--numeric")}\">{Encode(headers[i])}</th>");
        }

        html.Append("</tr></thead><tbody class=\"govuk-table__body\">");
        foreach (var (row, cells) in rows)
        {
            html.Append($"<tr class=\"govuk-table__row\"><th scope=\"row\" class=\"govuk-table__header\">{Encode(row)}</th>");
            foreach (var cell in cells)
            {
                html.Append($"<td class=\"govuk-table__cell govuk-table__cell--numeric\">{Encode(cell)}</td>");
            }

            html.Append("</tr>");
        }

        html.Append("</tbody></table>");
    }

    /// <summary>The residents a system knows: its records less its duplicates.</summary>
    private static long Known(SourceQuality source) => source.Records - source.DuplicateRecords;

    private static (double? Shade, string Text) Share(long part, long whole) => ((double)part / whole, Percent(part, whole));

    private static string P(string text, string style = "govuk-body") => $"<p class=\"{style}\">{text}</p>";

    private static string Number(long value) => value.ToString("N0", EnGb);

    /// <summary>A share as a percentage: whole numbers, but a small share keeps a decimal so that it does not read as none.</summary>
    private static string Percent(long part, long whole) =>
        whole == 0 ? "–"
        : (double)part / whole is var share && share > 0 && share < 0.1 ? share.ToString("P1", EnGb)
        : share.ToString("P0", EnGb);

    private static string Duration(TimeSpan duration) =>
        duration < TimeSpan.FromMinutes(1) ? $"{duration.TotalSeconds.ToString("0.0", EnGb)} s"
        : duration < TimeSpan.FromHours(1) ? $"{(int)duration.TotalMinutes} min {duration.Seconds} s"
        : $"{(int)duration.TotalHours} h {duration.Minutes} min";

    private static string Day(DateTimeOffset at) => at.UtcDateTime.ToString("d MMMM yyyy", EnGb);

    private static string DateTime(DateTimeOffset at) => at.UtcDateTime.ToString("d MMMM yyyy, HH:mm", EnGb);

    /// <summary>
    /// The few GOV.UK Design System styles the body uses, written out for the file (the page has the real stylesheet):
    /// Arial, as the page, since the GOV.UK typeface is for GOV.UK only.
    /// </summary>
    private const string DocumentStyles = """
        body { margin: 0; font-family: arial, sans-serif; color: #0b0c0c; background: #ffffff; line-height: 1.3; }
        .govuk-width-container { max-width: 960px; margin: 0 auto; padding: 30px 15px 60px; }
        .app-report > h1:first-child { border-top: 10px solid #1d70b8; padding-top: 20px; }
        .govuk-heading-xl { font-size: 48px; font-weight: 700; margin: 0 0 30px; line-height: 1.1; }
        .govuk-heading-l { font-size: 32px; font-weight: 700; margin: 45px 0 20px; padding-top: 15px; border-top: 1px solid #b1b4b6; }
        .govuk-heading-m { font-size: 24px; font-weight: 700; margin: 30px 0 15px; }
        .govuk-body, .govuk-body-l { margin: 0 0 15px; max-width: 44em; }
        .govuk-body { font-size: 19px; }
        .govuk-body-l { font-size: 24px; }
        .govuk-summary-list { margin: 0 0 30px; font-size: 19px; display: table; width: 100%; border-collapse: collapse; }
        .govuk-summary-list__row { display: table-row; border-bottom: 1px solid #b1b4b6; }
        .govuk-summary-list__key, .govuk-summary-list__value { display: table-cell; padding: 10px 20px 10px 0; margin: 0; vertical-align: top; }
        .govuk-summary-list__key { font-weight: 700; width: 30%; }
        .govuk-table { width: 100%; border-collapse: collapse; margin: 20px 0 30px; font-size: 19px; }
        .app-report-table { font-size: 16px; }
        .govuk-table__caption { text-align: left; font-weight: 700; font-size: 19px; margin-bottom: 10px; }
        .govuk-table__header, .govuk-table__cell { padding: 8px 15px 8px 0; border-bottom: 1px solid #b1b4b6; text-align: left; vertical-align: top; }
        .govuk-table__header { font-weight: 700; }
        .govuk-table__header--numeric, .govuk-table__cell--numeric { text-align: right; font-variant-numeric: tabular-nums; }
        svg.app-report-chart { display: block; max-width: 100%; height: auto; margin: 20px 0 10px; }
        @media print { .govuk-heading-l { break-before: auto; break-after: avoid; } svg, table { break-inside: avoid; } }
        """;
}
