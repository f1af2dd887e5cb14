using CitizenHub.Adapters;
using CitizenHub.Store;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CitizenHub.Hub.Tests;

/// <summary>A real hub (bus, store, consumers, runner) whose one source, <c>people</c>, is a <see cref="ListAdapter"/>.</summary>
internal static class ListSourceHub
{
    /// <param name="settings">Configuration over the defaults (a SQLite store in the folder, the in-memory bus).</param>
    /// <param name="failSequence">A record batch that fails every time it is applied (a poison batch), if any.</param>
    public static async Task<IHost> StartAsync(string folder, ISourceAdapter adapter, IDictionary<string, string?> settings, int? failSequence = null)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Store:ConnectionString"] = "Data Source=hub.db",
                ["Sources:0:Name"] = "people",
                ["Sources:0:Kind"] = "List",
                ["Sources:0:Mapping:Key"] = "key",
            })
            .AddInMemoryCollection(settings)
            .Build();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddCitizenHub(configuration, folder);
        // Kept in memory, for tests of what the hub logs (and that it logs no personal data).
        builder.Logging.AddProvider(new LogLines());
        builder.Services.AddSingleton<ISourceAdapterFactory>(new ListAdapterFactory(adapter));
        if (failSequence is { } sequence)
        {
            // The real store, with one message made to fail every time: a poison batch.
            builder.Services.Decorate(sequence);
        }

        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    /// <summary>What the hub has logged so far.</summary>
    public static IReadOnlyList<string> LogMessages(IHost host) =>
        host.Services.GetServices<ILoggerProvider>().OfType<LogLines>().Single().Messages;

    public static async Task<List<CitizenLink>> LinksAsync(IHost host)
    {
        var links = new List<CitizenLink>();
        await foreach (var link in host.Services.GetRequiredService<ICitizenStore>().ReadLinksAsync(CancellationToken.None))
        {
            links.Add(link);
        }

        return links;
    }

    public static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 400 && !condition(); i++)
        {
            await Task.Delay(25);
        }

        Assert.True(condition());
    }
}
