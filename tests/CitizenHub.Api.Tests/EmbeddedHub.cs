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

    public HttpClient Client { get; private set; } = null!;

    public IServiceProvider Services => _app!.Services;

    public async Task StartAsync(string councilTax, string housingBenefits)
    {
        _folder.Write("council-tax.csv", councilTax);
        _folder.Write("housing-benefits.csv", housingBenefits);
        var config = _folder.Write("citizenhub.json", TwoSources.Config);
        _app = HubComposition.BuildWebApplication(HubComposition.Load(config), urls: null, b => b.WebHost.UseTestServer());
        await _app.StartAsync();
        Client = _app.GetTestClient();
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
