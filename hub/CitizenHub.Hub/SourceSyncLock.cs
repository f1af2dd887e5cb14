using System.Diagnostics;
using System.Globalization;
using CitizenHub.Store;
using Microsoft.Extensions.Logging;

namespace CitizenHub.Hub;

/// <summary>
/// A run's hold on its source's sync lock, renewed while the run lasts and let go at its end, so two syncs of one source
/// never overlap. A holder that died frees the lock: at once when it ran on this machine and its process is gone, or
/// when its lease runs out (a holder on another machine, or one that hung).
/// </summary>
public sealed class SourceSyncLock : IAsyncDisposable
{
    private readonly ICitizenStore _store;
    private readonly SyncLockHolder _holder;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _lease;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _renewing;

    private SourceSyncLock(ICitizenStore store, SyncLockHolder holder, TimeProvider timeProvider, TimeSpan lease, ILogger logger)
    {
        _store = store;
        _holder = holder;
        _timeProvider = timeProvider;
        _lease = lease;
        _logger = logger;
        _renewing = RenewAsync();
    }

    /// <summary>The run whose process died holding the lock, freed for this one; null when the lock was free.</summary>
    public SyncLockHolder? Freed { get; private init; }

    /// <summary>Takes the source's lock for the run, or says who holds it.</summary>
    /// <param name="lease">How long the lock stays taken if this process stops renewing it (dies, hangs).</param>
    public static async Task<(SourceSyncLock? Lock, SyncLockHolder? HeldBy)> TakeAsync(
        ICitizenStore store, string sourceSystem, Guid runId, TimeProvider timeProvider, TimeSpan lease, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(timeProvider);
        using var me = Process.GetCurrentProcess();
        var now = timeProvider.GetUtcNow();
        var claimant = new SyncLockHolder(sourceSystem, runId, Environment.MachineName, me.Id, StartTime(me), now, now + lease);
        var holder = await store.TakeSyncLockAsync(claimant, null, cancellationToken).ConfigureAwait(false);
        SyncLockHolder? freed = null;
        if (holder is not null && HasDied(holder))
        {
            freed = holder;
            holder = await store.TakeSyncLockAsync(claimant, holder.RunId, cancellationToken).ConfigureAwait(false);
        }

        return holder is not null
            ? (null, holder)
            : (new SourceSyncLock(store, claimant, timeProvider, lease, logger) { Freed = freed }, null);
    }

    /// <summary>What a refusal says: who holds the lock and since when. Machine names and process ids only.</summary>
    public static string Describe(SyncLockHolder holder)
    {
        ArgumentNullException.ThrowIfNull(holder);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"another sync of {holder.SourceSystem} is running: run {holder.RunId}, process {holder.ProcessId} on {holder.Machine}, since {holder.Since:yyyy-MM-dd HH:mm:ss} UTC (its lock lasts until {holder.LeaseUntil:yyyy-MM-dd HH:mm:ss} UTC unless it renews it); nothing was read. Run this source again when it has finished");
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _renewing.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped, as asked.
        }

        try
        {
            await _store.ReleaseSyncLockAsync(_holder.SourceSystem, _holder.RunId, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The lease frees it before long: a run that did its work must not fail for this.
            _logger.LogWarning("Sync of {Source}: its lock could not be let go ({ExceptionType}); it frees itself when its lease runs out", _holder.SourceSystem, ex.GetType().Name);
        }

        _stop.Dispose();
    }

    /// <summary>A holder on this machine whose process is gone (or whose id now belongs to a process started since).</summary>
    private static bool HasDied(SyncLockHolder holder)
    {
        if (!string.Equals(holder.Machine, Environment.MachineName, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        try
        {
            using var process = Process.GetProcessById(holder.ProcessId);
            return process.HasExited
                || (holder.ProcessStartedAt is { } started && StartTime(process) is { } now && (now - started).Duration() > TimeSpan.FromSeconds(2));
        }
        catch (ArgumentException)
        {
            // No process has the id.
            return true;
        }
    }

    private static DateTimeOffset? StartTime(Process process)
    {
        try
        {
            return new DateTimeOffset(process.StartTime.ToUniversalTime(), TimeSpan.Zero);
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            return null;
        }
    }

    private async Task RenewAsync()
    {
        // A quarter of the lease: three renewals can fail (a store restarting) before another run could take it.
        using var timer = new PeriodicTimer(_lease / 4, _timeProvider);
        while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
        {
            try
            {
                if (!await _store.RenewSyncLockAsync(_holder.SourceSystem, _holder.RunId, _timeProvider.GetUtcNow() + _lease, _stop.Token).ConfigureAwait(false))
                {
                    _logger.LogWarning("Sync of {Source}: its lock was taken by another run after its lease ran out", _holder.SourceSystem);
                    return;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _logger.LogWarning("Sync of {Source}: its lock could not be renewed ({ExceptionType}); trying again", _holder.SourceSystem, ex.GetType().Name);
            }
        }
    }
}
