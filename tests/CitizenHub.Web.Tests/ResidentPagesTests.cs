using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;

namespace CitizenHub.Web.Tests;

/// <summary>A contact-centre agent and a data steward finding a resident and seeing their single view, in a real browser.</summary>
[Collection(WebSiteCollection.Name)]
public sealed class ResidentPagesTests(WebSite site)
{
    [Fact]
    public async Task SignIn_Search_OpenResident_ShowsEachValuesSourceAndWhyTheRecordsAreLinked()
    {
        var page = await site.SignInAsync("agent");

        await page.GetByRole(AriaRole.Link, new() { Name = "Find a resident" }).First.ClickAsync();
        await page.GetByLabel("Family name").FillAsync("hughes");
        await page.GetByLabel("Postcode").FillAsync("ST16 2AB");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();

        // The filters are in the address, so the result can be bookmarked; nothing else about anyone is.
        Assert.Matches(@"/search\?family=hughes&postcode=ST16%202AB$", page.Url);
        await WebSite.ScreenshotAsync(page, "search-results");
        var result = page.GetByRole(AriaRole.Link, new() { Name = "Mrs Margaret Hughes" });
        await result.ClickAsync();

        Assert.Matches("/residents/[0-9a-f]{32}$", page.Url);
        await WebSite.ScreenshotAsync(page, "resident");
        var golden = page.Locator(".govuk-summary-list").First;
        var givenNames = golden.Locator(".govuk-summary-list__row", new() { HasText = "Given names" });
        await Assertions.Expect(givenNames).ToContainTextAsync("Margaret");
        await Assertions.Expect(givenNames).ToContainTextAsync("From council-tax (CT001)");
        // Both systems' records side by side, the benefits system's other address highlighted as differing.
        var records = page.GetByRole(AriaRole.Region, new() { Name = "Records side by side" });
        await Assertions.Expect(records.Locator("thead")).ToContainTextAsync("council-tax");
        await Assertions.Expect(records.Locator("thead")).ToContainTextAsync("housing-benefits");
        await Assertions.Expect(records.Locator("mark.app-difference", new() { HasText = "22 Moved Street" })).ToBeVisibleAsync();
        // Why linked, in words: the benefits record matched the council tax one on the NI number and the date of birth.
        var why = page.Locator(".govuk-summary-card", new() { HasText = "housing-benefits HB-1" });
        await Assertions.Expect(why).ToContainTextAsync("Matched to council-tax CT001");
        await Assertions.Expect(why.Locator("tr", new() { HasText = "National Insurance number" })).ToContainTextAsync("the same");
        await Assertions.Expect(why.Locator("tr", new() { HasText = "Given name" })).ToContainTextAsync("a short form of the same name");
        await Assertions.Expect(page.Locator("table", new() { HasText = "What happened" })).ToContainTextAsync("Linked housing-benefits HB-1");
    }

    [Fact]
    public async Task Search_WhyEachResultMatched_IsShownInWords()
    {
        var page = await site.SignInAsync("agent");

        await page.GotoAsync("/search?family=smith&given=john");

        var results = page.Locator(".app-result");
        await Assertions.Expect(results).ToHaveCountAsync(2);
        await results.First.Locator("summary").ClickAsync();
        await Assertions.Expect(results.First.Locator(".govuk-details__text")).ToContainTextAsync("Family name: the same");
    }

