using CitizenHub.Adapters.Testing;
using CitizenHub.TestKit;
using Microsoft.Extensions.Configuration;

namespace CitizenHub.Adapters.Sql.Tests;

public sealed class SqlSourceAdapterFactoryTests : IDisposable
{
    private readonly LegacyDatabase _database = new();

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task Create_SqliteByInvariantNameWithARelativeFile_ReadsTheFileBesideTheConfiguration()
    {
        _database.Insert(1, "Margaret", "Hughes", null, "2026-10-01T09:00:00");
        var source = Source(new Dictionary<string, string?>
        {
            ["Sql:Provider"] = "Microsoft.Data.Sqlite",
            ["Sql:ConnectionString"] = "Data Source=housing.db",
        });

        var results = await AdapterReads.ReadAllAsync(new SqlSourceAdapterFactory().Create(source, TimeProvider.System));

        Assert.Equal(["1"], AdapterReads.Keys(results));
    }

    [Fact]
    public async Task Create_LookbackAndRetrySettings_BoundFromTheSection()
    {
        _database.Insert(1, "Margaret", "Hughes", null, "2026-10-01T09:00:00");
        _database.Insert(2, "John", "Smith", null, "2026-10-01T09:30:00");
        var settings = new Dictionary<string, string?>
        {
            ["Sql:Provider"] = "Sqlite",
            ["Sql:ConnectionString"] = "Data Source=housing.db",
            ["Sql:Lookback"] = "00:45:00",
            ["Sql:Timeout"] = "00:00:05",
            ["Sql:Retries"] = "0",
            ["Sql:RetryDelay"] = "00:00:00.1",
        };
        var adapter = new SqlSourceAdapterFactory().Create(Source(settings), TimeProvider.System);
        var cursor = (await AdapterReads.ReadAllAsync(adapter)).OfType<SourceReadResult.CheckpointReached>().Last().Cursor;

        // From 09:30 less 45 minutes: both rows again.
        Assert.Equal(["1", "2"], AdapterReads.Keys(await AdapterReads.ReadAllAsync(adapter, cursor)));
    }

    private SourceDefinition Source(Dictionary<string, string?> settings)
    {
        settings["Sql:Query"] = LegacyDatabase.PagedQuery;
        settings["Sql:WatermarkColumn"] = "updated_at";
        settings["Sql:KeyColumn"] = "tenant_id";
        return new SourceDefinition(
            "housing",
            SqlSourceAdapterFactory.KindName,
            new FieldMapping { Key = "tenant_id", FamilyName = "surname" },
            new ConfigurationBuilder().AddInMemoryCollection(settings).Build(),
            Path.GetDirectoryName(_database.Path)!);
    }
}
