using System.Net;
using System.Text.RegularExpressions;
using CitizenHub.Store;
using CitizenHub.TestKit;
using Microsoft.Extensions.DependencyInjection;

namespace CitizenHub.Host.Tests.Telemetry;

/// <summary><c>/metrics</c> of <c>citizenhub serve</c>, scraped as Prometheus does after a sync and some API calls.</summary>
[Collection(TelemetryCollection.Name)]
public sealed partial class MetricsEndpointTests
{
    /// <summary>Values of <see cref="TwoSources"/> that name a person, as written and as asked for.</summary>
    private static readonly string[] PersonalData = ["Hughes", "HUGHES", "Margaret", "PEGGY", "Okafor", "JG103792A", "JG 10 37 92 A", "04/03/1950", "1950-03-04", "ST16 2AB", "st162ab", "CT001", "HB-1"];

    [Fact]
    public async Task Metrics_AfterASyncAndApiCalls_ShowTheHubsMetricsAndRouteTemplatesButNoOnesData()
    {
        await using var hub = new ServedHub();
        await hub.StartAsync();
        await hub.SyncEverySourceAsync();
        var store = hub.App.Services.GetRequiredService<ICitizenStore>();
        var citizenId = await store.ReadLinksAsync(CancellationToken.None).Select(l => l.CitizenId).FirstAsync();
        using (var agent = hub.Client("agent"))
        {
            Assert.Equal(HttpStatusCode.OK, (await agent.GetAsync(new Uri($"/citizens/{citizenId}", UriKind.Relative))).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await agent.GetAsync(new Uri("/citizens/0000000000000000000000000000dead", UriKind.Relative))).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await agent.GetAsync(new Uri("/citizens?family=Hughes&dob=1950-03-04", UriKind.Relative))).StatusCode);
        }

        // The store's gauges are read every second (Telemetry.Metrics.StoreReadInterval): the last runs appear by then.
        var text = await ScrapeUntilAsync(hub, t => t.Contains("citizenhub_sync_last_run_records{", StringComparison.Ordinal));

        // Runner-side and hub-side instruments, by source.
        Assert.Matches(@"citizenhub_sync_records_read_total\{[^}]*source=""council-tax""[^}]*\} 3\b", text);
        Assert.Matches(@"citizenhub_sync_records_rejected_total\{[^}]*source=""council-tax""[^}]*\} 1\b", text);
        Assert.Matches(@"citizenhub_hub_records_applied_total\{[^}]*source=""housing-benefits""[^}]*\} 3\b", text);
        Assert.Matches(@"citizenhub_sync_duration_seconds_count\{[^}]*outcome=""succeeded""[^}]*source=""council-tax""[^}]*\} 1\b", text);
        Assert.Matches(@"citizenhub_hub_batch_duration_seconds_count\{[^}]*kind=""records""[^}]*\} 4\b", text);
        // Where each message's time went: every phase of every message applied (the four batches at least).
        Assert.All(
            ["read", "decide", "write", "commit"],
            phase => Assert.Matches($@"citizenhub_hub_resolve_phase_duration_seconds_count\{{[^}}]*phase=""{phase}""[^}}]*\}} ([4-9]|\d\d+)\b", text));
        // The last run of each source, from the store, as a scrape of serve after the nightly sync process shows it.
        Assert.Matches(@"citizenhub_sync_last_run_records\{[^}]*source=""housing-benefits""[^}]*\} 3\b", text);
        Assert.Matches(@"citizenhub_sync_last_run_rejected\{[^}]*source=""council-tax""[^}]*\} 1\b", text);
        Assert.Matches(@"citizenhub_sync_last_run_outcome\{[^}]*outcome=""completed""[^}]*source=""council-tax""[^}]*\} 1\b", text);
        Assert.Matches(@"citizenhub_sync_last_run_age_seconds\{[^}]*source=""council-tax""[^}]*\} ", text);
        Assert.Matches(@"citizenhub_store_records_held\{[^}]*source=""council-tax""[^}]*\} 3\b", text);
        Assert.Matches(@"citizenhub_bus_pending\{[^}]*source=""council-tax""[^}]*\} 0\b", text);
        Assert.Matches(@"citizenhub_review_open\{[^}]*\} \d+", text);
        // Requests by route template and status: the found citizen and the unknown one are one series each, by status.
        Assert.Matches(@"http_server_request_duration_seconds_count\{[^}]*http_response_status_code=""200""[^}]*http_route=""/citizens/\{id\}""[^}]*\} 1\b", text);
        Assert.Matches(@"http_server_request_duration_seconds_count\{[^}]*http_response_status_code=""404""[^}]*http_route=""/citizens/\{id\}""[^}]*\} 1\b", text);
        Assert.DoesNotContain(citizenId, text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("dead", text, StringComparison.Ordinal);
        Assert.All(PersonalData, value => Assert.DoesNotContain(value, text, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Metrics_EveryLabel_IsASourceARouteAStatusOrAnotherClosedSetNeverAPersonsValue()
    {
        await using var hub = new ServedHub();
        await hub.StartAsync();
        await hub.SyncEverySourceAsync();
        using (var agent = hub.Client("agent"))
        {
            await agent.GetAsync(new Uri("/citizens?family=Hughes&given=Margaret", UriKind.Relative));
        }

        var text = await ScrapeUntilAsync(hub, t => t.Contains("citizenhub_sync_last_run_records{", StringComparison.Ordinal));

        // Every label of the hub's own series, by name and value: the names a closed list, the values source names,
        // routes, statuses and outcomes (otel_scope_* and the target's labels name the instrumentation and the program).
        var labels = Label().Matches(text).Select(m => (Name: m.Groups["name"].Value, Value: m.Groups["value"].Value)).ToList();
        Assert.NotEmpty(labels);
        var unexpected = labels.Where(l => !IsExpected(l.Name, l.Value)).Distinct().ToList();
        Assert.Empty(unexpected);
    }

    [Fact]
    public async Task Metrics_WhenRequireAdmin_RefuseAScraperWithoutTheAdminsKey()
    {
        await using var hub = new ServedHub();
        await hub.StartAsync(metrics: new System.Text.Json.Nodes.JsonObject { ["RequireAdmin"] = true });
        using var anonymous = hub.Client();
        using var agent = hub.Client("agent");
        using var admin = hub.Client("admin");

        var refused = await anonymous.GetAsync(new Uri("/metrics", UriKind.Relative));
        var forbidden = await agent.GetAsync(new Uri("/metrics", UriKind.Relative));
        var allowed = await admin.GetAsync(new Uri("/metrics", UriKind.Relative));

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden, HttpStatusCode.OK), (refused.StatusCode, forbidden.StatusCode, allowed.StatusCode));
    }

    private static bool IsExpected(string name, string value) => name switch
    {
        "source" => value is "council-tax" or "housing-benefits",
        "outcome" => value is "succeeded" or "failed" or "refused" or "running" or "completed",
        "kind" => value is "records" or "removals",
        "phase" => value is "read" or "decide" or "write" or "commit",
        "http_route" => value.StartsWith('/') && !value.Contains("Hughes", StringComparison.OrdinalIgnoreCase),
        "http_response_status_code" => int.TryParse(value, out _),
        "http_request_method" => value is "GET" or "POST" or "PUT" or "DELETE" or "PATCH" or "HEAD" or "OPTIONS" or "_OTHER",
        "url_scheme" => value is "http" or "https",
        "network_protocol_version" => value is "1.1" or "2" or "3",
        "error_type" => !value.Contains(' ', StringComparison.Ordinal),
        "le" => true,
        // ASP.NET Core's authentication and authorization meters: schemes, policies, results, all the hub's own names.
        _ when name.StartsWith("aspnetcore_", StringComparison.Ordinal) => Word().IsMatch(value),
        // target_info: the program, its version and this run of it.
        "service_name" => value == "citizenhub",
        "service_version" or "service_instance_id" => !value.Contains(' ', StringComparison.Ordinal),
        _ => name.StartsWith("otel_scope_", StringComparison.Ordinal) || name.StartsWith("telemetry_sdk_", StringComparison.Ordinal),
    };

    private static async Task<string> ScrapeUntilAsync(ServedHub hub, Func<string, bool> ready)
    {
        using var scraper = hub.Client();
        var deadline = TimeProvider.System.GetTimestamp();
        while (true)
        {
            var response = await scraper.GetAsync(new Uri("/metrics", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
            var text = await response.Content.ReadAsStringAsync();
            if (ready(text) || TimeProvider.System.GetElapsedTime(deadline) > TimeSpan.FromSeconds(20))
            {
                return text;
            }

            await Task.Delay(200);
        }
    }

    [GeneratedRegex(@"^[A-Za-z0-9_.:-]*$")]
    private static partial Regex Word();

    [GeneratedRegex(@"(?<name>[a-zA-Z_][a-zA-Z0-9_]*)=""(?<value>(?:[^""\\]|\\.)*)""")]
    private static partial Regex Label();
}
