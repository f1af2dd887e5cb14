using System.Globalization;
using System.Net;
using System.Text;

namespace CitizenHub.Web.Reporting;

/// <summary>
/// Inline SVG charts drawn by our own code: nothing is fetched, no script runs, and they print. Each is an image with a
/// title and a description for screen readers (its numbers are also in a table beside it). Styled by attributes only, so
/// that the page's Content-Security-Policy (no inline styles) lets them show as drawn.
/// </summary>
internal static class ReportCharts
{
    public const string Blue = "#1d70b8";
    public const string DarkBlue = "#003078";
    public const string Green = "#00703c";
    public const string Orange = "#f47738";
    public const string Red = "#d4351c";
    public const string Purple = "#4c2c92";
    public const string Turquoise = "#28a197";
    public const string Pink = "#d53880";
    public const string Text = "#0b0c0c";
    public const string Grey = "#505a5f";
    public const string Line = "#b1b4b6";

    /// <summary>Colours for series one after another, each distinct from the next for colour-blind readers as far as the palette allows.</summary>
    public static readonly IReadOnlyList<string> Series = [Blue, Orange, Green, Purple, Pink, Turquoise, DarkBlue, Red];

    private const string Font = "arial, sans-serif";

    /// <summary>A bar for each label, longest value widest.</summary>
    public static string HorizontalBars(string id, string title, string description, IReadOnlyList<(string Label, double Value, string Text)> bars, double max, string colour)
    {
        const int labelWidth = 240, barWidth = 560, row = 36, width = 900;
        var height = (bars.Count * row) + 10;
        var svg = Open(id, title, description, width, height);
        for (var i = 0; i < bars.Count; i++)
        {
            var (label, value, text) = bars[i];
            var y = 5 + (i * row);
            var length = max <= 0 ? 0 : Math.Max(value > 0 ? 2 : 0, barWidth * value / max);
            svg.Append(Label(labelWidth - 10, y + 23, label, "end"));
            svg.Append(Invariant($"<rect x=\"{labelWidth}\" y=\"{y + 5}\" width=\"{length:0.#}\" height=\"{row - 12}\" fill=\"{colour}\"/>"));
            svg.Append(Label(labelWidth + length + 8, y + 23, text, "start", bold: true));
        }

        return svg.Append("</svg>").ToString();
    }

    /// <summary>Columns over periods (days, weeks, runs), one colour a series; stacked or side by side.</summary>
    public static string Columns(
        string id, string title, string description, IReadOnlyList<string> periods, IReadOnlyList<(string Name, string Colour, IReadOnlyList<double> Values)> series,
        bool stacked)
    {
        const int left = 60, top = 44, plotHeight = 220, width = 900, right = 10;
        var height = top + plotHeight + 40;
        var plotWidth = width - left - right;
        var totals = Enumerable.Range(0, periods.Count).Select(i => stacked ? series.Sum(s => s.Values[i]) : series.Max(s => s.Values[i])).ToList();
        var max = NiceMax(totals.DefaultIfEmpty(0).Max());
        var svg = Open(id, title, description, width, height);
        Legend(svg, series.Select(s => (s.Name, s.Colour)).ToList(), left, 18);
        Axis(svg, left, top, plotWidth, plotHeight, max);
        var slot = plotWidth / (double)Math.Max(1, periods.Count);
        var every = Math.Max(1, (int)Math.Ceiling(periods.Count / 8.0));
        for (var i = 0; i < periods.Count; i++)
        {
            var x = left + (i * slot);
            var gap = slot * 0.2;
            var baseline = 0.0;
            for (var s = 0; s < series.Count; s++)
            {
                var value = series[s].Values[i];
                var h = plotHeight * value / max;
                var barX = stacked ? x + gap / 2 : x + gap / 2 + (s * (slot - gap) / series.Count);
                var barW = stacked ? slot - gap : (slot - gap) / series.Count;
                if (value > 0)
                {
                    svg.Append(Invariant($"<rect x=\"{barX:0.#}\" y=\"{top + plotHeight - baseline - h:0.#}\" width=\"{barW:0.#}\" height=\"{h:0.#}\" fill=\"{series[s].Colour}\"/>"));
                }

                baseline += stacked ? h : 0;
            }

            if (i % every == 0)
            {
                svg.Append(Label(x + (slot / 2), top + plotHeight + 22, periods[i], "middle", size: 14));
            }
        }

        return svg.Append("</svg>").ToString();
    }

