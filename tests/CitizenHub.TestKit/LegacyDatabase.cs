using CitizenHub.Adapters.Testing;
using Microsoft.Data.Sqlite;

namespace CitizenHub.TestKit;

/// <summary>A housing system's tenants table in a real SQLite file.</summary>
public sealed class LegacyDatabase : IDisposable
{
    private readonly TempDirectory _folder = new();

    public LegacyDatabase()
    {
        Path = _folder.File("housing.db");
        Execute("""
            CREATE TABLE tenants (
                tenant_id  INTEGER PRIMARY KEY,
                forename   TEXT,
                surname    TEXT,
                dob        TEXT,
                postcode   TEXT,
                updated_at TEXT NULL,
                deleted_at TEXT NULL
            );
            """);
    }

    public string Path { get; }

    public string ConnectionString => $"Data Source={Path}";

    public const string PagedQuery = """
        SELECT tenant_id, forename, surname, dob, postcode, updated_at FROM tenants
        WHERE @watermark IS NULL OR updated_at > @watermark OR (updated_at = @watermark AND tenant_id > @lastKey)
        ORDER BY updated_at, tenant_id
        LIMIT @pageSize
        """;

    public void Insert(long id, string forename, string surname, string? dob, string? updatedAt) =>
        Execute(
            "INSERT INTO tenants (tenant_id, forename, surname, dob, postcode, updated_at) VALUES ($id, $forename, $surname, $dob, 'ST16 2AB', $updated);",
            ("$id", id), ("$forename", forename), ("$surname", surname), ("$dob", dob), ("$updated", updatedAt));

    public void Touch(long id, string surname, string updatedAt) =>
        Execute("UPDATE tenants SET surname = $surname, updated_at = $updated WHERE tenant_id = $id;", ("$id", id), ("$surname", surname), ("$updated", updatedAt));

    /// <summary>Marks a tenant deleted the way many legacy systems do: the row stays, stamped.</summary>
    public void SoftDelete(long id, string updatedAt) =>
        Execute("UPDATE tenants SET deleted_at = $updated, updated_at = $updated WHERE tenant_id = $id;", ("$id", id), ("$updated", updatedAt));

    public long Count()
    {
        using var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM tenants;";
        return (long)command.ExecuteScalar()!;
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }

    private void Execute(string sql, params (string Name, object? Value)[] parameters)
    {
        using var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        command.ExecuteNonQuery();
    }
}
