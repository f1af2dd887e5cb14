using System.Net;
using System.Text.Json.Nodes;
using CitizenHub.TestKit;
using Npgsql;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace CitizenHub.Host.Tests.Logging;

/// <summary>
/// Each kind of source, and each way a run can fail, read back from every sink the hub writes to (standard output and
/// error, the log file, the JSON log file, a registered sink) and from what the API shows of the run: none holds a value
/// of the input. The store refuses each batch with a message quoting the record (as PostgreSQL's unique-violation detail
/// does), so every batch goes through MassTransit's retries to the fault and the failed-message record; then the source
/// itself fails.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class NoPersonalDataInAnySinkTests(PostgresServer postgres)
{
    /// <summary>Every value of the inputs below that names a person, as written and as the hub normalises it.</summary>
    private static readonly string[] PersonalData =
    [
        "Margaret", "Hughes", "Chidi", "Okafor", "JG103792A", "JG 10 37 92 A", "CE123456B", "CE 12 34 56 B",
        "1950-03-04", "04/03/1950", "19500304", "1991-12-12", "12/12/1991", "31/02/1975", "ST16 2AB", "ST162AB",
    ];

    private const string StoreRefusal =
        "23505: duplicate key value violates unique constraint \"source_records_ni\"; Key (family_name, given_names, date_of_birth, ni_number)=(Hughes, Margaret, 1950-03-04, JG103792A) already exists";

    private static readonly JsonObject Mapping = new()
    {
        ["Key"] = "key", ["GivenNames"] = "forename", ["FamilyName"] = "surname", ["DateOfBirth"] = "dob",
        ["DateFormats"] = new JsonArray("yyyy-MM-dd"), ["NiNumber"] = "ni", ["Postcode"] = "postcode",
    };

    [Fact]
    public async Task CsvSource_BatchRefusedThenFileUnreadable_NoSinkShowsAValue()
    {
        await using var hub = new EverySinkHub();
        hub.Folder.Write("people.csv", "key,forename,surname,dob,ni,postcode\nP1,Margaret,Hughes,1950-03-04,JG103792A,ST16 2AB\nP2,Chidi,Okafor,1991-12-12,CE123456B,ST16 2AB\n");
        await hub.StartAsync(Config(new JsonObject { ["Name"] = "people", ["Kind"] = "Csv", ["Csv"] = new JsonObject { ["Path"] = "people.csv" }, ["Mapping"] = Mapping.DeepClone() }), StoreRefusal);

        var refused = await hub.SyncAsync("people");
        // A quote that never closes: the file cannot be cut into rows.
        hub.Folder.Write("people.csv", "key,forename,surname,dob,ni,postcode\nP1,\"Margaret,Hughes,1950-03-04,JG103792A,ST16 2AB\nP2,Chidi,Okafor,31/02/1975,CE123456B,ST16 2AB\n");
        var unreadable = await hub.SyncAsync("people");

        await AssertNoSinkShowsAValueAsync(hub, "InvalidDataException");
        Assert.Equal((1, true), (refused.FailedBatches, unreadable.Error?.Contains("never closed", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task FixedWidthSource_BatchRefusedThenFileGone_NoSinkShowsAValue()
    {
        await using var hub = new EverySinkHub();
        hub.Folder.Write("people.dat", Row("P1", "Margaret", "Hughes", "1950-03-04", "JG103792A") + Row("P2", "Chidi", "Okafor", "1991-12-12", "CE123456B"));
        var columns = new JsonArray(
            Column("key", 1, 4), Column("forename", 5, 12), Column("surname", 17, 12), Column("dob", 29, 10), Column("ni", 39, 9), Column("postcode", 48, 8));
        await hub.StartAsync(Config(new JsonObject { ["Name"] = "people", ["Kind"] = "FixedWidth", ["FixedWidth"] = new JsonObject { ["Path"] = "people.dat", ["Columns"] = columns }, ["Mapping"] = Mapping.DeepClone() }), StoreRefusal);

        var refused = await hub.SyncAsync("people");
        File.Delete(hub.Folder.File("people.dat"));
        var unreadable = await hub.SyncAsync("people");

        await AssertNoSinkShowsAValueAsync(hub, "InvalidDataException");
        Assert.Equal((1, true), (refused.FailedBatches, unreadable.Error?.Contains("does not exist", StringComparison.Ordinal)));

        static string Row(string key, string forename, string surname, string dob, string ni) =>
            $"{key,-4}{forename,-12}{surname,-12}{dob,-10}{ni,-9}ST16 2AB\n";

        static JsonObject Column(string name, int start, int length) => new() { ["Name"] = name, ["Start"] = start, ["Length"] = length };
    }

    [Fact]
    public async Task SoapSource_BatchRefusedThenAFaultQuotingTheClaimant_NoSinkShowsAValueAndTheFaultCodeIsShown()
    {
        using var service = WireMockServer.Start();
        service.Given(Request.Create().UsingPost()).RespondWith(Response.Create().WithStatusCode(200).WithBody(
            """
            <s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetClaimantsResponse xmlns="http://council.example/benefits">
            <Claimant><Ref>HB-1</Ref><Forenames>Margaret</Forenames><Surname>Hughes</Surname><DateOfBirth>1950-03-04</DateOfBirth><NiNumber>JG103792A</NiNumber></Claimant>
            <Claimant><Ref>HB-2</Ref><Forenames>Chidi</Forenames><Surname>Okafor</Surname><DateOfBirth>1991-12-12</DateOfBirth><NiNumber>CE123456B</NiNumber></Claimant>
            </GetClaimantsResponse></s:Body></s:Envelope>
            """));
        await using var hub = new EverySinkHub();
        await hub.StartAsync(Config(new JsonObject
        {
            ["Name"] = "benefits", ["Kind"] = "Soap",
            ["Soap"] = new JsonObject
            {
                ["Endpoint"] = service.Url + "/Claimants.svc", ["Action"] = "http://council.example/benefits/GetClaimants",
                ["Body"] = "<GetClaimants xmlns='http://council.example/benefits'><pageToken>{pageToken}</pageToken></GetClaimants>",
                ["Namespaces"] = new JsonObject { ["b"] = "http://council.example/benefits" }, ["RecordPath"] = "//b:Claimant",
                ["Fields"] = new JsonObject { ["key"] = "b:Ref", ["forename"] = "b:Forenames", ["surname"] = "b:Surname", ["dob"] = "b:DateOfBirth", ["ni"] = "b:NiNumber" },
            },
            ["Mapping"] = new JsonObject { ["Key"] = "key", ["GivenNames"] = "forename", ["FamilyName"] = "surname", ["DateOfBirth"] = "dob", ["DateFormats"] = new JsonArray("yyyy-MM-dd"), ["NiNumber"] = "ni" },
        }), StoreRefusal);

        var refused = await hub.SyncAsync("benefits");
        service.Reset();
        service.Given(Request.Create().UsingPost()).RespondWith(Response.Create().WithStatusCode(500).WithBody(
            """<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>Claimant Margaret Hughes (JG103792A, born 04/03/1950) is under review</faultstring></s:Fault></s:Body></s:Envelope>"""));
        var faulted = await hub.SyncAsync("benefits");

        await AssertNoSinkShowsAValueAsync(hub, "SoapFaultException");
        Assert.Equal((1, true), (refused.FailedBatches, faulted.Error?.Contains("(s:Client)", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task SqlSource_BatchRefusedThenAServerErrorQuotingAValue_NoSinkShowsAValueAndTheSqlStateIsShown()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using (var connection = new NpgsqlConnection(database))
        {
            await connection.OpenAsync();
            await using var create = connection.CreateCommand();
            // Dates kept as text, as many legacy systems keep them: the query casts them, and a bad one fails the query.
            create.CommandText = """
                CREATE TABLE claimants (claimant_id bigint PRIMARY KEY, forename text, surname text, dob text, ni text, updated_at timestamptz NOT NULL);
                INSERT INTO claimants VALUES (1, 'Margaret', 'Hughes', '1950-03-04', 'JG103792A', '2026-11-01T00:00:00Z'),
                                             (2, 'Chidi', 'Okafor', '1991-12-12', 'CE123456B', '2026-11-02T00:00:00Z');
                """;
            await create.ExecuteNonQueryAsync();
        }

        await using var hub = new EverySinkHub();
        await hub.StartAsync(Config(new JsonObject
        {
            ["Name"] = "benefits", ["Kind"] = "Sql",
            ["Sql"] = new JsonObject
            {
                ["Provider"] = "Postgres", ["ConnectionString"] = database, ["WatermarkColumn"] = "updated_at", ["KeyColumn"] = "key",
                ["Query"] = """
                    SELECT claimant_id AS key, forename, surname, CAST(dob AS date) AS dob, ni, updated_at FROM claimants
                    WHERE CAST(@watermark AS timestamptz) IS NULL OR updated_at > @watermark OR (updated_at = @watermark AND claimant_id > @lastKey)
                    ORDER BY updated_at, claimant_id LIMIT @pageSize
                    """,
            },
            ["Mapping"] = Mapping.DeepClone(),
        }), StoreRefusal);

        var refused = await hub.SyncAsync("benefits");
        await using (var connection = new NpgsqlConnection(database))
        {
            await connection.OpenAsync();
            await using var insert = connection.CreateCommand();
            // PostgreSQL's answer quotes it: date/time field value out of range: "31/02/1975".
            insert.CommandText = "INSERT INTO claimants VALUES (3, 'Chidi', 'Okafor', '31/02/1975', 'CE123456B', '2026-11-03T00:00:00Z')";
            await insert.ExecuteNonQueryAsync();
        }

        var failed = await hub.SyncAsync("benefits");

        await AssertNoSinkShowsAValueAsync(hub, "PostgresException");
        Assert.Equal((1, true), (refused.FailedBatches, failed.Error?.Contains("SqlState 22008", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task ApiRequest_UnhandledExceptionQuotingTheSearch_NoSinkAndNoAnswerShowsAValue()
    {
        await using var hub = new EverySinkHub();
        hub.Folder.Write("people.csv", "key,forename,surname,dob,ni,postcode\n");
        await hub.StartAsync(
            Config(new JsonObject { ["Name"] = "people", ["Kind"] = "Csv", ["Csv"] = new JsonObject { ["Path"] = "people.csv" }, ["Mapping"] = Mapping.DeepClone() }),
            storeFailure: "invalid input syntax for type date: \"04/03/1950\" searching for Margaret Hughes (JG103792A)");
        using var agent = hub.ClientFor("agent");

        using var answer = await agent.GetAsync(new Uri("/citizens?family=Hughes&given=Margaret&dob=1950-03-04", UriKind.Relative));
        var body = await answer.Content.ReadAsStringAsync();

        await AssertNoSinkShowsAValueAsync(hub, "InvalidDataException", readSources: false);
        Assert.DoesNotContain(PersonalData, value => body.Contains(value, StringComparison.OrdinalIgnoreCase));
        Assert.Equal(HttpStatusCode.InternalServerError, answer.StatusCode);
    }

    private static JsonObject Config(JsonObject source) => new()
    {
        ["Sync"] = new JsonObject { ["BatchSize"] = 10 },
        ["Sources"] = new JsonArray(source),
    };

    /// <summary>
    /// What GET /sources shows of the runs, then every sink: none holds a personal value, and the failure is still told
    /// (by the type of the exception that caused it), so the test cannot pass by logging nothing.
    /// </summary>
    private static async Task AssertNoSinkShowsAValueAsync(EverySinkHub hub, string failureType, bool readSources = true)
    {
        var sources = "";
        if (readSources)
        {
            using var admin = hub.ClientFor("admin");
            sources = await admin.GetStringAsync(new Uri("/sources", UriKind.Relative));
        }

        var sinks = await hub.StopAndReadEverySinkAsync();
        var shown = sinks.Append(new KeyValuePair<string, string>("GET /sources", sources));
        var leaks = shown.SelectMany(sink => PersonalData.Where(value => sink.Value.Contains(value, StringComparison.OrdinalIgnoreCase)).Select(value => $"{sink.Key}: {value}")).ToList();
        Assert.Empty(leaks);
        Assert.Contains(failureType, sinks["standard error"], StringComparison.Ordinal);
        Assert.Contains(failureType, sinks["log file"], StringComparison.Ordinal);
        Assert.Contains(failureType, sinks["JSON file"], StringComparison.Ordinal);
        Assert.Contains(failureType, sinks["registered sink"], StringComparison.Ordinal);
    }
}
