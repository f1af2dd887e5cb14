using CitizenHub.Adapters.Testing;
using CitizenHub.Contracts;
using CitizenHub.TestKit;
using Npgsql;

namespace CitizenHub.Adapters.Sql.Tests;

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL";
}

/// <summary>A benefits system's claimants table in a real PostgreSQL server.</summary>
internal static class ClaimantsTable
{
    public const string Query = """
        SELECT claimant_id, forename, surname, dob, updated_at FROM claimants
        WHERE CAST(@watermark AS timestamptz) IS NULL OR updated_at > @watermark OR (updated_at = @watermark AND claimant_id > @lastKey)
        ORDER BY updated_at NULLS FIRST, claimant_id
        LIMIT @pageSize
        """;

    public static readonly FieldMapping Mapping = new()
    {
        Key = "claimant_id",
        GivenNames = "forename",
        FamilyName = "surname",
        DateOfBirth = "dob",
        DateFormats = ["yyyy-MM-dd"],
    };

    public static async Task CreateAsync(string connectionString, IEnumerable<(long Id, string Forename, string Surname, DateOnly? Dob, DateTimeOffset UpdatedAt)> rows)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var create = connection.CreateCommand())
        {
            create.CommandText = "CREATE TABLE claimants (claimant_id bigint PRIMARY KEY, forename text, surname text, dob date, updated_at timestamptz NOT NULL)";
            await create.ExecuteNonQueryAsync();
        }

        foreach (var row in rows)
        {
            await using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO claimants VALUES (@id, @forename, @surname, @dob, @updated)";
            insert.Parameters.AddWithValue("id", row.Id);
            insert.Parameters.AddWithValue("forename", row.Forename);
            insert.Parameters.AddWithValue("surname", row.Surname);
            insert.Parameters.AddWithValue("dob", row.Dob is { } d ? d : DBNull.Value);
            insert.Parameters.AddWithValue("updated", row.UpdatedAt);
            await insert.ExecuteNonQueryAsync();
        }
    }

    public static async Task<long> CountAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var count = connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM claimants";
        return (long)(await count.ExecuteScalarAsync())!;
    }

    public static SqlSourceAdapter Adapter(string connectionString, int pageSize, string query = Query) => new(
        "benefits",
        new SqlSourceOptions { Provider = "Postgres", ConnectionString = connectionString, Query = query, WatermarkColumn = "updated_at", KeyColumn = "claimant_id", PageSize = pageSize },
        Mapping,
        TimeProvider.System);
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresSourceTests(PostgresServer server)
{
    private static readonly DateTimeOffset Monday = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task ReadAsync_TypedColumnsAcrossPages_EveryRowOnceWithDatesAndObservationTimes()
    {
        var database = await server.CreateDatabaseAsync();
        await ClaimantsTable.CreateAsync(database,
        [
            (1, "Margaret", "Hughes", new DateOnly(1950, 3, 4), Monday),
            (3, "John", "Smith", null, Monday.AddHours(1)),
            (2, "Priya", "Patel", new DateOnly(1979, 11, 17), Monday.AddHours(1)),
            (4, "Sean", "O'Brien", null, Monday.AddHours(2)),
        ]);

        var results = await AdapterReads.ReadAllAsync(ClaimantsTable.Adapter(database, pageSize: 2));

        var records = results.OfType<SourceReadResult.Accepted>().Select(a => a.Record).ToList();
        Assert.Equal(["1", "2", "3", "4"], records.Select(r => r.SourceKey));
        Assert.Equal(new PartialDate(1950, 3, 4, "1950-03-04"), records[0].DateOfBirth);
        Assert.Equal(Monday, records[0].ObservedAt);
        Assert.Equal(2, results.OfType<SourceReadResult.CheckpointReached>().Count());
    }

    [Fact]
    public async Task ReadAsync_FromACheckpoint_YieldsOnlyLaterRows()
    {
        var database = await server.CreateDatabaseAsync();
        await ClaimantsTable.CreateAsync(database, [(1, "Margaret", "Hughes", null, Monday), (2, "John", "Smith", null, Monday.AddHours(1))]);
        var checkpoint = (await AdapterReads.ReadAllAsync(ClaimantsTable.Adapter(database, 1))).OfType<SourceReadResult.CheckpointReached>().First().Cursor;

        var resumed = await AdapterReads.ReadAllAsync(ClaimantsTable.Adapter(database, 1), checkpoint);

        Assert.Equal(["2"], resumed.OfType<SourceReadResult.Accepted>().Select(a => a.Record.SourceKey));
    }

    [Fact]
    public async Task ReadAsync_QueryThatWrites_FailsInTheServer()
    {
        var database = await server.CreateDatabaseAsync();
        await ClaimantsTable.CreateAsync(database, [(1, "Margaret", "Hughes", null, Monday)]);
        const string writing = "DELETE FROM claimants WHERE CAST(@watermark AS timestamptz) IS NULL AND CAST(@lastKey AS bigint) IS NULL AND @pageSize > 0 RETURNING *";

        var error = await Assert.ThrowsAsync<PostgresException>(() => AdapterReads.ReadAllAsync(ClaimantsTable.Adapter(database, 10, writing)));

        Assert.Equal("25006", error.SqlState); // read_only_sql_transaction
        Assert.Equal(1, await ClaimantsTable.CountAsync(database));
    }
}

/// <summary>The SQL adapter on PostgreSQL against the adapter conformance kit.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresSourceConformanceTests(PostgresServer server) : SourceAdapterConformance
{
    protected override string SourceSystem => "benefits";

    protected override async Task<ISourceAdapter> CreateSourceAsync(int goodRecords, bool withBadInput)
    {
        var database = await server.CreateDatabaseAsync();
        var start = new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);
        // Pairs of rows share a watermark, so pages split ties.
        var rows = Enumerable.Range(1, goodRecords)
            .Select(i => ((long)i, $"Given{i}", $"Family{i}", (DateOnly?)new DateOnly(1950, 3, 4), start.AddHours(i / 2)))
            .ToList();
        await ClaimantsTable.CreateAsync(database, rows);
        if (withBadInput)
        {
            // A row without a change time cannot be placed in the keyset: the one kind of row a mapping cannot save.
            await using var connection = new NpgsqlConnection(database);
            await connection.OpenAsync();
            await using var alter = connection.CreateCommand();
            alter.CommandText = "ALTER TABLE claimants ALTER COLUMN updated_at DROP NOT NULL; INSERT INTO claimants VALUES (99, 'No', 'Watermark', '1975-02-12', NULL)";
            await alter.ExecuteNonQueryAsync();
        }

        return ClaimantsTable.Adapter(database, pageSize: 2);
    }
}
