using System.Collections.Concurrent;
using CitizenHub.Contracts;
using CitizenHub.Matching;
using CitizenHub.Matching.Linking;
using CitizenHub.Matching.Scoring;
using CitizenHub.TestKit;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CitizenHub.Hub.Tests;

/// <summary>The change feed as the outbox of the bus events, on a real SQLite store and the in-memory bus.</summary>
public sealed class ChangePublisherTests : TempSqliteStore
{
    [Fact]
    public async Task PublishPending_ChangesCommittedButNeverPublished_ArePublishedOnceInCommitOrder()
    {
        // A hub that stopped between its commit and its publish: the changes are in the store, the events nowhere.
        var resolver = new RecordResolver(Store, new SourceCatalog([], new SurvivorshipRanks(new Dictionary<string, int>())), TimeProvider.System, new Linker(new PairScorer(MatchModel.Default)));
        var applied = await resolver.ApplyAsync(
            new SourceRecordBatch(Guid.NewGuid(), "ct", 1, [Records.Person("ct", "1", "Ann", "Lee", (1970, 1, 1)), Records.Person("ct", "2", "Bob", "Ray", (1971, 2, 2))]),
            CancellationToken.None);
        await using var listening = await ListeningBus.StartAsync();
        var bus = listening.Bus;
        var heard = listening.Heard;
        var first = new ChangePublisher(Store, bus, Options.Create(new CitizenHubOptions()), TimeProvider.System, NullLogger<ChangePublisher>.Instance);
        var second = new ChangePublisher(Store, bus, Options.Create(new CitizenHubOptions()), TimeProvider.System, NullLogger<ChangePublisher>.Instance);

        var published = await Task.WhenAll(first.PublishPendingAsync(TimeSpan.Zero, CancellationToken.None), second.PublishPendingAsync(TimeSpan.Zero, CancellationToken.None));
        var again = await first.PublishPendingAsync(TimeSpan.Zero, CancellationToken.None);
        for (var i = 0; i < 200 && heard.Count < 2; i++)
        {
            await Task.Delay(25);
        }

        Assert.Equal(2, published.Sum());
        Assert.Equal(0, again);
        Assert.Equal(applied.OfType<CitizenCreated>().Select(c => c.CitizenId), heard);
    }

    [Fact]
    public async Task PublishAfterCommit_BrokerNeverConfirms_GivesUpAfterThePublishTimeoutAndTheSweepPublishesLater()
    {
        // A broker restarted while a publish waited for its confirmation: the wait is never answered. Were the
        // consumer to wait with it, the hub's queue (one message at a time) would stop for good.
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 3, 0, 0, TimeSpan.Zero));
        var resolver = new RecordResolver(Store, new SourceCatalog([], new SurvivorshipRanks(new Dictionary<string, int>())), clock, new Linker(new PairScorer(MatchModel.Default)));
        await resolver.ApplyAsync(new SourceRecordBatch(Guid.NewGuid(), "ct", 1, [Records.Person("ct", "1", "Ann", "Lee", (1970, 1, 1))]), CancellationToken.None);
        var publishing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var brokerBack = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var listening = await ListeningBus.StartAsync(transport => transport.ConfigurePublish(publish => publish.UseInlineFilter(async (context, next) =>
        {
            publishing.TrySetResult();
            await brokerBack.Task.WaitAsync(context.CancellationToken);
            await next.Send(context);
        })));
        var bus = listening.Bus;
        var heard = listening.Heard;
        var options = Options.Create(new CitizenHubOptions { RabbitMq = { PublishTimeout = TimeSpan.FromSeconds(15) } });
        var publisher = new ChangePublisher(Store, bus, options, clock, NullLogger<ChangePublisher>.Instance);

        var afterCommit = publisher.PublishAfterCommitAsync(CancellationToken.None);
        await publishing.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(afterCommit.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(15));
        await afterCommit.WaitAsync(TimeSpan.FromSeconds(30));

        // The event was not published, so the change is still the outbox's: the sweep, once the lease is over and the
        // broker back, publishes it.
        brokerBack.SetResult();
        Assert.Equal(0, await publisher.PublishPendingAsync(TimeSpan.Zero, CancellationToken.None));
        clock.Advance(ChangePublisher.Lease);
        Assert.Equal(1, await publisher.PublishPendingAsync(TimeSpan.Zero, CancellationToken.None));
        for (var i = 0; i < 200 && heard.IsEmpty; i++)
        {
            await Task.Delay(25);
        }

        Assert.Single(heard);
    }

    /// <summary>The in-memory bus, started, with a listener that notes each citizen it hears created.</summary>
    private sealed class ListeningBus(ServiceProvider provider, IBusControl bus) : IAsyncDisposable
    {
        public IBusControl Bus => bus;

        public ConcurrentQueue<string> Heard { get; } = new();

        public static async Task<ListeningBus> StartAsync(Action<IInMemoryBusFactoryConfigurator>? configure = null)
        {
            var provider = new ServiceCollection()
                .AddMassTransit(bus => bus.UsingInMemory((context, transport) =>
                {
                    configure?.Invoke(transport);
                    transport.ConfigureEndpoints(context);
                }))
                .BuildServiceProvider();
            var listening = new ListeningBus(provider, provider.GetRequiredService<IBusControl>());
            listening.Bus.ConnectReceiveEndpoint("listener", e => e.Handler<CitizenCreated>(c =>
            {
                listening.Heard.Enqueue(c.Message.CitizenId);
                return Task.CompletedTask;
            }));
            await listening.Bus.StartAsync();
            return listening;
        }

        public async ValueTask DisposeAsync()
        {
            await bus.StopAsync();
            await provider.DisposeAsync();
        }
    }
}
