using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CitizenHub.Samples.Demo;
using CitizenHub.Samples.LegacyHousing;
using CitizenHub.Store.Sqlite;
using Microsoft.Data.Sqlite;

namespace CitizenHub.Host.Tests;

/// <summary>
/// <c>citizenhub demo</c> as a newcomer runs it, once for every test here: the four legacy systems generated and
/// started, real HTTP on loopback ports, and what it prints as the way in.
/// </summary>
public sealed partial class RunningDemo : IAsyncLifetime
{
    private readonly StringWriter _output = new();
    private readonly CancellationTokenSource _stop = new();
    private TextWriter _writer = null!;
    private Task<int> _demo = null!;

    public string Url { get; } = $"http://127.0.0.1:{FreePort()}";

    public string Printed { get; private set; } = "";

    public IReadOnlyDictionary<string, string> Keys { get; private set; } = new Dictionary<string, string>();

    public string Workspace => Regex.Match(Printed, "Demo workspace: (.+)").Groups[1].Value.TrimEnd();

    public string HousingUrl => Regex.Match(Printed, @"Housing SOAP service \(WS-Security UsernameToken required\): (http://\S+)").Groups[1].Value;

    public string JoinedCitizen => JoinedCitizenExample().Match(Printed).Groups[1].Value;

    [GeneratedRegex(@"curl -H 'X-Api-Key: [0-9a-f]+' -H 'X-Purpose: [^']+' http://127\.0\.0\.1:\d+/citizens/([0-9a-f]{32})")]
    private static partial Regex JoinedCitizenExample();

    [GeneratedRegex(@"^  (agent|steward|admin|auditor) +([0-9a-f]{32})\r?$", RegexOptions.Multiline)]
    private static partial Regex PrintedKey();

    public async Task InitializeAsync()
    {
        _writer = TextWriter.Synchronized(_output);
        _demo = CitizenHubCli.RunAsync(["demo", "--urls", Url], _writer, _writer, _stop.Token);
        // The last line it prints before it only serves.
        var waited = TimeSpan.Zero;
        while (!Read().Contains("/openapi/v1.json", StringComparison.Ordinal) && !_demo.IsCompleted && waited < TimeSpan.FromSeconds(120))
        {
            await Task.Delay(200);
            waited += TimeSpan.FromMilliseconds(200);
        }

        Printed = Read();
        Keys = PrintedKey().Matches(Printed).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value, StringComparer.Ordinal);
    }

    public HttpClient Client(string role, string? purpose = null)
    {
        var http = new HttpClient { BaseAddress = new Uri(Url) };
        http.DefaultRequestHeaders.Add("X-Api-Key", Keys[role]);
        if (purpose is not null)
        {
            http.DefaultRequestHeaders.Add("X-Purpose", purpose);
        }

        return http;
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        Assert.Equal(0, await _demo);
        SqliteConnection.ClearAllPools();
        _stop.Dispose();
        _output.Dispose();
    }

    /// <summary>Reads what the demo wrote so far, under the lock its synchronised writer takes.</summary>
    private string Read()
    {
        lock (_writer)
        {
            return _output.ToString();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

public sealed class DemoTests(RunningDemo demo) : IClassFixture<RunningDemo>
{
    private static readonly string[] FourSystems = ["benefits", "council-tax", "electoral-register", "housing"];

    [Fact]
    public void Demo_SyncsEachOfTheFourSystems()
    {
        foreach (var system in FourSystems)
        {
            Assert.Matches(new Regex($@"^{system}: [1-9]\d* records, \d+ rejected, 0 removed, \d+ batches, 0 failed", RegexOptions.Multiline), demo.Printed);
        }

        Assert.DoesNotContain("FAILED", demo.Printed, StringComparison.Ordinal);
        Assert.Contains($"Open {demo.Url}/ in a browser and sign in with a key below", demo.Printed, StringComparison.Ordinal);
        Assert.Equal(["admin", "agent", "auditor", "steward"], demo.Keys.Keys.Order());
    }

    [Fact]
    public async Task Demo_PrintsACitizenJoinedFromAllFourSystems()
    {
        using var http = demo.Client("agent", "trying the demo");

        var citizen = await http.GetFromJsonAsync<JsonElement>($"/citizens/{demo.JoinedCitizen}");

        var systems = citizen.GetProperty("sourceRecords").EnumerateArray().Select(r => r.GetProperty("sourceSystem").GetString()).Distinct();
        Assert.Equal(FourSystems, systems.Order());
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/health", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task Demo_ReviewQueue_HoldsUncertainPairsForAStewardToDecide()
    {
        using var http = demo.Client("steward");

        var reviews = await http.GetFromJsonAsync<JsonElement>("/reviews");

        Assert.NotEmpty(reviews.GetProperty("reviews").EnumerateArray());
        Assert.Matches(@"; [1-9]\d* uncertain pairs wait for a steward", demo.Printed);
    }

    [Fact]
    public async Task Demo_HousingService_RefusesARequestWithoutTheUsernameToken()
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, demo.HousingUrl)
        {
            Content = new StringContent(
                """<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetTenancies xmlns="http://council.example/housing"><changedSince></changedSince><pageToken></pageToken><pageSize>10</pageSize></GetTenancies></s:Body></s:Envelope>""",
                Encoding.UTF8,
                "text/xml"),
        };
        request.Headers.Add("SOAPAction", $"\"{LegacyHousingService.Action}\"");

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("<faultcode>s:Client</faultcode>", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Tenancy>", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_HousingVulnerability_IsShownToAStewardAndNotToAnAgent()
    {
        var tenancy = DemoCouncil.Generate().Tenancies.First(t => t.Vulnerability.Length > 0);
        string citizenId;
        using (var store = new SqliteCitizenStore($"Data Source={Path.Combine(demo.Workspace, "citizenhub.db")}"))
        {
            citizenId = (await store.GetSourceRecordAsync("housing", tenancy.TenancyRef, CancellationToken.None))!.CitizenId;
        }

        using var agent = demo.Client("agent", "trying the demo");
        using var steward = demo.Client("steward", "trying the demo");
        var asAgent = await agent.GetStringAsync(new Uri($"/citizens/{citizenId}", UriKind.Relative));
        var asSteward = await steward.GetStringAsync(new Uri($"/citizens/{citizenId}", UriKind.Relative));

        Assert.Contains(tenancy.Vulnerability, asSteward, StringComparison.Ordinal);
        Assert.DoesNotContain(tenancy.Vulnerability, asAgent, StringComparison.Ordinal);
        // The tenancy itself is not hidden from the agent: only the attribute of a class the agent is not granted.
        Assert.Contains(tenancy.TenancyRef, asAgent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_Workspace_HoldsTheLegacyFilesAndAStoreOfThisRunAlone()
    {
        Assert.True(File.Exists(Path.Combine(demo.Workspace, DemoCouncil.CouncilTaxFile)));
        Assert.True(File.Exists(Path.Combine(demo.Workspace, DemoCouncil.BenefitsFile)));
        Assert.True(File.Exists(Path.Combine(demo.Workspace, DemoCouncil.ElectoralRegisterFile)));
        using var store = new SqliteCitizenStore($"Data Source={Path.Combine(demo.Workspace, "citizenhub.db")}");

        var sources = await store.GetSourcesAsync(CancellationToken.None);

        Assert.Equal(FourSystems, sources.Select(s => s.SourceSystem).Order());
        Assert.All(sources, s => Assert.NotNull(s.LastRunId));
    }
}
