using CitizenHub.Adapters.Testing;
using CitizenHub.Contracts;
using CitizenHub.TestKit;

namespace CitizenHub.Adapters.Sql.Tests;

public sealed class SqlSourceAdapterTests : IDisposable
{
    private static readonly FieldMapping Mapping = new()
    {
        Key = "tenant_id",
        GivenNames = "forename",
        FamilyName = "surname",
        DateOfBirth = "dob",
        DateFormats = ["yyyy-MM-dd"],
        Postcode = "postcode",
    };

    private readonly LegacyDatabase _database = new();

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task ReadAsync_SeveralPages_EveryRowOnceInWatermarkOrderWithACheckpointAfterEachPage()
    {
        // Rows 2 and 3 share a watermark and fall on either side of a page boundary.
        _database.Insert(1, "Margaret", "Hughes", "1950-03-04", "2026-10-01T09:00:00");
        _database.Insert(3, "John", "Smith", "1960-05-01", "2026-10-02T09:00:00");
        _database.Insert(2, "Priya", "Patel", "1979-11-17", "2026-10-02T09:00:00");
        _database.Insert(4, "Sean", "O'Brien", null, "2026-10-03T09:00:00");
        _database.Insert(5, "Amy", "Turner", "1975-06-01", "2026-10-04T09:00:00");

        var results = await AdapterReads.ReadAllAsync(Adapter(pageSize: 2));

        Assert.Equal(["1", "2", "3", "4", "5"], AdapterReads.Keys(results));
        Assert.Equal(3, results.OfType<SourceReadResult.CheckpointReached>().Count());
        Assert.IsType<SourceReadResult.CheckpointReached>(results[^1]);
        var first = results.OfType<SourceReadResult.Accepted>().First().Record;
        Assert.Equal((new PartialDate(1950, 3, 4, "1950-03-04"), "ST16 2AB"), (first.DateOfBirth, first.Addresses[0].Postcode));
        Assert.Equal("Hughes", first.RawFields["surname"]);
    }

    [Fact]
    public async Task ReadAsync_FromACheckpoint_YieldsOnlyRowsChangedSince()
    {
        _database.Insert(1, "Margaret", "Hughes", null, "2026-10-01T09:00:00");
        _database.Insert(2, "John", "Smith", null, "2026-10-02T09:00:00");
        var checkpoint = (await AdapterReads.ReadAllAsync(Adapter())).OfType<SourceReadResult.CheckpointReached>().Last().Cursor;
        _database.Touch(1, "Hughes-Lee", "2026-10-05T09:00:00");
        _database.Insert(3, "Priya", "Patel", null, "2026-10-05T10:00:00");

        var results = await AdapterReads.ReadAllAsync(Adapter(), checkpoint);

        Assert.Equal(["1", "3"], AdapterReads.Keys(results));
        Assert.Equal("Hughes-Lee", results.OfType<SourceReadResult.Accepted>().First().Record.Name!.FamilyName);
    }

    [Fact]
    public async Task ReadAsync_NothingChanged_YieldsNothingAndKeepsTheCursor()
    {
        _database.Insert(1, "Margaret", "Hughes", null, "2026-10-01T09:00:00");
        var checkpoint = (await AdapterReads.ReadAllAsync(Adapter())).OfType<SourceReadResult.CheckpointReached>().Last().Cursor;

        Assert.Empty(await AdapterReads.ReadAllAsync(Adapter(), checkpoint));
    }

    [Fact]
    public async Task ReadAsync_BadDate_KeepsTheRecordWithTheDateRawAndFlagged()
    {
        _database.Insert(1, "Margaret", "Hughes", "04/03/1950", "2026-10-01T09:00:00");
        _database.Insert(2, "John", "Smith", "1960-05-01", "2026-10-02T09:00:00");

        var results = await AdapterReads.ReadAllAsync(Adapter());

        Assert.Empty(results.OfType<SourceReadResult.Rejected>());
        var record = results.OfType<SourceReadResult.Accepted>().Select(a => a.Record).First(r => r.SourceKey == "1");
        Assert.Null(record.DateOfBirth);
        Assert.Equal("04/03/1950", record.RawFields["dob"]);
        Assert.Contains("'dob'", Assert.Single(record.Problems), StringComparison.Ordinal);
        Assert.Equal(["1", "2"], AdapterReads.Keys(results));
    }

