using Microsoft.Data.Sqlite;
using Npgsql;

namespace CitizenHub.Hub;

/// <summary>Tells a store that is briefly unavailable from one that refused the work, for each provider the hub can use.</summary>
public static class StoreFailures
{
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;

    /// <summary>
    /// True when the same work is likely to succeed if tried again shortly: the database restarting or unreachable,
    /// a connection dropped, another writer holding the lock. A constraint violation or a bug is not transient.
    /// </summary>
    public static bool IsTransient(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case NpgsqlException npgsql when npgsql.IsTransient:
                case PostgresException { SqlState: PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected }:
                case SqliteException { SqliteErrorCode: SqliteBusy or SqliteLocked }:
                case TimeoutException:
                case System.Net.Sockets.SocketException:
                    return true;
            }
        }

        return false;
    }

    /// <summary>True when another process holds the store's write lock (SQLite busy or locked past the busy timeout).</summary>
    public static bool IsLocked(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is SqliteException { SqliteErrorCode: SqliteBusy or SqliteLocked })
            {
                return true;
            }
        }

        return false;
    }
}
