using CitizenHub.Adapters;
using CitizenHub.Contracts;
using CitizenHub.Store;
using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CitizenHub.Hub;

/// <summary>What one source's sync run did.</summary>
/// <param name="RejectsFile">Where the rejected inputs were written; null when there were none.</param>
/// <param name="Error">Why the run failed, in words that quote no personal data; null when it succeeded.</param>
public sealed record SyncRunSummary(
    string Source,
    Guid RunId,
    int Records,
    int Rejects,
    int Batches,
    int FailedBatches,
    string? RejectsFile,
    TimeSpan Elapsed,
    string? Error)
{
    public bool Succeeded => Error is null && FailedBatches == 0;
}

/// <summary>
/// Runs one source once: reads it through its adapter, publishes the records in batches, writes
/// rejects beside the run, then waits until the hub has applied every batch.
/// </summary>
public sealed class SyncRunner(
    IEnumerable<ISourceAdapterFactory> factories,
    IBus bus,
    ICitizenStore store,
    IOptions<CitizenHubOptions> options,
    ConfigurationLocation location,
    TimeProvider timeProvider,
    ILogger<SyncRunner> logger)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    public async Task<SyncRunSummary> RunAsync(SourceDefinition source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        var sync = options.Value.Sync;
        var runId = NewId.NextGuid();
        var started = timeProvider.GetUtcNow();
        var rejectsPath = Path.Combine(
            location.Resolve(sync.RejectsDirectory),
            source.Name,
            $"{started:yyyyMMdd-HHmmss}-{runId:N}.rejects.csv");

        await bus.Publish(new SyncRunStarted(runId, source.Name, started), cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Sync of {Source} started as run {RunId}", source.Name, runId);

        var batch = new List<SourceRecord>(sync.BatchSize);
        int records = 0, batches = 0;
        string? error = null;
        await using var rejects = new RejectsFile(rejectsPath);
        try
        {
            var adapter = CreateAdapter(source);
            await foreach (var item in adapter.ReadAsync(SourceCursor.Start, cancellationToken).ConfigureAwait(false))
            {
                switch (item)
                {
                    case SourceReadResult.Accepted accepted:
                        batch.Add(accepted.Record);
                        records++;
                        if (batch.Count == sync.BatchSize)
                        {
                            await PublishBatchAsync().ConfigureAwait(false);
                        }

                        break;
                    case SourceReadResult.Rejected rejected:
                        await rejects.WriteAsync(rejected.Input).ConfigureAwait(false);
                        break;
                }
            }

            if (batch.Count > 0)
            {
                await PublishBatchAsync().ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The source as a whole could not be read; the other sources still run. What was published
            // stays published and is waited for. Our own messages (configuration, files) are safe to show;
            // a library's may quote the data it choked on, so only its type is shown.
            error = ex is InvalidOperationException or IOException or UnauthorizedAccessException
                ? ex.Message
                : $"the source could not be read ({ex.GetType().Name})";
            logger.LogError("Sync of {Source} could not read the source: {ExceptionType}", source.Name, ex.GetType().Name);
        }

        await bus.Publish(
            new SyncRunCompleted(runId, source.Name, timeProvider.GetUtcNow(), batches, records, rejects.Count),
            cancellationToken).ConfigureAwait(false);

        var progress = await WaitForHubAsync(runId, batches, sync.CompletionTimeout, cancellationToken).ConfigureAwait(false);
        if (progress.FailedMessages > 0)
        {
            error ??= $"{progress.FailedMessages} of {batches} batches failed in the hub ({progress.LastFailure}); they are in the error queue";
        }

        var summary = new SyncRunSummary(
            source.Name,
            runId,
            records,
            rejects.Count,
            batches,
            progress.FailedMessages,
            rejects.Count > 0 ? rejectsPath : null,
            timeProvider.GetUtcNow() - started,
            error);
        logger.LogInformation(
            "Sync of {Source} finished: {Records} records in {Batches} batches, {Rejects} rejected, {Failed} failed",
            source.Name, records, batches, rejects.Count, progress.FailedMessages);
        return summary;

        async Task PublishBatchAsync()
        {
            batches++;
            await bus.Publish(new SourceRecordBatch(runId, source.Name, batches, [.. batch]), cancellationToken).ConfigureAwait(false);
            batch.Clear();
        }
    }

    private ISourceAdapter CreateAdapter(SourceDefinition source)
    {
        var factory = factories.FirstOrDefault(f => string.Equals(f.Kind, source.Kind, StringComparison.OrdinalIgnoreCase))
            ?? throw new InvalidOperationException(
                $"Source '{source.Name}' has Kind '{source.Kind}', but no adapter of that kind is installed ({string.Join(", ", factories.Select(f => f.Kind))}).");
        return factory.Create(source, timeProvider);
    }

    private async Task<SyncRunProgress> WaitForHubAsync(Guid runId, int batches, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timeoutSource = new CancellationTokenSource(timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        try
        {
            while (true)
            {
                var progress = await store.GetRunAsync(runId, linked.Token).ConfigureAwait(false);
                if (progress is { IsFinished: true })
                {
                    return progress;
                }

                await Task.Delay(PollInterval, timeProvider, linked.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (timeoutSource.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The hub did not finish run {runId} ({batches} batches) within {timeout}.");
        }
    }
}

/// <summary>The folder the configuration file is in: relative paths in it are resolved against this.</summary>
public sealed record ConfigurationLocation(string Directory)
{
    public string Resolve(string path) => Path.GetFullPath(path, Directory);
}
