using System.Collections.Concurrent;
using CitizenHub.Contracts;
using CitizenHub.Matching;
using CitizenHub.Matching.Linking;
using CitizenHub.Matching.Scoring;
using CitizenHub.Store;
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

            var published = await Task.WhenAll(first.PublishPendingAsync(CancellationToken.None), second.PublishPendingAsync(CancellationToken.None));
            var again = await first.PublishPendingAsync(CancellationToken.None);
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

    [Fact]
    public async Task ClaimUnpublished_ALeaseThatRanOut_IsTakenAgain()
    {
        await using (var session = await Store.BeginMessageAsync(new MessageIdentity(Guid.NewGuid(), MessageIdentity.RecordBatch, 1), CancellationToken.None))
        {
            await session!.AppendChangesAsync([new CitizenCreated("C1", 1, new SourceRecordRef("ct", "1"), At)]);
            await session.CommitAsync(CancellationToken.None);
        }

        var claimed = await Store.ClaimUnpublishedChangesAsync(At, At.AddSeconds(30), 10, CancellationToken.None);
        var whileLeased = await Store.ClaimUnpublishedChangesAsync(At.AddSeconds(10), At.AddSeconds(40), 10, CancellationToken.None);
        // Its publisher died: the lease runs out and the row goes to whoever sweeps next.
        var afterLease = await Store.ClaimUnpublishedChangesAsync(At.AddSeconds(31), At.AddSeconds(61), 10, CancellationToken.None);
        await Store.MarkPublishedAsync([afterLease.Single().Sequence], At.AddSeconds(32), CancellationToken.None);
        var afterPublished = await Store.ClaimUnpublishedChangesAsync(At.AddMinutes(5), At.AddMinutes(6), 10, CancellationToken.None);

        Assert.Equal("C1", Assert.Single(claimed).CitizenId);
        Assert.Empty(whileLeased);
        Assert.Equal(claimed.Single().Sequence, Assert.Single(afterLease).Sequence);
        Assert.Empty(afterPublished);
    }

    private static readonly DateTimeOffset At = new(2026, 11, 23, 1, 0, 0, TimeSpan.Zero);
}
