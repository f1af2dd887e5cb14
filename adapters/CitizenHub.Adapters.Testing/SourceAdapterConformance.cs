using Xunit;

namespace CitizenHub.Adapters.Testing;

/// <summary>
/// The adapter conformance kit: what every <see cref="ISourceAdapter"/> must do, as tests. Derive a test
/// class from it, say how to make a source holding some good records (and optionally one bad input), and
/// every test below runs against your adapter.
/// </summary>
/// <remarks>
/// It checks the contract the runner relies on: cancellation is honoured; a read resumed from any checkpoint
/// neither loses nor repeats a record; a bad input is rejected with a position and a reason while the good
/// ones are read; keys are stable across reads; every record names its source and when it was observed.
/// </remarks>
public abstract class SourceAdapterConformance : IDisposable
{
    /// <summary>How many good records the kit asks for; enough for several pages in a paging adapter.</summary>
    protected const int GoodRecords = 7;

    protected TempDirectory Folder { get; } = new();

    /// <summary>The source system name records must carry.</summary>
    protected abstract string SourceSystem { get; }

    /// <summary>
    /// Makes a source holding <paramref name="goodRecords"/> readable records with distinct keys and,
    /// when <paramref name="withBadInput"/>, one input the adapter must reject; returns an adapter over it.
    /// Use small pages if the adapter pages, so that resuming is tested across pages.
    /// </summary>
    protected abstract Task<ISourceAdapter> CreateSourceAsync(int goodRecords, bool withBadInput);

    /// <summary>
    /// Whether the bad input <see cref="CreateSourceAsync"/> makes carries a readable key (a row whose key field is
    /// there but whose other fields cannot be read). Then its reject must keep that key in
    /// <see cref="InputPosition.Key"/>: the runner removes nothing a full extract left out while a reject has no key,
    /// because the missing record may be that row, so one keyless reject switches deletion off for the whole run.
    /// Say <c>false</c> only when the bad input has no key to read (broken quoting, a line that is not a record).
    /// <value>The default is true.</value>
    /// </summary>
    protected virtual bool BadInputHasKey => true;

    [Fact]
    public async Task Conformance_GoodRecords_AllReadWithStableKeysSourceAndTime()
    {
        var adapter = await CreateSourceAsync(GoodRecords, withBadInput: false);

        var first = await AdapterReads.ReadAllAsync(adapter, SourceCursor.Start);
        var second = await AdapterReads.ReadAllAsync(adapter, SourceCursor.Start);

        var keys = AdapterReads.Keys(first);
        Assert.Equal(GoodRecords, keys.Count);
        Assert.Equal(GoodRecords, keys.Distinct().Count());
        Assert.Equal(keys, AdapterReads.Keys(second));
        Assert.All(first.OfType<SourceReadResult.Accepted>(), a =>
        {
            Assert.Equal(SourceSystem, a.Record.SourceSystem);
            Assert.False(string.IsNullOrWhiteSpace(a.Record.SourceKey));
            Assert.NotEqual(default, a.Record.ObservedAt);
            Assert.NotEmpty(a.Record.RawFields);
        });
    }

    [Fact]
    public async Task Conformance_BadInput_RejectedWithPositionAndReasonAndTheRestRead()
    {
        var adapter = await CreateSourceAsync(GoodRecords, withBadInput: true);

        var results = await AdapterReads.ReadAllAsync(adapter, SourceCursor.Start);

        Assert.Equal(GoodRecords, AdapterReads.Keys(results).Count);
        var reject = Assert.Single(results.OfType<SourceReadResult.Rejected>()).Input;
        Assert.False(string.IsNullOrWhiteSpace(reject.Position.ToString()));
        Assert.False(string.IsNullOrWhiteSpace(reject.Reason));
        Assert.False(string.IsNullOrEmpty(reject.RawText));
    }

    [Fact]
    public async Task Conformance_BadInputWithAKey_RejectKeepsTheKey()
    {
        var adapter = await CreateSourceAsync(GoodRecords, withBadInput: true);

        var results = await AdapterReads.ReadAllAsync(adapter, SourceCursor.Start);

        var reject = Assert.Single(results.OfType<SourceReadResult.Rejected>()).Input;
        if (!BadInputHasKey)
        {
            Assert.Null(reject.Position.Key);
            return;
        }

        Assert.False(string.IsNullOrWhiteSpace(reject.Position.Key), "the reject of a bad input with a key names no key (Position.Key)");
        Assert.DoesNotContain(reject.Position.Key, AdapterReads.Keys(results));
        Assert.Contains(reject.Position.Key, reject.RawText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Conformance_ResumedFromAnyCheckpoint_NeitherLosesNorRepeats()
    {
        var adapter = await CreateSourceAsync(GoodRecords, withBadInput: false);
        var all = await AdapterReads.ReadAllAsync(adapter, SourceCursor.Start);
        var allKeys = AdapterReads.Keys(all);
        var checkpoints = all.Select((item, index) => (item, index)).Where(x => x.item is SourceReadResult.CheckpointReached).ToList();

        Assert.NotEmpty(checkpoints);
        foreach (var (item, index) in checkpoints)
        {
            var before = AdapterReads.Keys(all.Take(index));
            var resumed = AdapterReads.Keys(await AdapterReads.ReadAllAsync(adapter, ((SourceReadResult.CheckpointReached)item).Cursor));

            Assert.Equal(allKeys, [.. before, .. resumed]);
        }
    }

    [Fact]
    public async Task Conformance_Cancelled_StopsReading()
    {
        var adapter = await CreateSourceAsync(GoodRecords, withBadInput: false);
        using var cancel = new CancellationTokenSource();
        var read = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var item in adapter.ReadAsync(SourceCursor.Start, cancel.Token))
            {
                if (item is SourceReadResult.Accepted)
                {
                    read++;
                    await cancel.CancelAsync();
                }
            }
        });

        Assert.True(read < GoodRecords, $"read {read} of {GoodRecords} records after cancelling at the first");
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            Folder.Dispose();
        }
    }
}
