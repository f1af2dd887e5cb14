using System.Data.Common;
using Dapper;

namespace CitizenHub.Store;

/// <summary>The sync lock's statements, the same on SQLite and PostgreSQL. Times are ticks (<see cref="StoreTime"/>).</summary>
internal static class SyncLockSql
{
    public static async Task<SyncLockHolder?> TakeAsync(DbConnection connection, SyncLockHolder claimant, Guid? replacing)
    {
        // One statement, so two claimants at once cannot both see the lock free: the second's update finds the first's row
        // neither expired nor the one it replaces.
        await connection.ExecuteAsync(
            """
            INSERT INTO sync_locks (source_system, run_id, machine, process_id, process_started_at, since, lease_until)
            VALUES (@SourceSystem, @RunId, @Machine, @ProcessId, @ProcessStartedAt, @Since, @LeaseUntil)
            ON CONFLICT (source_system) DO UPDATE SET
                run_id = excluded.run_id, machine = excluded.machine, process_id = excluded.process_id,
                process_started_at = excluded.process_started_at, since = excluded.since, lease_until = excluded.lease_until
            WHERE sync_locks.lease_until < excluded.since OR sync_locks.run_id = @Replacing;
            """,
            new
            {
                claimant.SourceSystem,
                RunId = claimant.RunId.ToString(),
                claimant.Machine,
                claimant.ProcessId,
                ProcessStartedAt = StoreTime.ToTicks(claimant.ProcessStartedAt),
                Since = StoreTime.ToTicks(claimant.Since),
                LeaseUntil = StoreTime.ToTicks(claimant.LeaseUntil),
                Replacing = replacing?.ToString(),
            }).ConfigureAwait(false);
        var holder = await connection.QuerySingleAsync<(string RunId, string Machine, long ProcessId, long? ProcessStartedAt, long Since, long LeaseUntil)>(
            "SELECT run_id, machine, process_id, process_started_at, since, lease_until FROM sync_locks WHERE source_system = @SourceSystem;",
            new { claimant.SourceSystem }).ConfigureAwait(false);
        var runId = Guid.Parse(holder.RunId);
        return runId == claimant.RunId
            ? null
            : new SyncLockHolder(
                claimant.SourceSystem,
                runId,
                holder.Machine,
                (int)holder.ProcessId,
                StoreTime.FromTicks(holder.ProcessStartedAt),
                StoreTime.FromTicks(holder.Since),
                StoreTime.FromTicks(holder.LeaseUntil));
    }

    public static async Task<bool> RenewAsync(DbConnection connection, string sourceSystem, Guid runId, DateTimeOffset leaseUntil) =>
        await connection.ExecuteAsync(
            "UPDATE sync_locks SET lease_until = @leaseUntil WHERE source_system = @sourceSystem AND run_id = @runId;",
            new { sourceSystem, runId = runId.ToString(), leaseUntil = StoreTime.ToTicks(leaseUntil) }).ConfigureAwait(false) == 1;

    public static Task ReleaseAsync(DbConnection connection, string sourceSystem, Guid runId) =>
        connection.ExecuteAsync(
            "DELETE FROM sync_locks WHERE source_system = @sourceSystem AND run_id = @runId;",
            new { sourceSystem, runId = runId.ToString() });
}
