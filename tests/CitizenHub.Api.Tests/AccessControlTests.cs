using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using CitizenHub.TestKit;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CitizenHub.Api.Tests;

/// <summary>Who may read what: credentials, roles, purpose, the audit trail, and the rate limit.</summary>
public sealed class AccessControlTests : IClassFixture<AccessControlTests.Council>
{
    private readonly Council _council;

    public AccessControlTests(Council council) => _council = council;

    private EmbeddedHub Hub => _council.Hub;

    [Theory]
    [InlineData("/citizens?family=hughes")]
    [InlineData("/citizens/0123456789abcdef0123456789abcdef")]
    [InlineData("/audit?citizen=0123456789abcdef0123456789abcdef")]
    public async Task NoCredentials_Unauthenticated(string url)
    {
        using var response = await Hub.ClientFor(null).GetAsync(new Uri(url, UriKind.Relative));

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task UnknownKey_Unauthenticated()
    {
        using var client = Hub.ClientFor(null);
        client.DefaultRequestHeaders.Add("X-Api-Key", "not-a-configured-key");
        client.DefaultRequestHeaders.Add("X-Purpose", "test");

        using var response = await client.GetAsync(new Uri("/citizens?family=hughes", UriKind.Relative));

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Theory]
    [InlineData("auditor", "/citizens?family=hughes")]
    [InlineData("agent", "/audit?citizen=0123456789abcdef0123456789abcdef")]
    [InlineData("steward", "/audit?citizen=0123456789abcdef0123456789abcdef")]
    public async Task WrongRole_Forbidden(string role, string url)
    {
        using var response = await Hub.ClientFor(role).GetAsync(new Uri(url, UriKind.Relative));

        await AssertProblemAsync(response, HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task NoPurpose_RefusedNamingTheHeader()
    {
        using var response = await Hub.ClientFor("agent", purpose: null).GetAsync(new Uri("/citizens?family=hughes", UriKind.Relative));

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "purpose-required");
        Assert.Equal("X-Purpose", problem.GetProperty("field").GetString());
    }

    [Fact]
    public async Task Read_IsAudited_WhoWhenWhyWhichFields_AndOnlyAnAuditorSeesIt()
    {
        var id = await HughesAsync();
        using (var agent = Hub.ClientFor("agent", purpose: "caller asked about her council tax bill"))
        {
            (await agent.GetAsync(new Uri($"/citizens/{id}", UriKind.Relative))).EnsureSuccessStatusCode();
        }

        var audit = await Hub.ClientFor("auditor").GetFromJsonAsync<JsonElement>($"/audit?citizen={id}");

        var read = audit.GetProperty("entries").EnumerateArray().Last(e => e.GetProperty("action").GetString() == "read");
        Assert.Equal("test-agent", read.GetProperty("caller").GetString());
        Assert.Equal("agent", read.GetProperty("roles").GetString());
        Assert.Equal("caller asked about her council tax bill", read.GetProperty("purpose").GetString());
        var fields = read.GetProperty("fields").EnumerateArray().Select(f => f.GetString()).ToList();
        Assert.Contains("given_names", fields);
        Assert.Contains("date_of_birth", fields);
        // Names of fields, never their values.
        Assert.DoesNotContain("Margaret", audit.GetRawText(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("1950", read.GetProperty("fields").GetRawText(), StringComparison.Ordinal);
        // The search that found the citizen is a read of it too.
        Assert.Contains(audit.GetProperty("entries").EnumerateArray(), e => e.GetProperty("action").GetString() == "search");
    }

    [Fact]
    public async Task BearerToken_SignedWithTheConfiguredKey_ActsInItsRoles_OtherwiseRefused()
    {
        var id = await HughesAsync();

        using var good = Hub.ClientFor(null, purpose: "test");
        good.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token(ApiCallers.JwtSigningKey, "agent"));
        using var forged = Hub.ClientFor(null, purpose: "test");
        forged.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token(Convert.ToBase64String(new byte[36]), "agent"));
        using var auditorToken = Hub.ClientFor(null, purpose: "test");
        auditorToken.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token(ApiCallers.JwtSigningKey, "auditor"));

        Assert.Equal(HttpStatusCode.OK, (await good.GetAsync(new Uri($"/citizens/{id}", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await forged.GetAsync(new Uri($"/citizens/{id}", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await auditorToken.GetAsync(new Uri($"/citizens/{id}", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public void EveryEndpoint_StatesWhoMayCallIt()
    {
        var endpoints = Hub.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();

        Assert.NotEmpty(endpoints);
        Assert.All(endpoints, endpoint => Assert.True(
            endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null
            || endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => a.Policy is not null || a.Roles is not null),
            $"{endpoint.RoutePattern.RawText} states no policy"));
    }

    [Fact]
    public async Task OverTheRateLimit_TooManyRequests()
    {
        await using var hub = new EmbeddedHub();
        await hub.StartAsync(TwoSources.CouncilTax, TwoSources.HousingBenefits, api => api["RequestsPerMinute"] = 3);
        using var agent = hub.ClientFor("agent");
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await agent.GetAsync(new Uri("/citizens?family=hughes", UriKind.Relative))).StatusCode);
        }

        using var response = await agent.GetAsync(new Uri("/citizens?family=hughes", UriKind.Relative));

        await AssertProblemAsync(response, HttpStatusCode.TooManyRequests, "rate-limited");
        // Per caller: another caller is still served.
        Assert.Equal(HttpStatusCode.OK, (await hub.ClientFor("steward").GetAsync(new Uri("/citizens?family=hughes", UriKind.Relative))).StatusCode);
    }

    private async Task<string> HughesAsync()
    {
        var found = await Hub.Client.GetFromJsonAsync<JsonElement>("/citizens?family=hughes&dob=1950-03-04");
        return found.GetProperty("results")[0].GetProperty("citizenId").GetString()!;
    }

    private static string Token(string signingKey, string role) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = ApiCallers.JwtIssuer,
        Audience = ApiCallers.JwtAudience,
        Subject = new ClaimsIdentity([new Claim("sub", $"crm-{role}"), new Claim("roles", role)]),
        Expires = TimeProvider.System.GetUtcNow().UtcDateTime.AddMinutes(5),
        SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Convert.FromBase64String(signingKey)), SecurityAlgorithms.HmacSha256),
    });

    private static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(code, problem.GetProperty("code").GetString());
        return problem;
    }

    public sealed class Council : IAsyncLifetime
    {
        public EmbeddedHub Hub { get; } = new();

        public async Task InitializeAsync()
        {
            await Hub.StartAsync(TwoSources.CouncilTax, TwoSources.HousingBenefits);
            await Hub.SyncAsync("council-tax");
            await Hub.SyncAsync("housing-benefits");
        }

        public async Task DisposeAsync() => await Hub.DisposeAsync();
    }
}
