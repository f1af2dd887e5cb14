namespace CitizenHub.Store;

/// <summary>
/// Writes what callers add in as few transactions as they allow: whatever is added while one write is under way goes
/// in the next, together, so that callers arriving at once wait for one commit (and its flush to disk) rather than one
/// each in turn. Each caller's task ends when what it added is committed, or with why it could not be.
/// </summary>
/// <remarks>
/// One write at a time, on the thread pool: no caller writes for others, so none waits longer than for the write after
/// its own arrival. When a write of several callers' items fails, each caller's items are written again alone, so that
/// one caller's bad item fails only that caller. A caller that stops waiting (cancelled) does not take its items back:
/// once added they are written.
/// </remarks>
internal sealed class GroupCommit<T>(Func<IReadOnlyList<T>, Task> write)
{
    private readonly Lock _gate = new();
    private List<(IReadOnlyList<T> Items, TaskCompletionSource Done)> _waiting = [];
    private bool _writing;

    public Task AddAsync(IReadOnlyList<T> items, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bool start;
        lock (_gate)
        {
            _waiting.Add((items, done));
            start = !_writing;
            _writing = true;
        }

        if (start)
        {
            _ = Task.Run(WriteWaitingAsync, CancellationToken.None);
        }

        return done.Task.WaitAsync(cancellationToken);
    }

    private async Task WriteWaitingAsync()
    {
        while (true)
        {
            List<(IReadOnlyList<T> Items, TaskCompletionSource Done)> group;
            lock (_gate)
            {
                if (_waiting.Count == 0)
                {
                    _writing = false;
                    return;
                }

                group = _waiting;
                _waiting = [];
            }

            try
            {
                await write([.. group.SelectMany(g => g.Items)]).ConfigureAwait(false);
                group.ForEach(g => g.Done.TrySetResult());
            }
            catch (Exception) when (group.Count > 1)
            {
                foreach (var (items, done) in group)
                {
                    await WriteAloneAsync(items, done).ConfigureAwait(false);
                }
            }
            catch (Exception ex)
            {
                group[0].Done.TrySetException(ex);
            }
        }
    }

    private async Task WriteAloneAsync(IReadOnlyList<T> items, TaskCompletionSource done)
    {
        try
        {
            await write(items).ConfigureAwait(false);
            done.TrySetResult();
        }
        catch (Exception ex)
        {
            done.TrySetException(ex);
        }
    }
}
