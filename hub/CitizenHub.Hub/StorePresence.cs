using Microsoft.Data.Sqlite;
using Npgsql;

namespace CitizenHub.Hub;

/// <summary>
/// Whether the configured store has been made (by a first <c>sync</c> or <c>serve</c>), found without making it: a
/// command that only reads the store must not create an empty one and then answer as if the hub held nothing.
/// </summary>
public static class StorePresence
{
    /// <summary>PostgreSQL's code for "the database does not exist".</summary>
    private const string InvalidCatalogName = "3D000";

    /// <returns><see langword="null"/> when the store is there; otherwise where it was looked for, for "no store at …".</returns>
    /// <remarks>
    /// SQLite: the file exists. PostgreSQL: the database has the hub's version table (<c>schema_migrations</c>, the first
    /// thing the store's migrations make). A PostgreSQL server that cannot be reached throws, as any command's would.
    /// The description names a file or a database and server, never a password.
    /// </remarks>
    public static async Task<string?> FindAbsenceAsync(StoreOptions store, ConfigurationLocation location, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(location);
        switch (store.Provider)
        {
            case StoreProvider.Sqlite:
                var file = new SqliteConnectionStringBuilder(CitizenHubServiceCollectionExtensions.ResolveSqlitePath(store.ConnectionString, location)).DataSource;
                return file.Length == 0 || file == ":memory:" || File.Exists(file) ? null : file;
            case StoreProvider.Postgres:
                var builder = new NpgsqlConnectionStringBuilder(store.ConnectionString);
                var where = $"PostgreSQL database '{builder.Database}' on {builder.Host}:{builder.Port}";
                try
                {
                    await using var connection = new NpgsqlConnection(store.ConnectionString);
                    await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                    await using var command = new NpgsqlCommand("SELECT to_regclass('schema_migrations') IS NOT NULL", connection);
                    return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true ? null : where;
                }
                catch (PostgresException ex) when (ex.SqlState == InvalidCatalogName)
                {
                    return where;
                }

            default:
                throw new InvalidOperationException($"Store.Provider '{store.Provider}' is not supported.");
        }
    }
}