    /// <summary>A line for each series over the same points (runs), with its values as dots.</summary>
    public static string Lines(
        string id, string title, string description, IReadOnlyList<string> points, IReadOnlyList<(string Name, string Colour, IReadOnlyList<double?> Values)> series,
        double max, Func<double, string> format)
    {
        const int left = 60, top = 44, plotHeight = 220, width = 900, right = 30;
        var height = top + plotHeight + 40;
        var plotWidth = width - left - right;
        var svg = Open(id, title, description, width, height);
        Legend(svg, series.Select(s => (s.Name, s.Colour)).ToList(), left, 18);
        Axis(svg, left, top, plotWidth, plotHeight, max, format);
        var step = plotWidth / (double)Math.Max(1, points.Count - 1);
        double X(int i) => points.Count == 1 ? left + (plotWidth / 2.0) : left + (i * step);
        foreach (var (_, colour, values) in series)
        {
            var path = string.Join(" ", values.Select((v, i) => (v, i)).Where(p => p.v is not null)
                .Select(p => Invariant($"{X(p.i):0.#},{top + plotHeight - (plotHeight * p.v!.Value / max):0.#}")));
            if (path.Contains(' ', StringComparison.Ordinal))
            {
                svg.Append(Invariant($"<polyline points=\"{path}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"3\"/>"));
            }

            foreach (var point in path.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var xy = point.Split(',');
                svg.Append(Invariant($"<circle cx=\"{xy[0]}\" cy=\"{xy[1]}\" r=\"5\" fill=\"{colour}\"/>"));
            }
        }

        for (var i = 0; i < points.Count; i++)
        {
            svg.Append(Label(X(i), top + plotHeight + 22, points[i], "middle", size: 14));
        }

        return svg.Append("</svg>").ToString();
    }

    /// <summary>A table of shaded cells: the darker, the larger the share; each cell's figure written in it.</summary>
    public static string Grid(
        string id, string title, string description, IReadOnlyList<string> rows, IReadOnlyList<string> columns,
        Func<int, int, (double? Shade, string Text)> cell, string colour)
    {
        const int labelWidth = 190, header = 48, cellHeight = 40;
        var cellWidth = Math.Max(80, Math.Min(140, 720 / Math.Max(1, columns.Count)));
        var width = labelWidth + (columns.Count * cellWidth) + 4;
        var height = header + (rows.Count * cellHeight) + 4;
        var svg = Open(id, title, description, width, height);
        for (var c = 0; c < columns.Count; c++)
        {
            // A long heading takes two lines rather than run into its neighbour's.
            var words = columns[c].Split(' ', 2);
            var centre = labelWidth + (c * cellWidth) + (cellWidth / 2.0);
            if (words.Length == 2)
            {
                svg.Append(Label(centre, header - 26, words[0], "middle", size: 14, bold: true));
                svg.Append(Label(centre, header - 9, words[1], "middle", size: 14, bold: true));
            }
            else
            {
                svg.Append(Label(centre, header - 9, columns[c], "middle", size: 14, bold: true));
            }
        }

        for (var r = 0; r < rows.Count; r++)
        {
            var y = header + (r * cellHeight);
            svg.Append(Label(labelWidth - 10, y + 26, rows[r], "end"));
            for (var c = 0; c < columns.Count; c++)
            {
                var (shade, text) = cell(r, c);
                var x = labelWidth + (c * cellWidth);
                var fill = shade is { } s ? Mix(colour, Math.Clamp(s, 0, 1)) : "#f3f2f1";
                svg.Append(Invariant($"<rect x=\"{x + 1}\" y=\"{y + 1}\" width=\"{cellWidth - 2}\" height=\"{cellHeight - 2}\" fill=\"{fill}\" stroke=\"{Line}\" stroke-width=\"1\"/>"));
                var ink = Ink(fill);
                svg.Append(Invariant($"<text x=\"{x + (cellWidth / 2.0):0.#}\" y=\"{y + 26}\" font-family=\"{Font}\" font-size=\"16\" text-anchor=\"middle\" fill=\"{ink}\">{Encode(text)}</text>"));
            }
        }

        return svg.Append("</svg>").ToString();
    }

