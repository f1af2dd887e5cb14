using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using CitizenHub.Adapters;
using CitizenHub.Adapters.Testing;
using CitizenHub.Contracts;
using CitizenHub.Matching;
using CitizenHub.Matching.Identity;
using CitizenHub.Matching.Linking;
using CitizenHub.Store;
using CitizenHub.TestKit;
using MassTransit;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CitizenHub.Hub.Tests;

/// <summary>The runner through the real in-memory bus into a real SQLite store.</summary>
public sealed class SyncRunnerTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }

    [Fact]
    public async Task RunAsync_RecordsAndRejects_PublishesBatchesWritesRejectsAndWaitsForTheHub()
    {
        var adapter = new ListAdapter(
            Accept("1", "AB123456C"),
            Accept("2", "CE123456A"),
            SourceReadResult.Reject(new InputPosition("people.csv", 4), "expected 5 fields, found 4", "raw,text"),
            Accept("3", "AB123456C"),
            Accept("4", null),
            Accept("5", null));
        using var host = await StartHostAsync(adapter, batchSize: 2);
        var created = new ConcurrentBag<CitizenCreated>();
        var endpoint = host.Services.GetRequiredService<IBus>().ConnectReceiveEndpoint("test-created", e => e.Handler<CitizenCreated>(c =>
        {
            created.Add(c.Message);
            return Task.CompletedTask;
        }));
        await endpoint.Ready;

        var summary = await RunAsync(host);

        Assert.True(summary.Succeeded, summary.Error);
        Assert.Equal((5, 1, 3, 0), (summary.Records, summary.Rejects, summary.Batches, summary.FailedBatches));
        // The sync waited: every accepted record is linked by the time it returns.
        var links = await LinksAsync(host);
        Assert.Equal(5, links.Count);
        Assert.Equal(4, links.Select(l => l.CitizenId).Distinct().Count());
        var rejects = await File.ReadAllLinesAsync(summary.RejectsFile!);
        Assert.Equal("file,line,page,key,reason,raw", rejects[0]);
        Assert.Equal("people.csv,4,,,\"expected 5 fields, found 4\",\"raw,text\"", rejects[1]);
        Assert.StartsWith(_folder.File("rejects"), summary.RejectsFile, StringComparison.Ordinal);
        await WaitUntilAsync(() => created.Count == 4);
        Assert.Equal(links.Select(l => l.CitizenId).Distinct().Order(), created.Select(c => c.CitizenId).Order());
    }

    [Fact]
    public async Task RunAsync_SaysWhatTheHubDidWithTheRecords_AndARunAgainOfTheSameRecordsChangesNothing()
    {
        var adapter = new ListAdapter(
            Accept("1", "AB123456C"),
            Accept("2", "CE123456A"),
            Accept("3", "AB123456C"),
            Accept("4", null),
            Accept("5", null));
        using var host = await StartHostAsync(adapter, batchSize: 2);

        var first = await RunAsync(host);
        var again = await RunAsync(host);

        // 1 and 3 share an NI number: 3 joins 1's citizen. The others each start one; Lees born in the same month are
        // close enough to ask a steward about.
        var open = await host.Services.GetRequiredService<ICitizenStore>().GetReviewsAsync(new ReviewQuery(ReviewStatus.Open, 100), CancellationToken.None);
        Assert.NotEmpty(open);
        Assert.Equal(new RunTally(Added: 5, CitizensCreated: 4, Linked: 1, Reviews: open.Count), first.Tally);
        Assert.Equal(5, first.Tally.Applied);
        Assert.Equal(new RunTally(Unchanged: 5), again.Tally);
        Assert.Equal(0, again.Tally.Applied);
        Assert.InRange(first.ReadElapsed, TimeSpan.Zero, first.Elapsed);
    }

    [Fact]
    public async Task RunAsync_AnotherRunOfTheSourceHoldsItsLock_IsRefusedNamingTheHolder_AndReadsNothing()
    {
        var adapter = new ListAdapter(Accept("1", null));
        using var host = await StartHostAsync(adapter, batchSize: 10);
        var store = host.Services.GetRequiredService<ICitizenStore>();
        using var alive = System.Diagnostics.Process.GetCurrentProcess();
        var since = DateTimeOffset.Parse("2026-12-02T02:00:00Z", CultureInfo.InvariantCulture);
        var holder = new SyncLockHolder("people", Guid.NewGuid(), Environment.MachineName, alive.Id, alive.StartTime.ToUniversalTime(), since, DateTimeOffset.MaxValue);
        Assert.Null(await store.TakeSyncLockAsync(holder, null, CancellationToken.None));

        var summary = await RunAsync(host);

        Assert.False(summary.Succeeded);
        Assert.False(summary.Failed);
        Assert.Equal("Refused", summary.Outcome);
        Assert.Contains($"another sync of people is running: run {holder.RunId}, process {alive.Id} on {Environment.MachineName}, since 2026-12-02 02:00:00 UTC", summary.Refused, StringComparison.Ordinal);
        Assert.Equal(0, summary.Records);
        Assert.Empty(await LinksAsync(host));
        Assert.Empty(await store.GetRunHistoryAsync("people", 10, CancellationToken.None));
    }

    [Fact]
    public async Task RunAsync_TheLocksHolderOnThisMachineHasDied_FreesIt_SaysTheRunDidNotFinish_AndLetsTheLockGoAtTheEnd()
    {
        var adapter = new ListAdapter(Accept("1", null));
        using var host = await StartHostAsync(adapter, batchSize: 10);
        var store = host.Services.GetRequiredService<ICitizenStore>();
        var dead = DeadProcessId();
        var now = DateTimeOffset.Parse("2026-12-02T02:00:00Z", CultureInfo.InvariantCulture);
        var holder = new SyncLockHolder("people", Guid.NewGuid(), Environment.MachineName, dead, null, now, DateTimeOffset.MaxValue);
        Assert.Null(await store.TakeSyncLockAsync(holder, null, CancellationToken.None));

        var summary = await RunAsync(host);
        var next = await RunAsync(host);

        Assert.True(summary.Succeeded, summary.Error ?? summary.Refused);
        Assert.Equal($"run {holder.RunId} did not finish; a full run reads the source whole again", summary.Resumed);
        Assert.Single(await LinksAsync(host));
        // It let the lock go: the next run took it without freeing anyone's.
        Assert.True(next.Succeeded, next.Refused);
        Assert.Null(next.Resumed);
    }

    [Fact]
    public async Task RunAsync_IncrementalSourceFailsPartWay_SavesTheLastCheckpointWhoseRecordsAreApplied_AndTheNextRunReadsOnFromIt()
    {
        var failing = new ListAdapter(
            Accept("1", null),
            SourceReadResult.Checkpoint(new SourceCursor("page-1")),
            Accept("2", null),
            Accept("3", null),
            SourceReadResult.Checkpoint(new SourceCursor("page-2")))
        {
            ThrowAtEnd = new IOException("the service went away"),
        };
        using var host = await StartHostAsync(failing, batchSize: 2);
        var store = host.Services.GetRequiredService<ICitizenStore>();

        var summary = await RunAsync(host, mode: SyncMode.Incremental);
        var cursor = await store.GetCursorAsync("people", CancellationToken.None);

        Assert.True(summary.Failed);
        // Records 1 and 2 (batch 1) are applied, so page-1 is safe; page-2's record 3 was in the batch still filling when
        // the source failed, never published, so page-2 is not: the next run reads record 3 again.
        Assert.Equal("page-1", cursor);
        Assert.Equal(("page-1", (string?)null), (summary.CursorAfter, summary.CursorBefore));
        var resumedFrom = new RecordingAdapter();
        var next = await RunAsync(host, resumedFrom, SyncMode.Incremental);
        Assert.Equal("page-1", resumedFrom.Since?.Value);
        Assert.Equal("page-1", next.CursorBefore);
    }

    [Fact]
    public async Task RunAsync_ReportsItsProgress_FromNothingReadToTheSummarysOwnFigures_NeverGoingBack()
    {
        var adapter = new ListAdapter(Accept("1", null), Accept("2", null), Accept("3", null), Accept("4", "AB123456C"));
        using var host = await StartHostAsync(adapter, batchSize: 1);
        var reports = new List<SyncProgress>();

        var summary = await RunAsync(host, request: new SyncRunRequest { Progress = new Collected(reports) });

        Assert.Equal((SyncStage.Reading, 0), (reports[0].Stage, reports[0].Read));
        Assert.Equal((SyncStage.Finished, 4, summary.Tally), (reports[^1].Stage, reports[^1].Read, reports[^1].Tally));
        Assert.Single(reports, r => r.Stage == SyncStage.Finished);
        Assert.All(reports, r => Assert.Equal((summary.RunId, "people"), (r.RunId, r.Source)));
        Assert.All(reports.Zip(reports.Skip(1)), pair =>
        {
            Assert.True(pair.Second.Read >= pair.First.Read && pair.Second.Done >= pair.First.Done && pair.Second.Stage >= pair.First.Stage);
        });
    }

    private sealed class Collected(List<SyncProgress> into) : IProgress<SyncProgress>
    {
        public void Report(SyncProgress value)
        {
            lock (into)
            {
                into.Add(value);
            }
        }
    }

    /// <summary>The id of a process that has ended, so no process has it (for a while: ids are reused only after many more).</summary>
    private static int DeadProcessId()
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("true") { UseShellExecute = false })!;
        process.WaitForExit();
        return process.Id;
    }

    private sealed class RecordingAdapter : ISourceAdapter
    {
        public SourceCursor? Since { get; private set; }

        public async IAsyncEnumerable<SourceReadResult> ReadAsync(SourceCursor since, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            Since = since;
            await Task.Yield();
            yield break;
        }
    }

    [Fact]
    public async Task RunAsync_NoRejects_LeavesNoRejectsFile()
    {
        using var host = await StartHostAsync(new ListAdapter(Accept("1", null)), batchSize: 10);

        var summary = await RunAsync(host);

        Assert.Null(summary.RejectsFile);
        Assert.False(Directory.Exists(_folder.File("rejects")));
    }

    [Fact]
    public async Task RunAsync_BatchKeepsFailing_FinishesAsFailedInsteadOfWaitingForever()
    {
        var adapter = new ListAdapter(Accept("1", null), Accept("2", null), Accept("3", null));
        using var host = await StartHostAsync(adapter, batchSize: 1, failSequence: 2);

        var summary = await RunAsync(host);

        Assert.False(summary.Succeeded);
        Assert.Equal((3, 1), (summary.Batches, summary.FailedBatches));
        Assert.Contains("1 of 3 batches failed", summary.Error, StringComparison.Ordinal);
        Assert.Contains(nameof(InvalidDataException), summary.Error, StringComparison.Ordinal);
        Assert.Equal(["1", "3"], (await LinksAsync(host)).Select(l => l.SourceKey).Order());
    }

    [Fact]
    public async Task RunAsync_HubTakesLongerThanTheProgressInterval_LogsHowManyBatchesAreAppliedAndNoPersonalData()
    {
        var adapter = new ListAdapter(Accept("1", "AB123456C"), Accept("2", "CE123456A"), Accept("3", null));
        // The second batch fails through its retries (about 2.6 s) before the run can end: the sync waits that long.
        using var host = await ListSourceHub.StartAsync(
            _folder.Path,
            adapter,
            new Dictionary<string, string?> { ["Sync:BatchSize"] = "1", ["Sync:ProgressInterval"] = "00:00:01" },
            failSequence: 2);

        var summary = await RunAsync(host);

        Assert.Equal((3, 1), (summary.Batches, summary.FailedBatches));
        var messages = ListSourceHub.LogMessages(host);
        Assert.Contains(messages, m => Regex.IsMatch(m, "^Sync of people: [0-2] of 3 batches applied, 0 failed, after waiting 00:00:0[1-9] for the hub$"));
        Assert.DoesNotContain(messages, m => m.Contains("AB123456C", StringComparison.Ordinal) || m.Contains("CE123456A", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Replay_OnceTheCauseIsMended_AppliesTheKeptBatchAndTheRunNoLongerCountsIt()
    {
        var adapter = new ListAdapter(Accept("1", null), Accept("2", null), Accept("3", null));
        using var host = await StartHostAsync(adapter, batchSize: 1, failSequence: 2);
        var summary = await RunAsync(host);
        var store = host.Services.GetRequiredService<ICitizenStore>();
        var failed = Assert.Single(await store.GetFailedMessagesAsync(includeApplied: false, CancellationToken.None));

        PoisonStore.Cure(host.Services);
        var replay = host.Services.GetRequiredService<FailedMessageReplay>();
        var (outcome, after) = await replay.ReplayAsync(failed.FailureId, CancellationToken.None);
        var (again, _) = await replay.ReplayAsync(failed.FailureId, CancellationToken.None);

        Assert.Equal((summary.RunId, MessageIdentity.RecordBatch, 2, "people"), (failed.Message.RunId, failed.Message.Kind, failed.Message.Sequence, failed.SourceSystem));
        Assert.Equal(ReplayOutcome.Applied, outcome);
        Assert.True(after!.Applied);
        Assert.Equal(ReplayOutcome.AlreadyApplied, again);
        Assert.Equal(["1", "2", "3"], (await LinksAsync(host)).Select(l => l.SourceKey).Order());
        Assert.Equal(0, (await store.GetRunAsync(summary.RunId, CancellationToken.None))!.FailedMessages);
        Assert.Empty(await store.GetFailedMessagesAsync(includeApplied: false, CancellationToken.None));
        Assert.Single(await store.GetFailedMessagesAsync(includeApplied: true, CancellationToken.None));
    }

    [Fact]
    public async Task Replay_CauseNotMended_SaysItFailedAgain()
    {
        using var host = await StartHostAsync(new ListAdapter(Accept("1", null), Accept("2", null)), batchSize: 1, failSequence: 2);
        await RunAsync(host);
        var store = host.Services.GetRequiredService<ICitizenStore>();
        var failed = Assert.Single(await store.GetFailedMessagesAsync(includeApplied: false, CancellationToken.None));

        var (outcome, after) = await host.Services.GetRequiredService<FailedMessageReplay>().ReplayAsync(failed.FailureId, CancellationToken.None);

        Assert.Equal(ReplayOutcome.FailedAgain, outcome);
        Assert.Equal(failed.FailureId, after!.FailureId);
        Assert.Contains(nameof(InvalidDataException), after.Reason, StringComparison.Ordinal);
        Assert.Equal(["1"], (await LinksAsync(host)).Select(l => l.SourceKey));
    }

    [Fact]
    public async Task RunAsync_SourceUnreadablePartway_ReportsErrorAndKeepsWhatWasRead()
    {
        var adapter = new ListAdapter(Accept("1", null)) { ThrowAtEnd = new InvalidOperationException("people.csv has no field named 'dob'.") };
        using var host = await StartHostAsync(adapter, batchSize: 1);

        var summary = await RunAsync(host);

        Assert.Equal("people.csv has no field named 'dob'.", summary.Error);
        Assert.Equal(1, summary.Batches);
        Assert.Single(await LinksAsync(host));
    }

    [Fact]
    public async Task RunAsync_AdapterFailsWithAForeignException_ReportsOnlyItsType()
    {
        var adapter = new ListAdapter(Accept("1", null)) { ThrowAtEnd = new FormatException("Margaret Hughes 04/03/1950 is not valid") };
        using var host = await StartHostAsync(adapter, batchSize: 1);

        var summary = await RunAsync(host);

        Assert.Equal("the source could not be read (FormatException)", summary.Error);
        Assert.Single(await LinksAsync(host));
    }

    [Fact]
    public async Task RunAsync_FullExtractWithoutARecord_RemovesIt()
    {
        var keys = Enumerable.Range(0, 10).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToList();
        using var host = await StartHostAsync(new ListAdapter([.. keys.Select(k => Accept(k, null))]), batchSize: 10);
        await RunAsync(host);

        // One of ten is the most Sync.MaxRemovalFraction lets a run remove by default.
        var summary = await RunAsync(host, new ListAdapter([.. keys.Where(k => k != "3").Select(k => Accept(k, null))]));

        Assert.True(summary.Succeeded, summary.Error ?? summary.Refused);
        // The nine records still there are held as they are, so the one message is the removal.
        Assert.Equal((1, 1, 9), (summary.Removed, summary.Batches, summary.Tally.Unchanged));
        Assert.Equal(keys.Where(k => k != "3").Order(), (await LinksAsync(host)).Select(l => l.SourceKey).Order());
    }

    [Fact]
    public async Task RunAsync_FullExtractRepeatingWhatIsHeld_SendsTheHubOnlyWhatChanged_AndCountsTheRestAsUnchanged()
    {
        using var host = await StartHostAsync(new ListAdapter(Accept("1", null), Accept("2", null), Accept("3", null), Accept("4", null)), batchSize: 1);
        await RunAsync(host);
        var renamed = Records.Person("people", "2", "Person2", "Lee-Hart", (1970, 1, 2));
        var observedLater = Records.Person("people", "3", "Person3", "Lee", (1970, 1, 3), observedAt: Records.Observed.AddDays(1));

        var summary = await RunAsync(host, new ListAdapter(Accept("1", null), SourceReadResult.Accept(renamed), SourceReadResult.Accept(observedLater), Accept("4", null)));

        // One record a message: the one that changed is the only one sent. A record observed again, saying the same, is
        // unchanged whenever it was observed.
        Assert.True(summary.Succeeded, summary.Error);
        Assert.Equal((4, 1), (summary.Records, summary.Batches));
        Assert.Equal((3, 1, 0), (summary.Tally.Unchanged, summary.Tally.Updated, summary.Tally.Added));
        var store = host.Services.GetRequiredService<ICitizenStore>();
        Assert.Equal("Lee-Hart", (await store.GetSourceRecordAsync("people", "2", CancellationToken.None))!.Record.Name?.FamilyName);
        // What the store says of the run counts them too (GET /sources, the report).
        var recorded = Assert.Single(await store.GetRunHistoryAsync("people", 1, CancellationToken.None));
        Assert.Equal((summary.RunId, summary.Tally), (recorded.RunId, recorded.Tally));
    }

    [Fact]
    public async Task RunAsync_DryRunOfAFullExtractRepeatingWhatIsHeld_CountsWhatItPassesOverAsUnchanged()
    {
        using var host = await StartHostAsync(new ListAdapter(Accept("1", null), Accept("2", null), Accept("3", null)), batchSize: 1);
        await RunAsync(host);
        var renamed = Records.Person("people", "2", "Person2", "Lee-Hart", (1970, 1, 2));

        var summary = await RunAsync(
            host, new ListAdapter(Accept("1", null), SourceReadResult.Accept(renamed), Accept("3", null)), request: new SyncRunRequest(DryRun: true));

        Assert.True(summary.DryRun);
        Assert.Equal((2, 1, 1), (summary.Tally.Unchanged, summary.Tally.Updated, summary.Batches));
        var store = host.Services.GetRequiredService<ICitizenStore>();
        Assert.Equal("Lee", (await store.GetSourceRecordAsync("people", "2", CancellationToken.None))!.Record.Name?.FamilyName);
    }

    [Fact]
    public async Task RunAsync_RejectedRowWithKey_IsNotTakenForADeletion()
    {
        using var host = await StartHostAsync(new ListAdapter(Accept("1", null), Accept("2", null), Accept("3", null)), batchSize: 10);
        await RunAsync(host);

        var summary = await RunAsync(host, new ListAdapter(
            Accept("1", null), Accept("3", null), SourceReadResult.Reject(new InputPosition("p.csv", 3, Key: "2"), "bad date", "raw")));

        Assert.Equal(0, summary.Removed);
        Assert.Equal(3, (await LinksAsync(host)).Count);
    }

    [Fact]
    public async Task RunAsync_RejectedRowWithoutKey_SkipsDeletionCheckWithAWarning()
    {
        using var host = await StartHostAsync(new ListAdapter(Accept("1", null), Accept("2", null), Accept("3", null)), batchSize: 10);
        await RunAsync(host);

        var summary = await RunAsync(host, new ListAdapter(
            Accept("1", null), Accept("3", null), SourceReadResult.Reject(new InputPosition("p.csv", 3), "expected 5 fields, found 2", "raw")));

        Assert.True(summary.Succeeded);
        Assert.Equal(0, summary.Removed);
        Assert.Contains("deletions not checked", summary.Warning, StringComparison.Ordinal);
        Assert.Equal(3, (await LinksAsync(host)).Count);
    }

    [Fact]
    public async Task RunAsync_ExtractLackingMostRecords_IsRefusedAndRemovesNothing()
    {
        using var host = await StartHostAsync(new ListAdapter(Accept("1", null), Accept("2", null), Accept("3", null)), batchSize: 10);
        await RunAsync(host);

        // A truncated file looks exactly like mass deletion.
        var summary = await RunAsync(host, new ListAdapter(Accept("1", null)));

        Assert.False(summary.Succeeded);
        Assert.False(summary.Failed);
        Assert.Contains("lacks 2 of the 3 records held", summary.Refused, StringComparison.Ordinal);
        Assert.Contains("--allow-mass-removal", summary.Refused, StringComparison.Ordinal);
        Assert.Equal(3, (await LinksAsync(host)).Count);
        var status = Assert.Single(await host.Services.GetRequiredService<ICitizenStore>().GetSourcesAsync(CancellationToken.None));
        Assert.Equal(("Refused", summary.Refused), (status.LastRunStatus, status.LastRunFailure));
    }

    [Fact]
    public async Task RunAsync_ExtractLackingMostRecords_WithMassRemovalAllowed_RemovesThem()
    {
        using var host = await StartHostAsync(new ListAdapter(Accept("1", null), Accept("2", null), Accept("3", null)), batchSize: 10);
        await RunAsync(host);

        var summary = await RunAsync(host, new ListAdapter(Accept("1", null)), request: new SyncRunRequest(AllowMassRemoval: true));

        Assert.True(summary.Succeeded, summary.Refused);
        Assert.Equal(2, summary.Removed);
        Assert.Equal(["1"], (await LinksAsync(host)).Select(l => l.SourceKey));
    }

    [Fact]
    public async Task RunAsync_SourceThatCannotBeRead_FailsAndSaysWhy_InTheSummaryAndTheSourcesStatus()
    {
        using var host = await StartHostAsync(new ListAdapter { ThrowAtEnd = new IOException("the nightly export is missing") }, batchSize: 10);

        var summary = await RunAsync(host);

        Assert.True(summary.Failed);
        Assert.Contains("export is missing", summary.Error, StringComparison.Ordinal);
        var status = Assert.Single(await host.Services.GetRequiredService<ICitizenStore>().GetSourcesAsync(CancellationToken.None));
        Assert.Equal("Failed", status.LastRunStatus);
        Assert.Contains("export is missing", status.LastRunFailure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_DuplicateKeyRejects_AreCountedApart()
    {
        using var host = await StartHostAsync(new ListAdapter(
            Accept("1", null),
            SourceReadResult.Reject(new InputPosition("p.csv", 3, Key: "2"), "the same key is also on line 4", "raw", RejectKind.DuplicateKey),
            SourceReadResult.Reject(new InputPosition("p.csv", 4, Key: "2"), "the same key is also on line 3", "raw", RejectKind.DuplicateKey),
            SourceReadResult.Reject(new InputPosition("p.csv", 5, Key: "5"), "bad", "raw")), batchSize: 10);

        var summary = await RunAsync(host);

        Assert.Equal((3, 2), (summary.Rejects, summary.DuplicateKeys));
    }

    [Fact]
    public async Task RunAsync_Incremental_ResumesFromTheSavedCursor()
    {
        var records = new List<SourceReadResult> { Accept("1", null), Accept("2", null) };
        var adapter = new AppendOnlyAdapter(records);
        using var host = await StartHostAsync(adapter, batchSize: 10, mode: "Incremental");
        var first = await RunAsync(host);
        records.Add(Accept("3", null));

        var second = await RunAsync(host);

        Assert.Equal((2, 1), (first.Records, second.Records));
        Assert.Equal([null, "2"], adapter.ReadFrom.Select(c => c.Value));
        Assert.Equal(3, (await LinksAsync(host)).Count);
        Assert.Equal(0, second.Removed);
    }

    [Fact]
    public async Task RunAsync_Incremental_CursorNotSavedWhenABatchFailed()
    {
        var adapter = new AppendOnlyAdapter([Accept("1", null), Accept("2", null)]);
        using var host = await StartHostAsync(adapter, batchSize: 1, failSequence: 2, mode: "Incremental");

        await RunAsync(host);

        Assert.Null(await host.Services.GetRequiredService<ICitizenStore>().GetCursorAsync("people", CancellationToken.None));
    }

    [Fact]
    public async Task RunAsync_AfterAnInterruptedRun_SameLinksAsOneCleanRun()
    {
        SourceReadResult[] all = [Accept("1", "AB123456C"), Accept("2", null), Accept("3", "AB123456C"), Accept("4", null)];
        using var clean = await StartHostAsync(new ListAdapter(all), batchSize: 1);
        await RunAsync(clean);
        using var otherStore = new TempDirectory();
        using var interrupted = await StartHostAsync(new ListAdapter(all[..2]) { ThrowAtEnd = new IOException("gone") }, batchSize: 1, folder: otherStore.Path);
        await RunAsync(interrupted);

        await RunAsync(interrupted, new ListAdapter(all));

        Assert.Equal(Shape(await LinksAsync(clean)), Shape(await LinksAsync(interrupted)));
    }

    [Fact]
    public async Task RunEachAsync_IntoAStoreHoldingNoRecord_LeavesTheSearchIndexesOutUntilTheEnd_AndALaterSyncKeepsThem()
    {
        using var host = await StartHostAsync(new ListAdapter(Accept("1", "AB123456C"), Accept("2", null)), batchSize: 1);
        var runner = host.Services.GetRequiredService<SyncRunner>();
        var sources = host.Services.GetRequiredService<SourceCatalog>().Sources;
        var migrated = await SearchIndexCountAsync();
        var duringFirstLoad = -1;
        var duringNextSync = -1;

        var first = await runner.RunEachAsync(sources, async _ => duringFirstLoad = await SearchIndexCountAsync(), CancellationToken.None);
        var afterFirstLoad = await SearchIndexCountAsync();
        var next = await runner.RunEachAsync(sources, async _ => duringNextSync = await SearchIndexCountAsync(), CancellationToken.None);

        Assert.True(first.Single().Succeeded && next.Single().Succeeded);
        Assert.Equal(2, (await LinksAsync(host)).Count);
        Assert.Equal((0, migrated, migrated, migrated), (duringFirstLoad, afterFirstLoad, duringNextSync, await SearchIndexCountAsync()));
        Assert.True(migrated > 0);
    }

    private async Task<int> SearchIndexCountAsync()
    {
        await using var connection = new SqliteConnection($"Data Source={_folder.File("hub.db")}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText =
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'source_records' AND name IN ('ix_source_records_name', 'ix_source_records_given', 'ix_source_records_dob', 'ix_source_records_postcode', 'ix_source_records_family_phonetic', 'ix_source_records_given_phonetic');";
        return Convert.ToInt32(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    /// <summary>Links as groups of source keys: citizen ids differ between stores, who is with whom must not.</summary>
    private static List<string> Shape(IEnumerable<CitizenLink> links) =>
        [.. links.GroupBy(l => l.CitizenId).Select(g => string.Join("+", g.Select(l => l.SourceKey).Order())).Order()];

    private static SourceReadResult Accept(string key, string? ni) =>
        SourceReadResult.Accept(Records.Person("people", key, "Person" + key, "Lee", (1970, 1, int.Parse(key, System.Globalization.CultureInfo.InvariantCulture)), ni: ni));

    private static async Task<SyncRunSummary> RunAsync(IHost host, ISourceAdapter? adapter = null, SyncMode? mode = null, SyncRunRequest? request = null)
    {
        if (adapter is not null)
        {
            host.Services.GetServices<ISourceAdapterFactory>().OfType<ListAdapterFactory>().Single().Current = adapter;
        }

        var catalog = host.Services.GetRequiredService<SourceCatalog>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        return await host.Services.GetRequiredService<SyncRunner>().RunAsync(catalog.Sources.Single(), timeout.Token, request ?? new SyncRunRequest(mode));
    }

    private Task<IHost> StartHostAsync(ISourceAdapter adapter, int batchSize, int? failSequence = null, string mode = "Full", string? folder = null) =>
        ListSourceHub.StartAsync(
            folder ?? _folder.Path,
            adapter,
            new Dictionary<string, string?> { ["Sync:BatchSize"] = batchSize.ToString(System.Globalization.CultureInfo.InvariantCulture), ["Sources:0:Mode"] = mode },
            failSequence);

    private static Task<List<CitizenLink>> LinksAsync(IHost host) => ListSourceHub.LinksAsync(host);

    private static Task WaitUntilAsync(Func<bool> condition) => ListSourceHub.WaitUntilAsync(condition);

    /// <summary>A source whose cursor is how many records have been read: a resumed read yields only newer ones.</summary>
    private sealed class AppendOnlyAdapter(List<SourceReadResult> records) : ISourceAdapter
    {
        public List<SourceCursor> ReadFrom { get; } = [];

        public async IAsyncEnumerable<SourceReadResult> ReadAsync(SourceCursor since, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            ReadFrom.Add(since);
            var start = since.Value is null ? 0 : int.Parse(since.Value, System.Globalization.CultureInfo.InvariantCulture);
            foreach (var record in records.Skip(start))
            {
                await Task.Yield();
                yield return record;
            }

            yield return SourceReadResult.Checkpoint(new SourceCursor(records.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
    }
}

internal static class PoisonStore
{
    /// <summary>Wraps the registered store so that applying the given record batch always throws.</summary>
    public static void Decorate(this IServiceCollection services, int poisonSequence)
    {
        var inner = services.Last(d => d.ServiceType == typeof(ICitizenStore));
        services.Remove(inner);
        services.AddSingleton<ICitizenStore>(sp => new Poisoned((ICitizenStore)inner.ImplementationFactory!(sp), poisonSequence));
    }

    /// <summary>Mends the cause: the poisoned batch applies from now on.</summary>
    public static void Cure(IServiceProvider services) => ((Poisoned)services.GetRequiredService<ICitizenStore>()).Cured = true;

    private sealed class Poisoned(ICitizenStore inner, int poisonSequence) : ICitizenStore
    {
        public volatile bool Cured;

        public Task<IResolutionSession?> BeginMessageAsync(MessageIdentity message, CancellationToken cancellationToken) =>
            message.Sequence == poisonSequence && !Cured
                ? throw new InvalidDataException("poison")
                : inner.BeginMessageAsync(message, cancellationToken);

        public Task MigrateAsync(CancellationToken cancellationToken) => inner.MigrateAsync(cancellationToken);

        public Task RecordRunStartedAsync(SyncRunStarted started, CancellationToken cancellationToken) => inner.RecordRunStartedAsync(started, cancellationToken);

        public Task<bool> DeferSearchIndexesAsync(CancellationToken cancellationToken) => inner.DeferSearchIndexesAsync(cancellationToken);

        public Task BuildSearchIndexesAsync(CancellationToken cancellationToken) => inner.BuildSearchIndexesAsync(cancellationToken);

        public Task RecordRunCompletedAsync(SyncRunCompleted completed, CancellationToken cancellationToken) => inner.RecordRunCompletedAsync(completed, cancellationToken);

        public Task RecordMessageFailedAsync(MessageIdentity message, string reason, string? body, DateTimeOffset failedAt, CancellationToken cancellationToken) =>
            inner.RecordMessageFailedAsync(message, reason, body, failedAt, cancellationToken);

        public Task<IReadOnlyList<FailedMessage>> GetFailedMessagesAsync(bool includeApplied, CancellationToken cancellationToken) =>
            inner.GetFailedMessagesAsync(includeApplied, cancellationToken);

        public Task<FailedMessage?> GetFailedMessageAsync(long failureId, CancellationToken cancellationToken) => inner.GetFailedMessageAsync(failureId, cancellationToken);

        public Task MarkReplayedAsync(long failureId, DateTimeOffset at, CancellationToken cancellationToken) => inner.MarkReplayedAsync(failureId, at, cancellationToken);

        public Task<IReadOnlyList<FeedChange>> ClaimUnpublishedChangesAsync(DateTimeOffset now, DateTimeOffset occurredBefore, DateTimeOffset leaseUntil, int limit, CancellationToken cancellationToken) =>
            inner.ClaimUnpublishedChangesAsync(now, occurredBefore, leaseUntil, limit, cancellationToken);

        public Task MarkPublishedAsync(IReadOnlyCollection<long> sequences, DateTimeOffset at, CancellationToken cancellationToken) =>
            inner.MarkPublishedAsync(sequences, at, cancellationToken);

        public Task<SyncRunProgress?> GetRunAsync(Guid runId, CancellationToken cancellationToken) => inner.GetRunAsync(runId, cancellationToken);

        public Task<IReadOnlyList<SyncRunRecord>> GetRunHistoryAsync(string? sourceSystem, int limit, CancellationToken cancellationToken) =>
            inner.GetRunHistoryAsync(sourceSystem, limit, cancellationToken);

        public Task<SyncLockHolder?> TakeSyncLockAsync(SyncLockHolder claimant, Guid? replacing, CancellationToken cancellationToken) =>
            inner.TakeSyncLockAsync(claimant, replacing, cancellationToken);

        public Task<bool> RenewSyncLockAsync(string sourceSystem, Guid runId, DateTimeOffset leaseUntil, CancellationToken cancellationToken) =>
            inner.RenewSyncLockAsync(sourceSystem, runId, leaseUntil, cancellationToken);

        public Task ReleaseSyncLockAsync(string sourceSystem, Guid runId, CancellationToken cancellationToken) =>
            inner.ReleaseSyncLockAsync(sourceSystem, runId, cancellationToken);

        public Task<string?> GetCursorAsync(string sourceSystem, CancellationToken cancellationToken) => inner.GetCursorAsync(sourceSystem, cancellationToken);

        public Task SaveCursorAsync(string sourceSystem, string? cursor, Guid runId, DateTimeOffset savedAt, CancellationToken cancellationToken) =>
            inner.SaveCursorAsync(sourceSystem, cursor, runId, savedAt, cancellationToken);

        public IAsyncEnumerable<string> ReadSourceKeysAsync(string sourceSystem, CancellationToken cancellationToken) => inner.ReadSourceKeysAsync(sourceSystem, cancellationToken);

        public IAsyncEnumerable<(string SourceKey, string ContentHash)> ReadSourceContentHashesAsync(string sourceSystem, CancellationToken cancellationToken) =>
            inner.ReadSourceContentHashesAsync(sourceSystem, cancellationToken);

        public Task<CitizenView?> GetCitizenAsync(string citizenId, CancellationToken cancellationToken) => inner.GetCitizenAsync(citizenId, cancellationToken);

        public Task<IReadOnlyList<CitizenSummary>> SearchAsync(CitizenSearch search, int limit, CancellationToken cancellationToken) =>
            inner.SearchAsync(search, limit, cancellationToken);

        public IAsyncEnumerable<CitizenLink> ReadLinksAsync(CancellationToken cancellationToken) => inner.ReadLinksAsync(cancellationToken);

        public IAsyncEnumerable<NormalisedRecord> ReadNormalisedRecordsAsync(CancellationToken cancellationToken) => inner.ReadNormalisedRecordsAsync(cancellationToken);

        public Task<IReadOnlyList<CitizenHistoryEntry>> GetHistoryAsync(string citizenId, CancellationToken cancellationToken) =>
            inner.GetHistoryAsync(citizenId, cancellationToken);

        public Task<IReadOnlyList<ReviewItem>> GetReviewsAsync(ReviewQuery query, CancellationToken cancellationToken) =>
            inner.GetReviewsAsync(query, cancellationToken);

        public Task<ReviewItem?> GetReviewAsync(long reviewId, CancellationToken cancellationToken) =>
            inner.GetReviewAsync(reviewId, cancellationToken);

        public Task<PairEvidence?> GetLinkEvidenceAsync(string sourceSystem, string sourceKey, CancellationToken cancellationToken) =>
            inner.GetLinkEvidenceAsync(sourceSystem, sourceKey, cancellationToken);

        public Task<bool> PingAsync(CancellationToken cancellationToken) => inner.PingAsync(cancellationToken);

        public Task<HeldSourceRecord?> GetSourceRecordAsync(string sourceSystem, string sourceKey, CancellationToken cancellationToken) =>
            inner.GetSourceRecordAsync(sourceSystem, sourceKey, cancellationToken);

        public Task<IReadOnlyList<SourceStatus>> GetSourcesAsync(CancellationToken cancellationToken) => inner.GetSourcesAsync(cancellationToken);

        public Task AppendAuditAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken) => inner.AppendAuditAsync(entries, cancellationToken);

        public Task<IReadOnlyList<FeedChange>> GetChangesAsync(
            long after, int limit, bool includeRestricted, IReadOnlyCollection<string> hiddenSources, CancellationToken cancellationToken) =>
            inner.GetChangesAsync(after, limit, includeRestricted, hiddenSources, cancellationToken);

        public Task<AuditPage> QueryAuditAsync(AuditQuery query, CancellationToken cancellationToken) =>
            inner.QueryAuditAsync(query, cancellationToken);
    }
}
