using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace CitizenHub.Hub.Telemetry;

/// <summary>
/// Metrics and traces (docs/observability.md).
/// <code>
/// "Telemetry": {
///   "Metrics": { "Enabled": true, "RequireAdmin": false, "StoreReadInterval": "00:00:30" },
///   "Otlp": { "Endpoint": "http://otel-collector.council.local:4317", "Protocol": "Grpc" }
/// }
/// </code>
/// </summary>
public sealed class TelemetryOptions
{
    [Required]
    [ValidateObjectMembers]
    public MetricsOptions Metrics { get; set; } = new();

    [Required]
    [ValidateObjectMembers]
    public OtlpOptions Otlp { get; set; } = new();
}

/// <summary>The Prometheus scrape endpoint of <c>citizenhub serve</c>, <c>/metrics</c>.</summary>
public sealed class MetricsOptions
{
    /// <summary>Whether <c>serve</c> answers <c>/metrics</c>. <value>The default is true.</value></summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Whether <c>/metrics</c> needs an admin's API key or token, as <c>/sources</c> does. The metrics name no one (their
    /// labels are source names, route templates, status codes, kinds and outcomes), so by default a scraper on the
    /// operations network reads them without a key, as it reads <c>/health</c>. <value>The default is false.</value>
    /// </summary>
    public bool RequireAdmin { get; set; }

    /// <summary>
    /// How often <c>serve</c> reads the store for the gauges drawn from it (each source's last run, records held, messages
    /// pending, open reviews): a scrape reads what was last read, never the store itself.
    /// <value>The default is 30 seconds.</value>
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan StoreReadInterval { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>An OpenTelemetry collector to export traces and metrics to, by OTLP.</summary>
public sealed class OtlpOptions
{
    /// <summary>
    /// The collector's address, e.g. <c>http://otel-collector:4317</c> (gRPC) or <c>http://otel-collector:4318</c>
    /// (HTTP). <value>The default is none: nothing is exported.</value>
    /// </summary>
    [Url]
    public string? Endpoint { get; set; }

    /// <summary><c>Grpc</c> or <c>HttpProtobuf</c>. <value>The default is <c>Grpc</c>.</value></summary>
    public OtlpProtocol Protocol { get; set; } = OtlpProtocol.Grpc;
}

public enum OtlpProtocol
{
    Grpc,
    HttpProtobuf,
}
