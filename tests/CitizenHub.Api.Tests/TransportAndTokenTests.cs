using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CitizenHub.TestKit;

namespace CitizenHub.Api.Tests;

/// <summary>What every answer carries (security and cache headers), tokens' subject and clock skew, and answers that were wrong.</summary>
public sealed class TransportAndTokenTests : IClassFixture<AccessControlTests.Council>
{
    private readonly EmbeddedHub _hub;

    public TransportAndTokenTests(AccessControlTests.Council council) => _hub = council.Hub;

    [Theory]
    [InlineData("agent", "/citizens?family=hughes", HttpStatusCode.OK)]
    [InlineData("agent", "/citizens/0123456789abcdef0123456789abcdef", HttpStatusCode.NotFound)]
    [InlineData(null, "/citizens?family=hughes", HttpStatusCode.Unauthorized)]
    [InlineData("auditor", "/citizens?family=hughes", HttpStatusCode.Forbidden)]
    [InlineData("auditor", "/audit", HttpStatusCode.OK)]
    // No endpoint at all: not found (there is nothing there to protect), and still answered with the headers.
    [InlineData("agent", "/no/such/path", HttpStatusCode.NotFound)]
    [InlineData(null, "/no/such/path", HttpStatusCode.NotFound)]
    [InlineData(null, "/health", HttpStatusCode.OK)]
    [InlineData(null, "/openapi/v1.json", HttpStatusCode.OK)]
    public async Task EveryResponse_CarriesTheSecurityHeaders(string? role, string url, HttpStatusCode status)
    {
        using var response = await _hub.ClientFor(role).GetAsync(new Uri(url, UriKind.Relative));

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("no-referrer", Header(response, "Referrer-Policy"));
        Assert.Equal("DENY", Header(response, "X-Frame-Options"));
        var policy = Header(response, "Content-Security-Policy")!.Split(';', StringSplitOptions.TrimEntries).ToHashSet();
        Assert.Contains("default-src 'self'", policy);
        Assert.Contains("script-src 'self'", policy);
        Assert.Contains("frame-ancestors 'none'", policy);
        Assert.Contains("object-src 'none'", policy);
        Assert.DoesNotContain(policy, d => d.Contains("'unsafe-inline'", StringComparison.Ordinal) || d.Contains("'unsafe-eval'", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("agent", "/citizens?family=hughes")]
    [InlineData("agent", "/changes?after=0")]
    [InlineData("auditor", "/audit")]
    [InlineData("admin", "/sources")]
    [InlineData(null, "/citizens?family=hughes")]
    public async Task AnswerOfAnAuthenticatedEndpoint_IsNeverStored(string? role, string url)
    {
        using var response = await _hub.ClientFor(role).GetAsync(new Uri(url, UriKind.Relative));

        Assert.True(response.Headers.CacheControl?.NoStore, $"{url}: Cache-Control is '{response.Headers.CacheControl}'");
    }

    [Fact]
    public async Task Citizen_WithItsETag_IsNeverStored()
    {
        var found = await _hub.Client.GetFromJsonAsync<JsonElement>("/citizens?family=hughes&dob=1950-03-04");
        var id = found.GetProperty("results")[0].GetProperty("citizenId").GetString();

        using var response = await _hub.Client.GetAsync(new Uri($"/citizens/{id}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore);
    }

    [Fact]
    public async Task PublicApiDescription_MayBeCached()
    {
        // (/health is public too, but the health check middleware itself forbids caching its answer.)
        using var response = await _hub.ClientFor(null).GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));

        Assert.NotEqual(true, response.Headers.CacheControl?.NoStore);
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(int.MaxValue - 50)]
    [InlineData(481)]
    public async Task Search_OffsetPastTheRankedCap_400InvalidOffset_NeverA500(int offset)
    {
        using var response = await _hub.Client.GetAsync(new Uri($"/citizens?family=hughes&limit=100&offset={offset}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("invalid-offset", "offset"), (problem.GetProperty("code").GetString(), problem.GetProperty("field").GetString()));
    }

    [Theory]
    [InlineData("agent")]
    [InlineData(null)]
    public async Task WrongMethod_OnAKnownRoute_405NamingTheMethodsItTakes(string? role)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, new Uri("/citizens/0123456789abcdef0123456789abcdef", UriKind.Relative));

        using var response = await _hub.ClientFor(role).SendAsync(request);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Contains("GET", response.Content.Headers.Allow);
    }

    [Fact]
    public async Task BearerToken_WithoutASubject_Unauthenticated()
    {
        using var client = _hub.ClientFor(null);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AuditTrailTests.Token(null, TimeProvider.System.GetUtcNow().AddMinutes(5)));

        using var response = await client.GetAsync(new Uri("/citizens?family=hughes", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task BearerToken_ExpiredLongerAgoThanTheSkew_Unauthenticated_WithinIt_Admitted()
    {
        using var lately = _hub.ClientFor(null);
        lately.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AuditTrailTests.Token("crm", TimeProvider.System.GetUtcNow().AddSeconds(-5)));
        using var aMinuteAgo = _hub.ClientFor(null);
        aMinuteAgo.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AuditTrailTests.Token("crm", TimeProvider.System.GetUtcNow().AddMinutes(-1)));

        // The default skew is 30 seconds: a token a minute past its expiry (accepted under the framework's 5 minutes) is not.
        Assert.Equal(HttpStatusCode.OK, (await lately.GetAsync(new Uri("/citizens?family=hughes", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await aMinuteAgo.GetAsync(new Uri("/citizens?family=hughes", UriKind.Relative))).StatusCode);
    }

    [Theory]
    [InlineData("120", 60, HttpStatusCode.OK)]
    [InlineData("00:02:00", 60, HttpStatusCode.OK)]
    [InlineData("0", 5, HttpStatusCode.Unauthorized)]
    public async Task ClockSkew_Configured_AsSecondsOrATimeSpan(string skew, int expiredSecondsAgo, HttpStatusCode status)
    {
        await using var hub = new EmbeddedHub();
        await hub.StartAsync(TwoSources.CouncilTax, TwoSources.HousingBenefits, api => api["Jwt"]!["ClockSkew"] = int.TryParse(skew, out var seconds) ? seconds : skew);
        using var client = hub.ClientFor(null);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Bearer", AuditTrailTests.Token("crm", TimeProvider.System.GetUtcNow().AddSeconds(-expiredSecondsAgo)));

        using var response = await client.GetAsync(new Uri("/citizens?family=hughes", UriKind.Relative));

        Assert.Equal(status, response.StatusCode);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values) ? string.Join(",", values) : null;
}
