using System.Diagnostics;
using CitizenHub.Adapters;
using CitizenHub.Host;
using CitizenHub.Hub;
using CitizenHub.Matching.Identity;
using CitizenHub.Store;
using Microsoft.Extensions.DependencyInjection;

namespace CitizenHub.Bench.Commands;

/// <summary>How a benchmark syncs its generated sources: as <c>citizenhub sync</c> does, each source's summary written as it finishes.</summary>
internal static class BenchSync
{
    /// <summary>Every source, one after another; into a store holding no record, a first load (its search indexes built once at the end).</summary>
    public static Task<IReadOnlyList<SyncRunSummary>> RunEachAsync(
        SyncRunner runner, IReadOnlyList<SourceDefinition> sources, TextWriter output, TextWriter error, CancellationToken cancellationToken) =>
        runner.RunEachAsync(sources, summary => SyncReport.WriteSummaryAsync(summary, output, error), cancellationToken);

    /// <summary>
    /// Syncs every source of a configuration into its store with a worker host, as <c>citizenhub sync</c> does, and reads
    /// back every link and the open reviews: what a benchmark scores. <paramref name="reverseSources"/> syncs the sources
    /// last first, as a council whose systems' extracts land in another order would.
    /// </summary>
    public static async Task<SyncedLinks> SyncAndReadAsync(HubConfiguration hub, TextWriter output, TextWriter error, CancellationToken cancellationToken, bool reverseSources = false)
    {
        var links = new List<RecordLink>();
        var stopwatch = Stopwatch.StartNew();
        using var host = HubComposition.BuildWorker(hub);
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        var runner = host.Services.GetRequiredService<SyncRunner>();
        var sources = reverseSources ? [.. hub.Catalog.Sources.Reverse()] : hub.Catalog.Sources;
        var summaries = await RunEachAsync(runner, sources, output, error, cancellationToken).ConfigureAwait(false);
        stopwatch.Stop();
        var store = host.Services.GetRequiredService<ICitizenStore>();
        await foreach (var link in store.ReadLinksAsync(cancellationToken).ConfigureAwait(false))
        {
            links.Add(new RecordLink(link.CitizenId, link.SourceSystem, link.SourceKey));
        }

        var reviews = await OpenReviewsAsync(store, cancellationToken).ConfigureAwait(false);
        await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
        return new SyncedLinks(summaries, links, reviews, stopwatch.Elapsed);
    }

    private static async Task<List<ReviewItem>> OpenReviewsAsync(ICitizenStore store, CancellationToken cancellationToken)
    {
        var reviews = new List<ReviewItem>();
        while (true)
        {
            var page = await store.GetReviewsAsync(
                new ReviewQuery(ReviewStatus.Open, 1000) { After = reviews.Count == 0 ? null : reviews[^1].ReviewId }, cancellationToken).ConfigureAwait(false);
            reviews.AddRange(page);
            if (page.Count < 1000)
            {
                return reviews;
            }
        }
    }
}

/// <summary>What a benchmark's sync left: each source's summary, every link, the open reviews, and the time the sync took.</summary>
internal sealed record SyncedLinks(IReadOnlyList<SyncRunSummary> Summaries, IReadOnlyList<RecordLink> Links, IReadOnlyList<ReviewItem> OpenReviews, TimeSpan Elapsed);
