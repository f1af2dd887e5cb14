using System.Reflection;
using CitizenHub.Api.Access;
using CitizenHub.Hub.Telemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace CitizenHub.Host;

/// <summary>The hub's metrics and traces, from the <c>Telemetry</c> section (docs/observability.md).</summary>
internal static class HubObservability
{
    /// <summary>The activity sources a trace of one batch is made of: the runner's and the hub's spans, and MassTransit's publish and consume between them.</summary>
    public static IReadOnlyList<string> TraceSources { get; } = [HubTelemetry.Name, HubTelemetry.MassTransitActivitySource];

    /// <param name="serve">The API is served: its requests are measured, and <c>/metrics</c> and the store's gauges are on when enabled.</param>
    public static void Add(IServiceCollection services, TelemetryOptions telemetry, bool serve)
    {
        var scraped = serve && telemetry.Metrics.Enabled;
        var otlp = telemetry.Otlp.Endpoint is { Length: > 0 } endpoint ? new Uri(endpoint) : null;
        if (!scraped && otlp is null)
        {
            return;
        }

        var version = typeof(HubObservability).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        var builder = services.AddOpenTelemetry().ConfigureResource(resource => resource.AddService("citizenhub", serviceVersion: version));
        builder.WithMetrics(metrics =>
        {
            metrics.AddMeter(HubTelemetry.Name);
            if (serve)
            {
                // ASP.NET Core's own http.server.request.duration, labelled by route template (http.route) and status:
                // never the path itself, so no citizen id becomes a label.
                metrics.AddAspNetCoreInstrumentation();
            }

            if (scraped)
            {
                metrics.AddPrometheusExporter();
            }

            if (otlp is not null)
            {
                metrics.AddOtlpExporter(exporter => Configure(exporter, otlp, telemetry.Otlp.Protocol));
            }
        });
        if (otlp is not null)
        {
            // Traces only when they go somewhere: an activity per message is not free.
            builder.WithTracing(tracing =>
            {
                tracing.AddSource([.. TraceSources]);
                if (serve)
                {
                    // The span is named by the route template (GET /citizens/{id}) and carries it as http.route; the
                    // path and query themselves hold a citizen's id or a search's name, so they are not kept.
                    tracing.AddAspNetCoreInstrumentation(aspNetCore => aspNetCore.EnrichWithHttpRequest = (activity, _) =>
                    {
                        activity.SetTag("url.path", null);
                        activity.SetTag("url.query", null);
                    });
                }

                tracing.AddOtlpExporter(exporter => Configure(exporter, otlp, telemetry.Otlp.Protocol));
            });
        }

        if (scraped)
        {
            services.AddSingleton<StoreGauges>();
            services.AddHostedService(provider => provider.GetRequiredService<StoreGauges>());
        }
    }

    /// <summary>Maps <c>/metrics</c> when <c>serve</c> scrapes: open to a scraper unless <c>Telemetry.Metrics.RequireAdmin</c>.</summary>
    public static void Map(WebApplication app, TelemetryOptions telemetry)
    {
        if (!telemetry.Metrics.Enabled)
        {
            return;
        }

        // Operations' endpoint, no part of the Customer View API's document (docs/observability.md describes it).
        var endpoint = app.MapPrometheusScrapingEndpoint().ExcludeFromDescription();
        if (telemetry.Metrics.RequireAdmin)
        {
            endpoint.RequireAuthorization(ApiPolicies.Admin);
        }
        else
        {
            endpoint.AllowAnonymous();
        }
    }

    private static void Configure(OtlpExporterOptions exporter, Uri endpoint, OtlpProtocol protocol)
    {
        exporter.Endpoint = endpoint;
        exporter.Protocol = protocol == OtlpProtocol.HttpProtobuf ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
    }
}
