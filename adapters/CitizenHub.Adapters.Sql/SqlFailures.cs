using System.Data.Common;
using System.Data.Odbc;
using System.Globalization;
using System.Net.Sockets;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using MySqlConnector;
using Npgsql;
using Polly.Timeout;

namespace CitizenHub.Adapters.Sql;

/// <summary>Which failures of a database call are which <see cref="SqlSourceFailure"/>, and so which are retried.</summary>
internal static class SqlFailures
{
    /// <summary>What <paramref name="exception"/> means for the source, or null when it is none of the known failures.</summary>
    public static SqlSourceFailure? Classify(Exception exception) => exception switch
    {
        TimeoutRejectedException => SqlSourceFailure.TimedOut,
        PostgresException pg => pg.SqlState switch
        {
            "42P01" => SqlSourceFailure.TableMissing, // undefined_table
            "28P01" or "28000" => SqlSourceFailure.LoginRefused, // invalid_password, invalid_authorization_specification (no such role, no pg_hba entry)
            "3D000" => SqlSourceFailure.DatabaseMissing, // invalid_catalog_name
            // cannot_connect_now (starting up or shutting down), admin_shutdown, crash_shutdown, too_many_connections
            "57P03" or "57P01" or "57P02" or "53300" => SqlSourceFailure.Unreachable,
            _ => null,
        },
        NpgsqlException npgsql when npgsql.IsTransient => SqlSourceFailure.Unreachable,
        MySqlException mysql => mysql.ErrorCode switch
        {
            MySqlErrorCode.NoSuchTable => SqlSourceFailure.TableMissing,
            MySqlErrorCode.AccessDenied or MySqlErrorCode.DatabaseAccessDenied or MySqlErrorCode.HostNotPrivileged => SqlSourceFailure.LoginRefused,
            MySqlErrorCode.UnknownDatabase => SqlSourceFailure.DatabaseMissing,
            MySqlErrorCode.UnableToConnectToHost or MySqlErrorCode.ConnectionCountError or MySqlErrorCode.ServerShutdown => SqlSourceFailure.Unreachable,
            _ when mysql.IsTransient => SqlSourceFailure.Unreachable,
            _ => null,
        },
        SqliteException sqlite when sqlite.SqliteErrorCode == 1 && sqlite.Message.Contains("no such table", StringComparison.OrdinalIgnoreCase) => SqlSourceFailure.TableMissing,
        SqliteException { SqliteErrorCode: 14 } => SqlSourceFailure.DatabaseMissing, // SQLITE_CANTOPEN
        SqlException sqlServer => sqlServer.Number switch
        {
            208 => SqlSourceFailure.TableMissing, // invalid object name
            18456 or 18452 => SqlSourceFailure.LoginRefused, // login failed
            4060 => SqlSourceFailure.DatabaseMissing, // cannot open the database the login asks for
            _ when HasSocketError(sqlServer) || sqlServer.Number is -2 or 2 or 35 or 40 or 53 or 121 or 258 or 10053 or 10054 or 10060 or 10061 or 11001 => SqlSourceFailure.Unreachable,
            _ => null,
        },
        OdbcException odbc => OdbcState(odbc) switch
        {
            "42S02" or "42P01" => SqlSourceFailure.TableMissing,
            "28000" or "28P01" => SqlSourceFailure.LoginRefused,
            "3D000" => SqlSourceFailure.DatabaseMissing,
            // client unable to establish connection, link failure, timeouts
            "08001" or "08004" or "08S01" or "HYT00" or "HYT01" => SqlSourceFailure.Unreachable,
            _ => null,
        },
        // Any other provider: SQLSTATE where it gives one (the standard's codes), else its own transient flag.
        DbException other => other.SqlState switch
        {
            "42S02" or "42P01" => SqlSourceFailure.TableMissing,
            "28000" or "28P01" => SqlSourceFailure.LoginRefused,
            "3D000" => SqlSourceFailure.DatabaseMissing,
            { } state when state.StartsWith("08", StringComparison.Ordinal) => SqlSourceFailure.Unreachable,
            _ when other.IsTransient || HasSocketError(other) => SqlSourceFailure.Unreachable,
            _ => null,
        },
        SocketException or TimeoutException => SqlSourceFailure.Unreachable,
        _ => null,
    };

    /// <summary>Whether a retry may succeed: only when the server could not be reached or did not answer in time.</summary>
    public static bool IsTransient(Exception exception) => Classify(exception) is SqlSourceFailure.Unreachable or SqlSourceFailure.TimedOut;

    /// <summary>The failure as an operator reads it: what is wrong, which setting to check, and the server's code.</summary>
    public static SqlSourceException Describe(string source, SqlSourceOptions options, SqlSourceFailure failure, int attempts, Exception exception)
    {
        var code = Code(exception) is { } c ? $" ({c})" : "";
        var tries = attempts == 1 ? "1 attempt" : $"{attempts.ToString(CultureInfo.InvariantCulture)} attempts";
        var message = failure switch
        {
            SqlSourceFailure.TableMissing =>
                $"Source '{source}': the database has no table or view the query names{code}. Check the table names in Sql.Query, and that Sql.ConnectionString names the right database.",
            SqlSourceFailure.LoginRefused =>
                $"Source '{source}': the database refused the login{code}. Check the user name and password in Sql.ConnectionString (or the environment variable that sets it), and that the login may connect.",
            SqlSourceFailure.DatabaseMissing =>
                $"Source '{source}': the database named in Sql.ConnectionString does not exist or cannot be opened{code}. Check the database name (or file) in Sql.ConnectionString.",
            SqlSourceFailure.TimedOut =>
                $"Source '{source}': the database did not answer within Sql.Timeout ({options.Timeout.ToString("c", CultureInfo.InvariantCulture)}), after {tries}. Check the server's load, the query's cost per page (Sql.PageSize), and Sql.Timeout.",
            _ =>
                $"Source '{source}': the database server could not be reached, after {tries}{code}. Check the host and port in Sql.ConnectionString, and that the server is running and accepts connections from here.",
        };
        return new SqlSourceException(failure, attempts, message, exception);
    }

    /// <summary>The server's error code, which names the kind of error and never a value.</summary>
    private static string? Code(Exception exception) => exception switch
    {
        PostgresException pg => $"SQLSTATE {pg.SqlState}",
        MySqlException mysql when mysql.ErrorCode != 0 => $"MySQL error {((int)mysql.ErrorCode).ToString(CultureInfo.InvariantCulture)}",
        SqliteException sqlite => $"SQLite error {sqlite.SqliteErrorCode.ToString(CultureInfo.InvariantCulture)}",
        SqlException sqlServer => $"SQL Server error {sqlServer.Number.ToString(CultureInfo.InvariantCulture)}",
        OdbcException odbc when OdbcState(odbc) is { } state => $"SQLSTATE {state}",
        DbException { SqlState: { } state } => $"SQLSTATE {state}",
        _ => null,
    };

    private static string? OdbcState(OdbcException exception) => exception.Errors.Count > 0 ? exception.Errors[0].SQLState : null;

    private static bool HasSocketError(Exception exception)
    {
        for (var inner = exception.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException or IOException or TimeoutException)
            {
                return true;
            }
        }

        return false;
    }
}
