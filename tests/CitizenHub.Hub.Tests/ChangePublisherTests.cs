using System.Collections.Concurrent;
using CitizenHub.Contracts;
using CitizenHub.Matching;
using CitizenHub.Matching.Linking;
using CitizenHub.Matching.Scoring;
using CitizenHub.TestKit;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

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
        await using var provider = new ServiceCollection()
            .AddMassTransit(bus => bus.UsingInMemory((context, transport) => transport.ConfigureEndpoints(context)))
            .BuildServiceProvider();
        var bus = provider.GetRequiredService<IBusControl>();
        var heard = new ConcurrentQueue<string>();
        bus.ConnectReceiveEndpoint("listener", e => e.Handler<CitizenCreated>(c =>
        {
            heard.Enqueue(c.Message.CitizenId);
            return Task.CompletedTask;
        }));
        await bus.StartAsync();
        try
        {
            var first = new ChangePublisher(Store, bus, TimeProvider.System, NullLogger<ChangePublisher>.Instance);
            var second = new ChangePublisher(Store, bus, TimeProvider.System, NullLogger<ChangePublisher>.Instance);

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
        finally
        {
            await bus.StopAsync();
        }
    }
}
