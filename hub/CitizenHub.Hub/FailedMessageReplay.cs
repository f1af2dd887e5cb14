using CitizenHub.Store;
using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CitizenHub.Hub;

/// <summary>
/// Sends a failed message to the hub again, once the cause is mended (a store back, a bug fixed), and waits to see
/// it applied. Safe to repeat: the hub knows each message's identity and applies it once.
/// </summary>
public sealed class FailedMessageReplay(
    ICitizenStore store, IBus bus, IOptions<CitizenHubOptions> options, TimeProvider timeProvider, ILogger<FailedMessageReplay> logger)
    : IFailedMessageReplay
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    public async Task<(ReplayOutcome Outcome, FailedMessage? Failure)> ReplayAsync(long failureId, CancellationToken cancellationToken)
    {
        var failure = await store.GetFailedMessageAsync(failureId, cancellationToken).ConfigureAwait(false);
        if (failure is null)
        {
            return (ReplayOutcome.NotFound, null);
        }

        if (failure.Applied)
        {
            return (ReplayOutcome.AlreadyApplied, failure);
        }

        if (failure.Body is null)
        {
            return (ReplayOutcome.NoBody, failure);
        }

        var replayedAt = timeProvider.GetUtcNow();
        await store.MarkReplayedAsync(failureId, replayedAt, cancellationToken).ConfigureAwait(false);
        var message = HubMessages.Deserialize(failure.Message.Kind, failure.Body);
        await BoundedPublish.WithinAsync(token => bus.Publish(message, token), options.Value.RabbitMq.PublishTimeout, timeProvider, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Replayed failed message {FailureId} ({Kind} {Sequence} of run {RunId})", failureId, failure.Message.Kind, failure.Message.Sequence, failure.Message.RunId);

        using var timeout = new CancellationTokenSource(options.Value.Sync.CompletionTimeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            while (true)
            {
                await Task.Delay(PollInterval, timeProvider, linked.Token).ConfigureAwait(false);
                var now = await store.GetFailedMessageAsync(failureId, linked.Token).ConfigureAwait(false);
                if (now!.Applied)
                {
                    return (ReplayOutcome.Applied, now);
                }

                if (now.FailedAt > replayedAt)
                {
                    return (ReplayOutcome.FailedAgain, now);
                }
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return (ReplayOutcome.TimedOut, failure);
        }
    }
}
