using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CitizenHub.Hub;
using CitizenHub.TestKit;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace CitizenHub.Api.Tests;

/// <summary>Two CSV sources synced through the in-memory bus into SQLite, read back through the API.</summary>
public sealed class CustomerViewEndToEndTests : IClassFixture<CustomerViewEndToEndTests.SyncedHub>
{
    private readonly SyncedHub _hub;

    public CustomerViewEndToEndTests(SyncedHub hub) => _hub = hub;

    private HttpClient Client => _hub.Hub.Client;

    [Fact]
    public void Sync_MisquotedRow_IsRejectedWithLineAndReasonAndTheRestLoaded()
    {
        var councilTax = _hub.Summaries["council-tax"];

        Assert.True(councilTax.Succeeded, councilTax.Error);
        Assert.Equal((3, 1), (councilTax.Records, councilTax.Rejects));
        var rejects = File.ReadAllLines(councilTax.RejectsFile!);
        Assert.StartsWith("council-tax.csv,5,,CT004,a quote is out of place,", rejects[1], StringComparison.Ordinal);
        Assert.Equal((3, 0), (_hub.Summaries["housing-benefits"].Records, _hub.Summaries["housing-benefits"].Rejects));
    }

    [Fact]
    public async Task Search_ThenGet_ReturnsGoldenRecordJoiningBothSourcesWithLineage()
    {
        var search = await GetJsonAsync("/citizens?family=hughes&dob=1950-03-04");
        var result = Assert.Single(search.GetProperty("results").EnumerateArray().ToList());
        var id = result.GetProperty("citizenId").GetString()!;
        // Why it was found: each criterion against the citizen's best record, as the matching engine weighs it.
        var matched = result.GetProperty("matched").EnumerateArray().ToDictionary(m => m.GetProperty("comparison").GetString()!, m => m.GetProperty("level").GetString());
        Assert.Equal(new Dictionary<string, string?> { ["family_name"] = "exact", ["date_of_birth"] = "exact" }, matched);

        var citizen = await GetJsonAsync(result.GetProperty("href").GetString()!);

        Assert.Equal(id, citizen.GetProperty("citizenId").GetString());
        var sources = citizen.GetProperty("sourceRecords").EnumerateArray()
            .Select(r => (r.GetProperty("sourceSystem").GetString(), r.GetProperty("sourceKey").GetString()))
            .ToList();
        Assert.Equal([("council-tax", "CT001"), ("housing-benefits", "HB-1")], sources);
        var fields = citizen.GetProperty("fields");
        // Council tax has priority 1: its spelling is shown, and the lineage says where it came from.
        Assert.Equal("Margaret", fields.GetProperty("given_names").GetProperty("value").GetString());
        Assert.Equal("council-tax", fields.GetProperty("given_names").GetProperty("source").GetProperty("system").GetString());
        Assert.Equal("CT001", fields.GetProperty("given_names").GetProperty("source").GetProperty("key").GetString());
        Assert.Equal("ST16 2AB", fields.GetProperty("postcode").GetProperty("value").GetString());
        Assert.Equal("JG103792A", fields.GetProperty("ni_number").GetProperty("value").GetString());
        // Raw values are kept beside parsed ones (for a caller who may see the benefits claim they include).
        var asSteward = await _hub.Hub.ClientFor("steward").GetFromJsonAsync<JsonElement>(result.GetProperty("href").GetString()!);
        var housing = asSteward.GetProperty("sourceRecords")[1].GetProperty("record");
        Assert.Equal("JG 10 37 92 A", housing.GetProperty("rawFields").GetProperty("NINO").GetString());
    }

