using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace CitizenHub.Hub.Telemetry;

/// <summary>
/// The meter and activity source the hub owns, and its instruments (docs/observability.md lists each). Every tag is a
/// source's name, a message kind or an outcome: never a record's value, key or a citizen id.
/// </summary>
/// <remarks>
/// Static, as <see cref="Meter"/>s and <see cref="ActivitySource"/>s usually are: a listener (OpenTelemetry's providers)
/// subscribes by name. The recording methods throw nothing.
/// </remarks>
public static class HubTelemetry
{
    /// <summary>The name of the hub's <see cref="Meter"/> and <see cref="ActivitySource"/>.</summary>
    public const string Name = "CitizenHub";

    /// <summary>The activity source MassTransit 8 starts its send, publish and consume activities on.</summary>
    public const string MassTransitActivitySource = "MassTransit";

    public static readonly Meter Meter = new(Name, typeof(HubTelemetry).Assembly.GetName().Version?.ToString());

    public static readonly ActivitySource ActivitySource = new(Name, typeof(HubTelemetry).Assembly.GetName().Version?.ToString());

    private static readonly Counter<long> RecordsRead = Meter.CreateCounter<long>(
        "citizenhub.sync.records.read", "{record}", "Records a sync run read from its source and published to the hub.");

    private static readonly Counter<long> RecordsRejected = Meter.CreateCounter<long>(
        "citizenhub.sync.records.rejected", "{record}", "Inputs a sync run rejected (bad rows, duplicate keys), written to its rejects file.");

    private static readonly Histogram<double> SyncDuration = Meter.CreateHistogram<double>(
        "citizenhub.sync.duration", "s", "How long a sync run took, from its start until the hub had applied every message.");

    private static readonly Counter<long> RecordsApplied = Meter.CreateCounter<long>(
        "citizenhub.hub.records.applied", "{record}", "Records of the batches the hub applied to the store.");

    private static readonly Histogram<double> BatchDuration = Meter.CreateHistogram<double>(
        "citizenhub.hub.batch.duration", "s", "How long the hub took to apply one message (a batch of records or of removals).");

    private static readonly Histogram<double> ResolvePhaseDuration = Meter.CreateHistogram<double>(
        "citizenhub.hub.resolve.phase.duration", "s",
        "Where applying one message goes: reading its snapshot (read), the identity engine deciding (decide), writing its change set (write) and committing (commit).");

    /// <summary>The phases of resolving one message, as <see cref="RecordResolvePhase"/> tags them.</summary>
    public static class ResolvePhase
    {
        public const string Read = "read";
        public const string Decide = "decide";
        public const string Write = "write";
        public const string Commit = "commit";
    }

    /// <summary>Counts the time one phase of resolving a message took (<see cref="ResolvePhase"/>).</summary>
    public static void RecordResolvePhase(string phase, TimeSpan elapsed) =>
        ResolvePhaseDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("phase", phase));

    /// <summary>A sync run's span: the parent of its publishes, so each batch's trace starts at the run.</summary>
    public static Activity? StartSyncRun(string source, Guid runId)
    {
        var activity = ActivitySource.StartActivity("citizenhub.sync", ActivityKind.Internal);
        activity?.SetTag("citizenhub.source", source);
        activity?.SetTag("citizenhub.run_id", runId.ToString());
        return activity;
    }

    /// <summary>Counts a finished sync run: its records, rejects and duration, by source and outcome.</summary>
    public static void RecordSyncRun(SyncRunSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var source = new KeyValuePair<string, object?>("source", summary.Source);
        RecordsRead.Add(summary.Records, source);
        RecordsRejected.Add(summary.Rejects, source);
        SyncDuration.Record(summary.Elapsed.TotalSeconds, source, new KeyValuePair<string, object?>("outcome", summary.Outcome.ToLowerInvariant()));
        Activity.Current?.SetTag("citizenhub.outcome", summary.Outcome.ToLowerInvariant());
    }

    /// <summary>The hub's span for applying one message, under MassTransit's consume activity.</summary>
    public static Activity? StartApply(string kind, string source)
    {
        var activity = ActivitySource.StartActivity("citizenhub.apply", ActivityKind.Internal);
        activity?.SetTag("citizenhub.kind", kind);
        activity?.SetTag("citizenhub.source", source);
        return activity;
    }

    /// <summary>Counts one applied message: how long it took, by kind; and for a batch of records, its records, by source.</summary>
    public static void RecordApplied(string kind, string source, int records, TimeSpan elapsed)
    {
        BatchDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("kind", kind));
        if (records > 0)
        {
            RecordsApplied.Add(records, new KeyValuePair<string, object?>("source", source));
        }
    }
}
