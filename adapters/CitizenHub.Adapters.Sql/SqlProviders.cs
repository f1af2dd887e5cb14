using System.Data.Common;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace CitizenHub.Adapters.Sql;

/// <summary>The ADO.NET providers the SQL adapter knows by a short name.</summary>
public static class SqlProviders
{
    /// <summary>The provider for a <c>Sql.Provider</c> setting.</summary>
    public static SqlProvider Resolve(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Trim().ToUpperInvariant() switch
        {
            "SQLITE" => new SqlProvider("Microsoft.Data.Sqlite", SqliteFactory.Instance),
            "POSTGRES" or "POSTGRESQL" or "NPGSQL" => new SqlProvider("Npgsql", NpgsqlFactory.Instance),
            "SQLSERVER" or "MSSQL" => new SqlProvider("Microsoft.Data.SqlClient", SqlClientFactory.Instance),
            _ => throw new InvalidOperationException($"Sql.Provider '{name}' is not supported; use Sqlite, Postgres or SqlServer."),
        };
    }
}

/// <summary>An ADO.NET provider: its invariant name and its factory.</summary>
public sealed record SqlProvider(string InvariantName, DbProviderFactory Factory);