    [Fact]
    public async Task ReadAsync_RowChangeTime_IsWhenTheRecordWasObserved()
    {
        _database.Insert(1, "Margaret", "Hughes", null, "2026-10-01T09:30:00");

        var record = (await AdapterReads.ReadAllAsync(Adapter())).OfType<SourceReadResult.Accepted>().Single().Record;

        Assert.Equal(new DateTimeOffset(2026, 10, 1, 9, 30, 0, TimeSpan.Zero), record.ObservedAt);
    }

    [Fact]
    public async Task ReadAsync_QueryThatWrites_IsRefusedByTheReadOnlyConnection()
    {
        _database.Insert(1, "Margaret", "Hughes", null, "2026-10-01T09:00:00");
        var options = Options();
        options.Query = "DELETE FROM tenants RETURNING *, @watermark, @lastKey, @pageSize";

        await Assert.ThrowsAnyAsync<Exception>(() => AdapterReads.ReadAllAsync(new SqlSourceAdapter("housing", options, Mapping, TimeProvider.System)));

        Assert.Equal(1, _database.Count());
    }

    [Fact]
    public async Task ReadAsync_QueryLacksTheKeyColumn_ThrowsNamingIt()
    {
        _database.Insert(1, "Margaret", "Hughes", null, "2026-10-01T09:00:00");
        var options = Options();
        options.KeyColumn = "account";

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => AdapterReads.ReadAllAsync(new SqlSourceAdapter("housing", options, Mapping, TimeProvider.System)));

