using System.Globalization;
using CitizenHub.Hub;
using Spectre.Console;

namespace CitizenHub.Host;

/// <summary>
/// How <c>citizenhub sync</c> shows a run as it goes: a live table on a person's terminal, and plain lines without one
/// (cron, a systemd timer, <c>CI=true</c>, output to a file or a pipe), which carry no escape codes.
/// </summary>
internal static class SyncProgressDisplay
{
    /// <summary>Whether the command's output is a terminal someone is watching, on which a live display can redraw itself.</summary>
    public static bool IsTerminal(TextWriter output) =>
        ReferenceEquals(output, Console.Out)
        && !Console.IsOutputRedirected
        && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"))
        && !string.Equals(Environment.GetEnvironmentVariable("TERM"), "dumb", StringComparison.Ordinal)
        && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>What a run has done so far, in the words of the summary.</summary>
    public static string Counts(SyncProgress progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{progress.Read} read, {progress.Rejected} rejected, {progress.Tally.Applied} applied, {progress.Tally.Linked} linked, {progress.Tally.Reviews} sent for review, {progress.RecordsPerSecond:0} records/s, {TimeLeft(progress)}");
    }

    public static string TimeLeft(SyncProgress progress) =>
        progress.TimeLeft is { } left
            ? string.Create(CultureInfo.InvariantCulture, $"about {(left.TotalHours >= 1 ? left.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : left.ToString(@"m\:ss", CultureInfo.InvariantCulture))} left")
            : "time left unknown";
}

/// <summary>
/// A line when a run starts and when its source is read, and one per <c>Sync.ProgressInterval</c> between: what a log
/// shipper or the scheduler's journal keeps.
/// </summary>
internal sealed class PlainSyncProgress(TextWriter output, TimeSpan interval, TimeProvider timeProvider) : IProgress<SyncProgress>
{
    private readonly Dictionary<Guid, (SyncStage Stage, long LastLine)> _runs = [];

    public void Report(SyncProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        lock (_runs)
        {
            var now = timeProvider.GetTimestamp();
            if (!_runs.TryGetValue(value.RunId, out var run))
            {
                var expected = value.ExpectedRecords is { } e ? string.Create(CultureInfo.InvariantCulture, $"; its last run read {e} records") : "";
                Write($"{value.Source}: started run {value.RunId} ({value.Mode.ToString().ToLowerInvariant()}{expected})");
                _runs[value.RunId] = (value.Stage, now);
                return;
            }

            if (value.Stage == SyncStage.Finished)
            {
                // The summary follows.
                _runs.Remove(value.RunId);
                return;
            }

            if (value.Stage != run.Stage)
            {
                Write($"{value.Source}: read, waiting for the hub: {SyncProgressDisplay.Counts(value)}");
                _runs[value.RunId] = (value.Stage, now);
            }
            else if (timeProvider.GetElapsedTime(run.LastLine) >= interval)
            {
                Write($"{value.Source}: {(value.Stage == SyncStage.Reading ? "reading" : "waiting for the hub")}: {SyncProgressDisplay.Counts(value)}");
                _runs[value.RunId] = (value.Stage, now);
            }
        }
    }

    private void Write(string line) =>
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{timeProvider.GetUtcNow():HH:mm:ss} {line}"));
}

/// <summary>A table on the terminal, a row a source, redrawn as each run goes.</summary>
internal sealed class LiveSyncProgress : IProgress<SyncProgress>
{
    // Short, and without borders, so a row fits an 80-column terminal while its numbers are small.
    private static readonly string[] Columns = ["System", "Stage", "Read", "Rejects", "Applied", "Linked", "Review", "Per s", "Left"];

    private readonly Table _table = new Table().NoBorder();
    private readonly Dictionary<string, int> _rows = new(StringComparer.Ordinal);
    private LiveDisplayContext? _context;

    private LiveSyncProgress()
    {
        foreach (var column in Columns)
        {
            var added = column is "System" or "Stage" ? new TableColumn(column).NoWrap() : new TableColumn(column).RightAligned();
            _table.AddColumn(added.PadLeft(0).PadRight(column == Columns[^1] ? 0 : 2));
        }
    }

    /// <summary>Shows the table while the work runs; it stays on the terminal afterwards, above what is written next.</summary>
    public static Task<T> ShowAsync<T>(IAnsiConsole console, Func<IProgress<SyncProgress>, Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(work);
        var display = new LiveSyncProgress();
        return console.Live(display._table).AutoClear(false).StartAsync(async context =>
        {
            display._context = context;
            return await work(display).ConfigureAwait(false);
        });
    }

    public void Report(SyncProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        lock (_rows)
        {
            string[] cells =
            [
                Markup.Escape(value.Source),
                value.Stage switch { SyncStage.Reading => "reading", SyncStage.Applying => "applying", _ => "[green]done[/]" },
                Number(value.Read),
                Number(value.Rejected),
                Number(value.Tally.Applied),
                Number(value.Tally.Linked),
                Number(value.Tally.Reviews),
                Number((int)value.RecordsPerSecond),
                value.Stage == SyncStage.Finished ? "" : value.TimeLeft is { } left ? left.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : "?",
            ];
            if (!_rows.TryGetValue(value.Source, out var row))
            {
                row = _table.Rows.Count;
                _rows[value.Source] = row;
                _table.AddRow(cells);
            }
            else
            {
                for (var column = 0; column < cells.Length; column++)
                {
                    _table.UpdateCell(row, column, cells[column]);
                }
            }

            _context?.Refresh();
        }
    }

    private static string Number(int value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
