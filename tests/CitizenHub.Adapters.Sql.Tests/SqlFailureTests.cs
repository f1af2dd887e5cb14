using CitizenHub.Adapters.Testing;
using CitizenHub.TestKit;
using Microsoft.Extensions.Time.Testing;
using MySqlConnector;
using Npgsql;

namespace CitizenHub.Adapters.Sql.Tests;

/// <summary>The three ways a SQL source cannot be read that an operator must tell apart, on real servers.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresFailureTests(PostgresServer server)
{
    private const string Secret = "Pa55-not-for-logs";

    [Fact]
    public async Task ReadAsync_TableMissing_FailsAtOnceNamingTheQuerySetting()
    {
        var database = await server.CreateDatabaseAsync();
        var adapter = Adapter(WithPassword(database), ClaimantsTable.Query, retries: 3);

        var error = await Assert.ThrowsAsync<SqlSourceException>(() => AdapterReads.ReadAllAsync(adapter));

        Assert.Equal((SqlSourceFailure.TableMissing, 1), (error.Failure, error.Attempts));
        Assert.Contains("Sql.Query", error.Message, StringComparison.Ordinal);
        Assert.Contains("42P01", error.Message, StringComparison.Ordinal);
        AssertQuotesNoSetting(error, database);
    }

    [Fact]
    public async Task ReadAsync_LoginRefused_FailsAtOnceNamingTheConnectionString()
    {
        var database = await server.CreateDatabaseAsync();
        // The test server trusts every login it knows, so a role it does not know is the refusal here.
        var stranger = new NpgsqlConnectionStringBuilder(WithPassword(database)) { Username = "nobody_here" }.ToString();
        var adapter = Adapter(stranger, ClaimantsTable.Query, retries: 3);

        var error = await Assert.ThrowsAsync<SqlSourceException>(() => AdapterReads.ReadAllAsync(adapter));

        Assert.Equal((SqlSourceFailure.LoginRefused, 1), (error.Failure, error.Attempts));
        Assert.Contains("refused the login", error.Message, StringComparison.Ordinal);
        Assert.Contains("Sql.ConnectionString", error.Message, StringComparison.Ordinal);
        AssertQuotesNoSetting(error, stranger);
    }

    [Fact]
    public async Task ReadAsync_ServerUnreachable_RetriedThenFailsNamingTheConnectionString()
    {
        var nobody = $"Host=127.0.0.1;Port={FreePort.Next()};Username=reader;Password={Secret};Database=benefits;Timeout=2";
        var adapter = Adapter(nobody, ClaimantsTable.Query, retries: 2);

        var error = await Assert.ThrowsAsync<SqlSourceException>(() => AdapterReads.ReadAllAsync(adapter));

        Assert.Equal((SqlSourceFailure.Unreachable, 3), (error.Failure, error.Attempts));
        Assert.Contains("could not be reached, after 3 attempts", error.Message, StringComparison.Ordinal);
        Assert.Contains("host and port in Sql.ConnectionString", error.Message, StringComparison.Ordinal);
        AssertQuotesNoSetting(error, nobody);
    }

    [Fact]
    public async Task ReadAsync_DatabaseMissing_FailsAtOnceNamingTheConnectionString()
    {
        var missing = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = "no_such_db", Password = Secret }.ToString();

        var error = await Assert.ThrowsAsync<SqlSourceException>(() => AdapterReads.ReadAllAsync(Adapter(missing, ClaimantsTable.Query, retries: 3)));

        Assert.Equal((SqlSourceFailure.DatabaseMissing, 1), (error.Failure, error.Attempts));
        AssertQuotesNoSetting(error, missing);
    }

    [Fact]
    public async Task ReadAsync_QueryOutlastsTheTimeout_RetriedThenFailsNamingSqlTimeout()
    {
        var database = await server.CreateDatabaseAsync();
        const string slow = "SELECT 1 AS claimant_id, now() AS updated_at, pg_sleep(10) WHERE CAST(@watermark AS timestamptz) IS NULL AND CAST(@lastKey AS bigint) IS NULL AND @pageSize > 0";
        var adapter = Adapter(database, slow, retries: 1, timeout: TimeSpan.FromMilliseconds(500));

        var error = await Assert.ThrowsAsync<SqlSourceException>(() => AdapterReads.ReadAllAsync(adapter));

        Assert.Equal((SqlSourceFailure.TimedOut, 2), (error.Failure, error.Attempts));
        Assert.Contains("Sql.Timeout (00:00:00.5000000)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_ServerStartsWhileRetrying_ReadsOnceItAnswers()
    {
        await using var restarting = new PrivatePostgres();
        await restarting.Server.InitializeAsync();
        var database = await restarting.Server.CreateDatabaseAsync();
        await ClaimantsTable.CreateAsync(database, [(1, "Margaret", "Hughes", null, new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero))]);
        await restarting.Server.StopAsync();
        var adapter = Adapter(database, ClaimantsTable.Query, retries: 8, retryDelay: TimeSpan.FromMilliseconds(250));

        var read = AdapterReads.ReadAllAsync(adapter);
        await Task.Delay(500);
        Assert.False(read.IsCompleted, "the read gave up before the server came back");
        await restarting.Server.StartAsync();

        Assert.Equal(["1"], AdapterReads.Keys(await read));
    }

    [Fact]
    public async Task ReadAsync_RetryDelays_WaitOnTheInjectedTimeProvider()
    {
        var time = new FakeTimeProvider();
        var nobody = $"Host=127.0.0.1;Port={FreePort.Next()};Username=reader;Database=benefits;Timeout=2";
        var adapter = Adapter(nobody, ClaimantsTable.Query, retries: 2, retryDelay: TimeSpan.FromHours(1), timeProvider: time);

        var read = AdapterReads.ReadAllAsync(adapter);
        await Task.Delay(1000);
        // An hour's delay on the real clock would not pass in this test: only the fake clock moves it on.
        Assert.False(read.IsCompleted, "the read did not wait to retry");
        for (var i = 0; i < 50 && !read.IsCompleted; i++)
        {
            time.Advance(TimeSpan.FromHours(6));
            await Task.Delay(100);
        }

        var error = await Assert.ThrowsAsync<SqlSourceException>(() => read);
        Assert.Equal((SqlSourceFailure.Unreachable, 3), (error.Failure, error.Attempts));
    }

    private static string WithPassword(string connectionString) => new NpgsqlConnectionStringBuilder(connectionString) { Password = Secret }.ToString();

    private static void AssertQuotesNoSetting(SqlSourceException error, string connectionString)
    {
        Assert.DoesNotContain(Secret, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(new NpgsqlConnectionStringBuilder(connectionString).Port.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
    }

    private static SqlSourceAdapter Adapter(string connectionString, string query, int retries, TimeSpan? timeout = null, TimeSpan? retryDelay = null, TimeProvider? timeProvider = null) => new(
        "benefits",
        new SqlSourceOptions
        {
            Provider = "Postgres",
            ConnectionString = connectionString,
            Query = query,
            WatermarkColumn = "updated_at",
            KeyColumn = "claimant_id",
            PageSize = 10,
            Retries = retries,
            RetryDelay = retryDelay ?? TimeSpan.FromMilliseconds(20),
            Timeout = timeout ?? TimeSpan.FromSeconds(30),
        },
        ClaimantsTable.Mapping,
        timeProvider ?? TimeProvider.System);

    /// <summary>A PostgreSQL server of this test's own, since the test stops and starts it.</summary>
    private sealed class PrivatePostgres : IAsyncDisposable
    {
        public PostgresServer Server { get; } = PostgresServer.StartPrivate();

        public async ValueTask DisposeAsync() => await Server.DisposeAsync();
    }
}

/// <summary>The same failures on a real MariaDB server, whose logins have passwords.</summary>
[Collection(MariaDbCollection.Name)]
public sealed class MariaDbFailureTests(MariaDbServer server)
{
    [Fact]
    public async Task ReadAsync_WrongPassword_FailsAtOnceNamingTheConnectionStringWithoutThePassword()
    {
        var database = await server.CreateDatabaseAsync();
        var wrong = new MySqlConnectionStringBuilder(database) { Password = "Wr0ng-Secret-xyz" }.ConnectionString;

        var error = await Assert.ThrowsAsync<SqlSourceException>(() => AdapterReads.ReadAllAsync(Adapter(wrong)));

        Assert.Equal((SqlSourceFailure.LoginRefused, 1), (error.Failure, error.Attempts));
        Assert.Contains("user name and password in Sql.ConnectionString", error.Message, StringComparison.Ordinal);
        Assert.Contains("MySQL error 1045", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Wr0ng-Secret-xyz", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("citizenhub", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_TableMissing_FailsAtOnceNamingTheQuerySetting()
    {
        var database = await server.CreateDatabaseAsync();

        var error = await Assert.ThrowsAsync<SqlSourceException>(() => AdapterReads.ReadAllAsync(Adapter(database)));

        Assert.Equal((SqlSourceFailure.TableMissing, 1), (error.Failure, error.Attempts));
        Assert.Contains("Sql.Query", error.Message, StringComparison.Ordinal);
        Assert.Contains("MySQL error 1146", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_ServerUnreachable_RetriedThenFailsNamingTheConnectionString()
    {
        var nobody = $"Server=127.0.0.1;Port={FreePort.Next()};User ID=reader;Password=x;Database=care;Connection Timeout=2";

        var error = await Assert.ThrowsAsync<SqlSourceException>(() => AdapterReads.ReadAllAsync(Adapter(nobody)));

        Assert.Equal((SqlSourceFailure.Unreachable, 3), (error.Failure, error.Attempts));
        Assert.Contains("host and port in Sql.ConnectionString", error.Message, StringComparison.Ordinal);
    }

    private static SqlSourceAdapter Adapter(string connectionString) => new(
        "socialcare",
        new SqlSourceOptions
        {
            Provider = "MariaDb",
            ConnectionString = connectionString,
            Query = ClientsTable.Query,
            WatermarkColumn = "updated_at",
            KeyColumn = "client_id",
            Retries = 2,
            RetryDelay = TimeSpan.FromMilliseconds(20),
        },
        ClientsTable.Mapping,
        TimeProvider.System);
}
