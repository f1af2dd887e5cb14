using CitizenHub.Adapters;
using CitizenHub.Adapters.Csv;
using CitizenHub.Adapters.Soap;
using CitizenHub.Adapters.Sql;
using CitizenHub.Api;
using CitizenHub.Api.Access;
using CitizenHub.Hub;
using CitizenHub.Hub.Logging;
using CitizenHub.Hub.Telemetry;
using CitizenHub.Store;
using CitizenHub.Web;
using Serilog;

namespace CitizenHub.Host;

/// <summary>The one place the parts are put together, for every command and for the tests.</summary>
internal static class HubComposition
{
    /// <summary>Reads a configuration file, with <c>CITIZENHUB_</c> environment variables over it.</summary>
    public static HubConfiguration Load(string path)
    {
        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            throw new CliException($"config file '{path}' not found");
        }

        var problems = Check(fullPath, out var configuration, out var catalog, out var plugins);
        if (problems.Count > 0)
        {
            throw new CliException($"config file '{path}'", problems);
        }

        var directory = Path.GetDirectoryName(fullPath)!;
        return new HubConfiguration(configuration, directory, catalog!, plugins);
    }

    /// <summary>
    /// Every problem with a configuration file, before anything is read: JSON syntax, the published schema,
    /// the sources (names, kinds, mappings) and each adapter's own settings.
    /// </summary>
    /// <param name="plugins">The adapter factories of the plug-ins in <c>Plugins.Folder</c>; empty when it names none.</param>
    public static IReadOnlyList<string> Check(string fullPath, out IConfiguration configuration, out SourceCatalog? catalog, out IReadOnlyList<ISourceAdapterFactory> plugins)
    {
        configuration = new ConfigurationBuilder().Build();
        catalog = null;
        plugins = [];
        string text;
        try
        {
            text = File.ReadAllText(fullPath);
            var schemaProblems = ConfigurationSchema.Validate(text);
            if (schemaProblems.Count > 0)
            {
                return schemaProblems;
            }

            configuration = new ConfigurationBuilder()
                .AddJsonFile(fullPath, optional: false, reloadOnChange: false)
                .AddEnvironmentVariables(OptionsProblems.EnvironmentPrefix)
                .Build();
        }
        catch (Exception ex) when (ex is Newtonsoft.Json.JsonException or InvalidDataException or System.Text.Json.JsonException)
        {
            return [$"not valid JSON ({(ex.InnerException ?? ex).Message})"];
        }

        var directory = Path.GetDirectoryName(fullPath)!;
        // The file passed its schema, but the environment may override any setting: the settings as they will run are
        // checked too, by the same rules the hub's start-up applies.
        var problems = new List<string>(OptionsProblems.FindBound(configuration));
        if (configuration.GetSection(nameof(CitizenHubOptions.Plugins)).Get<PluginOptions>()?.Folder is { Length: > 0 } folder)
        {
            try
            {
                plugins = AdapterPlugins.LoadFactories(Path.GetFullPath(folder, directory));
            }
            catch (PluginLoadException ex)
            {
                // A plug-in that cannot be loaded is a configuration error (exit 2) naming its file, before anything is read.
                return [.. problems, $"$.Plugins.Folder{OptionsProblems.SetBy("Plugins.Folder")}: {ex.Message}"];
            }
        }

        var services = new ServiceCollection();
        AddAdapters(services, plugins);
        using var provider = services.BuildServiceProvider();
        var factories = provider.GetServices<ISourceAdapterFactory>().ToList();
        // Two factories of one kind would leave which of them reads a source to the order they were found in.
        var loaded = plugins;
        foreach (var kind in factories.GroupBy(f => f.Kind, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            var from = kind.Select(f => loaded.Contains(f) ? $"plug-in '{f.GetType().Assembly.Location}'" : "built in");
            problems.Add($"$.Plugins.Folder{OptionsProblems.SetBy("Plugins.Folder")}: the adapter kind '{kind.Key}' is added more than once ({string.Join(", ", from)})");
        }

        try
        {
            catalog = SourceCatalog.Load(configuration, directory);
        }
        catch (ConfigurationProblemException ex)
        {
            return [.. problems, .. ex.Problems];
        }

        for (var i = 0; i < catalog.Sources.Count; i++)
        {
            var source = catalog.Sources[i];
            var factory = factories.FirstOrDefault(f => string.Equals(f.Kind, source.Kind, StringComparison.OrdinalIgnoreCase));
            if (factory is null)
            {
                problems.Add($"$.Sources[{i}].Kind: '{source.Kind}' is not an adapter kind of this hub; allowed: {string.Join(", ", factories.Select(f => f.Kind))}");
                continue;
            }

            try
            {
                // Adapters check their settings when made, and read nothing until asked.
                factory.Create(source, TimeProvider.System);
            }
            catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
            {
                problems.Add($"$.Sources[{i}] ({source.Name}): {ex.Message}");
            }
        }

        return problems;
    }

    /// <summary>A host running the hub (store, bus, consumers) without the HTTP API.</summary>
    public static IHost BuildWorker(HubConfiguration hub)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            ContentRootPath = hub.Directory,
        });
        AddHub(builder.Services, hub);
        HubObservability.Add(builder.Services, Telemetry(hub), serve: false);
        return builder.Build();
    }

    /// <summary>
    /// The configured store, migrated, for a command that reads it without running the hub (no bus, no consumers).
    /// Dispose it to close the store.
    /// </summary>
    public static async Task<OpenedStore> OpenStoreAsync(string configPath, CancellationToken cancellationToken)
    {
        var hub = Load(configPath);
        await RequireStoreAsync(hub, configPath, cancellationToken).ConfigureAwait(false);
        var host = BuildWorker(hub);
        try
        {
            var store = host.Services.GetRequiredService<ICitizenStore>();
            await store.MigrateAsync(cancellationToken).ConfigureAwait(false);
            return new OpenedStore(host, store);
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Refuses a command that reads the store when no sync has made it yet, rather than making an empty one: an empty
    /// store would answer as if the hub held nothing. A store that exists is upgraded in place as usual.
    /// </summary>
    public static async Task RequireStoreAsync(HubConfiguration hub, string configPath, CancellationToken cancellationToken)
    {
        var store = hub.Configuration.GetSection(nameof(CitizenHubOptions.Store)).Get<StoreOptions>() ?? new StoreOptions();
        if (await StorePresence.FindAbsenceAsync(store, new ConfigurationLocation(hub.Directory), cancellationToken).ConfigureAwait(false) is { } absent)
        {
            throw new CliException($"no store at {absent}: run `citizenhub sync --config {configPath}` first");
        }
    }

    /// <summary>A store opened by <see cref="OpenStoreAsync"/>, with the services composed around it (the match model, for one).</summary>
    public sealed class OpenedStore(IHost host, ICitizenStore store) : IDisposable
    {
        public ICitizenStore Store => store;

        public IServiceProvider Services => host.Services;

        public void Dispose() => host.Dispose();
    }

    /// <summary>A web application running the hub and the Customer View API.</summary>
    /// <param name="customize">Lets a test swap the server for an in-memory one.</param>
    public static WebApplication BuildWebApplication(HubConfiguration hub, string? urls, Action<WebApplicationBuilder>? customize = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = hub.Directory, Args = [] });
        if (urls is not null)
        {
            builder.WebHost.UseUrls(urls);
        }

        AddHub(builder.Services, hub);
        builder.Services.AddSingleton(new SourceVisibility(hub.Catalog.Sensitivity, hub.Catalog.Survivorship)
        {
            // NI and NHS numbers mapped as schemes are searched as themselves.
            SchemesBySource = hub.Catalog.Sources.ToDictionary(
                s => s.Name,
                s => (IReadOnlyList<string>)[.. s.Mapping.Identifiers.Select(i => i.Scheme).Where(scheme => scheme is not (IdentifierMapping.NiNumberScheme or IdentifierMapping.NhsNumberScheme))],
                StringComparer.Ordinal),
        });
        var sync = hub.Configuration.GetSection(nameof(CitizenHubOptions.Sync)).Get<SyncOptions>() ?? new SyncOptions();
        builder.Services.AddSingleton(new RejectsFolder(new ConfigurationLocation(hub.Directory).Resolve(sync.RejectsDirectory)));
        builder.Services.AddCitizenViewApi(hub.Configuration);
        builder.Services.AddCitizenHubWeb(hub.Configuration);
        HubObservability.Add(builder.Services, Telemetry(hub), serve: true);
        customize?.Invoke(builder);

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseCitizenViewApi(open: web => web.UseCitizenHubWebAssets(), authorized: web => web.UseAntiforgery());
        app.MapCitizenViewApi();
        app.MapCitizenHubWeb();
        HubObservability.Map(app, Telemetry(hub));
        return app;
    }

    private static TelemetryOptions Telemetry(HubConfiguration hub) =>
        hub.Configuration.GetSection(nameof(CitizenHubOptions.Telemetry)).Get<TelemetryOptions>() ?? new TelemetryOptions();

    private static void AddHub(IServiceCollection services, HubConfiguration hub)
    {
        var logging = hub.Configuration.GetSection(nameof(CitizenHubOptions.Logging)).Get<LoggingOptions>() ?? new LoggingOptions();
        services.AddSerilog(
            (provider, configuration) => HubLogging.Configure(configuration, logging, hub.Directory, provider.GetServices<Serilog.Core.ILogEventSink>()),
            // Each host logs through its own logger, never the process-wide static one: two hubs in one process (tests,
            // a benchmark) must not write through each other's sinks.
            preserveStaticLogger: true);
        services.AddCitizenHub(hub.Configuration, hub.Directory);
        AddAdapters(services, hub.Plugins);
    }

    /// <summary>
    /// Every adapter kind the executable ships, one <c>Add…SourceAdapter</c> per technology, and those the configured
    /// plug-ins add (see <see cref="AdapterPlugins"/>).
    /// </summary>
    private static void AddAdapters(IServiceCollection services, IReadOnlyList<ISourceAdapterFactory> plugins)
    {
        services.AddCsvSourceAdapter();
        services.AddSqlSourceAdapter();
        services.AddSoapSourceAdapter();
        foreach (var factory in plugins)
        {
            services.AddSingleton(factory);
        }
    }

}

/// <summary>A loaded, checked configuration file.</summary>
/// <param name="Plugins">The adapter factories the configured plug-ins hold, loaded once.</param>
internal sealed record HubConfiguration(IConfiguration Configuration, string Directory, SourceCatalog Catalog, IReadOnlyList<ISourceAdapterFactory> Plugins);

/// <summary>A usage or configuration error: printed one line a problem, exit code 2.</summary>
internal sealed class CliException : Exception
{
    public CliException(string message)
        : base(message)
    {
        Problems = [message];
        Lines = [message];
    }

    /// <param name="subject">What the problems are in, e.g. <c>config file 'citizenhub.json'</c>: it begins each line.</param>
    public CliException(string subject, IReadOnlyList<string> problems)
        : base($"{subject}: {string.Join(" ", problems)}")
    {
        Problems = problems;
        Lines = [.. problems.Select(problem => $"{subject}: {problem}")];
    }

    /// <summary>Each problem on its own, for <c>config validate</c>.</summary>
    public IReadOnlyList<string> Problems { get; }

    /// <summary>What standard error shows: one line a problem, each saying what it is in.</summary>
    public IReadOnlyList<string> Lines { get; }
}
