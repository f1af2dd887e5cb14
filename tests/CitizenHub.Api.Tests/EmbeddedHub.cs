using System.Text.Json.Nodes;
using CitizenHub.Adapters.Testing;
using CitizenHub.Host;
using CitizenHub.Hub;
using CitizenHub.TestKit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace CitizenHub.Api.Tests;

/// <summary>
/// The whole embedded product, composed exactly as <c>citizenhub serve</c> composes it (in-memory bus,
/// SQLite file, CSV adapters), with the HTTP server swapped for an in-memory one.
/// </summary>
public sealed class EmbeddedHub : IAsyncDisposable
{
    private readonly TempDirectory _folder = new();
    private WebApplication? _app;

    public string Folder => _folder.Path;

    /// <summary>An agent's client, stating a purpose: what a contact centre's CRM sends.</summary>
    public HttpClient Client { get; private set; } = null!;

    public IServiceProvider Services => _app!.Services;

    /// <param name="configure">Changes the whole configuration (another source, say) before the hub reads it.</param>
    public async Task StartAsync(
        string councilTax, string housingBenefits, Action<JsonObject>? configureApi = null, Action<IServiceCollection>? services = null,
        Action<JsonObject>? configure = null)
    {
        _folder.Write("council-tax.csv", councilTax);
        _folder.Write("housing-benefits.csv", housingBenefits);
        // The benefits system's claim reference is an attribute of the "benefits" class: knowing someone claims is sensitive.
        var root = JsonNode.Parse(ApiCallers.WithApi(TwoSources.Config))!.AsObject();
        root["Sources"]![1]!["Mapping"]!["Attributes"] = new JsonArray(new JsonObject
        {
            ["Field"] = "CLAIM_REF", ["Name"] = "benefit-claim", ["Sensitivity"] = "benefits",
        });
        configureApi?.Invoke(root["Api"]!.AsObject());
        configure?.Invoke(root);
        var config = _folder.Write("citizenhub.json", root.ToJsonString());
        _app = HubComposition.BuildWebApplication(HubComposition.Load(config), urls: null, b =>
        {
            b.WebHost.UseTestServer();
            services?.Invoke(b.Services);
        });
        await _app.StartAsync();
        Client = ClientFor("agent");
    }

    /// <summary>A client holding the role's key (none for null), stating <paramref name="purpose"/> unless it is null.</summary>
    public HttpClient ClientFor(string? role, string? purpose = "test: checking the Customer View API")
    {
        var client = _app!.GetTestClient();
        if (role is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", ApiCallers.KeyByRole[role]);
        }

        if (purpose is not null)
        {
            client.DefaultRequestHeaders.Add("X-Purpose", purpose);
        }

        return client;
    }

    /// <summary>Runs one configured source, as <c>citizenhub sync --source NAME</c> does.</summary>
    public Task<SyncRunSummary> SyncAsync(string source)
    {
        var catalog = _app!.Services.GetRequiredService<SourceCatalog>();
        return _app.Services.GetRequiredService<SyncRunner>().RunAsync(catalog.Find(source)!, CancellationToken.None);
    }

    /// <summary>Replaces a source's file, as the next night's extract would.</summary>
    public void Replace(string fileName, string content) => _folder.Write(fileName, content);

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }
}
