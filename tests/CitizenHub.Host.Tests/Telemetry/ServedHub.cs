using System.Text.Json.Nodes;
using CitizenHub.Adapters.Testing;
using CitizenHub.Hub;
using CitizenHub.TestKit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace CitizenHub.Host.Tests.Telemetry;

/// <summary>
/// <see cref="TwoSources"/> served as <c>citizenhub serve</c> composes it (the API on an in-memory server, a key per role),
/// the store's gauges read every second, and its sources synced as <c>citizenhub sync</c> runs them.
/// </summary>
internal sealed class ServedHub : IAsyncDisposable
{
    private readonly TempDirectory _folder = new();
    private WebApplication? _app;

    public WebApplication App => _app!;

    /// <param name="otlp">Telemetry.Otlp.Endpoint: with it the hub traces, as it does for a collector.</param>
    public async Task StartAsync(Action<WebApplicationBuilder>? customize = null, JsonObject? metrics = null, string? otlp = null)
    {
        var config = JsonNode.Parse(File.ReadAllText(TwoSources.WriteTo(_folder)))!.AsObject();
        config["Api"] = ApiCallers.Section();
        config["Telemetry"] = new JsonObject
        {
            ["Metrics"] = metrics ?? new JsonObject { ["StoreReadInterval"] = "00:00:01" },
            ["Otlp"] = new JsonObject { ["Endpoint"] = otlp },
        };
        var path = _folder.Write("citizenhub.json", config.ToJsonString());
        _app = HubComposition.BuildWebApplication(HubComposition.Load(path), urls: null, builder =>
        {
            builder.WebHost.UseTestServer();
            customize?.Invoke(builder);
        });
        await _app.StartAsync();
    }

    public async Task SyncEverySourceAsync()
    {
        var runner = App.Services.GetRequiredService<SyncRunner>();
        foreach (var source in App.Services.GetRequiredService<SourceCatalog>().Sources)
        {
            Assert.True((await runner.RunAsync(source, CancellationToken.None)).Succeeded, source.Name);
        }
    }

    /// <summary>A client holding the role's key and stating a purpose, as a CRM sends; without a role, neither.</summary>
    public HttpClient Client(string? role = null)
    {
        var client = App.GetTestClient();
        if (role is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", ApiCallers.KeyByRole[role]);
            client.DefaultRequestHeaders.Add("X-Purpose", "test: telemetry");
        }

        return client;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }
}

/// <summary>
/// The tests that read the hub's meter and activity source: both are process-wide (listeners subscribe by name), so a
/// test's provider would count another test's syncs and requests too. They run alone, one at a time.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryCollection
{
    public const string Name = "The process's meters and activity sources, read by one test at a time";
}
