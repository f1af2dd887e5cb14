using System.Data.Common;
using System.Data.Odbc;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using MySqlConnector;
using Npgsql;

namespace CitizenHub.Adapters.Sql;

/// <summary>
/// The ADO.NET providers the SQL adapter can read through: five built in, by a short name or their invariant
/// name, and any other registered with <see cref="DbProviderFactories"/> by its invariant name.
/// </summary>
public static class SqlProviders
{
    private static readonly SqlProvider Sqlite = new("Microsoft.Data.Sqlite", SqliteFactory.Instance)
    {
        ReadOnlyConnectionString = text => new SqliteConnectionStringBuilder(text) { Mode = SqliteOpenMode.ReadOnly }.ToString(),
    };

    private static readonly SqlProvider Postgres = new("Npgsql", NpgsqlFactory.Instance)
    {
        // The hub only ever reads a legacy database: make any write fail in the server, not just in our code.
        ReadOnlyStatement = "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY",
    };

    private static readonly SqlProvider SqlServer = new("Microsoft.Data.SqlClient", SqlClientFactory.Instance)
    {
        // ApplicationIntent=ReadOnly routes to a readable secondary where there is one; the login should
        // also be granted read rights only, since SQL Server has no per-session read-only switch.
        ReadOnlyConnectionString = text => new SqlConnectionStringBuilder(text) { ApplicationIntent = ApplicationIntent.ReadOnly }.ToString(),
    };

    private static readonly SqlProvider MySql = new("MySqlConnector", MySqlConnectorFactory.Instance)
    {
        // Applies to every later statement of the session, autocommitted ones too (error 1792 on a write).
        ReadOnlyStatement = "SET SESSION TRANSACTION READ ONLY",
    };

    // ODBC has no read-only switch of its own (some drivers take one in the connection string): grant read rights only.
    private static readonly SqlProvider Odbc = new("System.Data.Odbc", OdbcFactory.Instance) { PositionalParameters = true };

    /// <summary>The names <c>Sql.Provider</c> takes besides a registered invariant name, for messages.</summary>
    public const string KnownNames = "Sqlite, Postgres, SqlServer, MySql (or MariaDb) or Odbc";

    /// <summary>The provider a <c>Sql.Provider</c> setting names.</summary>
    /// <exception cref="InvalidOperationException">No built-in provider has the name, and none is registered under it.</exception>
    public static SqlProvider Resolve(string name) =>
        TryResolve(name) ?? throw new InvalidOperationException(
            $"Sql.Provider '{name}' is not supported: use {KnownNames}, or the invariant name of an ADO.NET provider registered with DbProviderFactories.");

    /// <summary>The provider a <c>Sql.Provider</c> setting names, or null.</summary>
    public static SqlProvider? TryResolve(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }

        var trimmed = name.Trim();
        var builtIn = trimmed.ToUpperInvariant() switch
        {
            "SQLITE" or "MICROSOFT.DATA.SQLITE" => Sqlite,
            "POSTGRES" or "POSTGRESQL" or "NPGSQL" => Postgres,
            "SQLSERVER" or "MSSQL" or "MICROSOFT.DATA.SQLCLIENT" => SqlServer,
            "MYSQL" or "MARIADB" or "MYSQLCONNECTOR" => MySql,
            "ODBC" or "SYSTEM.DATA.ODBC" => Odbc,
            _ => null,
        };
        if (builtIn is not null)
        {
            return builtIn;
        }

        // Any other provider the host registered (Oracle's ODP.NET, IBM's DB2 driver, ...). Its read-only
        // switch, if any, is unknown here: give the login read rights only.
        return DbProviderFactories.TryGetFactory(trimmed, out var factory) ? new SqlProvider(trimmed, factory) : null;
    }
}

/// <summary>An ADO.NET provider and what the adapter knows of it.</summary>
/// <param name="InvariantName">The provider's invariant name, e.g. <c>Npgsql</c>.</param>
public sealed record SqlProvider(string InvariantName, DbProviderFactory Factory)
{
    /// <summary>Rewrites a connection string so the connection opens read-only, where the provider has such a setting.</summary>
    internal Func<string, string> ReadOnlyConnectionString { get; init; } = text => text;

    /// <summary>A statement that makes the session read-only, run once after opening, where the server has one.</summary>
    internal string? ReadOnlyStatement { get; init; }

    /// <summary>Whether parameters are bound by position (<c>?</c>) rather than by name, as ODBC binds them.</summary>
    internal bool PositionalParameters { get; init; }
}
