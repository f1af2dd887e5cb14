using CitizenHub.Adapters;
using CitizenHub.Contracts;
using CitizenHub.Hub.Logging;
using CitizenHub.Hub.Telemetry;
using CitizenHub.Matching.Identity;
using CitizenHub.Store;
using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace CitizenHub.Hub;

/// <summary>What one source's sync run did.</summary>
/// <param name="Removed">Records the full extract no longer has, published as removed.</param>
/// <param name="Batches">Messages published for the run: record batches and removal batches.</param>
/// <param name="RejectsFile">Where the rejected inputs were written; null when there were none.</param>
/// <param name="Warning">Something the operator should know that did not fail the run (e.g. why deletions were not checked).</param>
/// <param name="Error">Why the run failed, in words that quote no personal data; null when it succeeded.</param>
/// <param name="DuplicateKeys">Of <paramref name="Rejects"/>, the rows rejected because another row of the extract had their key.</param>
/// <param name="Refused">Why a safeguard refused the run (e.g. a mass removal); null when none did. Nothing was removed.</param>
public sealed record SyncRunSummary(
    string Source,
    Guid RunId,
    SyncMode Mode,
    int Records,
    int Rejects,
    int Removed,
    int Batches,
    int FailedBatches,
    string? RejectsFile,
    TimeSpan Elapsed,
    string? Warning,
    string? Error,
    int DuplicateKeys = 0,
    string? Refused = null)
{
    public bool Succeeded => Error is null && Refused is null && FailedBatches == 0;

    /// <summary>The run failed: the source could not be read, or the hub could not apply some of it.</summary>
    public bool Failed => Error is not null || FailedBatches > 0;

    /// <summary><c>Succeeded</c>, <c>Failed</c> or <c>Refused</c>.</summary>
    public string Outcome => Failed ? "Failed" : Refused is not null ? "Refused" : "Succeeded";

    public DateTimeOffset StartedAt { get; init; }

    /// <summary>How long reading the source and publishing its batches took; the rest of <see cref="Elapsed"/> was the hub applying them.</summary>
    public TimeSpan ReadElapsed { get; init; }

    /// <summary>What the hub did with the run's records.</summary>
    public RunTally Tally { get; init; } = RunTally.None;

    /// <summary>The saved cursor the run read from; null for a full run, or a source never read.</summary>
    public string? CursorBefore { get; init; }

    /// <summary>The cursor saved at the end of the run: where the next incremental run starts. The one before when it did not move.</summary>
    public string? CursorAfter { get; init; }

    /// <summary>That an earlier run of the source did not finish (killed, or its machine lost), and where this one went on from.</summary>
    public string? Resumed { get; init; }

    /// <summary>A dry run: <see cref="Tally"/> is what the run would have done; nothing was changed.</summary>
    public bool DryRun { get; init; }
}

/// <summary>How one sync run is to go, beyond the source's own configuration.</summary>
/// <param name="Mode">Overrides the source's configured mode (e.g. a weekly full run of an incremental source).</param>
/// <param name="AllowMassRemoval">Removes what a full extract lacks even past <see cref="SyncOptions.MaxRemovalFraction"/>:
/// an operator's word that the source really did delete that many.</param>
/// <param name="DryRun">Reads and matches as a sync would, says what would change, and changes nothing: no batch is
/// committed, no cursor saved, no run recorded, no source tidied; only the rejects file is written.</param>
public sealed record SyncRunRequest(SyncMode? Mode = null, bool AllowMassRemoval = false, bool DryRun = false)
{
    /// <summary>Told how far the run has got: as it starts, about once a second as it reads, as the hub applies, and at its end.</summary>
    public IProgress<SyncProgress>? Progress { get; init; }
}

/// <summary>Where a sync run is.</summary>
public enum SyncStage
{
    /// <summary>Reading the source and handing its batches to the hub.</summary>
    Reading,

    /// <summary>Read; waiting for the hub to apply what was handed to it.</summary>
    Applying,

    Finished,
}

