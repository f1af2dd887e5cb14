using Microsoft.Playwright;

namespace CitizenHub.Web.Tests;

/// <summary>axe-core finds no serious or critical WCAG 2.2 AA problem on any page, as each role sees it.</summary>
[Collection(WebSiteCollection.Name)]
public sealed class AccessibilityTests(WebSite site)
{
    [Theory]
    [InlineData(null, "/sign-in")]
    [InlineData("agent", "/")]
    [InlineData("agent", "/search")]
    [InlineData("agent", "/search?family=smith")]
    [InlineData("agent", "/search?family=hughes&dob-day=31&dob-month=2&dob-year=1950")]
    [InlineData("agent", "/purpose")]
    [InlineData("steward", "/resident:hughes")]
    [InlineData("agent", "/no-such-page")]
    [InlineData("steward", "/steward/queue")]
    [InlineData("steward", "/review:HB103")]
    [InlineData("admin", "/manage/sources")]
    [InlineData("admin", "/manage/report")]
    [InlineData("auditor", "/manage/audit")]
    [InlineData("auditor", "/manage/audit?resident=not-a-reference")]
    public async Task Page_HasNoSeriousOrCriticalAccessibilityProblem(string? role, string path)
    {
        var page = role is null ? await site.NewPageAsync() : await site.SignInAsync(role);
        if (path.StartsWith("/resident:", StringComparison.Ordinal))
        {
            await page.GotoAsync($"/search?family={path["/resident:".Length..]}");
            await page.Locator(".app-result a").First.ClickAsync();
        }
        else if (path.StartsWith("/review:", StringComparison.Ordinal))
        {
            await page.GotoAsync("/steward/queue");
            await page.Locator("tbody tr", new() { HasText = path["/review:".Length..] }).GetByRole(AriaRole.Link).ClickAsync();
        }
        else
        {
            await page.GotoAsync(path);
        }

        var problems = await WebSite.AccessibilityProblemsAsync(page);

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public async Task TheSearch_WorksWithTheKeyboardAlone_AndWithoutJavaScript()
    {
        var page = await site.SignInAsync("agent", javaScript: false);
        await page.GotoAsync("/search");

        await page.Keyboard.PressAsync("Tab"); // the skip link comes first
        Assert.Equal("Skip to main content", await page.EvaluateAsync<string>("document.activeElement.textContent"));
        await page.GetByLabel("Family name").FocusAsync();
        await page.Keyboard.TypeAsync("okafor");
        await page.Keyboard.PressAsync("Enter");

        await Assertions.Expect(page.Locator(".app-result")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator(".app-result a")).ToContainTextAsync("Okafor", new() { IgnoreCase = true });
    }
}