    [Fact]
    public async Task Get_SensitiveAttribute_OnlyForARoleGrantedItsClass_AbsentOtherwiseWithTheRawRow()
    {
        var id = (await GetJsonAsync("/citizens?family=hughes&dob=1950-03-04")).GetProperty("results")[0].GetProperty("citizenId").GetString();

        var steward = await _hub.Hub.ClientFor("steward").GetFromJsonAsync<JsonElement>($"/citizens/{id}");
        var agent = await GetJsonAsync($"/citizens/{id}");

        var stewardsView = steward.GetProperty("sourceRecords")[1].GetProperty("record");
        Assert.Equal("benefits", Assert.Single(stewardsView.GetProperty("attributes").EnumerateArray().ToList()).GetProperty("sensitivity").GetString());
        var agentsView = agent.GetProperty("sourceRecords")[1].GetProperty("record");
        Assert.Empty(agentsView.GetProperty("attributes").EnumerateArray());
        Assert.Empty(agentsView.GetProperty("rawFields").EnumerateObject());
        Assert.DoesNotContain("HB-1", agentsView.GetProperty("rawFields").GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_FatherAndSon_AreTwoCitizens_AndBirthDateTellsThemApart()
    {
        var both = await GetJsonAsync("/citizens?family=SMITH&given=john");
        var father = await GetJsonAsync("/citizens?family=smith&given=John&dob=1960-05-01");

        Assert.Equal(2, both.GetProperty("results").GetArrayLength());
        var fatherId = Assert.Single(father.GetProperty("results").EnumerateArray().ToList()).GetProperty("citizenId").GetString();
        var fatherView = await GetJsonAsync($"/citizens/{fatherId}");
        Assert.Equal(2, fatherView.GetProperty("sourceRecords").GetArrayLength());
    }

    [Fact]
    public async Task Search_ByPostcodeInAnyForm_FindsEveryoneThere()
    {
        var found = await GetJsonAsync("/citizens?postcode=st17%204aa");

        Assert.Equal(2, found.GetProperty("results").GetArrayLength());
    }

    [Theory]
    [InlineData("/citizens", "no-criteria", null)]
    [InlineData("/citizens?dob=31/02/1975", "invalid-dob", "dob")]
    [InlineData("/citizens?dob=1975-02-31", "invalid-dob", "dob")]
    [InlineData("/citizens?postcode=--", "invalid-postcode", "postcode")]
    [InlineData("/citizens?family=smith&limit=1000", "invalid-limit", "limit")]
    [InlineData("/citizens?family=smith&limit=0", "invalid-limit", "limit")]
    [InlineData("/citizens?family=smith&limit=100&offset=450", "invalid-offset", "offset")]
    [InlineData("/citizens?ni=QQ123456C", "invalid-ni", "ni")]
    [InlineData("/citizens?nhs=9434765918", "invalid-nhs", "nhs")]
    [InlineData("/citizens?sourceKey=CT001", "invalid-source-record", "sourceSystem")]
    [InlineData("/citizens/not-a-citizen-id", "invalid-citizen-id", "id")]
    public async Task BadRequest_AnswersProblemNamingCodeAndField(string url, string code, string? field)
    {
        using var response = await Client.GetAsync(new Uri(url, UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.Equal(field, problem.TryGetProperty("field", out var f) ? f.GetString() : null);
    }

    [Fact]
    public async Task Get_UnknownId_IsNotFound()
    {
        using var response = await Client.GetAsync(new Uri($"/citizens/{new string('0', 32)}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("citizen-not-found", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Get_WithCurrentETag_IsNotModified()
    {
        var id = (await GetJsonAsync("/citizens?family=okafor")).GetProperty("results")[0].GetProperty("citizenId").GetString();
        using var first = await Client.GetAsync(new Uri($"/citizens/{id}", UriKind.Relative));
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/citizens/{id}");
        request.Headers.IfNoneMatch.Add(first.Headers.ETag!);

        using var second = await Client.SendAsync(request);

        Assert.NotNull(first.Headers.ETag);
        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
    }

    [Fact]
    public async Task Health_StoreAnswering_IsHealthy()
    {
        var health = await GetJsonAsync("/health");

        Assert.Equal("Healthy", health.GetProperty("status").GetString());
        Assert.Equal("Healthy", health.GetProperty("checks").GetProperty("store").GetString());
    }

    [Theory]
    [InlineData("/citizens?family=hughs")] // a typo that sounds the same
    [InlineData("/citizens?family=HUGHES&given=maggie")] // a pet form of Margaret
    [InlineData("/citizens?ni=jg%2010%2037%2092%20a")] // an identifier, however written
    [InlineData("/citizens?sourceSystem=housing-benefits&sourceKey=HB-1")] // a source's own key
    public async Task Search_FuzzyNamesIdentifiersAndSourceKeys_FindHughes(string url)
    {
        var found = await GetJsonAsync(url);

        var top = found.GetProperty("results")[0];
        Assert.Equal("Hughes", top.GetProperty("fields").GetProperty("family_name").GetProperty("value").GetString());
        // A source key says nothing the matching engine weighs; names and identifiers do.
        Assert.True(url.Contains("sourceKey", StringComparison.Ordinal) || top.GetProperty("score").GetDouble() > 0, top.GetRawText());
    }

    [Fact]
    public async Task Search_RankedByMatchWeight_BestFirst_AndPaged()
    {
        // Both John Smiths share the name; only the father's record has this date of birth's year and month too.
        var all = await GetJsonAsync("/citizens?family=smith&given=john");
        var second = await GetJsonAsync("/citizens?family=smith&given=john&limit=1&offset=1");

        var scores = all.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("score").GetDouble()).ToList();
        Assert.True(scores.Count >= 2);
        Assert.Equal(scores.OrderDescending(), scores);
        Assert.Equal(scores.Count, all.GetProperty("total").GetInt32());
        Assert.Equal(all.GetProperty("results")[1].GetProperty("citizenId").GetString(), Assert.Single(second.GetProperty("results").EnumerateArray().ToList()).GetProperty("citizenId").GetString());
    }

    [Fact]
    public async Task OpenApi_ListsEveryOperation()
    {
        var document = await GetJsonAsync("/openapi/v1.json");

        var paths = document.GetProperty("paths");
        Assert.True(paths.GetProperty("/citizens/{id}").TryGetProperty("get", out _));
        Assert.True(paths.GetProperty("/citizens").TryGetProperty("get", out _));
        // Every endpoint the application maps (besides /health, the document itself, and what is marked as no part of
        // the API: the docs page, the web pages) is in the document.
        var mapped = _hub.Hub.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.IExcludeFromDescriptionMetadata>()?.ExcludeFromDescription != true)
            .Select(e => "/" + e.RoutePattern.RawText!.Trim('/'))
            .Where(p => p is not "/health" && !p.StartsWith("/openapi", StringComparison.Ordinal))
            .ToHashSet(StringComparer.Ordinal);
        var documented = paths.EnumerateObject().Select(p => p.Name.TrimEnd('/')).ToHashSet(StringComparer.Ordinal);
        Assert.Subset(documented, mapped);
    }

    [Fact]
    public async Task OpenApi_DeclaresTheKeyAndTokenSchemes_AndEachOperationsRoles()
    {
        var document = await GetJsonAsync("/openapi/v1.json");

        var schemes = document.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal(("apiKey", "header", "X-Api-Key"), (schemes.GetProperty("ApiKey").GetProperty("type").GetString(), schemes.GetProperty("ApiKey").GetProperty("in").GetString(), schemes.GetProperty("ApiKey").GetProperty("name").GetString()));
        Assert.Equal(("http", "bearer"), (schemes.GetProperty("Bearer").GetProperty("type").GetString(), schemes.GetProperty("Bearer").GetProperty("scheme").GetString()));
        var paths = document.GetProperty("paths");
        string[] Roles(string path, string method) =>
            [.. paths.GetProperty(path).GetProperty(method).GetProperty("x-roles").EnumerateArray().Select(r => r.GetString()!)];
        Assert.Equal(["agent", "steward", "admin"], Roles("/citizens/{id}", "get"));
        Assert.Equal(["auditor"], Roles("/audit", "get"));
        Assert.Equal(["admin"], Roles("/citizens/{id}/erasure", "post"));
        Assert.Equal(["steward", "admin"], Roles("/reviews", "get"));
        // Every operation says how to sign in: the key or the token.
        Assert.All(
            paths.EnumerateObject().SelectMany(p => p.Value.EnumerateObject()),
            operation => Assert.Equal(2, operation.Value.GetProperty("security").GetArrayLength()));
    }

    [Fact]
    public async Task ApiDocs_ServedOpenToAll_FromThisHostOnly_TheirBootScriptLetInByTheResponsesOwnNonce()
    {
        using var anonymous = _hub.Hub.ClientFor(role: null, purpose: null);

        using var page = await anonymous.GetAsync(new Uri("/docs/", UriKind.Relative));
        using var again = await anonymous.GetAsync(new Uri("/docs/", UriKind.Relative));
        using var bundle = await anonymous.GetAsync(new Uri("/docs/scalar.js", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        var csp = page.Headers.GetValues("Content-Security-Policy").Single();
        var nonce = System.Text.RegularExpressions.Regex.Match(csp, "'nonce-([^']+)'").Groups[1].Value;
        Assert.NotEmpty(nonce);
        // Every script on the page carries this response's nonce, and the next response has another.
        var scripts = System.Text.RegularExpressions.Regex.Matches(html, "<script[^>]*>");
        Assert.NotEmpty(scripts);
        Assert.All(scripts, script => Assert.Contains($"nonce=\"{nonce}\"", script.Value, StringComparison.Ordinal));
        Assert.DoesNotContain(nonce, again.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        // No CDN: the page names no other host, and its bundle is served here.
        Assert.DoesNotMatch("(src|href)=\"(https?:)?//", html);
        Assert.Contains("\"telemetry\":false", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, bundle.StatusCode);
        Assert.Equal("text/javascript", bundle.Content.Headers.ContentType?.MediaType);
        // Pages other than the docs keep the policy with no inline script at all.
        using var health = await anonymous.GetAsync(new Uri("/health", UriKind.Relative));
        Assert.Contains("script-src 'self';", health.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenApi_EveryOperationAnswersWhenCalledAsAGeneratedClientWould()
    {
        var document = await GetJsonAsync("/openapi/v1.json");
        var id = (await GetJsonAsync("/citizens?family=hughes")).GetProperty("results")[0].GetProperty("citizenId").GetString()!;
        var samples = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["id"] = id, ["citizen"] = id, ["system"] = "council-tax", ["key"] = "CT001", ["family"] = "hughes",
        };

        var called = 0;
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                var url = path.Name;
                var query = new List<string>();
                foreach (var parameter in operation.Value.TryGetProperty("parameters", out var list) ? list.EnumerateArray() : default)
                {
                    var name = parameter.GetProperty("name").GetString()!;
                    var where = parameter.GetProperty("in").GetString();
                    if (where == "path")
                    {
                        // A review's and a failed message's ids are numbers (ones no queue holds here); every other {id} is a citizen's.
                        var numbered = path.Name.StartsWith("/reviews", StringComparison.Ordinal) || path.Name.StartsWith("/sources/failed-messages", StringComparison.Ordinal);
                        var value = numbered && name == "id" ? "999999" : samples[name];
                        url = url.Replace("{" + name + "}", Uri.EscapeDataString(value), StringComparison.Ordinal);
                    }
                    else if (where == "query" && samples.TryGetValue(name, out var value))
                    {
                        query.Add($"{name}={Uri.EscapeDataString(value)}");
                    }
                }

                if (query.Count > 0)
                {
                    url += "?" + string.Join('&', query);
                }

                // The auditor reads the audit trail; an administrator may call everything else.
                using var client = _hub.Hub.ClientFor(path.Name == "/audit" ? "auditor" : "admin");
                using var request = new HttpRequestMessage(new HttpMethod(operation.Name.ToUpperInvariant()), new Uri(url, UriKind.Relative));
                if (operation.Value.TryGetProperty("requestBody", out _))
                {
                    // One body that is valid for each operation that takes one (unknown members are ignored).
                    // Merge and split name a citizen and a record no one holds, so the shared data is left as it is.
                    request.Content = JsonContent.Create(new
                    {
                        restricted = false, reason = "checking the OpenAPI document", decision = "different",
                        other = new string('f', 32), sourceSystem = "council-tax", sourceKey = "no-such-record",
                    });
                }

                using var response = await client.SendAsync(request);

                // Answered as documented: a success, or a problem with its code (a review id no queue holds is not found).
                var what = $"{operation.Name.ToUpperInvariant()} {url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                Assert.True((int)response.StatusCode < 500, what);
                if (!response.IsSuccessStatusCode)
                {
                    Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                    Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("code", out _), what);
                    Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
                }

                called++;
            }
        }

        Assert.True(called >= 9, $"{called} operations");
    }

    private async Task<JsonElement> GetJsonAsync(string url)
    {
        using var response = await Client.GetAsync(new Uri(url, UriKind.Relative));
        Assert.True(response.IsSuccessStatusCode, $"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>The hub with both sources synced once, shared by the tests of this class.</summary>
    public sealed class SyncedHub : IAsyncLifetime
    {
        public EmbeddedHub Hub { get; } = new();

        public Dictionary<string, SyncRunSummary> Summaries { get; } = [];

        public async Task InitializeAsync()
        {
            await Hub.StartAsync(TwoSources.CouncilTax, TwoSources.HousingBenefits);
            Summaries["council-tax"] = await Hub.SyncAsync("council-tax");
            Summaries["housing-benefits"] = await Hub.SyncAsync("housing-benefits");
        }

        public async Task DisposeAsync() => await Hub.DisposeAsync();
    }
}