/// <summary>How far a sync run has got, for a live display or a progress line.</summary>
/// <param name="Read">Records read so far (accepted by the adapter).</param>
/// <param name="Tally">What the hub has done with them so far.</param>
/// <param name="ExpectedRecords">How many records the source's last run read, to say how much is left; null when unknown.</param>
public sealed record SyncProgress(
    string Source,
    Guid RunId,
    SyncMode Mode,
    SyncStage Stage,
    int Read,
    int Rejected,
    RunTally Tally,
    TimeSpan Elapsed,
    int? ExpectedRecords)
{
    /// <summary>Records the hub has gone through (applied, or found unchanged).</summary>
    public int Done => Tally.Applied + Tally.Unchanged;

    /// <summary>Records through the hub a second, over the run so far.</summary>
    public double RecordsPerSecond => Elapsed > TimeSpan.Zero ? Done / Elapsed.TotalSeconds : 0;

    /// <summary>
    /// At this run's rate, how long until the hub has gone through every record: those read, once the source is read;
    /// while it is read, as many as the last run read. Null when that is not known, or nothing is through yet.
    /// </summary>
    public TimeSpan? TimeLeft
    {
        get
        {
            var total = Stage == SyncStage.Reading ? ExpectedRecords is { } expected ? Math.Max(expected, Read) : (int?)null : Read;
            return total is { } t && RecordsPerSecond > 0
                ? TimeSpan.FromSeconds(Math.Max(0, t - Done) / RecordsPerSecond)
                : null;
        }
    }
}

