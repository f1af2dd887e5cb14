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

        // Checked when the host starts, nested options too ([ValidateObjectMembers]): a setting overridden from the
        // environment (CITIZENHUB_Sync__BatchSize=0) never passed the file's schema check.
        services.AddOptions<CitizenHubOptions>().Bind(configuration).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CitizenHubOptions>, CitizenHubOptionsValidator>());
        var location = new ConfigurationLocation(Path.GetFullPath(configurationDirectory));
        services.AddSingleton(location);
        services.AddSingleton(_ => SourceCatalog.Load(configuration, location.Directory));
        services.TryAddSingleton(TimeProvider.System);

        // One provider a store, each its own project with its own Add… (as the bus's transports are), chosen by Store:Provider.
        var storeProvider = configuration.GetValue($"{nameof(CitizenHubOptions.Store)}:{nameof(StoreOptions.Provider)}", StoreProvider.Sqlite);
        _ = storeProvider switch
        {
            StoreProvider.Sqlite => services.AddSqliteCitizenStore(sp => ResolveSqlitePath(StoreOptionsOf(sp).ConnectionString, location)),
            StoreProvider.Postgres => services.AddPostgresCitizenStore(sp => StoreOptionsOf(sp).ConnectionString),
            _ => throw new InvalidOperationException($"Store.Provider '{storeProvider}' is not supported."),
        };

        // Registered before the bus so the schema exists before the first message is consumed.
        services.AddHostedService<StoreMigrationService>();
        services.AddSingleton(sp => MatchModels.Load(sp.GetRequiredService<IOptions<CitizenHubOptions>>().Value.Matching, location.Directory));
        services.AddSingleton(sp => new Linker(new PairScorer(sp.GetRequiredService<MatchModel>())));
        services.AddSingleton<RecordResolver>();
        services.AddSingleton<IStewardship, Stewardship>();
        services.AddSingleton<SyncRunner>();
        services.AddSingleton<ChangePublisher>();
        services.AddSingleton<FailedMessageReplay>();
        services.AddSingleton<IFailedMessageReplay>(provider => provider.GetRequiredService<FailedMessageReplay>());
        services.AddHostedService<ChangePublisherSweep>();

        // A hub that started without its bus would serve reads and run syncs whose batches nobody applies: starting
        // waits until the bus is connected (or fails), and stopping lets the batch in hand finish and be acknowledged.
        services.AddOptions<MassTransitHostOptions>().Configure(host =>
        {
            host.WaitUntilStarted = true;
            host.StartTimeout = TimeSpan.FromMinutes(2);
            host.StopTimeout = TimeSpan.FromSeconds(30);
        });
        var transport = configuration.GetValue(nameof(CitizenHubOptions.Transport), HubTransport.InMemory);
        services.AddMassTransit(bus =>
        {
            // No calls home: a council's hub talks to its own broker and nothing else.
            bus.ConfigureUsageTelemetryOptions(telemetry => telemetry.Enabled = false);
            bus.AddConsumer<SourceRecordBatchConsumer>();
            bus.AddConsumer<SourceRecordsRemovedConsumer>();
            bus.AddConsumer<SyncRunConsumer>();
            bus.AddConsumer<FailedMessageConsumer>();
            switch (transport)
            {
                case HubTransport.InMemory:
                    bus.UsingInMemory((context, transport) =>
                    {
                        transport.ReceiveEndpoint(HubEndpointName, endpoint =>
                        {
                            // The store applies one resolution at a time; more concurrency would only queue on its lock.
                            endpoint.ConcurrentMessageLimit = 1;
                            ConfigureHubEndpoint(endpoint, context);
                        });
                    });
                    break;
                case HubTransport.RabbitMq:
                    bus.AddConsumer<DeadLetteredMessageConsumer>();
                    bus.UsingRabbitMq((context, transport) => ConfigureRabbitMq(transport, context, context.GetRequiredService<IOptions<CitizenHubOptions>>().Value.RabbitMq));
                    break;
                default:
                    throw new InvalidOperationException($"Transport '{transport}' is not supported.");
            }
        });

        return services;
    }

    /// <summary>The queue a message goes to when the broker gives up on it (its delivery limit reached).</summary>
    public const string DeadLetterEndpointName = "citizenhub-hub-dead-letters";

    /// <summary>
    /// The hub's queue on a broker shared by several instances: a quorum queue (replicated, durable) that counts each
    /// message's deliveries and dead-letters one that keeps coming back unacknowledged, every publish confirmed.
    /// </summary>
    private static void ConfigureRabbitMq(IRabbitMqBusFactoryConfigurator transport, IBusRegistrationContext context, RabbitMqOptions rabbit)
    {
        transport.Host(rabbit.Host, (ushort)rabbit.Port, rabbit.VirtualHost, host =>
        {
            host.Username(rabbit.Username);
            host.Password(rabbit.Password);
            // A publish returns once the broker has the message: a sync's batches are not lost with a broker's buffer.
            host.PublisherConfirmation = true;
            host.Heartbeat(TimeSpan.FromSeconds(10));
        });
        transport.ReceiveEndpoint(HubEndpointName, endpoint =>
        {
            endpoint.SetQuorumQueue(rabbit.QueueReplicas);
            endpoint.SetQueueArgument("x-delivery-limit", rabbit.DeliveryLimit);
            endpoint.SetQueueArgument("x-dead-letter-exchange", DeadLetterEndpointName);
            endpoint.PrefetchCount = rabbit.PrefetchCount;
            endpoint.ConcurrentMessageLimit = rabbit.ConcurrentMessageLimit;
            ConfigureHubEndpoint(endpoint, context);
        });
        transport.ReceiveEndpoint(DeadLetterEndpointName, endpoint =>
        {
            // Only what the broker dead-letters to this queue's own exchange: no binding to the message types' exchanges,
            // or every batch published would arrive here too.
            endpoint.ConfigureConsumeTopology = false;
            endpoint.SetQuorumQueue(rabbit.QueueReplicas);
            endpoint.PrefetchCount = 1;
            endpoint.ConcurrentMessageLimit = 1;
            endpoint.UseMessageRetry(WhileStoreIsAway);
            endpoint.ConfigureConsumer<DeadLetteredMessageConsumer>(context);
        });
    }

    /// <summary>
    /// The consumers and their retries. A store that is briefly away (restarting, a dropped connection, another writer's
    /// lock) is waited for, up to about two minutes; any other failure is tried three times, then the message goes to the
    /// error queue and is recorded as failed, for replay.
    /// </summary>
    private static void ConfigureHubEndpoint(IReceiveEndpointConfigurator endpoint, IBusRegistrationContext context)
    {
        endpoint.UseMessageRetry(WhileStoreIsAway);
        endpoint.UseMessageRetry(retry =>
        {
            retry.Ignore<Exception>(StoreFailures.IsTransient);
            retry.Intervals(100, 500, 2000);
        });
        endpoint.ConfigureConsumer<SourceRecordBatchConsumer>(context);
        endpoint.ConfigureConsumer<SourceRecordsRemovedConsumer>(context);
        endpoint.ConfigureConsumer<SyncRunConsumer>(context);
        endpoint.ConfigureConsumer<FailedMessageConsumer>(context);
    }

    private static void WhileStoreIsAway(IRetryConfigurator retry)
    {
        retry.Handle<Exception>(StoreFailures.IsTransient);
        retry.Exponential(20, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(500));
    }

    /// <summary>The store the options name (a SQLite file is found relative to the configuration's folder).</summary>
    private static StoreOptions StoreOptionsOf(IServiceProvider services) => services.GetRequiredService<IOptions<CitizenHubOptions>>().Value.Store;

    public static ICitizenStore CreateStore(StoreOptions store, ConfigurationLocation location)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(location);
        return store.Provider switch
        {
            StoreProvider.Sqlite => new SqliteCitizenStore(ResolveSqlitePath(store.ConnectionString, location)),
            StoreProvider.Postgres => new PostgresCitizenStore(store.ConnectionString),
            _ => throw new InvalidOperationException($"Store.Provider '{store.Provider}' is not supported."),
        };
    }

    /// <summary>The SQLite connection string with its file resolved against the configuration's folder.</summary>
    internal static string ResolveSqlitePath(string connectionString, ConfigurationLocation location)
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
