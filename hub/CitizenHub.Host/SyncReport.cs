using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using CitizenHub.Hub;

namespace CitizenHub.Host;

/// <summary>
/// What <c>citizenhub sync</c> says of its runs: the lines it prints, and the JSON summary <c>--summary FILE</c> writes for
/// whoever reads the night's run in the morning (a person, a monitoring script). Both say the same, so a run that changed
/// nothing reads differently from one that did.
/// </summary>
internal static class SyncReport
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static async Task WriteSummaryAsync(SyncRunSummary summary, TextWriter output, TextWriter error)
    {
        // A source that could not be read must not look like an empty one: the outcome comes first.
        var outcome = summary.Failed ? "FAILED, " : summary.Refused is not null ? "REFUSED, " : "";
        var duplicates = summary.DuplicateKeys > 0 ? $" ({summary.DuplicateKeys} duplicate keys)" : "";
        await output.WriteLineAsync(string.Create(
            CultureInfo.InvariantCulture,
            $"{summary.Source}: {outcome}{summary.Records} records, {summary.Rejects} rejected{duplicates}, {summary.Removed} removed, {summary.Batches} batches, {summary.FailedBatches} failed, {summary.Elapsed.TotalSeconds:0.0} s ({summary.Mode.ToString().ToLowerInvariant()}{(summary.DryRun ? ", dry run: nothing was changed" : "")})")).ConfigureAwait(false);
        // A full extract the hub holds as it is sends no batch, and is still a night that changed nothing.
        if (summary.Batches > 0 || summary.Tally.Unchanged > 0)
        {
            await output.WriteLineAsync($"  {(summary.DryRun ? "would apply" : "applied")}: {Applied(summary)}").ConfigureAwait(false);
        }

        if ((summary.Error ?? summary.Refused) is { } why)
        {
            await output.WriteLineAsync($"  {(summary.Failed ? "failed" : "refused")}: {why}").ConfigureAwait(false);
        }

        if (summary.Resumed is not null)
        {
            await output.WriteLineAsync($"  resumed: {summary.Resumed}").ConfigureAwait(false);
        }

        if (Cursor(summary) is { } cursor)
        {
            await output.WriteLineAsync($"  cursor: {cursor}").ConfigureAwait(false);
        }

        if (summary.RejectsFile is not null)
        {
            await output.WriteLineAsync($"  rejects: {summary.RejectsFile}").ConfigureAwait(false);
        }

        if (summary.Warning is not null)
        {
            await output.WriteLineAsync($"  warning: {summary.Warning}").ConfigureAwait(false);
        }

        if ((summary.Error ?? summary.Refused) is { } reason)
        {
            await error.WriteLineAsync($"citizenhub: {summary.Source}: {reason}").ConfigureAwait(false);
        }
    }

    /// <summary>Writes the run's JSON summary, replacing the file whole (a reader never sees half of one).</summary>
    /// <param name="reason">Why the command stopped before or between its sources, if it did (a usage error, a locked store).</param>
    public static async Task WriteFileAsync(
        string path, IReadOnlyList<SyncRunSummary> summaries, int exitCode, string? reason, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var document = new SummaryDocument(
            at,
            exitCode,
            exitCode switch
            {
                CitizenHubCli.Succeeded => "Succeeded",
                CitizenHubCli.Refused => "Refused",
                CitizenHubCli.UsageError => "UsageError",
                _ => "Failed",
            },
            reason,
            [.. summaries.Select(SourceSummary.Of)]);
        var fullPath = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        var partial = fullPath + ".partial";
        await using (var stream = File.Create(partial))
        {
            await JsonSerializer.SerializeAsync(stream, document, Json, cancellationToken).ConfigureAwait(false);
        }

        File.Move(partial, fullPath, overwrite: true);
    }

    private static string Applied(SyncRunSummary summary)
    {
        var t = summary.Tally;
        if (t.Applied == 0 && !summary.Failed)
        {
            return string.Create(CultureInfo.InvariantCulture, $"nothing changed ({t.Unchanged} records unchanged)");
        }

        return string.Create(
            CultureInfo.InvariantCulture,
            $"{t.Added} added, {t.Updated} updated, {t.Unchanged} unchanged, {t.Removed} removed; {t.CitizensCreated} citizens created, {t.Linked} linked, {t.Merged} merged, {t.Split} split, {t.Reviews} sent for review");
    }

    private static string? Cursor(SyncRunSummary summary)
    {
        if (summary.CursorBefore is null && summary.CursorAfter is null)
        {
            return null;
        }

        return summary.CursorAfter == summary.CursorBefore
            ? $"not moved ({Short(summary.CursorAfter)})"
            : $"{Short(summary.CursorBefore)} -> {Short(summary.CursorAfter)}";
    }

    /// <summary>A cursor to read at a glance: a drop folder's lists every file it applied, which the JSON summary gives whole.</summary>
    private static string Short(string? cursor) =>
        cursor is null ? "the start" : cursor.Length <= 48 ? cursor : string.Concat(cursor.AsSpan(0, 45), "...");

    private sealed record SummaryDocument(DateTimeOffset FinishedAt, int ExitCode, string Outcome, string? Reason, IReadOnlyList<SourceSummary> Sources)
    {
        /// <summary>Every source's run was a dry run: the counts are what would have happened.</summary>
        public bool DryRun => Sources.Count > 0 && Sources.All(s => s.DryRun);
    }

    private sealed record SourceSummary(
        string Source,
        Guid RunId,
        string Mode,
        string Outcome,
        string? Reason,
        DateTimeOffset StartedAt,
        double DurationSeconds,
        double ReadSeconds,
        int Read,
        int Rejected,
        int DuplicateKeys,
        int Applied,
        int Added,
        int Updated,
        int Unchanged,
        int Removed,
        int CitizensCreated,
        int Linked,
        int Merged,
        int Split,
        int SentForReview,
        int Batches,
        int FailedBatches,
        string? RejectsFile,
        string? CursorBefore,
        string? CursorAfter,
        string? Resumed,
        string? Warning,
        bool DryRun)
    {
        public static SourceSummary Of(SyncRunSummary s) => new(
            s.Source,
            s.RunId,
            s.Mode.ToString().ToLowerInvariant(),
            s.Outcome,
            s.Error ?? s.Refused,
            s.StartedAt,
            Math.Round(s.Elapsed.TotalSeconds, 3),
            Math.Round(s.ReadElapsed.TotalSeconds, 3),
            s.Records,
            s.Rejects,
            s.DuplicateKeys,
            s.Tally.Applied,
            s.Tally.Added,
            s.Tally.Updated,
            s.Tally.Unchanged,
            s.Tally.Removed,
            s.Tally.CitizensCreated,
            s.Tally.Linked,
            s.Tally.Merged,
            s.Tally.Split,
            s.Tally.Reviews,
            s.Batches,
            s.FailedBatches,
            s.RejectsFile,
            s.CursorBefore,
            s.CursorAfter,
            s.Resumed,
            s.Warning,
            s.DryRun);
    }
}
