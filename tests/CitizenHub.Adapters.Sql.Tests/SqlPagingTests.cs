using System.Globalization;
using CitizenHub.Adapters.Testing;
using CitizenHub.TestKit;

namespace CitizenHub.Adapters.Sql.Tests;

/// <summary>
/// Keyset paging over a council tax accounts table whose key and watermark may be NULL, the same tests on
/// every real database the adapter is tested against (one derived class each).
/// </summary>
public abstract class SqlPagingTests
{
    protected static readonly DateTimeOffset Nine = new(2026, 10, 1, 9, 0, 0, TimeSpan.Zero);

    protected static readonly FieldMapping Mapping = new() { Key = "account_ref", FamilyName = "surname" };

    /// <summary>The adapter's provider name for this database.</summary>
    protected abstract string Provider { get; }

    /// <summary>The column type of <c>updated_at</c>, a nullable time.</summary>
    protected abstract string TimeType { get; }

    /// <summary>The keyset-paged query over <c>accounts</c>, in this database's dialect.</summary>
    protected abstract string Query { get; }

    /// <summary>A connection string for a fresh, empty database.</summary>
    protected abstract Task<string> CreateDatabaseAsync();

    /// <summary>A time as this database's driver takes it for <see cref="TimeType"/>.</summary>
    protected abstract object Time(DateTimeOffset time);

