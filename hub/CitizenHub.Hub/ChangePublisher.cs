using CitizenHub.Store;
using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CitizenHub.Hub;

/// <summary>
/// Publishes the bus events of committed changes from the store's change feed, which is the outbox: each change's
/// row is written in the transaction that made it, so an event is never announced for a change the store lost, and
/// never lost for a change the store kept. The instance that committed publishes at once; a sweep publishes what an
/// instance that stopped between its commit and its publish left behind. Delivery is at least once: a subscriber
/// that must not act twice keys on (citizen, version).
/// </summary>
public sealed class ChangePublisher(
    ICitizenStore store, IBus bus, IOptions<CitizenHubOptions> options, TimeProvider timeProvider, ILogger<ChangePublisher> logger)
{
    /// <summary>How long a claimed row is left to its publisher before another instance may publish it.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    private const int ClaimSize = 1000;

    /// <summary>
    /// Publishes what a just-committed change added to the outbox. A failure here is not the change's: it is applied,
    /// and its events wait for the sweep, so the caller (a consumer, a steward's request) is not failed for it.
    /// </summary>
    public async Task PublishAfterCommitAsync(CancellationToken cancellationToken)
    {
        try
        {
            await PublishPendingAsync(TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning("Changes applied but not yet published ({ExceptionType}); the sweep publishes them", ex.GetType().Name);
        }
    }

    /// <summary>Publishes every change not yet published, oldest first; returns how many were published.</summary>
    /// <param name="minimumAge">Leave changes younger than this (their own instance is publishing them).</param>
    public async Task<int> PublishPendingAsync(TimeSpan minimumAge, CancellationToken cancellationToken)
    {
        var published = 0;
        while (true)
        {
            var now = timeProvider.GetUtcNow();
            // A tick past now: with no minimum age, a change made this very instant is taken too.
            var occurredBefore = now - minimumAge + TimeSpan.FromTicks(1);
            var changes = await store.ClaimUnpublishedChangesAsync(now, occurredBefore, now + Lease, ClaimSize, cancellationToken).ConfigureAwait(false);
            if (changes.Count == 0)
            {
                return published;
            }

            // Bounded well inside the lease: a publish the broker never confirms fails, and its rows wait for the sweep.
            await BoundedPublish.WithinAsync(
                token => bus.PublishBatch(changes.Select(FeedEvents.ToEvent), token), options.Value.RabbitMq.PublishTimeout, timeProvider, cancellationToken).ConfigureAwait(false);
            await store.MarkPublishedAsync([.. changes.Select(c => c.Sequence)], timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            published += changes.Count;
            if (changes.Count < ClaimSize)
            {
                logger.LogDebug("Published {Count} changes", published);
                return published;
            }
        }
    }
}

/// <summary>Publishes, every few seconds, changes whose publisher stopped before publishing them.</summary>
public sealed class ChangePublisherSweep(ChangePublisher publisher, TimeProvider timeProvider, ILogger<ChangePublisherSweep> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    /// <summary>A change this old and still unpublished was left by an instance that stopped between commit and publish.</summary>
    private static readonly TimeSpan Abandoned = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Interval, timeProvider, stoppingToken).ConfigureAwait(false);
                var published = await publisher.PublishPendingAsync(Abandoned, stoppingToken).ConfigureAwait(false);
                if (published > 0)
                {
                    logger.LogInformation("Published {Count} changes left unpublished", published);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The store or broker is away; the rows wait for the next sweep. Only the type: a driver's message may quote data.
                logger.LogWarning("Publishing changes failed ({ExceptionType}); will try again", ex.GetType().Name);
            }
        }
    }
}
