using System.Text.RegularExpressions;
using CitizenHub.Host;
using CitizenHub.TestKit;
using Microsoft.Playwright;

namespace CitizenHub.Web.Tests;

/// <summary>
/// What a new user does first: runs the demo, opens the address it prints, signs in with the agent's key it prints, and
/// sees the single view of a resident drawn from all four legacy systems.
/// </summary>
[Collection(WebSiteCollection.Name)]
public sealed partial class DemoInABrowserTests(WebSite site)
{
    [GeneratedRegex(@"^\s+agent\s+([0-9a-f]+)$", RegexOptions.Multiline)]
    private static partial Regex AgentKey();

    [GeneratedRegex(@"see them at (http://127\.0\.0\.1:\d+)(/residents/[0-9a-f]{32})")]
    private static partial Regex ResidentAddress();

    [Fact]
    public async Task Demo_PrintedAddressAndKey_SignInAndSeeAResidentFromAllFourSystems()
    {
        var url = $"http://127.0.0.1:{FreePort.Next()}";
        using var output = new StringWriter();
        var writer = TextWriter.Synchronized(output);
        using var stop = new CancellationTokenSource();
        var demo = CitizenHubCli.RunAsync(["demo", "--urls", url], writer, writer, stop.Token);
        try
        {
            Match resident;
            for (var waited = 0; !(resident = ResidentAddress().Match(Printed(output, writer))).Success && !demo.IsCompleted && waited < 900; waited++)
            {
                await Task.Delay(100);
            }

            Assert.True(resident.Success, Printed(output, writer));
            Assert.Contains($"Open {url}/ in a browser", Printed(output, writer), StringComparison.Ordinal);
            var page = await site.NewPageAsync();
            await page.GotoAsync($"{url}/");
            await page.GetByLabel("Your key or sign-in token").FillAsync(AgentKey().Match(Printed(output, writer)).Groups[1].Value);
            await page.GetByLabel("Why are you looking at residents' records", new() { Exact = false }).FillAsync("trying the demo");
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await page.GotoAsync(resident.Groups[1].Value + resident.Groups[2].Value);

            var systems = page.GetByRole(AriaRole.Region, new() { Name = "Records side by side" }).Locator("thead th");
            var names = (await systems.AllInnerTextsAsync()).Select(t => t.Split('\n')[0].Trim()).Distinct().Order().ToList();
            Assert.Equal(["benefits", "council-tax", "electoral-register", "housing"], names);
            await WebSite.ScreenshotAsync(page, "demo-resident");
        }
        finally
        {
            await stop.CancelAsync();
            Assert.Equal(0, await demo);
        }
    }

    private static string Printed(StringWriter output, TextWriter writer)
    {
        lock (writer)
        {
            return output.ToString();
        }
    }
}
