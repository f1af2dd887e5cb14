using System.Diagnostics;
using CitizenHub.Hub.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace CitizenHub.Host.Tests.Telemetry;

/// <summary>
/// The spans of a hub configured to export traces by OTLP (to a collector that is not there), read back by an in-memory
/// exporter added beside the hub's own.
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed class TracingTests
{
    [Fact]
    public async Task Sync_EachBatchsApplySpan_IsUnderMassTransitsConsumeAndPublish_UnderTheRunnersSpan_InOneTrace()
    {
        var spans = new List<Activity>();
        await using var hub = new ServedHub();
        await hub.StartAsync(builder => builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans)), otlp: NoCollector);

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

    [Fact]
    public async Task ApiRequest_ItsSpan_NamesTheRouteTemplateButNotTheCitizensId()
    {
        var spans = new List<Activity>();
        await using var hub = new ServedHub();
        await hub.StartAsync(builder => builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans)), otlp: NoCollector);
        await hub.SyncEverySourceAsync();
        var citizenId = await hub.App.Services.GetRequiredService<CitizenHub.Store.ICitizenStore>().ReadLinksAsync(CancellationToken.None).Select(l => l.CitizenId).FirstAsync();

        using (var agent = hub.Client("agent"))
        {
            (await agent.GetAsync(new Uri($"/citizens/{citizenId}?fields=all", UriKind.Relative))).EnsureSuccessStatusCode();
        }

        // The server's span ends as the request's pipeline ends, which may be just after the client has the answer.
        Activity? request = null;
        for (var tries = 0; request is null && tries < 50; tries++)
        {
            lock (spans)
            {
                request = spans.SingleOrDefault(s => s.Kind == ActivityKind.Server);
            }

            await Task.Delay(request is null ? 100 : 0);
        }

        Assert.NotNull(request);

        Assert.Equal("/citizens/{id}", request.GetTagItem("http.route"));
        Assert.Equal(200, request.GetTagItem("http.response.status_code"));
        Assert.DoesNotContain(citizenId, request.DisplayName, StringComparison.Ordinal);
        Assert.All(request.TagObjects, tag => Assert.DoesNotContain(citizenId, tag.Value?.ToString() ?? "", StringComparison.Ordinal));
    }

    /// <summary>An OTLP endpoint nothing listens on: the hub traces as it would for a collector; the export fails quietly.</summary>
    private const string NoCollector = "http://127.0.0.1:9";

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
