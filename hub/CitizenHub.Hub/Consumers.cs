using CitizenHub.Contracts;
using CitizenHub.Store;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace CitizenHub.Hub;

/// <summary>Resolves a batch of source records into golden records, then publishes what changed.</summary>
public sealed class SourceRecordBatchConsumer(RecordResolver resolver, ILogger<SourceRecordBatchConsumer> logger)
    : IConsumer<SourceRecordBatch>
{
    public async Task Consume(ConsumeContext<SourceRecordBatch> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var batch = context.Message;
        var events = await resolver.ApplyAsync(batch, context.CancellationToken).ConfigureAwait(false);
        // Published after the commit: a subscriber never hears of a change the store does not hold.
        await context.PublishBatch(events, context.CancellationToken).ConfigureAwait(false);
        logger.LogDebug("Applied batch {Sequence} of run {RunId}: {Records} records, {Events} events", batch.Sequence, batch.RunId, batch.Records.Count, events.Count);
    }
}

/// <summary>Removes records a source no longer holds.</summary>
public sealed class SourceRecordsRemovedConsumer(RecordResolver resolver) : IConsumer<SourceRecordsRemoved>
{
    public async Task Consume(ConsumeContext<SourceRecordsRemoved> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var events = await resolver.RemoveAsync(context.Message, context.CancellationToken).ConfigureAwait(false);
        await context.PublishBatch(events, context.CancellationToken).ConfigureAwait(false);
    }
}

/// <summary>Keeps the store's account of sync runs, which is what a waiting sync watches.</summary>
public sealed class SyncRunConsumer(ICitizenStore store) : IConsumer<SyncRunStarted>, IConsumer<SyncRunCompleted>
{
    public Task Consume(ConsumeContext<SyncRunStarted> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return store.RecordRunStartedAsync(context.Message, context.CancellationToken);
    }

    public Task Consume(ConsumeContext<SyncRunCompleted> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return store.RecordRunCompletedAsync(context.Message, context.CancellationToken);
    }
}

/// <summary>
/// Records a message that failed after its retries, so the run it belongs to finishes as failed
/// instead of being waited on for ever. The message itself stays in the error queue for replay.
/// </summary>
public sealed class FailedMessageConsumer(ICitizenStore store, TimeProvider timeProvider, ILogger<FailedMessageConsumer> logger)
    : IConsumer<Fault<SourceRecordBatch>>, IConsumer<Fault<SourceRecordsRemoved>>
{
    public Task Consume(ConsumeContext<Fault<SourceRecordBatch>> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var batch = context.Message.Message;
        return RecordAsync(new MessageIdentity(batch.RunId, MessageIdentity.RecordBatch, batch.Sequence), context.Message, context.CancellationToken);
    }

    public Task Consume(ConsumeContext<Fault<SourceRecordsRemoved>> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var removed = context.Message.Message;
        return RecordAsync(new MessageIdentity(removed.RunId, MessageIdentity.Removal, removed.Sequence), context.Message, context.CancellationToken);
    }

    private Task RecordAsync(MessageIdentity message, Fault fault, CancellationToken cancellationToken)
    {
        // Only the exception type: an exception message from a driver may quote the data it choked on.
        var reason = string.Join(" <- ", fault.Exceptions.Select(e => e.ExceptionType));
        logger.LogError("Message {Kind} {Sequence} of run {RunId} failed after retries: {Reason}", message.Kind, message.Sequence, message.RunId, reason);
        return store.RecordMessageFailedAsync(message, reason, timeProvider.GetUtcNow(), cancellationToken);
    }
}
