using CitizenHub.Adapters.Testing;
using CitizenHub.Contracts;
using CitizenHub.TestKit;
using MySqlConnector;

namespace CitizenHub.Adapters.Sql.Tests;

[CollectionDefinition(Name)]
public sealed class MariaDbCollection : ICollectionFixture<MariaDbServer>
{
    public const string Name = "MariaDB";
}

/// <summary>A social care system's clients table in a real MariaDB server.</summary>
internal static class ClientsTable
{
    public const string Query = """
        SELECT client_id, forename, surname, dob, updated_at FROM clients
        WHERE @watermark IS NULL OR updated_at > @watermark OR (updated_at = @watermark AND client_id > @lastKey)
        ORDER BY updated_at, client_id
        LIMIT @pageSize
        """;

    public static readonly FieldMapping Mapping = new()
    {
        Key = "client_id",
        GivenNames = "forename",
        FamilyName = "surname",
        DateOfBirth = "dob",
        DateFormats = ["yyyy-MM-dd"],
    };

    public static async Task CreateAsync(string connectionString, IEnumerable<(long Id, string Forename, string Surname, string? Dob, DateTime UpdatedAt)> rows, string dobType = "date")
    {
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var create = connection.CreateCommand())
        {
            create.CommandText = $"CREATE TABLE clients (client_id bigint PRIMARY KEY, forename varchar(50), surname varchar(50), dob {dobType} NULL, updated_at datetime(6) NOT NULL)";
            await create.ExecuteNonQueryAsync();
        }

        foreach (var row in rows)
        {
            await using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO clients VALUES (@id, @forename, @surname, @dob, @updated)";
            insert.Parameters.AddWithValue("@id", row.Id);
            insert.Parameters.AddWithValue("@forename", row.Forename);
            insert.Parameters.AddWithValue("@surname", row.Surname);
            insert.Parameters.AddWithValue("@dob", row.Dob is { } d ? d : DBNull.Value);
            insert.Parameters.AddWithValue("@updated", row.UpdatedAt);
            await insert.ExecuteNonQueryAsync();
        }
    }

    public static async Task<long> CountAsync(string connectionString)
    {
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync();
        await using var count = connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM clients";
        return (long)(await count.ExecuteScalarAsync())!;
    }

    public static SqlSourceAdapter Adapter(string connectionString, int pageSize, string query = Query, string provider = "MariaDb") => new(
        "socialcare",
        new SqlSourceOptions { Provider = provider, ConnectionString = connectionString, Query = query, WatermarkColumn = "updated_at", KeyColumn = "client_id", PageSize = pageSize },
        Mapping,
        TimeProvider.System);
}

[Collection(MariaDbCollection.Name)]
public sealed class MariaDbSourceTests(MariaDbServer server)
{
    private static readonly DateTime Monday = new(2026, 11, 2, 9, 0, 0, DateTimeKind.Unspecified);

    [Theory]
    [InlineData("MariaDb")]
    [InlineData("MySql")]
    [InlineData("MySqlConnector")]
    public async Task ReadAsync_ProviderNamedForMySqlOrMariaDb_ReadsTypedColumnsAcrossPages(string provider)
    {
        var database = await server.CreateDatabaseAsync();
        await ClientsTable.CreateAsync(database,
        [
            (1, "Margaret", "Hughes", "1950-03-04", Monday),
            (3, "John", "Smith", null, Monday.AddHours(1)),
            (2, "Priya", "Patel", "1979-11-17", Monday.AddHours(1)),
            (4, "Sean", "O'Brien", null, Monday.AddHours(2)),
        ]);

        var results = await AdapterReads.ReadAllAsync(ClientsTable.Adapter(database, pageSize: 2, provider: provider));

        var records = results.OfType<SourceReadResult.Accepted>().Select(a => a.Record).ToList();
        Assert.Equal(["1", "2", "3", "4"], records.Select(r => r.SourceKey));
        Assert.Equal(new PartialDate(1950, 3, 4, "1950-03-04"), records[0].DateOfBirth);
        Assert.Equal(new DateTimeOffset(Monday, TimeSpan.Zero), records[0].ObservedAt);
        Assert.Equal(2, results.OfType<SourceReadResult.CheckpointReached>().Count());
    }

