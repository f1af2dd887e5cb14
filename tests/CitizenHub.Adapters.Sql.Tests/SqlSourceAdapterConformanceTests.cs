using System.Globalization;
using CitizenHub.Adapters.Testing;
using CitizenHub.TestKit;

namespace CitizenHub.Adapters.Sql.Tests;

/// <summary>The SQL adapter against the adapter conformance kit, over a real SQLite file, two rows a page.</summary>
public sealed class SqlSourceAdapterConformanceTests : SourceAdapterConformance
{
    private readonly LegacyDatabase _database = new();

    protected override string SourceSystem => "housing";

    protected override Task<ISourceAdapter> CreateSourceAsync(int goodRecords, bool withBadInput)
    {
        for (var i = 1; i <= goodRecords; i++)
        {
            // Pairs of rows share a watermark, so pages split ties.
            _database.Insert(i, $"Given{i}", $"Family{i}", "1950-03-04", string.Create(CultureInfo.InvariantCulture, $"2026-10-{i / 2 + 1:D2}T09:00:00"));
        }

        if (withBadInput)
        {
            // A row without a change time cannot be placed in the keyset: the one kind of row a mapping cannot save.
            _database.Insert(99, "No", "Watermark", "1950-03-04", null);
        }

        var options = new SqlSourceOptions
        {
            Provider = "Sqlite",
            ConnectionString = _database.ConnectionString,
            Query = LegacyDatabase.PagedQuery,
            WatermarkColumn = "updated_at",
            KeyColumn = "tenant_id",
            PageSize = 2,
        };
        var mapping = new FieldMapping { Key = "tenant_id", GivenNames = "forename", FamilyName = "surname", DateOfBirth = "dob", DateFormats = ["yyyy-MM-dd"] };
        return Task.FromResult<ISourceAdapter>(new SqlSourceAdapter(SourceSystem, options, mapping, TimeProvider.System));
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            // Pooled connections would keep the database file open, and the kit's folder could not be deleted.
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            _database.Dispose();
        }

        base.Dispose(disposing);
    }
}