    [Fact]
    public async Task Search_ByACouncilReferenceOfANamedScheme_InLowerCase_FindsTheResident()
    {
        var page = await site.SignInAsync("agent");

        await page.GotoAsync("/search");
        await page.GetByLabel("Reference", new() { Exact = true }).FillAsync("ct001");
        await page.GetByLabel("Kind of reference").SelectOptionAsync(new SelectOptionValue { Label = "Council tax account" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();

        Assert.Matches(@"/search\?identifier=ct001&kind=scheme%3Acouncil-tax-account$", page.Url);
        await WebSite.ScreenshotAsync(page, "search-by-scheme");
        var results = page.Locator(".app-result");
        await Assertions.Expect(results).ToHaveCountAsync(1);
        await Assertions.Expect(results.First.GetByRole(AriaRole.Link)).ToHaveTextAsync("Mrs Margaret Hughes");
    }

    [Fact]
    public async Task Search_ABadDate_IsShownAgainstTheFieldAndSearchesNothing()
    {
        var page = await site.SignInAsync("agent");

        var response = await page.GotoAsync("/search?family=hughes&dob-day=31&dob-month=2&dob-year=1950");

        Assert.Equal(400, response!.Status);
        await Assertions.Expect(page.Locator(".govuk-error-summary")).ToContainTextAsync("Date of birth must be a real date");
        await Assertions.Expect(page.Locator(".app-result")).ToHaveCountAsync(0);
        await Assertions.Expect(page).ToHaveTitleAsync(new System.Text.RegularExpressions.Regex("^Error: "));
    }

    [Fact]
    public async Task Agent_DoesNotSeeASensitiveAttribute_ThatAStewardGrantedItsClassSees()
    {
        var id = await CitizenIdAsync("hughes");
        var agent = await site.SignInAsync("agent");
        var steward = await site.SignInAsync("steward");

        await agent.GotoAsync($"/residents/{id}");
        await steward.GotoAsync($"/residents/{id}");

        await Assertions.Expect(steward.GetByRole(AriaRole.Region, new() { Name = "Records side by side" })).ToContainTextAsync("benefit claim");
        await Assertions.Expect(agent.GetByRole(AriaRole.Region, new() { Name = "Records side by side" })).Not.ToContainTextAsync("benefit claim");
    }

    [Fact]
    public async Task APageRead_IsInTheAuditTrail_WithTheCallerAndThePurposeTheyGave()
    {
        var id = await CitizenIdAsync("okafor");
        var page = await site.SignInAsync("agent", purpose: "council tax enquiry: call 4471");

        await page.GotoAsync($"/residents/{id}");

        using var auditor = site.ApiClient("auditor");
        var audit = JsonDocument.Parse(await auditor.GetStringAsync(new Uri($"/audit?citizen={id}&action=read", UriKind.Relative))).RootElement;
        var read = Assert.Single(audit.GetProperty("entries").EnumerateArray().ToList());
        Assert.Equal("test-agent", read.GetProperty("caller").GetString());
        Assert.Equal("council tax enquiry: call 4471", read.GetProperty("purpose").GetString());
    }

    [Fact]
    public async Task APurposeTheRoleMayNotGive_IsRefusedWithTheOnesItMay()
    {
        var page = await site.SignInAsync("agent", purpose: null);

        await page.GotoAsync("/search?family=hughes");

        // Asked why first, then refused a reason the configuration does not list for agents.
        Assert.Contains("/purpose?returnUrl=", page.Url, StringComparison.Ordinal);
        await page.GetByLabel("Why are you looking at residents' records", new() { Exact = false }).FillAsync("curiosity");
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await Assertions.Expect(page.Locator(".govuk-error-summary")).ToContainTextAsync("test; council tax enquiry");
        await page.GetByLabel("Why are you looking at residents' records", new() { Exact = false }).FillAsync("council tax enquiry: call 9");
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        Assert.EndsWith("/search?family=hughes", page.Url, StringComparison.Ordinal);
        await Assertions.Expect(page.Locator(".app-result")).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task ARestrictedResident_IsNotThereForAnAgent_AndAStewardIsWarned()
    {
        var id = await CitizenIdAsync("rahman");
        using var admin = site.ApiClient("admin");
        using var restrict = await admin.PostAsJsonAsync($"/citizens/{id}/restriction", new { restricted = true, reason = "test: fleeing abuse" });
        restrict.EnsureSuccessStatusCode();
        var agent = await site.SignInAsync("agent");
        var steward = await site.SignInAsync("steward");

        await agent.GotoAsync("/search?family=rahman");
        var opened = await agent.GotoAsync($"/residents/{id}");
        await steward.GotoAsync($"/residents/{id}");

        Assert.Equal(404, opened!.Status);
        await Assertions.Expect(agent.Locator("main")).Not.ToContainTextAsync("Rahman");
        await Assertions.Expect(steward.Locator(".govuk-warning-text")).ToContainTextAsync("Processing of this resident's data is restricted");
    }

    private async Task<string> CitizenIdAsync(string family)
    {
        using var client = site.ApiClient("admin");
        var found = JsonDocument.Parse(await client.GetStringAsync(new Uri($"/citizens?family={family}", UriKind.Relative))).RootElement;
        return found.GetProperty("results")[0].GetProperty("citizenId").GetString()!;
    }
}
