namespace CitizenHub.Store.Tests;

public sealed class GroupCommitTests
{
    [Fact]
    public async Task AddAsync_WhileAWriteIsUnderWay_WhatArrivesGoesTogetherInTheNextWrite_AndEachCallerIsToldWhenItsOwnIsIn()
    {
        var writes = new List<IReadOnlyList<int>>();
        var firstWriteStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseFirstWrite = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var commit = new GroupCommit<int>(async items =>
        {
            lock (writes)
            {
                writes.Add(items);
            }

            if (writes.Count == 1)
            {
                firstWriteStarted.SetResult();
                await releaseFirstWrite.Task;
            }
        });

        var first = commit.AddAsync([1], CancellationToken.None);
        await firstWriteStarted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var waiting = new[] { commit.AddAsync([2], CancellationToken.None), commit.AddAsync([3, 4], CancellationToken.None), commit.AddAsync([5], CancellationToken.None) };
        await Task.Delay(50);

        Assert.False(first.IsCompleted);
        Assert.All(waiting, w => Assert.False(w.IsCompleted));
        releaseFirstWrite.SetResult();
        await Task.WhenAll(waiting.Append(first)).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal([[1], [2, 3, 4, 5]], writes.Select(w => w.ToArray()));
    }

    [Fact]
    public async Task AddAsync_AGroupsWriteFails_EachCallersItemsAreWrittenAlone_SoOnlyTheOneWithTheBadItemFails()
    {
        var written = new List<int>();
        var firstWriteStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseFirstWrite = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var commit = new GroupCommit<int>(async items =>
        {
            if (items.Contains(0))
            {
                firstWriteStarted.SetResult();
                await releaseFirstWrite.Task;
            }

            if (items.Contains(-1))
            {
                throw new InvalidDataException("bad item");
            }

            lock (written)
            {
                written.AddRange(items);
            }
        });

        var first = commit.AddAsync([0], CancellationToken.None);
        await firstWriteStarted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var good = commit.AddAsync([1, 2], CancellationToken.None);
        var bad = commit.AddAsync([-1], CancellationToken.None);
        var alsoGood = commit.AddAsync([3], CancellationToken.None);
        await Task.Delay(50);
        releaseFirstWrite.SetResult();

        await Task.WhenAll(first, good, alsoGood).WaitAsync(TimeSpan.FromSeconds(10));
        await Assert.ThrowsAsync<InvalidDataException>(() => bad);
        Assert.Equal([0, 1, 2, 3], written.Order());
    }

    [Fact]
    public async Task AddAsync_AnOnlyCallersWriteFails_ItIsToldWhy_AndTheNextAddIsWrittenAsUsual()
    {
        var calls = 0;
        var commit = new GroupCommit<int>(items =>
            Interlocked.Increment(ref calls) == 1 ? throw new TimeoutException("database is locked") : Task.CompletedTask);

        await Assert.ThrowsAsync<TimeoutException>(() => commit.AddAsync([1], CancellationToken.None));
        await commit.AddAsync([2], CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(2, calls);
    }
}
