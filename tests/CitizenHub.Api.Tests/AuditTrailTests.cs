using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using CitizenHub.Store;
using CitizenHub.TestKit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CitizenHub.Api.Tests;

/// <summary>The audit trail as an auditor uses it: filters, cursor pages, searches with their criteria, refusals, exports.</summary>
public sealed class AuditTrailTests : IClassFixture<AccessControlTests.Council>
{
    private readonly EmbeddedHub _hub;

    public AuditTrailTests(AccessControlTests.Council council) => _hub = council.Hub;

    [Fact]
    public async Task Audit_FilteredByCallerCitizenActionAndTime_PagedByCursorNewestFirst_ToTheEnd()
    {
        var id = await FindAsync("hughes");
        var since = TimeProvider.System.GetUtcNow().AddSeconds(-1);
        using (var steward = _hub.ClientFor("steward", "checking the queue"))
        {
            for (var i = 0; i < 5; i++)
            {
                (await steward.GetAsync(new Uri($"/citizens/{id}", UriKind.Relative))).EnsureSuccessStatusCode();
            }
        }

        using var auditor = _hub.ClientFor("auditor");
        var seen = new List<long>();
        var pages = 0;
        string? cursor = null;
        do
        {
            var page = await auditor.GetFromJsonAsync<JsonElement>(
                $"/audit?caller=test-steward&citizen={id}&action=read&from={Uri.EscapeDataString(since.ToString("O"))}&order=newest&limit=2"
                + (cursor is null ? "" : $"&cursor={cursor}"));
            pages++;
            foreach (var entry in page.GetProperty("entries").EnumerateArray())
            {
                Assert.Equal(("test-steward", "read", id), (entry.GetProperty("caller").GetString(), entry.GetProperty("action").GetString(), entry.GetProperty("citizenId").GetString()));
                seen.Add(entry.GetProperty("sequence").GetInt64());
            }

            cursor = page.GetProperty("next").GetString();
        }
        while (cursor is not null);

        Assert.Equal(5, seen.Count);
        Assert.Equal(3, pages);
        Assert.Equal(seen.OrderDescending(), seen);
        var none = await auditor.GetFromJsonAsync<JsonElement>($"/audit?caller=test-steward&to={Uri.EscapeDataString(since.AddDays(-1).ToString("O"))}");
        Assert.Empty(none.GetProperty("entries").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, none.GetProperty("next").ValueKind);
    }

    [Fact]
    public async Task Search_IsAuditedWithItsCriteriaAsGiven_BesideAReadOfEachCitizenShown()
    {
        using var agent = _hub.ClientFor("agent", "caller on the phone, case 77");
        var found = await agent.GetFromJsonAsync<JsonElement>("/citizens?family=hughs&given=maggie&limit=5");
        var shown = found.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("citizenId").GetString()).ToList();

        var audit = await _hub.ClientFor("auditor").GetFromJsonAsync<JsonElement>("/audit?action=search-query&order=newest&limit=20");

