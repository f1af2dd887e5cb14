using System.Diagnostics.Metrics;
using CitizenHub.Matching.Identity;
using CitizenHub.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CitizenHub.Hub.Telemetry;

/// <summary>
/// Gauges drawn from the store, for <c>citizenhub serve</c>: each source's last sync run (the nightly <c>sync</c> is a
/// process of its own that has ended by the time anyone scrapes, so its runs are read back from where it recorded them),
/// the records each source has linked, the messages of runs in progress not yet applied, and the stewards' open reviews.
/// The store is read every <see cref="MetricsOptions.StoreReadInterval"/> in the background; a scrape reports the last
/// reading and never waits on the store.
/// </summary>
/// <remarks>A reading that fails (the store away) is logged by its exception's type and the last good one is kept.</remarks>
public sealed class StoreGauges : BackgroundService
{
    /// <summary>Open reviews are counted a page at a time: the store has no count of its own.</summary>
    private const int ReviewPage = 1000;

    private readonly ICitizenStore _store;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly ILogger<StoreGauges> _logger;
    private volatile Reading? _reading;

    public StoreGauges(ICitizenStore store, IOptions<CitizenHubOptions> options, TimeProvider time, IMeterFactory meters, ILogger<StoreGauges> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(meters);
        _store = store;
        _time = time;
        _interval = options.Value.Telemetry.Metrics.StoreReadInterval;
        _logger = logger;
        // A meter of this host's own (disposed with it), under the hub's meter name: two hosts in one process (tests)
        // each report their own store.
        var meter = meters.Create(HubTelemetry.Name);
        meter.CreateObservableGauge("citizenhub.sync.last_run.records", () => PerSource(s => s.LastRunRecords), "{record}", "Records the source's last sync run read.");
        meter.CreateObservableGauge("citizenhub.sync.last_run.rejected", () => PerSource(s => s.LastRunRejects), "{record}", "Inputs the source's last sync run rejected.");
        meter.CreateObservableGauge("citizenhub.sync.last_run.duration", () => PerSource(Duration), "s", "How long the source's last finished sync run took.");
        meter.CreateObservableGauge("citizenhub.sync.last_run.age", LastRunAge, "s", "Time since the source's last sync run finished (or started, while it runs).");
        meter.CreateObservableGauge("citizenhub.sync.last_run.outcome", Outcomes, "1", "1 for the source's last sync run's outcome: running, completed, failed or refused.");
        meter.CreateObservableGauge("citizenhub.store.records.held", () => PerSource(s => (long?)s.RecordsHeld), "{record}", "Source records the store holds, linked to citizens, by source.");
        meter.CreateObservableGauge("citizenhub.bus.pending", () => PerSource(s => _reading?.Pending.GetValueOrDefault(s.SourceSystem)), "{message}", "Messages of sync runs in progress that the hub has not yet applied or failed.");
        meter.CreateObservableGauge("citizenhub.review.open", () => _reading is { } r ? [new Measurement<long>(r.OpenReviews)] : Array.Empty<Measurement<long>>(), "{review}", "Review items waiting for a steward.");
    }

    /// <summary>Reads the store once now (the background loop does so every interval).</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var sources = await _store.GetSourcesAsync(cancellationToken).ConfigureAwait(false);
        var pending = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var source in sources.Where(s => s is { LastRunStatus: "Running", LastRunId: not null }))
        {
            // Known once the runner has said how many it published (at the end of its reads); until then none are counted.
            if (await _store.GetRunAsync(source.LastRunId!.Value, cancellationToken).ConfigureAwait(false) is { ExpectedMessages: { } expected } run)
            {
                pending[source.SourceSystem] = Math.Max(0, expected - run.AppliedMessages - run.FailedMessages);
            }
        }

        long open = 0;
        long? after = null;
        while (true)
        {
            var page = await _store.GetReviewsAsync(new ReviewQuery(ReviewStatus.Open, ReviewPage) { After = after }, cancellationToken).ConfigureAwait(false);
            open += page.Count;
            if (page.Count < ReviewPage)
            {
                break;
            }

            after = page[^1].ReviewId;
        }

        _reading = new Reading(sources, pending, open);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RefreshAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _logger.LogWarning("Could not read the store for the metrics ({ExceptionType}); the last reading stands", ex.GetType().Name);
            }

            try
            {
                await Task.Delay(_interval, _time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private IEnumerable<Measurement<long>> PerSource(Func<SourceStatus, long?> value) =>
        (_reading?.Sources ?? []).Where(s => value(s) is not null).Select(s => new Measurement<long>(value(s)!.Value, Tag("source", s.SourceSystem)));

    private IEnumerable<Measurement<double>> PerSource(Func<SourceStatus, double?> value) =>
        (_reading?.Sources ?? []).Where(s => value(s) is not null).Select(s => new Measurement<double>(value(s)!.Value, Tag("source", s.SourceSystem)));

    private static double? Duration(SourceStatus source) =>
        source is { LastRunStartedAt: { } started, LastRunCompletedAt: { } completed } ? (completed - started).TotalSeconds : null;

    private IEnumerable<Measurement<double>> LastRunAge()
    {
        var now = _time.GetUtcNow();
        return PerSource(s => (s.LastRunCompletedAt ?? s.LastRunStartedAt) is { } at ? (now - at).TotalSeconds : null);
    }

    private IEnumerable<Measurement<long>> Outcomes() =>
        (_reading?.Sources ?? []).Where(s => s.LastRunStatus is not null).Select(s => new Measurement<long>(
            1, Tag("source", s.SourceSystem), Tag("outcome", s.LastRunStatus!.ToLowerInvariant())));

    private static KeyValuePair<string, object?> Tag(string name, string value) => new(name, value);

    private sealed record Reading(IReadOnlyList<SourceStatus> Sources, IReadOnlyDictionary<string, long> Pending, long OpenReviews);
}
