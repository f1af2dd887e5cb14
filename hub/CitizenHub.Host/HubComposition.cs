using CitizenHub.Adapters;
using CitizenHub.Adapters.Csv;
using CitizenHub.Adapters.Sql;
using CitizenHub.Api;
using CitizenHub.Hub;
using Serilog;
using Serilog.Events;

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

        IConfiguration configuration;
        try
        {
            configuration = new ConfigurationBuilder()
                .AddJsonFile(fullPath, optional: false, reloadOnChange: false)
                .AddEnvironmentVariables("CITIZENHUB_")
                .Build();
        }
        catch (InvalidDataException ex)
        {
            throw new CliException($"config file '{path}' is not valid JSON: {ex.InnerException?.Message ?? ex.Message}");
        }

        var directory = Path.GetDirectoryName(fullPath)!;
        SourceCatalog catalog;
        try
        {
            catalog = SourceCatalog.Load(configuration, directory);
        }
        catch (ConfigurationProblemException ex)
        {
            throw new CliException($"config file '{path}': {string.Join(" ", ex.Problems)}");
        }

        var kinds = AdapterKinds();
        var unknown = catalog.Sources.FirstOrDefault(s => !kinds.Contains(s.Kind, StringComparer.OrdinalIgnoreCase));
        if (unknown is not null)
        {
            throw new CliException($"source '{unknown.Name}' has Kind '{unknown.Kind}'; the kinds are {string.Join(", ", kinds)}");
        }

        return new HubConfiguration(configuration, directory, catalog);
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
        return builder.Build();
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
        builder.Services.AddCitizenViewApi();
        customize?.Invoke(builder);

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapCitizenViewApi();
        return app;
    }

    private static void AddHub(IServiceCollection services, HubConfiguration hub)
    {
        services.AddSerilog(logging => logging
            .MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("MassTransit", LogEventLevel.Warning)
            // Everything to standard error: standard output carries the command's own results.
            .WriteTo.Console(standardErrorFromLevel: LogEventLevel.Verbose, formatProvider: System.Globalization.CultureInfo.InvariantCulture));
        services.AddCitizenHub(hub.Configuration, hub.Directory);
        AddAdapters(services);
    }

    /// <summary>Every adapter kind the executable ships: one <c>Add…SourceAdapter</c> per technology.</summary>
    private static void AddAdapters(IServiceCollection services)
    {
        services.AddCsvSourceAdapter();
        services.AddSqlSourceAdapter();
    }

    private static IReadOnlyList<string> AdapterKinds()
    {
        var services = new ServiceCollection();
        AddAdapters(services);
        using var provider = services.BuildServiceProvider();
        return [.. provider.GetServices<ISourceAdapterFactory>().Select(f => f.Kind)];
    }
}

/// <summary>A loaded, checked configuration file.</summary>
internal sealed record HubConfiguration(IConfiguration Configuration, string Directory, SourceCatalog Catalog);

/// <summary>A usage or configuration error: printed as one line, exit code 2.</summary>
internal sealed class CliException(string message) : Exception(message);