    [Fact]
    public async Task ReadAsync_QueryThatWrites_FailsInTheServer()
    {
        var database = await server.CreateDatabaseAsync();
        await ClientsTable.CreateAsync(database, [(1, "Margaret", "Hughes", null, Monday)]);
        const string writing = "DELETE FROM clients WHERE @watermark IS NULL AND @lastKey IS NULL AND @pageSize > 0";

        var error = await Assert.ThrowsAsync<MySqlException>(() => AdapterReads.ReadAllAsync(ClientsTable.Adapter(database, 10, writing)));

        Assert.Equal(MySqlErrorCode.CannotExecuteInReadOnlyTransaction, error.ErrorCode);
        Assert.Equal(1, await ClientsTable.CountAsync(database));
    }

    [Fact]
    public async Task ReadAsync_ThroughOdbc_BindsTheParametersByPositionAndReadsEveryPage()
    {
        var driver = Directory.EnumerateDirectories("/usr/lib").Select(d => Path.Combine(d, "odbc", "libmaodbc.so")).FirstOrDefault(File.Exists);
        Assert.True(driver is not null, "the MariaDB ODBC driver is not installed (Debian packages 'unixodbc' and 'odbc-mariadb'; ./test.sh installs them)");
        var database = new MySqlConnectionStringBuilder(await server.CreateDatabaseAsync());
        await ClientsTable.CreateAsync(database.ConnectionString,
        [
            (1, "Margaret", "Hughes", "1950-03-04", Monday),
            (3, "John", "Smith", null, Monday.AddHours(1)),
            (2, "Priya", "Patel", "1979-11-17", Monday.AddHours(1)),
        ]);
        var odbc = $"Driver={driver};Server={database.Server};Port={database.Port};User={database.UserID};Password={database.Password};Database={database.Database}";
        // The same query as through MySqlConnector: the adapter writes ? for each named parameter, in order.
        var adapter = ClientsTable.Adapter(odbc, pageSize: 2, provider: "Odbc");

        var all = await AdapterReads.ReadAllAsync(adapter);
        var resumed = await AdapterReads.ReadAllAsync(adapter, all.OfType<SourceReadResult.CheckpointReached>().First().Cursor);

        Assert.Equal(["1", "2", "3"], AdapterReads.Keys(all));
        Assert.Equal(["3"], AdapterReads.Keys(resumed));
    }
}

/// <summary>The paging tests on a real MariaDB server, which sorts NULLs first as SQLite does.</summary>
[Collection(MariaDbCollection.Name)]
public sealed class MariaDbPagingTests(MariaDbServer server) : SqlPagingTests
{
    protected override string Provider => "MariaDb";

    protected override string TimeType => "datetime(6)";

    protected override string Query => """
        SELECT account_ref, surname, updated_at FROM accounts
        WHERE @watermark IS NULL OR updated_at > @watermark OR (updated_at = @watermark AND account_ref > @lastKey)
        ORDER BY updated_at, account_ref
        LIMIT @pageSize
        """;

    protected override Task<string> CreateDatabaseAsync() => server.CreateDatabaseAsync();

    protected override object Time(DateTimeOffset time) => time.UtcDateTime;
}

/// <summary>The SQL adapter on MariaDB against the adapter conformance kit.</summary>
[Collection(MariaDbCollection.Name)]
public sealed class MariaDbSourceConformanceTests(MariaDbServer server) : SourceAdapterConformance
{
    protected override string SourceSystem => "socialcare";

    protected override async Task<ISourceAdapter> CreateSourceAsync(int goodRecords, bool withBadInput)
    {
        var database = await server.CreateDatabaseAsync();
        var start = new DateTime(2026, 11, 2, 9, 0, 0, DateTimeKind.Unspecified);
        // Pairs of rows share a watermark, so pages split ties. An older system kept dates as text.
        var rows = Enumerable.Range(1, goodRecords)
            .Select(i => ((long)i, $"Given{i}", $"Family{i}", (string?)"1950-03-04", start.AddHours(i / 2)))
            .ToList();
        await ClientsTable.CreateAsync(database, rows, dobType: "varchar(10)");
        if (withBadInput)
        {
            // A row without a change time cannot be placed in the keyset: the one kind of row a mapping cannot save.
            await using var connection = new MySqlConnection(database);
            await connection.OpenAsync();
            await using var alter = connection.CreateCommand();
            alter.CommandText = "ALTER TABLE clients MODIFY updated_at datetime(6) NULL; INSERT INTO clients VALUES (99, 'No', 'Watermark', '1975-02-12', NULL)";
            await alter.ExecuteNonQueryAsync();
        }

        return ClientsTable.Adapter(database, pageSize: 2);
    }
}
