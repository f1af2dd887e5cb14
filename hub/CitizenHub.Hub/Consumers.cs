using CitizenHub.Contracts;
using CitizenHub.Hub.Telemetry;
using CitizenHub.Store;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace CitizenHub.Hub;

/// <summary>Resolves a batch of source records into golden records, then publishes what changed.</summary>
public sealed class SourceRecordBatchConsumer(RecordResolver resolver, ChangePublisher publisher, TimeProvider timeProvider, ILogger<SourceRecordBatchConsumer> logger)
    : IConsumer<SourceRecordBatch>
{
    public async Task Consume(ConsumeContext<SourceRecordBatch> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var batch = context.Message;
        using var activity = HubTelemetry.StartApply(MessageIdentity.RecordBatch, batch.SourceSystem);
        var started = timeProvider.GetTimestamp();
        var events = await resolver.ApplyAsync(batch, context.CancellationToken).ConfigureAwait(false);
        HubTelemetry.RecordApplied(MessageIdentity.RecordBatch, batch.SourceSystem, batch.Records.Count, timeProvider.GetElapsedTime(started));
        logger.LogDebug("Applied batch {Sequence} of run {RunId}: {Records} records, {Events} events", batch.Sequence, batch.RunId, batch.Records.Count, events.Count);
        // From the outbox, after the commit: a subscriber never hears of a change the store does not hold. Were this
        // to fail, the batch is applied and its events wait in the outbox for the sweep; retrying it changes nothing.
        await publisher.PublishAfterCommitAsync(context.CancellationToken).ConfigureAwait(false);
    }
}

/// <summary>Removes records a source no longer holds.</summary>
public sealed class SourceRecordsRemovedConsumer(RecordResolver resolver, ChangePublisher publisher, TimeProvider timeProvider) : IConsumer<SourceRecordsRemoved>
{
    public async Task Consume(ConsumeContext<SourceRecordsRemoved> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var activity = HubTelemetry.StartApply(MessageIdentity.Removal, context.Message.SourceSystem);
        var started = timeProvider.GetTimestamp();
        await resolver.RemoveAsync(context.Message, context.CancellationToken).ConfigureAwait(false);
        HubTelemetry.RecordApplied(MessageIdentity.Removal, context.Message.SourceSystem, 0, timeProvider.GetElapsedTime(started));
        await publisher.PublishAfterCommitAsync(context.CancellationToken).ConfigureAwait(false);
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
/// instead of being waited on for ever, and keeps it whole for <c>citizenhub errors replay</c>.
/// (The transport's error queue holds it too, for those who look there.)
/// </summary>
public sealed class FailedMessageConsumer(ICitizenStore store, TimeProvider timeProvider, ILogger<FailedMessageConsumer> logger)
    : IConsumer<Fault<SourceRecordBatch>>, IConsumer<Fault<SourceRecordsRemoved>>
{
    public Task Consume(ConsumeContext<Fault<SourceRecordBatch>> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return RecordAsync(HubMessages.Identify(context.Message.Message), HubMessages.Serialize(context.Message.Message), Reason(context.Message), context.CancellationToken);
    }

    public Task Consume(ConsumeContext<Fault<SourceRecordsRemoved>> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return RecordAsync(HubMessages.Identify(context.Message.Message), HubMessages.Serialize(context.Message.Message), Reason(context.Message), context.CancellationToken);
    }

    // Only the exception types: an exception message from a driver may quote the data it choked on.
    private static string Reason(Fault fault) => string.Join(" <- ", fault.Exceptions.Select(e => e.ExceptionType));

    private Task RecordAsync(MessageIdentity message, string body, string reason, CancellationToken cancellationToken)
    {
        logger.LogError("Message {Kind} {Sequence} of run {RunId} failed after retries: {Reason}", message.Kind, message.Sequence, message.RunId, reason);
        return store.RecordMessageFailedAsync(message, reason, body, timeProvider.GetUtcNow(), cancellationToken);
    }
}

/// <summary>
/// Takes the messages the broker dead-lettered because they were delivered <c>RabbitMq.DeliveryLimit</c> times without
/// being acknowledged (each time the instance holding one died or lost its connection): a message that kills every
/// instance it reaches must not go round for ever. Each is recorded as failed, for replay, like any other.
/// </summary>
public sealed class DeadLetteredMessageConsumer(ICitizenStore store, TimeProvider timeProvider, ILogger<DeadLetteredMessageConsumer> logger)
    : IConsumer<SourceRecordBatch>, IConsumer<SourceRecordsRemoved>
{
    public const string Reason = "delivery limit reached: delivered again and again without being applied (the instances holding it stopped or lost their connection)";

    public Task Consume(ConsumeContext<SourceRecordBatch> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return RecordAsync(HubMessages.Identify(context.Message), HubMessages.Serialize(context.Message), context.CancellationToken);
    }

    public Task Consume(ConsumeContext<SourceRecordsRemoved> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return RecordAsync(HubMessages.Identify(context.Message), HubMessages.Serialize(context.Message), context.CancellationToken);
    }

    private Task RecordAsync(MessageIdentity message, string body, CancellationToken cancellationToken)
    {
        logger.LogError("Message {Kind} {Sequence} of run {RunId} was dead-lettered: {Reason}", message.Kind, message.Sequence, message.RunId, Reason);
        return store.RecordMessageFailedAsync(message, Reason, body, timeProvider.GetUtcNow(), cancellationToken);
    }
}
