using System.Net;
using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using CitizenHub.TestKit;
using Microsoft.Playwright;

namespace CitizenHub.Web.Tests;

/// <summary>Signing in and out, the session cookie, form tokens, and that no page works without signing in.</summary>
[Collection(WebSiteCollection.Name)]
public sealed class SignInTests(WebSite site)
{
    [Theory]
    [InlineData("/")]
    [InlineData("/search?family=hughes")]
    [InlineData("/residents/0123456789abcdef0123456789abcdef")]
    [InlineData("/purpose")]
    public async Task NoPageWorks_WithoutSigningIn_ItAsksToSignInAndComesBack(string path)
    {
        var page = await site.NewPageAsync();

        await page.GotoAsync(path);

        Assert.StartsWith(site.BaseUrl + "/sign-in", page.Url, StringComparison.Ordinal);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in to CitizenHub" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("main")).Not.ToContainTextAsync("Hughes");
    }

    [Fact]
    public async Task SignIn_WithAKey_GivesAnHttpOnlySameSiteSession_AndTheKeyIsInNoAddress()
    {
        var page = await site.NewPageAsync();
        var addresses = new List<string>();
        page.Request += (_, request) => addresses.Add(request.Url);
        await page.GotoAsync("/search?family=okafor");
        await page.GetByLabel("Your key or sign-in token").FillAsync(ApiCallers.KeyByRole["agent"]);
        await page.GetByLabel("Why are you looking at residents' records", new() { Exact = false }).FillAsync("test: signing in");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        // Back where it was going, signed in.
        Assert.EndsWith("/search?family=okafor", page.Url, StringComparison.Ordinal);
        await Assertions.Expect(page.Locator(".app-session-bar")).ToContainTextAsync("Signed in as test-agent (agent)");
        var session = (await page.Context.CookiesAsync()).Single(c => c.Name == "citizenhub-session");
        Assert.True(session.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, session.SameSite);
        Assert.Equal(-1, session.Expires); // a browser session's cookie: gone when the browser closes
        Assert.DoesNotContain(addresses, a => a.Contains(ApiCallers.KeyByRole["agent"], StringComparison.Ordinal));
        await WebSite.ScreenshotAsync(page, "search");
    }

    [Fact]
    public async Task SignIn_AWrongKey_SaysSoWithoutSayingWhy_AndIsAudited()
    {
        var page = await site.NewPageAsync();
        await page.GotoAsync("/sign-in");
        await WebSite.ScreenshotAsync(page, "sign-in");

        await page.GetByLabel("Your key or sign-in token").FillAsync("not-a-key-anyone-holds");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Assertions.Expect(page.Locator(".govuk-error-summary")).ToContainTextAsync("The key or token was not recognised");
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "citizenhub-session");
        using var auditor = site.ApiClient("auditor");
        var refusals = await auditor.GetStringAsync(new Uri("/audit?action=refused&order=newest&limit=20", UriKind.Relative));
        Assert.Contains("sign-in refused", refusals, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFormPostedWithoutItsToken_IsRefused_AndChangesNothing()
    {
        var page = await site.SignInAsync("agent", purpose: "test: the first purpose");
        var cookies = string.Join("; ", (await page.Context.CookiesAsync()).Select(c => $"{c.Name}={c.Value}"));

        // As another site's form would post: the session's cookie (were SameSite not to stop it), but no form token.
        using var client = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = new Uri(site.BaseUrl) };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/purpose")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["purpose"] = "test: changed by a forged form" }),
        };
        request.Headers.Add("Cookie", cookies);
        request.Headers.Add("Accept", "text/html");
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Sorry, that did not work", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator(".app-session-bar")).ToContainTextAsync("test: the first purpose");
    }

    [Fact]
    public async Task TheApi_DoesNotAcceptThePagesSession_OnlyAKeyOrAToken()
    {
        var page = await site.SignInAsync("agent");

        // The browser's own request, carrying the session cookie: the API answers it as it answers anyone without a key.
        var response = await page.Context.APIRequest.GetAsync($"{site.BaseUrl}/citizens?family=hughes", new() { Headers = new Dictionary<string, string> { ["X-Purpose"] = "test" } });

        // The same channel with the same cookie does reach a page, so the cookie was sent.
        var pageResponse = await page.Context.APIRequest.GetAsync($"{site.BaseUrl}/search?family=hughes", new() { MaxRedirects = 0 });

        Assert.Equal(200, pageResponse.Status);
        Assert.Equal(401, response.Status);
    }

    [Fact]
    public async Task SignIn_WithAToken_IsTheTokensSubjectInItsRoles()
    {
        var page = await site.NewPageAsync();
        await page.GotoAsync("/sign-in");
        await page.GetByLabel("Your key or sign-in token").FillAsync(Token(ApiCallers.JwtSigningKey, "steward"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Assertions.Expect(page.Locator(".app-session-bar")).ToContainTextAsync("Signed in as crm-steward (steward)");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Steward queue" }).First).ToBeVisibleAsync();
    }

    [Fact]
    public async Task SignIn_ATokenSignedWithAnotherKey_IsRefused()
    {
        var page = await site.NewPageAsync();
        await page.GotoAsync("/sign-in");
        await page.GetByLabel("Your key or sign-in token").FillAsync(Token(Convert.ToBase64String(new byte[36]), "admin"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Assertions.Expect(page.Locator(".govuk-error-summary")).ToContainTextAsync("The key or token was not recognised");
    }

    private static string Token(string signingKey, string role) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = ApiCallers.JwtIssuer,
        Audience = ApiCallers.JwtAudience,
        Subject = new ClaimsIdentity([new Claim("sub", $"crm-{role}"), new Claim("roles", role)]),
        Expires = TimeProvider.System.GetUtcNow().UtcDateTime.AddMinutes(5),
        SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Convert.FromBase64String(signingKey)), SecurityAlgorithms.HmacSha256),
    });

    [Fact]
    public async Task SignOut_EndsTheSession()
    {
        var page = await site.SignInAsync("agent");

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.GotoAsync("/search?family=hughes");

        Assert.StartsWith(site.BaseUrl + "/sign-in", page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAuditor_CannotOpenAResidentsPage()
    {
        var page = await site.SignInAsync("auditor", purpose: null);

        var response = await page.GotoAsync("/search?family=hughes");

        Assert.Equal(403, response!.Status);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "You cannot see this page" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task AnUnknownPage_SaysSoInWords_WithNoStackTrace()
    {
        var page = await site.SignInAsync("agent");

        var response = await page.GotoAsync("/no-such-page");

        Assert.Equal(404, response!.Status);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Page not found" })).ToBeVisibleAsync();
        await WebSite.ScreenshotAsync(page, "not-found");
    }
}
