using System.Text.Json;
using Microsoft.Playwright;

namespace CitizenHub.Web.Tests;

/// <summary>A data steward working the queue in a real browser: pairs side by side, a decision, and its effect.</summary>
[Collection(WebSiteCollection.Name)]
public sealed class StewardQueueTests(WebSite site)
{
    [Fact]
    public async Task SamePerson_JoinsTheRecords_AndTheResidentShowsBoth()
    {
        var page = await site.SignInAsync("steward");
        await OpenReviewAsync(page, "housing-benefits HB101");
        await WebSite.ScreenshotAsync(page, "review");

        // Side by side, the house numbers that differ are highlighted; the street, town and postcode are not.
        var records = page.GetByRole(AriaRole.Region, new() { Name = "The two records side by side" });
        await Assertions.Expect(records.Locator("tr", new() { HasText = "Address" }).Locator("mark")).ToHaveCountAsync(2);
        await Assertions.Expect(records.Locator("tr", new() { HasText = "Postcode" }).Locator("mark")).ToHaveCountAsync(0);
        await page.GetByLabel("The same person").CheckAsync();
        await page.GetByLabel("Why").FillAsync("the tenancy file shows one tenant who moved along the street");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save decision" }).ClickAsync();

        // The effect: one resident holding both records, the decision in its history.
        Assert.Matches("/residents/[0-9a-f]{32}", page.Url);
        await Assertions.Expect(page.Locator(".govuk-notification-banner")).ToContainTextAsync("The records are now one resident");
        var side = page.GetByRole(AriaRole.Region, new() { Name = "Records side by side" });
        await Assertions.Expect(side.Locator("thead")).ToContainTextAsync("CT101");
        await Assertions.Expect(side.Locator("thead")).ToContainTextAsync("HB101");
        await Assertions.Expect(page.Locator("table", new() { HasText = "What happened" })).ToContainTextAsync("A data steward decided");
        await Assertions.Expect(await QueueRowsAsync(await site.SignInAsync("steward"), "HB101")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task DifferentPeople_KeepsThemApart_AndSaysSoWithBothResidents()
    {
        var page = await site.SignInAsync("steward");
        await OpenReviewAsync(page, "housing-benefits HB102");

        await page.GetByLabel("Different people").CheckAsync();
        await page.GetByLabel("Why").FillAsync("two households, checked with the housing officer");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save decision" }).ClickAsync();

        await Assertions.Expect(page.Locator(".govuk-notification-banner")).ToContainTextAsync("kept apart as two people");
        await page.GetByRole(AriaRole.Link, new() { Name = "Second resident" }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync("Adeyemi", new() { IgnoreCase = true });
        using var steward = site.ApiClient("steward");
        var different = JsonDocument.Parse(await steward.GetStringAsync(new Uri("/reviews?status=different", UriKind.Relative))).RootElement;
        var decided = Assert.Single(different.GetProperty("reviews").EnumerateArray().ToList());
        Assert.Equal("HB102", decided.GetProperty("sourceKey").GetString());
    }

    [Fact]
    public async Task ADecisionWithoutAReason_IsAskedForOne_AndNothingIsDecided()
    {
        var page = await site.SignInAsync("steward");
        await OpenReviewAsync(page, "housing-benefits HB103");

        await page.GetByLabel("The same person").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save decision" }).ClickAsync();

        await Assertions.Expect(page.Locator(".govuk-error-summary")).ToContainTextAsync("Say why, for the record");
        await Assertions.Expect(await QueueRowsAsync(page, "HB103")).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task TheQueue_FiltersBySource_AndIsClosedToAgents()
    {
        var steward = await site.SignInAsync("steward");
        await steward.GotoAsync("/steward/queue?source=council-tax");
        var bySource = await steward.Locator("tbody tr").CountAsync();
        await steward.GotoAsync("/steward/queue?source=no-such-system");
        await Assertions.Expect(steward.Locator("main")).ToContainTextAsync("No pairs are waiting");
        await steward.GotoAsync("/steward/queue?waiting=30");
        await Assertions.Expect(steward.Locator("main")).ToContainTextAsync("No pairs are waiting"); // every pair was found today
        var agent = await site.SignInAsync("agent");
        var refused = await agent.GotoAsync("/steward/queue");

        Assert.True(bySource >= 1);
        Assert.Equal(403, refused!.Status);
    }

    /// <summary>The queue's rows for a record, as the page lists them now.</summary>
    private static async Task<ILocator> QueueRowsAsync(IPage page, string key)
    {
        await page.GotoAsync("/steward/queue");
        return page.Locator("tbody tr", new() { HasText = key });
    }

    private static async Task OpenReviewAsync(IPage page, string record)
    {
        await page.GotoAsync("/steward/queue");
        await WebSite.ScreenshotAsync(page, "steward-queue");
        await page.Locator("tbody tr", new() { HasText = record }).GetByRole(AriaRole.Link).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Are these the same person?" })).ToBeVisibleAsync();
    }
}
