using CitizenHub.Adapters;
using CitizenHub.Host;
using CitizenHub.Hub;

namespace CitizenHub.Bench.Commands;

/// <summary>How a benchmark syncs its generated sources: as <c>citizenhub sync</c> does, each source's summary written as it finishes.</summary>
internal static class BenchSync
{
    /// <summary>Every source, one after another; into a store holding no record, a first load (its search indexes built once at the end).</summary>
    public static Task<IReadOnlyList<SyncRunSummary>> RunEachAsync(
        SyncRunner runner, IReadOnlyList<SourceDefinition> sources, TextWriter output, TextWriter error, CancellationToken cancellationToken) =>
        runner.RunEachAsync(sources, summary => SyncReport.WriteSummaryAsync(summary, output, error), cancellationToken);
}