    [Fact]
    public async Task ReadAsync_NullKeyAtTheEndOfAPage_RejectedAndTheRowsTiedWithItStillRead()
    {
        var table = await CreateAsync(("A1", "Hughes", Nine), (null, "Smith", Nine.AddHours(1)), ("A2", "Patel", Nine.AddHours(1)), ("A3", "Turner", Nine.AddHours(1)));

        var results = await AdapterReads.ReadAllAsync(table.Adapter(pageSize: 2));

        Assert.Equal(["A1", "A2", "A3"], AdapterReads.Keys(results));
        var reject = Assert.Single(results.OfType<SourceReadResult.Rejected>()).Input;
        Assert.Equal(new InputPosition(Page: "1"), reject.Position);
        Assert.Contains("'account_ref'", reject.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("NULLS FIRST", reject.Reason, StringComparison.Ordinal);
        Assert.Contains("Smith", reject.RawText, StringComparison.Ordinal);
        Assert.DoesNotContain("Smith", reject.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_PagesOfNullKeysTiedWithGoodRows_EachRejectedOnceAndTheGoodRowsRead()
    {
        var table = await CreateAsync(
            ("A1", "Hughes", Nine), (null, "Smith", Nine.AddHours(1)), (null, "Jones", Nine.AddHours(1)), ("A2", "Patel", Nine.AddHours(1)), ("A3", "Turner", Nine.AddHours(2)));

        var results = await AdapterReads.ReadAllAsync(table.Adapter(pageSize: 1));

        Assert.Equal(["A1", "A2", "A3"], AdapterReads.Keys(results));
        var rejected = results.OfType<SourceReadResult.Rejected>().Select(r => r.Input.RawText!).ToList();
        Assert.Equal(2, rejected.Count);
        Assert.Single(rejected, r => r.Contains("Smith", StringComparison.Ordinal));
        Assert.Single(rejected, r => r.Contains("Jones", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ReadAsync_ResumedFromEveryCheckpointWithNullKeysOnPageEdges_NoRowLostOrRepeated()
    {
        var table = await CreateAsync(
            ("A1", "Hughes", Nine), (null, "Smith", Nine.AddHours(1)), ("A2", "Patel", Nine.AddHours(1)), ("A3", "Turner", Nine.AddHours(1)), (null, "Jones", Nine.AddHours(2)), ("A4", "Amy", Nine.AddHours(2)));
        var adapter = table.Adapter(pageSize: 2);
        var all = await AdapterReads.ReadAllAsync(adapter);

        var checkpoints = all.Select((item, index) => (item, index)).Where(x => x.item is SourceReadResult.CheckpointReached).ToList();
        Assert.True(checkpoints.Count >= 3, $"{checkpoints.Count} checkpoints");
        foreach (var (item, index) in checkpoints)
        {
            var resumed = await AdapterReads.ReadAllAsync(adapter, ((SourceReadResult.CheckpointReached)item).Cursor);

            Assert.Equal(["A1", "A2", "A3", "A4"], [.. AdapterReads.Keys(all.Take(index)), .. AdapterReads.Keys(resumed)]);
        }
    }

    [Fact]
    public async Task ReadAsync_NullWatermark_RejectedRatherThanReadAsAChangeWithNoTime()
    {
        var table = await CreateAsync(("A9", "Smith", null), ("A1", "Hughes", Nine), ("A2", "Patel", Nine.AddHours(1)));

        var results = await AdapterReads.ReadAllAsync(table.Adapter(pageSize: 2));

        Assert.Equal(["A1", "A2"], AdapterReads.Keys(results));
        var reject = Assert.Single(results.OfType<SourceReadResult.Rejected>()).Input;
        Assert.Equal(new InputPosition(Page: "1", Key: "A9"), reject.Position);
        Assert.Contains("'updated_at'", reject.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_WithLookback_ReReadsARowCommittedLateBehindTheCursor()
    {
        var table = await CreateAsync(("A1", "Hughes", Nine), ("A3", "Turner", Nine.AddHours(1)));
        var cursor = (await AdapterReads.ReadAllAsync(table.Adapter(pageSize: 10))).OfType<SourceReadResult.CheckpointReached>().Last().Cursor;
        // A transaction that began before the read stamped its row 09:55 but committed after it.
        await table.InsertAsync("A2", "Patel", Nine.AddMinutes(55));

        var withLookback = await AdapterReads.ReadAllAsync(table.Adapter(pageSize: 10, lookback: TimeSpan.FromMinutes(10)), cursor);
        var without = await AdapterReads.ReadAllAsync(table.Adapter(pageSize: 10), cursor);

        Assert.Equal(["A2", "A3"], AdapterReads.Keys(withLookback));
        Assert.Empty(AdapterReads.Keys(without));
    }

    protected async Task<AccountsTable> CreateAsync(params (string? Key, string Surname, DateTimeOffset? UpdatedAt)[] rows)
    {
        var table = new AccountsTable(this, await CreateDatabaseAsync());
        await table.ExecuteAsync($"CREATE TABLE accounts (account_ref varchar(20) NULL, surname varchar(50) NOT NULL, updated_at {TimeType} NULL)");
        foreach (var (key, surname, updatedAt) in rows)
        {
            await table.InsertAsync(key, surname, updatedAt);
        }

        return table;
    }

    protected sealed class AccountsTable(SqlPagingTests tests, string connectionString)
    {
        public SqlSourceAdapter Adapter(int pageSize, TimeSpan lookback = default, string? query = null) => new(
            "counciltax",
            new SqlSourceOptions
            {
                Provider = tests.Provider,
                ConnectionString = connectionString,
                Query = query ?? tests.Query,
                WatermarkColumn = "updated_at",
                KeyColumn = "account_ref",
                PageSize = pageSize,
                Lookback = lookback,
            },
            Mapping,
            TimeProvider.System);

        public Task InsertAsync(string? key, string surname, DateTimeOffset? updatedAt) =>
            ExecuteAsync("INSERT INTO accounts (account_ref, surname, updated_at) VALUES (@key, @surname, @updated)", ("@key", key), ("@surname", surname), ("@updated", updatedAt is { } t ? tests.Time(t) : null));

        public async Task ExecuteAsync(string sql, params (string Name, object? Value)[] parameters)
        {
            await using var connection = SqlProviders.Resolve(tests.Provider).Factory.CreateConnection()!;
            connection.ConnectionString = connectionString;
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            foreach (var (name, value) in parameters)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = name;
                parameter.Value = value ?? DBNull.Value;
                command.Parameters.Add(parameter);
            }

            await command.ExecuteNonQueryAsync();
        }
    }
}

/// <summary>The paging tests on a real SQLite file, which keeps times as ISO 8601 text.</summary>
public sealed class SqlitePagingTests : SqlPagingTests, IDisposable
{
    private readonly TempDirectory _folder = new();

    protected override string Provider => "Sqlite";

    protected override string TimeType => "TEXT";

    protected override string Query => """
        SELECT account_ref, surname, updated_at FROM accounts
        WHERE @watermark IS NULL OR updated_at > @watermark OR (updated_at = @watermark AND account_ref > @lastKey)
        ORDER BY updated_at, account_ref
        LIMIT @pageSize
        """;

    protected override Task<string> CreateDatabaseAsync() => Task.FromResult($"Data Source={_folder.File($"{Guid.NewGuid():N}.db")}");

    protected override object Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }
}

/// <summary>The paging tests on a real PostgreSQL server, where NULLs sort last unless the query says otherwise.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresPagingTests(PostgresServer server) : SqlPagingTests
{
    protected override string Provider => "Postgres";

    protected override string TimeType => "timestamptz";

    protected override string Query => """
        SELECT account_ref, surname, updated_at FROM accounts
        WHERE CAST(@watermark AS timestamptz) IS NULL OR updated_at > @watermark OR (updated_at = @watermark AND account_ref > CAST(@lastKey AS text))
        ORDER BY updated_at NULLS FIRST, account_ref NULLS FIRST
        LIMIT @pageSize
        """;

    protected override Task<string> CreateDatabaseAsync() => server.CreateDatabaseAsync();

    protected override object Time(DateTimeOffset time) => time;

    [Fact]
    public async Task ReadAsync_QueryThatSortsNullsLast_RejectSaysToSortThemFirst()
    {
        var table = await CreateAsync(("A1", "Hughes", Nine), ("A2", "Patel", Nine.AddHours(1)), (null, "Smith", Nine.AddHours(1)));
        // PostgreSQL's default: NULLs after every key of the same time.
        var nullsLast = Query.Replace(" NULLS FIRST", "", StringComparison.Ordinal);

        var results = await AdapterReads.ReadAllAsync(table.Adapter(pageSize: 10, query: nullsLast));

        Assert.Equal(["A1", "A2"], AdapterReads.Keys(results));
        Assert.Contains("add NULLS FIRST", Assert.Single(results.OfType<SourceReadResult.Rejected>()).Input.Reason, StringComparison.Ordinal);
    }
}
