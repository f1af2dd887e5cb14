namespace CitizenHub.Hub;

/// <summary>
/// A publish that gives up after <see cref="RabbitMqOptions.PublishTimeout"/> rather than wait for good on a
/// confirmation a restarted broker will never send. The caller decides what giving up means: publish again, or leave
/// the change's events in the outbox.
/// </summary>
internal static class BoundedPublish
{
    /// <exception cref="TimeoutException">The publish did not complete within <paramref name="timeout"/>.</exception>
    public static async Task WithinAsync(Func<CancellationToken, Task> publish, TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        using var expiry = new CancellationTokenSource(timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, expiry.Token);
        try
        {
            // Waited on as well as told to stop: a publish that does not heed its token is still let go of.
            await publish(linked.Token).WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (expiry.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The broker did not confirm a publish within {timeout}.");
        }
    }
}
