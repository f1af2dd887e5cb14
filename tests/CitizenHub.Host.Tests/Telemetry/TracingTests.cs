using System.Diagnostics;
using CitizenHub.Hub.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace CitizenHub.Host.Tests.Telemetry;

/// <summary>The spans of a sync, exported in memory through the activity sources the hub exports by OTLP.</summary>
public sealed class TracingTests
{
    [Fact]
    public async Task Sync_EachBatchsApplySpan_IsUnderMassTransitsConsumeAndPublish_UnderTheRunnersSpan_InOneTrace()
    {
        var spans = new List<Activity>();
        await using var hub = new ServedHub();
        await hub.StartAsync(builder => builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing
            .AddSource([.. HubObservability.TraceSources])
            .AddInMemoryExporter(spans)));

        await hub.SyncEverySourceAsync();

        Activity[] exported;
        lock (spans)
        {
            exported = [.. spans];
        }

        var byId = exported.ToDictionary(s => s.SpanId);
        var runs = exported.Where(s => s.Source.Name == HubTelemetry.Name && s.OperationName == "citizenhub.sync").ToList();
        var applies = exported.Where(s => s.Source.Name == HubTelemetry.Name && s.OperationName == "citizenhub.apply").ToList();
        Assert.Equal(2, runs.Count);
        // Two batches of records per source (Sync.BatchSize 2).
        Assert.Equal(4, applies.Count);
        Assert.All(applies, apply =>
        {
            var chain = Ancestors(apply, byId).ToList();
            // apply ← MassTransit's consume ← MassTransit's publish ← the runner's run, the run at the root.
            Assert.Contains(chain, s => s.Source.Name == HubTelemetry.MassTransitActivitySource && s.Kind == ActivityKind.Consumer);
            Assert.Contains(chain, s => s.Source.Name == HubTelemetry.MassTransitActivitySource && s.Kind == ActivityKind.Producer);
            var root = chain[^1];
            Assert.Equal("citizenhub.sync", root.OperationName);
            Assert.Equal(root.GetTagItem("citizenhub.source"), apply.GetTagItem("citizenhub.source"));
            Assert.All(chain, s => Assert.Equal(apply.TraceId, s.TraceId));
        });
        // One trace a run: the two sources' batches are not mixed.
        Assert.Equal(2, applies.Select(a => a.TraceId).Distinct().Count());
    }

    private static IEnumerable<Activity> Ancestors(Activity span, Dictionary<ActivitySpanId, Activity> byId)
    {
        var current = span;
        while (current.ParentSpanId != default && byId.TryGetValue(current.ParentSpanId, out var parent))
        {
            yield return parent;
            current = parent;
        }
    }
}
