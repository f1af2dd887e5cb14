using CitizenHub.Adapters.Testing;
using CitizenHub.Store.Sqlite;
using Microsoft.Data.Sqlite;
using Xunit;

namespace CitizenHub.TestKit;

/// <summary>A real SQLite store in a fresh folder, migrated before use and deleted after.</summary>
/// <remarks>Derive a test class from it (xunit runs <see cref="InitializeAsync"/> before each test).</remarks>
public abstract class TempSqliteStore : IAsyncLifetime, IDisposable
{
    protected TempSqliteStore()
    {
        Store = new SqliteCitizenStore($"Data Source={Folder.File("hub.db")}");
    }

    protected TempDirectory Folder { get; } = new();

    protected SqliteCitizenStore Store { get; }

    public Task InitializeAsync() => Store.MigrateAsync(CancellationToken.None);

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            Store.Dispose();
            // Pooled connections hold the file open; release them so the folder can go.
            SqliteConnection.ClearAllPools();
            Folder.Dispose();
        }
    }
}
