using CitizenHub.Matching.Linking;
using CitizenHub.Matching.Scoring;
using CitizenHub.Store;
using CitizenHub.Store.Postgres;
using CitizenHub.Store.Sqlite;
using MassTransit;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace CitizenHub.Hub;

public static class CitizenHubServiceCollectionExtensions
{
    /// <summary>The receive endpoint every hub consumer listens on.</summary>
    public const string HubEndpointName = "citizenhub-hub";

    /// <summary>
    /// Adds the hub: its options and sources (bound from <paramref name="configuration"/>, the whole
    /// configuration file), the store, the bus with the hub's consumers, and the sync runner.
    /// Adapter kinds are added separately, one <c>Add…SourceAdapter</c> each.
    /// </summary>
    /// <param name="configurationDirectory">The configuration file's folder; relative paths in it are resolved against it.</param>
    public static IServiceCollection AddCitizenHub(this IServiceCollection services, IConfiguration configuration, string configurationDirectory)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentException.ThrowIfNullOrWhiteSpace(configurationDirectory);

        services.AddOptions<CitizenHubOptions>().Bind(configuration).ValidateDataAnnotations().ValidateOnStart();
        var location = new ConfigurationLocation(Path.GetFullPath(configurationDirectory));
        services.AddSingleton(location);
        services.AddSingleton(_ => SourceCatalog.Load(configuration, location.Directory));
        services.TryAddSingleton(TimeProvider.System);

        services.AddSingleton<ICitizenStore>(sp =>
        {
            var store = sp.GetRequiredService<IOptions<CitizenHubOptions>>().Value.Store;
            return store.Provider switch
            {
                StoreProvider.Sqlite => new SqliteCitizenStore(ResolveSqlitePath(store.ConnectionString, location)),
                StoreProvider.Postgres => new PostgresCitizenStore(store.ConnectionString),
                _ => throw new InvalidOperationException($"Store.Provider '{store.Provider}' is not supported."),
            };
        });

        // Registered before the bus so the schema exists before the first message is consumed.
        services.AddHostedService<StoreMigrationService>();
        services.AddSingleton(sp => MatchModels.Load(sp.GetRequiredService<IOptions<CitizenHubOptions>>().Value.Matching, location.Directory));
        services.AddSingleton(sp => new Linker(new PairScorer(sp.GetRequiredService<MatchModel>())));
        services.AddSingleton<RecordResolver>();
        services.AddSingleton<IStewardship, Stewardship>();
        services.AddSingleton<SyncRunner>();

        services.AddMassTransit(bus =>
        {
            // No calls home: a council's hub talks to its own broker and nothing else.
            bus.ConfigureUsageTelemetryOptions(telemetry => telemetry.Enabled = false);
            bus.AddConsumer<SourceRecordBatchConsumer>();
            bus.AddConsumer<SourceRecordsRemovedConsumer>();
            bus.AddConsumer<SyncRunConsumer>();
            bus.AddConsumer<FailedMessageConsumer>();
            bus.UsingInMemory((context, transport) =>
            {
                transport.ReceiveEndpoint(HubEndpointName, endpoint =>
                {
                    // The embedded store has one writer; more concurrency would only queue on its lock.
                    endpoint.ConcurrentMessageLimit = 1;
                    endpoint.UseMessageRetry(retry => retry.Intervals(100, 500, 2000));
                    endpoint.ConfigureConsumers(context);
                });
            });
        });

        return services;
    }

    private static string ResolveSqlitePath(string connectionString, ConfigurationLocation location)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (builder.DataSource != ":memory:" && !string.IsNullOrEmpty(builder.DataSource))
        {
            builder.DataSource = location.Resolve(builder.DataSource);
        }

        return builder.ToString();
    }

    /// <summary>Brings the store's schema up to date when the host starts.</summary>
    private sealed class StoreMigrationService(ICitizenStore store) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => store.MigrateAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