    /// <summary>
    /// A round upper bound for an axis of counts: 4, 8, 12 or 20 times a power of ten, so that each of its four steps is a
    /// whole number.
    /// </summary>
    public static double NiceMax(double value)
    {
        var power = 1.0;
        while (true)
        {
            foreach (var m in new[] { 4, 8, 12, 20 })
            {
                if (m * power >= value)
                {
                    return m * power;
                }
            }

            power *= 10;
        }
    }

    private static StringBuilder Open(string id, string title, string description, int width, int height) =>
        new StringBuilder()
            .Append(Invariant($"<svg role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" class=\"app-report-chart\">"))
            .Append(Invariant($"<title id=\"{id}-title\">{Encode(title)}</title><desc id=\"{id}-desc\">{Encode(description)}</desc>"));

    private static void Legend(StringBuilder svg, IReadOnlyList<(string Name, string Colour)> series, int x, int y)
    {
        foreach (var (name, colour) in series)
        {
            svg.Append(Invariant($"<rect x=\"{x}\" y=\"{y - 11}\" width=\"14\" height=\"14\" fill=\"{colour}\"/>"));
            svg.Append(Label(x + 20, y + 1, name, "start", size: 15));
            x += 40 + (int)(name.Length * 8.5);
        }
    }

    private static void Axis(StringBuilder svg, int left, int top, int plotWidth, int plotHeight, double max, Func<double, string>? format = null)
    {
        for (var t = 0; t <= 4; t++)
        {
            var value = max * t / 4;
            var y = top + plotHeight - (plotHeight * t / 4.0);
            svg.Append(Invariant($"<line x1=\"{left}\" y1=\"{y:0.#}\" x2=\"{left + plotWidth}\" y2=\"{y:0.#}\" stroke=\"{Line}\" stroke-width=\"1\"/>"));
            svg.Append(Label(left - 8, y + 5, format?.Invoke(value) ?? value.ToString("N0", CultureInfo.GetCultureInfo("en-GB")), "end", size: 14));
        }
    }

    private static string Label(double x, double y, string text, string anchor, int size = 16, bool bold = false) =>
        Invariant($"<text x=\"{x:0.#}\" y=\"{y:0.#}\" font-family=\"{Font}\" font-size=\"{size}\" text-anchor=\"{anchor}\" fill=\"{Text}\"{(bold ? " font-weight=\"bold\"" : "")}>{Encode(text)}</text>");

    /// <summary>White mixed with the colour: 0 is white, 1 the colour itself.</summary>
    private static string Mix(string colour, double amount)
    {
        var rgb = Enumerable.Range(0, 3).Select(i => Convert.ToInt32(colour.Substring(1 + (i * 2), 2), 16)).ToList();
        return "#" + string.Concat(rgb.Select(c => ((int)Math.Round(255 - ((255 - c) * amount))).ToString("x2", CultureInfo.InvariantCulture)));
    }

    /// <summary>
    /// Black or white, whichever contrasts more with the fill (WCAG's relative luminance): one of them always reaches
    /// 4.5:1, whatever the shade.
    /// </summary>
    private static string Ink(string fill)
    {
        var luminance = Enumerable.Range(0, 3)
            .Select(i => Convert.ToInt32(fill.Substring(1 + (i * 2), 2), 16) / 255.0)
            .Select(c => c <= 0.03928 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4))
            .Zip([0.2126, 0.7152, 0.0722], (c, w) => c * w)
            .Sum();
        return (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) ? Text : "#ffffff";
    }

    public static string Encode(string text) => WebUtility.HtmlEncode(text);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
