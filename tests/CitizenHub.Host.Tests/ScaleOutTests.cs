using System.Diagnostics;
using System.Globalization;
using System.Text;
using CitizenHub.Adapters.Testing;
using CitizenHub.TestKit;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace CitizenHub.Host.Tests;

/// <summary>
/// The scaled-out hub's worst days, with real processes on a real RabbitMQ and PostgreSQL (private servers these tests
/// stop and start): an instance killed in the middle of a sync, the broker restarted, the database restarted, and one
/// person arriving from two sources at two instances at once. Each run is compared with one clean embedded run of
/// the same files: who is linked with whom must not change, and nothing may be applied twice.
/// </summary>
public sealed class ScaleOutTests(ScaleOutServers servers) : IClassFixture<ScaleOutServers>, IDisposable
{
    private const int Rows = 2_000;
    private readonly TempDirectory _folder = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }

    [Fact]
    public async Task OneOfTwoInstancesKilledMidSync_LinksEqualAnUninterruptedRun_NothingAppliedTwice()
    {
        var cluster = await PrepareAsync();
        using var first = await StartServeAsync(cluster.Config);
        using var second = await StartServeAsync(cluster.Config);

        using var sync = Start("sync", "--config", cluster.Config);
        var linksAtKill = await WaitForLinksAsync(cluster, sync, atLeast: Rows / 5);
        first.Process.Kill(entireProcessTree: true);
        await first.Process.WaitForExitAsync();
        await ExpectSuccessAsync(sync);

        Assert.InRange(linksAtKill, Rows / 5, Rows - 1);
        await AssertSameAsCleanRunAsync(cluster);
    }

    [Fact]
    public async Task BrokerRestartedMidSync_SyncCompletes_NothingLost()
    {
        var cluster = await PrepareAsync();
        using var sync = Start("sync", "--config", cluster.Config);
        var linksAtStop = await WaitForLinksAsync(cluster, sync, atLeast: Rows / 5);

        await servers.Broker.StopAsync();
        await Task.Delay(TimeSpan.FromSeconds(2));
        await servers.Broker.StartAsync();
        await ExpectSuccessAsync(sync);

        Assert.InRange(linksAtStop, Rows / 5, Rows - 1);
        await AssertSameAsCleanRunAsync(cluster);
    }

    [Fact]
    public async Task DatabaseRestartedMidSync_ConsumersRetryAndComplete()
    {
        var cluster = await PrepareAsync();
        using var sync = Start("sync", "--config", cluster.Config);
        var linksAtStop = await WaitForLinksAsync(cluster, sync, atLeast: Rows / 5);

        await servers.Database.StopAsync();
        await Task.Delay(TimeSpan.FromSeconds(2));
        await servers.Database.StartAsync();
        await ExpectSuccessAsync(sync);

        Assert.InRange(linksAtStop, Rows / 5, Rows - 1);
        await AssertSameAsCleanRunAsync(cluster);
    }

    [Fact]
    public async Task SamePeopleFromTwoSourcesAtOnceOnTwoInstances_OneGoldenRecordEach()
    {
        const int people = 400;
        var cluster = await PrepareAsync(rows: 0);
        _folder.Write("a.csv", PeopleCsv(people, keyPrefix: "A"));
        _folder.Write("b.csv", PeopleCsv(people, keyPrefix: "B"));
        var config = _folder.Write("two-sources.json", Configuration(cluster.VirtualHost, cluster.ConnectionString, batchSize: 20, """
            { "Name": "a", "Kind": "Csv", "Csv": { "Path": "a.csv" }, "Mapping": { "Key": "ref", "GivenNames": "forenames", "FamilyName": "surname", "DateOfBirth": "dob", "NiNumber": "ni" } },
            { "Name": "b", "Kind": "Csv", "Csv": { "Path": "b.csv" }, "Mapping": { "Key": "ref", "GivenNames": "forenames", "FamilyName": "surname", "DateOfBirth": "dob", "NiNumber": "ni" } }
            """));

        // Two instances, each reading one source: each person's two records arrive at two instances at about the same time.
        using var fromA = Start("sync", "--config", config, "--source", "a");
        using var fromB = Start("sync", "--config", config, "--source", "b");
        await Task.WhenAll(ExpectSuccessAsync(fromA), ExpectSuccessAsync(fromB));

        var citizens = (await LinksAsync(config)).GroupBy(l => l[0]).Select(g => string.Join("+", g.Select(l => l[2]).Order(StringComparer.Ordinal))).ToList();
        Assert.Equal(people, citizens.Count);
        Assert.All(citizens, c => Assert.Matches("^A(\\d+)\\+B\\1$", c));
    }

    /// <summary>A fresh virtual host and database, the source file, and the shape of one clean embedded run of it.</summary>
    private async Task<Cluster> PrepareAsync(int rows = Rows)
    {
        var virtualHost = await servers.Broker.CreateVirtualHostAsync();
        // Pooled, as a deployment's would be (the fixture's own connections are not).
        var connectionString = new NpgsqlConnectionStringBuilder(await servers.Database.CreateDatabaseAsync()) { Pooling = true }.ToString();
        var source = """
            { "Name": "people", "Kind": "Csv", "Csv": { "Path": "people.csv" },
              "Mapping": { "Key": "ref", "GivenNames": "forenames", "FamilyName": "surname", "DateOfBirth": "dob", "NiNumber": "ni" } }
            """;
        string? clean = null;
        if (rows > 0)
        {
            _folder.Write("people.csv", DuplicatesCsv(rows));
            clean = _folder.Write("clean.json", $$"""{ "Store": { "ConnectionString": "Data Source=clean.db" }, "Sync": { "BatchSize": 50 }, "Sources": [ {{source}} ] }""");
        }

        var config = _folder.Write($"scaled-{Guid.NewGuid():N}.json", Configuration(virtualHost, connectionString, batchSize: 50, source));
        return new Cluster(config, clean, virtualHost, connectionString);
    }

    private string Configuration(string virtualHost, string connectionString, int batchSize, string sources) => $$"""
        {
          "Transport": "RabbitMq",
          "RabbitMq": { "Host": "{{servers.Broker.Uri.Host}}", "Port": {{servers.Broker.Uri.Port}}, "VirtualHost": "{{virtualHost}}" },
          "Store": { "Provider": "Postgres", "ConnectionString": "{{connectionString}}" },
          "Sync": { "BatchSize": {{batchSize}} },
          "Sources": [ {{sources}} ]
        }
        """;

    private async Task AssertSameAsCleanRunAsync(Cluster cluster)
    {
        await ExpectSuccessAsync(Start("sync", "--config", cluster.CleanConfig!));
        var scaled = await LinksAsync(cluster.Config);

        Assert.Equal(Rows, scaled.Count);
        Assert.Equal(Shape(await LinksAsync(cluster.CleanConfig!)), Shape(scaled));
        // Applied once: no record came into a citizen twice (a redelivered batch applied again would say so here).
        await using var connection = Unpooled(cluster.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT COUNT(*) FROM (
                SELECT source_system, source_key, cause FROM citizen_history
                WHERE cause IN ('Created', 'RecordAdded') GROUP BY source_system, source_key, cause HAVING COUNT(*) > 1) AS twice;
            """;
        Assert.Equal(0L, (long)(await command.ExecuteScalarAsync())!);
    }

    /// <summary>Every fifth row is the previous row's person again (same NI number): links that do not depend on arrival order.</summary>
    private static string DuplicatesCsv(int rows)
    {
        var csv = new StringBuilder("ref,forenames,surname,dob,ni\n");
        for (var i = 1; i <= rows; i++)
        {
            var person = i % 5 == 0 ? i - 1 : i;
            csv.Append(CultureInfo.InvariantCulture, $"R{i},{Row(person)}\n");
        }

        return csv.ToString();
    }

    private static string PeopleCsv(int people, string keyPrefix)
    {
        var csv = new StringBuilder("ref,forenames,surname,dob,ni\n");
        for (var person = 1; person <= people; person++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{keyPrefix}{person},{Row(person)}\n");
        }

        return csv.ToString();
    }

    private static string Row(int person) => string.Create(
        CultureInfo.InvariantCulture,
        $"Given{Letters(person)},Family{Letters(person)},{1 + person % 28:D2}/{1 + person % 12:D2}/{1930 + person % 70},AB{person % 1_000_000:D6}C");

    /// <summary>A number written in letters (<c>1203</c> → <c>BCAD</c>): names are compared without digits, and each person needs their own.</summary>
    private static string Letters(int number) => string.Concat(number.ToString(CultureInfo.InvariantCulture).Select(d => (char)('A' + (d - '0'))));

    /// <summary>Waits until the store holds at least the given number of records, while the sync is still running.</summary>
    private static async Task<long> WaitForLinksAsync(Cluster cluster, Process sync, int atLeast)
    {
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < TimeSpan.FromMinutes(3))
        {
            Assert.False(sync.HasExited, "the sync finished before the fault could be made");
            var held = await CountRecordsAsync(cluster.ConnectionString);
            if (held >= atLeast)
            {
                return held;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"the store did not reach {atLeast} records");
    }

    private static async Task<long> CountRecordsAsync(string connectionString)
    {
        try
        {
            await using var connection = Unpooled(connectionString);
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM source_records";
            return (long)(await command.ExecuteScalarAsync())!;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return 0; // not migrated yet
        }
    }

    /// <summary>The test's own look at the database, on a connection of its own: a pooled one may predate a restart.</summary>
    private static NpgsqlConnection Unpooled(string connectionString) =>
        new(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ToString());

    private static async Task ExpectSuccessAsync(Process process)
    {
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // A hung process says what it was doing: its output is the only witness of where it stopped.
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Assert.Fail($"still running after 5 minutes\n{await stdout}\n{await stderr}");
        }

        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}\n{await stdout}\n{await stderr}");
    }

    /// <summary>A hub instance (<c>citizenhub serve</c>), returned once its health check answers.</summary>
    private static async Task<HubInstance> StartServeAsync(string config)
    {
        var port = FreePort.Next();
        var instance = new HubInstance(Start("serve", "--config", config, "--urls", $"http://127.0.0.1:{port}"));
        try
        {
            _ = instance.Process.StandardOutput.ReadToEndAsync();
            _ = instance.Process.StandardError.ReadToEndAsync();
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            for (var i = 0; i < 600; i++)
            {
                Assert.False(instance.Process.HasExited, "a hub instance exited while starting");
                try
                {
                    using var response = await http.GetAsync(new Uri("/health", UriKind.Relative));
                    if (response.IsSuccessStatusCode)
                    {
                        return instance;
                    }
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }

                await Task.Delay(100);
            }

            throw new TimeoutException("a hub instance did not become healthy");
        }
        catch
        {
            instance.Dispose();
            throw;
        }
    }

    private static Process Start(params string[] args) => CitizenHubProcess.Start(args);

    /// <summary>
    /// A running <c>citizenhub serve</c>, stopped when the test ends. Serve runs until it is told to stop, and disposing
    /// a <see cref="System.Diagnostics.Process"/> only lets go of it: the instance a test left running stayed up, retrying
    /// a broker and database long gone, after every test run.
    /// </summary>
    private sealed class HubInstance(Process process) : IDisposable
    {
        public Process Process => process;

        public void Dispose()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
            }

            process.Dispose();
        }
    }

    private async Task<List<string[]>> LinksAsync(string config)
    {
        var output = _folder.File($"links-{Guid.NewGuid():N}.csv");
        await ExpectSuccessAsync(Start("export", "links", "--config", config, "--out", output));
        return [.. File.ReadAllLines(output).Skip(1).Select(l => l.Split(','))];
    }

    /// <summary>Links as groups of source keys: ids differ between stores; who is with whom must not.</summary>
    private static List<string> Shape(IEnumerable<string[]> links) =>
        [.. links.GroupBy(l => l[0]).Select(g => string.Join("+", g.Select(l => l[2]).Order(StringComparer.Ordinal))).Order(StringComparer.Ordinal)];

    private sealed record Cluster(string Config, string? CleanConfig, string VirtualHost, string ConnectionString);
}

/// <summary>A private RabbitMQ node and PostgreSQL server for the scale-out tests, which stop and start them.</summary>
public sealed class ScaleOutServers : IAsyncLifetime
{
    public RabbitMqServer Broker { get; } = RabbitMqServer.StartPrivate();

    public PostgresServer Database { get; } = PostgresServer.StartPrivate();

    public Task InitializeAsync() => Task.WhenAll(Broker.InitializeAsync(), Database.InitializeAsync());

    public Task DisposeAsync() => Task.WhenAll(Broker.DisposeAsync(), Database.DisposeAsync());
}