        Assert.Equal("The query returns no column named 'account'.", error.Message);
    }

    [Fact]
    public async Task ReadAsync_LookbackOnAWatermarkThatIsNotATime_ThrowsNamingTheSetting()
    {
        _database.Insert(1, "Margaret", "Hughes", null, "2026-10-01T09:00:00");
        var options = Options();
        // A change number, not a time: there is no "ten minutes before" it.
        options.WatermarkColumn = "tenant_id";
        var cursor = (await AdapterReads.ReadAllAsync(new SqlSourceAdapter("housing", options, Mapping, TimeProvider.System))).OfType<SourceReadResult.CheckpointReached>().Last().Cursor;
        options.Lookback = TimeSpan.FromMinutes(10);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => AdapterReads.ReadAllAsync(new SqlSourceAdapter("housing", options, Mapping, TimeProvider.System), cursor));

        Assert.Contains("Sql.Lookback", error.Message, StringComparison.Ordinal);
        Assert.Contains("'tenant_id'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_NegativeLookback_ThrowsNamingIt()
    {
        var options = Options();
        options.Lookback = TimeSpan.FromMinutes(-1);

        var error = Assert.Throws<InvalidOperationException>(() => new SqlSourceAdapter("housing", options, Mapping, TimeProvider.System));

        Assert.EndsWith("Sql.Lookback must not be negative.", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Provider", "Sql.Provider is required.")]
    [InlineData("Query", "Sql.Query is required.")]
    [InlineData("WatermarkColumn", "Sql.WatermarkColumn is required.")]
    public void Constructor_MissingSetting_ThrowsNamingIt(string setting, string message)
    {
        var options = Options();
        typeof(SqlSourceOptions).GetProperty(setting)!.SetValue(options, "");

        var error = Assert.Throws<InvalidOperationException>(() => new SqlSourceAdapter("housing", options, Mapping, TimeProvider.System));

        Assert.EndsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_SqlServerUnreachable_FailsAsUnreachableNotAsUnsupported()
    {
        // No SQL Server runs on this machine: this proves the provider is wired and its failures read, not how it reads.
        var options = Options();
        options.Provider = "SqlServer";
        options.ConnectionString = $"Server=127.0.0.1,{FreePort.Next()};Connect Timeout=2;Encrypt=False;Integrated Security=False;User ID=reader;Password=x";
        options.Retries = 1;
        options.RetryDelay = TimeSpan.FromMilliseconds(20);

        var error = await Assert.ThrowsAsync<SqlSourceException>(() => AdapterReads.ReadAllAsync(new SqlSourceAdapter("housing", options, Mapping, TimeProvider.System)));

        Assert.Equal((SqlSourceFailure.Unreachable, 2), (error.Failure, error.Attempts));
        Assert.IsType<Microsoft.Data.SqlClient.SqlException>(error.InnerException);
    }

    [Fact]
    public async Task ReadAsync_SqliteFileMissing_FailsAtOnceNamingTheConnectionString()
    {
        var options = Options();
        options.ConnectionString = $"Data Source={_database.Path}.moved";

        var error = await Assert.ThrowsAsync<SqlSourceException>(() => AdapterReads.ReadAllAsync(new SqlSourceAdapter("housing", options, Mapping, TimeProvider.System)));

        Assert.Equal((SqlSourceFailure.DatabaseMissing, 1), (error.Failure, error.Attempts));
        Assert.Contains("Sql.ConnectionString", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_database.Path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_TableMissing_FailsAtOnceNamingTheQuerySetting()
    {
        var options = Options();
        options.Query = "SELECT * FROM lettings WHERE @watermark IS NULL AND @lastKey IS NULL LIMIT @pageSize";

        var error = await Assert.ThrowsAsync<SqlSourceException>(() => AdapterReads.ReadAllAsync(new SqlSourceAdapter("housing", options, Mapping, TimeProvider.System)));

        Assert.Equal((SqlSourceFailure.TableMissing, 1), (error.Failure, error.Attempts));
        Assert.Contains("Sql.Query", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_UnknownProvider_Throws()
    {
        var options = Options();
        options.Provider = "Oracle";

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => AdapterReads.ReadAllAsync(new SqlSourceAdapter("housing", options, Mapping, TimeProvider.System)));

        Assert.Contains("'Oracle'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_ProviderRegisteredWithDbProviderFactoriesByInvariantName_ReadsThroughIt()
    {
        // A provider the host registers under its own name, as a council would register Oracle's or IBM's.
        System.Data.Common.DbProviderFactories.RegisterFactory("Council.Housing.Sqlite", Microsoft.Data.Sqlite.SqliteFactory.Instance);
        _database.Insert(1, "Margaret", "Hughes", null, "2026-10-01T09:00:00");
        var options = Options();
        options.Provider = "Council.Housing.Sqlite";

        var results = await AdapterReads.ReadAllAsync(new SqlSourceAdapter("housing", options, Mapping, TimeProvider.System));

        Assert.Equal(["1"], AdapterReads.Keys(results));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("Microsoft.Data.Sqlite")]
    public async Task ReadAsync_SqliteByShortOrInvariantName_OpensReadOnly(string provider)
    {
        _database.Insert(1, "Margaret", "Hughes", null, "2026-10-01T09:00:00");
        var options = Options();
        options.Provider = provider;
        options.Query = "DELETE FROM tenants RETURNING *, @watermark, @lastKey, @pageSize";

        var error = await Assert.ThrowsAsync<Microsoft.Data.Sqlite.SqliteException>(() => AdapterReads.ReadAllAsync(new SqlSourceAdapter("housing", options, Mapping, TimeProvider.System)));

        Assert.Equal(8, error.SqliteErrorCode); // SQLITE_READONLY
        Assert.Equal(1, _database.Count());
    }

    [Fact]
    public async Task ReadAsync_RowSoftDeletedSinceTheLastRead_ComesAsATombstoneByTheMappingsMarker()
    {
        _database.Insert(1, "Margaret", "Hughes", "1950-03-04", "2026-10-01T09:00:00");
        _database.Insert(2, "John", "Smith", "1960-05-01", "2026-10-02T09:00:00");
        var options = Options();
        options.Query = LegacyDatabase.PagedQuery.Replace("updated_at FROM", "updated_at, deleted_at FROM", StringComparison.Ordinal);
        var mapping = new FieldMapping { Key = "tenant_id", FamilyName = "surname", Deleted = new DeletionMarker { Field = "deleted_at" } };
        var adapter = new SqlSourceAdapter("housing", options, mapping, TimeProvider.System);
        var first = await AdapterReads.ReadAllAsync(adapter);

        _database.SoftDelete(2, "2026-10-03T09:00:00");
        var changes = await AdapterReads.ReadAllAsync(adapter, first.OfType<SourceReadResult.CheckpointReached>().Last().Cursor);

        Assert.All(first.OfType<SourceReadResult.Accepted>(), a => Assert.False(a.Record.Deleted));
        var tombstone = Assert.Single(changes.OfType<SourceReadResult.Accepted>()).Record;
        Assert.Equal(("2", true), (tombstone.SourceKey, tombstone.Deleted));
    }

    private SqlSourceOptions Options(int pageSize = 1000) => new()
    {
        Provider = "Sqlite",
        ConnectionString = _database.ConnectionString,
        Query = LegacyDatabase.PagedQuery,
        WatermarkColumn = "updated_at",
        KeyColumn = "tenant_id",
        PageSize = pageSize,
    };

    private SqlSourceAdapter Adapter(int pageSize = 1000) => new("housing", Options(pageSize), Mapping, TimeProvider.System);
}