        var search = audit.GetProperty("entries").EnumerateArray().First(e => e.GetProperty("purpose").GetString() == "caller on the phone, case 77");
        Assert.Equal(JsonValueKind.Null, search.GetProperty("citizenId").ValueKind);
        Assert.Equal("test-agent", search.GetProperty("caller").GetString());
        var criteria = search.GetProperty("details").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
        Assert.Equal(new Dictionary<string, string?> { ["family"] = "hughs", ["given"] = "maggie", ["limit"] = "5" }, criteria);
        Assert.NotEmpty(shown);
        foreach (var citizen in shown)
        {
            var reads = await _hub.ClientFor("auditor").GetFromJsonAsync<JsonElement>($"/audit?citizen={citizen}&action=search&order=newest&limit=1");
            Assert.Equal("caller on the phone, case 77", reads.GetProperty("entries")[0].GetProperty("purpose").GetString());
        }
    }

    [Theory]
    [InlineData("limit=0", "invalid-limit", "limit")]
    [InlineData("limit=501", "invalid-limit", "limit")]
    [InlineData("citizen=not-an-id", "invalid-citizen-id", "citizen")]
    [InlineData("from=yesterday", "invalid-time", "from")]
    [InlineData("from=2026-11-02&to=2026-11-01", "invalid-time", "to")]
    [InlineData("order=sideways", "invalid-order", "order")]
    [InlineData("cursor=%21%21%21", "invalid-cursor", "cursor")]
    [InlineData("cursor=bjEy&order=oldest", "invalid-cursor", "cursor")]
    public async Task Audit_BadParameter_400NamingIt(string query, string code, string field)
    {
        using var response = await _hub.ClientFor("auditor").GetAsync(new Uri($"/audit?{query}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((code, field), (problem.GetProperty("code").GetString(), problem.GetProperty("field").GetString()));
    }

    [Fact]
    public async Task Refusals_AreAuditedWithTheirReasonRouteTemplateAndCaller_NeverTheUrl()
    {
        var id = await FindAsync("hughes");
        using var none = _hub.ClientFor(null);
        using var unknown = _hub.ClientFor(null);
        unknown.DefaultRequestHeaders.Add("X-Api-Key", "not-a-configured-key");
        using var expired = _hub.ClientFor(null);
        expired.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token("crm-agent", TimeProvider.System.GetUtcNow().AddMinutes(-2)));
        using var noSubject = _hub.ClientFor(null);
        noSubject.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token(null, TimeProvider.System.GetUtcNow().AddMinutes(5)));
        using var auditorAsReader = _hub.ClientFor("auditor");

        Assert.Equal(HttpStatusCode.Unauthorized, (await none.GetAsync(new Uri($"/citizens/{id}", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await unknown.GetAsync(new Uri($"/citizens/{id}", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await expired.GetAsync(new Uri($"/citizens/{id}", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await noSubject.GetAsync(new Uri($"/citizens/{id}", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await auditorAsReader.GetAsync(new Uri($"/citizens/{id}", UriKind.Relative))).StatusCode);

        var audit = await _hub.ClientFor("auditor").GetFromJsonAsync<JsonElement>("/audit?action=refused&order=newest&limit=5");
        var rows = audit.GetProperty("entries").EnumerateArray().Reverse().ToList();
        Assert.Equal(
            ["401 no-credentials", "401 unknown-key", "401 expired-token", "401 token-without-subject", "403 role-not-allowed"],
            rows.Select(r => $"{r.GetProperty("details").GetProperty("status").GetString()} {r.GetProperty("details").GetProperty("reason").GetString()}"));
        Assert.All(rows, r => Assert.Equal("/citizens/{id}", r.GetProperty("details").GetProperty("route").GetString()));
        Assert.Equal(["(anonymous)", "(anonymous)", "(anonymous)", "(anonymous)", "test-auditor"], rows.Select(r => r.GetProperty("caller").GetString()));
        // The route's template, never the path: the refused request's citizen id is nowhere in the row.
        Assert.DoesNotContain(id, audit.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refusals_BeyondTheCapInAMinute_AreCountedInOneRowNotWrittenEach()
    {
        var clock = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        await using var hub = new EmbeddedHub();
        await hub.StartAsync(
            TwoSources.CouncilTax, TwoSources.HousingBenefits, api => api["RefusalsAuditedPerMinute"] = 2,
            services => services.AddSingleton<TimeProvider>(clock));
        using var none = hub.ClientFor(null);
        for (var i = 0; i < 7; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await none.GetAsync(new Uri("/citizens?family=hughes", UriKind.Relative))).StatusCode);
        }

        var store = hub.Services.GetRequiredService<ICitizenStore>();
        var inTheMinute = (await store.QueryAuditAsync(new AuditQuery(100), CancellationToken.None)).Entries;
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.Unauthorized, (await none.GetAsync(new Uri("/citizens?family=hughes", UriKind.Relative))).StatusCode);
        var after = (await store.QueryAuditAsync(new AuditQuery(100), CancellationToken.None)).Entries;

        Assert.Equal(2, inTheMinute.Count(e => e.Action == "refused"));
        Assert.Equal(["refused", "refused", "refusals-suppressed", "refused"], after.Select(e => e.Action));
        Assert.Equal("5", after[2].Details!["count"]);
        Assert.Equal("5", after[2].Details!["no-credentials"]);
    }

    [Fact]
    public async Task RateLimited_IsAuditedWithTheCaller()
    {
        await using var hub = new EmbeddedHub();
        await hub.StartAsync(TwoSources.CouncilTax, TwoSources.HousingBenefits, api => api["RequestsPerMinute"] = 1);
        using var agent = hub.ClientFor("agent");
        (await agent.GetAsync(new Uri("/citizens?family=hughes", UriKind.Relative))).EnsureSuccessStatusCode();

        Assert.Equal(HttpStatusCode.TooManyRequests, (await agent.GetAsync(new Uri("/citizens?family=hughes", UriKind.Relative))).StatusCode);

        var rows = (await hub.Services.GetRequiredService<ICitizenStore>().QueryAuditAsync(new AuditQuery(10) { Action = "refused" }, CancellationToken.None)).Entries;
        var refused = Assert.Single(rows);
        Assert.Equal(("test-agent", "429", "rate-limited", "/citizens/"), (refused.Caller, refused.Details!["status"], refused.Details["reason"], refused.Details["route"]));
    }

    [Fact]
    public async Task Export_OfAMergeSurvivor_HasEveryReadOfTheIdsMergedIntoIt_MoreThanAPage()
    {
        await using var hub = new EmbeddedHub();
        await hub.StartAsync(
            """
            account_ref,title,forenames,surname,date_of_birth,address_1,town,postcode,ni_number
            CT1,Ms,Ann,Lee,,1 High Street,Stafford,ST16 1AA,AB123456C

            """,
            """
            CLAIM_REF|SURNAME|FORENAMES|DOB|ADDR_LINE_1|TOWN|POSTCODE|NINO|NHS
            HB1|LEIGH|ANNE||9 MILL LANE|STONE|ST15 8BB||9434765919

            """);
        await hub.SyncAsync("council-tax");
        await hub.SyncAsync("housing-benefits");
        var survivor = await IdOfAsync(hub, "council-tax", "CT1");
        var absorbed = await IdOfAsync(hub, "housing-benefits", "HB1");
        using (var agent = hub.ClientFor("agent", "read before the merge"))
        {
            (await agent.GetAsync(new Uri($"/citizens/{absorbed}", UriKind.Relative))).EnsureSuccessStatusCode();
        }

        // More reads than one page of the audit holds, as a busy contact centre's would be over the years.
        var store = hub.Services.GetRequiredService<ICitizenStore>();
        await store.AppendAuditAsync(
            [.. Enumerable.Range(0, 600).Select(i => new AuditEntry(0, TimeProvider.System.GetUtcNow(), "test-agent", "agent", "read", survivor, $"call {i}", []))],
            CancellationToken.None);
        hub.Replace("housing-benefits.csv", """
            CLAIM_REF|SURNAME|FORENAMES|DOB|ADDR_LINE_1|TOWN|POSTCODE|NINO|NHS
            HB1|LEIGH|ANNE||9 MILL LANE|STONE|ST15 8BB|AB123456C|9434765919

            """);
        await hub.SyncAsync("housing-benefits");
        Assert.Equal(survivor, await IdOfAsync(hub, "housing-benefits", "HB1"));

        var export = await hub.ClientFor("admin", "subject access request SAR-9").GetFromJsonAsync<JsonElement>($"/citizens/{survivor}/export");

        var reads = export.GetProperty("reads").EnumerateArray().ToList();
        Assert.Contains(reads, r => r.GetProperty("citizenId").GetString() == absorbed && r.GetProperty("purpose").GetString() == "read before the merge");
        Assert.Equal(600, reads.Count(r => r.GetProperty("purpose").GetString()!.StartsWith("call ", StringComparison.Ordinal)));
    }

    private async Task<string> FindAsync(string family)
    {
        var found = await _hub.Client.GetFromJsonAsync<JsonElement>($"/citizens?family={family}&dob=1950-03-04");
        return found.GetProperty("results")[0].GetProperty("citizenId").GetString()!;
    }

    private static async Task<string> IdOfAsync(EmbeddedHub hub, string system, string key)
    {
        var found = await hub.Client.GetFromJsonAsync<JsonElement>($"/citizens?sourceSystem={system}&sourceKey={key}");
        return Assert.Single(found.GetProperty("results").EnumerateArray().ToList()).GetProperty("citizenId").GetString()!;
    }

    /// <summary>A token signed with the test key, for an agent; without a subject when <paramref name="subject"/> is null.</summary>
    internal static string Token(string? subject, DateTimeOffset expires, string role = "agent") => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = ApiCallers.JwtIssuer,
        Audience = ApiCallers.JwtAudience,
        Subject = new ClaimsIdentity(subject is null ? [new Claim("roles", role)] : [new Claim("sub", subject), new Claim("roles", role)]),
        IssuedAt = expires.UtcDateTime.AddMinutes(-10),
        NotBefore = expires.UtcDateTime.AddMinutes(-10),
        Expires = expires.UtcDateTime,
        SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Convert.FromBase64String(ApiCallers.JwtSigningKey)), SecurityAlgorithms.HmacSha256),
    });
}