/// <summary>
/// Runs one source once: reads it through its adapter from its saved cursor (or from the start for a
/// full sync), publishes the records in batches, writes rejects beside the run, publishes as removed
/// what a full extract no longer has, waits until the hub has applied every message, and only then
/// saves the cursor, so a crash re-reads and never skips.
/// </summary>
public sealed class SyncRunner(
    IEnumerable<ISourceAdapterFactory> factories,
    IBus bus,
    ICitizenStore store,
    RecordResolver resolver,
    IOptions<CitizenHubOptions> options,
    ConfigurationLocation location,
    TimeProvider timeProvider,
    ILogger<SyncRunner> logger,
    ILoggerFactory loggers)
{
    /// <summary>
    /// A first load's own events, apart from the runner's: they belong to no one run (every event of the runner's
    /// category names its run and source).
    /// </summary>
    private readonly ILogger _firstLoad = loggers.CreateLogger("CitizenHub.Hub.FirstLoad");

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>How often a run reading an incremental source looks whether a checkpoint it reached can be saved.</summary>
    private static readonly TimeSpan CheckpointInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A broker or store restarting in the middle of a run is waited for (about a minute and a half), not a failed
    /// sync: a publish that did reach the broker before failing, or whose confirmation never came
    /// (<see cref="RabbitMqOptions.PublishTimeout"/>), is applied once, since the hub knows each message's identity.
    /// </summary>
    private readonly ResiliencePipeline _throughOutages = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<Exception>(ex => ex is not OperationCanceledException),
            MaxRetryAttempts = 12,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(250),
            MaxDelay = TimeSpan.FromSeconds(10),
            OnRetry = retry =>
            {
                logger.LogWarning("Broker or store unavailable ({ExceptionType}); trying again in {Delay}", retry.Outcome.Exception?.GetType().Name, retry.RetryDelay);
                return ValueTask.CompletedTask;
            },
        })
        .Build();

    /// <summary>
    /// Runs each source once, one after another, as <see cref="RunAsync"/> does. A sync that starts on a store holding no
    /// record is a first load: the indexes only the API's search reads are left out until every source is in and then
    /// built once (whatever the outcome, so the store is never left without them), since keeping them as rows arrive is
    /// much of what writing a record costs; and once every source is in, every record is decided again with the names'
    /// counts of the whole load (<see cref="RecordResolver.SettleAsync"/>), so what the first load links does not hang on
    /// which source came first. A dry run leaves them be.
    /// </summary>
    /// <param name="ran">Called with each source's summary as it finishes.</param>
    public async Task<IReadOnlyList<SyncRunSummary>> RunEachAsync(
        IReadOnlyList<SourceDefinition> sources, Func<SyncRunSummary, Task> ran, CancellationToken cancellationToken, SyncRunRequest? request = null)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(ran);
        var summaries = new List<SyncRunSummary>(sources.Count);
        var deferred = request is not { DryRun: true } && await store.DeferSearchIndexesAsync(cancellationToken).ConfigureAwait(false);
        if (deferred)
        {
            _firstLoad.LogInformation("The store holds no record: its search indexes are built once every source is in");
        }

        try
        {
            foreach (var source in sources)
            {
                var summary = await RunAsync(source, cancellationToken, request).ConfigureAwait(false);
                summaries.Add(summary);
                await ran(summary).ConfigureAwait(false);
            }

            if (deferred)
            {
                // A first load weighed its early pairs by the names' counts of the few records in by then, and left what a
                // pair's neighbours would say to whichever source came first: with every source in, it decides again.
                var settling = timeProvider.GetTimestamp();
                var settled = await resolver.SettleAsync(cancellationToken).ConfigureAwait(false);
                _firstLoad.LogInformation(
                    "Decided again with every source in: {Records} records, {Joined} of {Reviews} open reviews now linked, {Merged} citizens merged, {Split} split, {SentForReview} pairs sent for review, in {Elapsed}",
                    settled.Records, settled.Joined, settled.Reviews, settled.Changed.Merged, settled.Changed.Split, settled.Changed.Reviews, timeProvider.GetElapsedTime(settling));
            }
        }
        finally
        {
            if (deferred)
            {
                var building = timeProvider.GetTimestamp();
                await store.BuildSearchIndexesAsync(CancellationToken.None).ConfigureAwait(false);
                _firstLoad.LogInformation("Search indexes built in {Elapsed}", timeProvider.GetElapsedTime(building));
            }
        }

        return summaries;
    }

    public async Task<SyncRunSummary> RunAsync(SourceDefinition source, CancellationToken cancellationToken, SyncRunRequest? request = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        request ??= new SyncRunRequest();
        var runMode = request.Mode ?? source.Mode;
        var runId = NewId.NextGuid();
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["RunId"] = runId, ["Source"] = source.Name });
        using var activity = HubTelemetry.StartSyncRun(source.Name, runId);
        var started = timeProvider.GetUtcNow();
        var previous = (await store.GetRunHistoryAsync(source.Name, 1, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
        if (request.DryRun)
        {
            // No lock: taking it would write to the store. Its one transaction holds the store's resolution lock instead.
            await using var dryRun = new DryRunSession(store, resolver, runId);
            return await RunHoldingLockAsync(source, request, runMode, runId, started, null, dryRun, ExpectedRecords(previous), cancellationToken).ConfigureAwait(false);
        }

        var (held, heldBy) = await SourceSyncLock.TakeAsync(
            store, source.Name, runId, timeProvider, options.Value.Sync.LockLease, logger, cancellationToken).ConfigureAwait(false);
        if (heldBy is not null)
        {
            // Not recorded as a run of the source: the source's last run is the one still going.
            var why = SourceSyncLock.Describe(heldBy);
            logger.LogWarning("Sync of {Source} refused: another sync of it holds its lock, run {HolderRunId}", source.Name, heldBy.RunId);
            return new SyncRunSummary(source.Name, runId, runMode, 0, 0, 0, 0, 0, null, TimeSpan.Zero, null, null, Refused: why) { StartedAt = started };
        }

        await using (held)
        {
            // The lock is this run's, so a run of the source that never finished is not running: it died.
            var unfinished = held!.Freed?.RunId ?? (previous is { Status: "Running" } ? previous.RunId : null);
            return await RunHoldingLockAsync(source, request, runMode, runId, started, unfinished, null, ExpectedRecords(previous), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>What a run can expect to read: what the source's last run read, if it read the source whole.</summary>
    private static int? ExpectedRecords(SyncRunRecord? previous) =>
        previous is { Status: "Completed", Records: > 0 } ? previous.Records : null;

    /// <param name="dryRun">Where a dry run's batches go instead of the bus; null for a real run.</param>
    /// <param name="expectedRecords">How many records the source's last run read, for saying how much is left.</param>
    private async Task<SyncRunSummary> RunHoldingLockAsync(
        SourceDefinition source,
        SyncRunRequest request,
        SyncMode runMode,
        Guid runId,
        DateTimeOffset started,
        Guid? unfinished,
        DryRunSession? dryRun,
        int? expectedRecords,
        CancellationToken cancellationToken)
    {
        var sync = options.Value.Sync;
        var rejectsPath = Path.Combine(
            location.Resolve(sync.RejectsDirectory),
            source.Name,
            $"{started:yyyyMMdd-HHmmss}-{runId:N}{(dryRun is null ? "" : ".dry-run")}.rejects.csv");
        var savedCursor = await store.GetCursorAsync(source.Name, cancellationToken).ConfigureAwait(false);
        var since = runMode == SyncMode.Incremental ? new SourceCursor(savedCursor) : SourceCursor.Start;

        if (dryRun is null)
        {
            await PublishAsync(new SyncRunStarted(runId, source.Name, started), cancellationToken).ConfigureAwait(false);
        }

        if (dryRun is null)
        {
            logger.LogInformation("{Mode} sync of {Source} started as run {RunId}", runMode, source.Name, runId);
        }
        else
        {
            logger.LogInformation("{Mode} dry run of {Source} started as run {RunId}: nothing will be changed", runMode, source.Name, runId);
        }
        string? resumed = null;
        if (unfinished is { } died)
        {
            resumed = runMode == SyncMode.Incremental
                ? $"run {died} did not finish; this run continues from the last saved cursor{(savedCursor is null ? " (none was saved: from the start)" : "")}"
                : $"run {died} did not finish; a full run reads the source whole again";
            logger.LogWarning("Sync of {Source}: run {UnfinishedRunId} did not finish; this run continues from the last saved cursor", source.Name, died);
        }

        var batch = new List<SourceRecord>(sync.BatchSize);
        // An incremental run saves its cursor as it goes, at each checkpoint whose records are all applied, so a run
        // killed part-way continues from there. A full run cannot: what it has not read yet decides what it removes.
        var reachedCheckpoints = new Queue<(SourceCursor Cursor, int ThroughBatch)>();
        var checkpointLook = timeProvider.GetTimestamp();
        string? savedPartWay = null;
        // A full extract names every record the source holds; what it does not name was deleted.
        var seen = runMode == SyncMode.Full ? new HashSet<string>(StringComparer.Ordinal) : null;
        // And repeats, most nights, nearly all of what the hub holds: those records need not travel.
        var held = runMode == SyncMode.Full ? await HeldContent.ReadAsync(store, source.Name, cancellationToken).ConfigureAwait(false) : HeldContent.None;
        int keylessRejects = 0, duplicateKeys = 0, unchangedNotSent = 0;
        SourceCursor? checkpoint = null;
        ISourceAdapter? adapter = null;
        int records = 0, batches = 0, removed = 0;
        string? error = null, warning = null, refused = null;
        await using var rejects = new RejectsFile(rejectsPath);
        Report(SyncStage.Reading, RunTally.None);
        try
        {
            adapter = CreateAdapter(source);
            await foreach (var item in adapter.ReadAsync(since, cancellationToken).ConfigureAwait(false))
            {
                switch (item)
                {
                    case SourceReadResult.Accepted accepted:
                        seen?.Add(accepted.Record.SourceKey);
                        records++;
                        if (held.HoldsUnchanged(accepted.Record))
                        {
                            unchangedNotSent++;
                            await LookAtProgressAsync().ConfigureAwait(false);
                            break;
                        }

                        batch.Add(accepted.Record);
                        if (batch.Count == sync.BatchSize)
                        {
                            await PublishBatchAsync().ConfigureAwait(false);
                        }

                        break;
                    case SourceReadResult.Rejected rejected:
                        // A rejected row still exists in the source: it must not read as a deletion.
                        if (rejected.Input.Position.Key is { } key)
                        {
                            seen?.Add(key);
                        }
                        else
                        {
                            keylessRejects++;
                        }

                        if (rejected.Input.Kind == RejectKind.DuplicateKey)
                        {
                            duplicateKeys++;
                        }

                        await rejects.WriteAsync(rejected.Input).ConfigureAwait(false);
                        break;
                    case SourceReadResult.CheckpointReached reached:
                        checkpoint = reached.Cursor;
                        if (runMode == SyncMode.Incremental && dryRun is null)
                        {
                            // Safe to save once the batch now filling, which holds the checkpoint's last record, is applied.
                            reachedCheckpoints.Enqueue((reached.Cursor, batch.Count > 0 ? batches + 1 : batches));
                        }

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
            // stays published and is waited for. The hub's own messages (configuration, files) are written to quote no
            // one; a library's, a peer's or a plug-in's may quote the data it choked on, so of those only the type and
            // codes are shown (and stored: GET /sources shows the run's failure).
            error = ExceptionFacts.OperatorText(ex, "the source could not be read");
            logger.LogError(ex, "Sync of {Source} could not read the source: {ExceptionType}", source.Name, ex.GetType().Name);
        }

        var removals = 0;
        if (seen is not null && error is null)
        {
            if (checkpoint is null && records == 0 && rejects.Count == 0)
            {
                // An empty read (no new drop file, an empty table) is far likelier a missing extract than a
                // source that deleted everyone.
                warning = "nothing was read, so deletions were not checked";
            }
            else if (keylessRejects > 0)
            {
                warning = $"deletions not checked: {keylessRejects} rejected rows have no key, so what they hold is unknown";
            }
            else
            {
                (removed, removals, refused) = await PublishRemovalsAsync(
                    source.Name, runId, started, seen, sync, request.AllowMassRemoval, dryRun, cancellationToken).ConfigureAwait(false);
            }
        }

        if (dryRun is null)
        {
            await PublishAsync(
                new SyncRunCompleted(
                    runId, source.Name, timeProvider.GetUtcNow(), batches + removals, records, rejects.Count, error ?? refused, error is null && refused is not null, unchangedNotSent),
                cancellationToken).ConfigureAwait(false);
        }

        var readElapsed = timeProvider.GetUtcNow() - started;
        // The hub may apply long after the source is read (a first load): checkpoints are saved meanwhile, as they are applied.
        var progress = dryRun is not null
            ? new SyncRunProgress(runId, source.Name, batches + removals, batches + removals, 0, null) { Tally = dryRun.Tally + NotSent() }
            : await WaitForHubAsync(source.Name, runId, batches + removals, sync, WhileApplyingAsync, cancellationToken).ConfigureAwait(false);
        if (error is not null && progress.FailedMessages == 0 && reachedCheckpoints.Count > 0)
        {
            // The source failed part-way: what was read and applied before its last checkpoint need not be read again.
            await SaveAppliedCheckpointAsync(progress).ConfigureAwait(false);
        }

        var cursorAfter = savedPartWay ?? savedCursor;
        if (progress.FailedMessages > 0)
        {
            error ??= $"{progress.FailedMessages} of {batches + removals} batches failed in the hub ({progress.LastFailure}); they are in the error queue";
        }
        else if (error is null && refused is null && checkpoint is not null && dryRun is null)
        {
            await _throughOutages.ExecuteAsync(
                async token => await store.SaveCursorAsync(source.Name, checkpoint.Value, runId, timeProvider.GetUtcNow(), token).ConfigureAwait(false),
                cancellationToken).ConfigureAwait(false);
            cursorAfter = checkpoint.Value;
            if (adapter is ISourceCommitHandler committed)
            {
                try
                {
                    await committed.OnCommittedAsync(checkpoint, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
                {
                    warning ??= $"the records are applied, but the source could not be tidied afterwards: {ExceptionFacts.OperatorText(ex, "it failed")}";
                    logger.LogWarning(ex, "After sync of {Source}: {ExceptionType} while committing", source.Name, ex.GetType().Name);
                }
            }
        }

        var summary = new SyncRunSummary(
            source.Name,
            runId,
            runMode,
            records,
            rejects.Count,
            removed,
            batches + removals,
            progress.FailedMessages,
            rejects.Count > 0 ? rejectsPath : null,
            timeProvider.GetUtcNow() - started,
            warning,
            error,
            duplicateKeys,
            refused)
        {
            StartedAt = started,
            ReadElapsed = readElapsed,
            Tally = progress.Tally,
            CursorBefore = runMode == SyncMode.Incremental ? savedCursor : null,
            CursorAfter = cursorAfter,
            Resumed = resumed,
            DryRun = dryRun is not null,
        };
        logger.LogInformation(
            "Sync of {Source} {Outcome}: {Records} records, {Rejects} rejected, {Removed} removed in {Batches} batches, {Failed} failed",
            source.Name, summary.Failed ? "failed" : refused is not null ? "refused" : "finished", records, rejects.Count, removed, batches + removals, progress.FailedMessages);
        if (dryRun is null)
        {
            // A dry run changed nothing: counted as records read, it would read as a night's work.
            HubTelemetry.RecordSyncRun(summary);
        }

        Report(SyncStage.Finished, progress.Tally);
        return summary;

        async Task PublishBatchAsync()
        {
            batches++;
            var message = new SourceRecordBatch(runId, source.Name, batches, [.. batch]);
            if (dryRun is not null)
            {
                await dryRun.ApplyAsync(message, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await PublishAsync(message, cancellationToken).ConfigureAwait(false);
            }

            batch.Clear();
            await LookAtProgressAsync().ConfigureAwait(false);
        }

        // About once a second while reading: saves a checkpoint that is safe to save, and says how far the run has got.
        async Task LookAtProgressAsync()
        {
            if ((reachedCheckpoints.Count > 0 || request.Progress is not null) && timeProvider.GetElapsedTime(checkpointLook) >= CheckpointInterval)
            {
                checkpointLook = timeProvider.GetTimestamp();
                var applied = dryRun is not null
                    ? new SyncRunProgress(runId, source.Name, null, batches, 0, null) { Tally = dryRun.Tally }
                    : await _throughOutages.ExecuteAsync(async token => await store.GetRunAsync(runId, token).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
                await SaveAppliedCheckpointAsync(applied).ConfigureAwait(false);
                Report(SyncStage.Reading, Counted(applied));
            }
        }

        // The records not sent are in the store's tally once the run's completion is recorded (it carries their count).
        RunTally Counted(SyncRunProgress? applied) =>
            (applied?.Tally ?? RunTally.None) + (applied?.ExpectedMessages is null ? NotSent() : RunTally.None);

        RunTally NotSent() => new(Unchanged: unchangedNotSent);

        void Report(SyncStage stage, RunTally tally) =>
            request.Progress?.Report(new SyncProgress(
                source.Name, runId, runMode, stage, records, rejects.Count, tally, timeProvider.GetUtcNow() - started, expectedRecords));

        async Task WhileApplyingAsync(SyncRunProgress? applied)
        {
            await SaveAppliedCheckpointAsync(applied).ConfigureAwait(false);
            Report(SyncStage.Applying, Counted(applied));
        }

        async Task SaveAppliedCheckpointAsync(SyncRunProgress? applied)
        {
            if (applied is null || applied.FailedMessages > 0 || reachedCheckpoints.Count == 0)
            {
                return;
            }

            SourceCursor? safe = null;
            while (reachedCheckpoints.TryPeek(out var reached) && reached.ThroughBatch <= applied.AppliedThrough)
            {
                safe = reachedCheckpoints.Dequeue().Cursor;
            }

            if (safe is not null)
            {
                await _throughOutages.ExecuteAsync(
                    async token => await store.SaveCursorAsync(source.Name, safe.Value, runId, timeProvider.GetUtcNow(), token).ConfigureAwait(false),
                    cancellationToken).ConfigureAwait(false);
                savedPartWay = safe.Value;
            }
        }
    }

    /// <summary>Publishes as removed every held record the full extract did not name, unless that is implausibly many.</summary>
    private async Task<(int Removed, int Messages, string? Error)> PublishRemovalsAsync(
        string sourceSystem,
        Guid runId,
        DateTimeOffset observedAt,
        HashSet<string> seen,
        SyncOptions sync,
        bool allowMassRemoval,
        DryRunSession? dryRun,
        CancellationToken cancellationToken)
    {
        var held = 0;
        var missing = new List<string>();
        await foreach (var key in store.ReadSourceKeysAsync(sourceSystem, cancellationToken).ConfigureAwait(false))
        {
            held++;
            if (!seen.Contains(key))
            {
                missing.Add(key);
            }
        }

        if (missing.Count == 0)
        {
            return (0, 0, null);
        }

        if (missing.Count > held * sync.MaxRemovalFraction && !allowMassRemoval)
        {
            return (0, 0, string.Create(
                System.Globalization.CultureInfo.InvariantCulture,
                $"the full extract lacks {missing.Count} of the {held} records held, more than Sync.MaxRemovalFraction ({sync.MaxRemovalFraction:P0}); nothing was removed and the cursor was not moved. Check the extract is whole; if the source really deleted them, sync again with --allow-mass-removal"));
        }

        var messages = 0;
        foreach (var chunk in missing.Chunk(sync.BatchSize))
        {
            messages++;
            var removal = new SourceRecordsRemoved(runId, sourceSystem, messages, chunk, observedAt);
            if (dryRun is not null)
            {
                await dryRun.RemoveAsync(removal, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await PublishAsync(removal, cancellationToken).ConfigureAwait(false);
            }
        }

        return (missing.Count, messages, null);
    }

    private ValueTask PublishAsync<T>(T message, CancellationToken cancellationToken)
        where T : class =>
        _throughOutages.ExecuteAsync(
            async (m, token) => await BoundedPublish.WithinAsync(t => bus.Publish(m, t), options.Value.RabbitMq.PublishTimeout, timeProvider, token).ConfigureAwait(false),
            message,
            cancellationToken);

    private ISourceAdapter CreateAdapter(SourceDefinition source)
    {
        var factory = factories.FirstOrDefault(f => string.Equals(f.Kind, source.Kind, StringComparison.OrdinalIgnoreCase))
            ?? throw new InvalidOperationException(
                $"Source '{source.Name}' has Kind '{source.Kind}', but no adapter of that kind is installed ({string.Join(", ", factories.Select(f => f.Kind))}).");
        return factory.Create(source, timeProvider);
    }

    /// <param name="onProgress">Told how far the hub has got, at each look.</param>
    private async Task<SyncRunProgress> WaitForHubAsync(
        string sourceSystem, Guid runId, int batches, SyncOptions sync, Func<SyncRunProgress?, Task> onProgress, CancellationToken cancellationToken)
    {
        var timeout = sync.CompletionTimeout;
        using var timeoutSource = new CancellationTokenSource(timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        var waiting = timeProvider.GetTimestamp();
        var reported = waiting;
        try
        {
            while (true)
            {
                var progress = await _throughOutages.ExecuteAsync(async token => await store.GetRunAsync(runId, token).ConfigureAwait(false), linked.Token).ConfigureAwait(false);
                if (progress is { IsFinished: true })
                {
                    return progress;
                }

                await onProgress(progress).ConfigureAwait(false);

                if (timeProvider.GetElapsedTime(reported) >= sync.ProgressInterval)
                {
                    reported = timeProvider.GetTimestamp();
                    logger.LogInformation(
                        "Sync of {Source}: {Applied} of {Batches} batches applied, {Failed} failed, after waiting {Waited:hh\\:mm\\:ss} for the hub",
                        sourceSystem, progress?.AppliedMessages ?? 0, batches, progress?.FailedMessages ?? 0, timeProvider.GetElapsedTime(waiting));
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
