using CitizenHub.Contracts;
using CitizenHub.Matching.Identity;
using CitizenHub.Store;

namespace CitizenHub.Hub;

/// <summary>
/// A dry run's one transaction: every batch of the run resolved in it as the hub would resolve it (each seeing what the
/// batches before it did), counted, and none of it committed. It holds the store's resolution lock while it lasts, as
/// one long batch would.
/// </summary>
public sealed class DryRunSession(ICitizenStore store, RecordResolver resolver, Guid runId) : IAsyncDisposable
{
    /// <summary>The kind of the dry run's message identity: never committed, so never recorded as applied.</summary>
    public const string Kind = "dry-run";

    private IResolutionSession? _session;

    /// <summary>What the batches so far would have done.</summary>
    public RunTally Tally { get; private set; } = RunTally.None;

    public async Task ApplyAsync(SourceRecordBatch batch, CancellationToken cancellationToken) =>
        Tally += await resolver.TryAsync(await SessionAsync(cancellationToken).ConfigureAwait(false), batch, cancellationToken).ConfigureAwait(false);

    public async Task RemoveAsync(SourceRecordsRemoved removed, CancellationToken cancellationToken) =>
        Tally += await resolver.TryAsync(await SessionAsync(cancellationToken).ConfigureAwait(false), removed, cancellationToken).ConfigureAwait(false);

    /// <summary>Rolls the transaction back: the store is as it was.</summary>
    public ValueTask DisposeAsync() => _session?.DisposeAsync() ?? ValueTask.CompletedTask;

    private async Task<IResolutionSession> SessionAsync(CancellationToken cancellationToken) =>
        _session ??= await store.BeginMessageAsync(new MessageIdentity(runId, Kind, 1), cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"The dry run {runId} was applied before, which a new run id cannot have been.");
}
