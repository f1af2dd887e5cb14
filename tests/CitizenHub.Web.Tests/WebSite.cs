using System.Text.Json.Nodes;
using CitizenHub.Adapters.Testing;
using CitizenHub.Host;
using CitizenHub.Hub;
using CitizenHub.TestKit;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CitizenHub.Web.Tests;

/// <summary>
/// The product as <c>citizenhub serve</c> composes it, on a real loopback port, with the two test sources synced, and
/// Debian's Chromium driven by Playwright: a member of staff's browser.
/// </summary>
public sealed class WebSite : IAsyncLifetime
{
    /// <summary>The tests' browser; <c>CITIZENHUB_TEST_CHROMIUM</c> names another build of Chromium.</summary>
    private static readonly string ChromiumPath = Environment.GetEnvironmentVariable("CITIZENHUB_TEST_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    /// <summary>
    /// Three pairs for the steward queue: one name at two house numbers of one street, a typing error or a neighbour.
    /// One is decided "same", one "different", one left open for the page to be looked at.
    /// </summary>
    public static readonly string[] UncertainFamilies = ["Castellano", "Adeyemi", "Whitfield"];

    private const string UncertainCouncilTax = """
        CT101,Ms,Imogen,Castellano,,3 Mill Lane,Stafford,ST16 2AB,
        CT102,Mr,Tunde,Adeyemi,,7 Park Road,Stafford,ST16 3HQ,
        CT103,Mrs,Rosalind,Whitfield,,12 Church Street,Stone,ST15 8AP,

        """;

    private const string UncertainHousingBenefits = """
        HB101|CASTELLANO|IMOGEN||5 MILL LANE|STAFFORD|ST16 2AB||
        HB102|ADEYEMI|TUNDE||9 PARK ROAD|STAFFORD|ST16 3HQ||
        HB103|WHITFIELD|ROSALIND||14 CHURCH STREET|STONE|ST15 8AP||

        """;

    /// <summary>A resident whom one test places under restriction of processing, and no other test reads.</summary>
    private const string RestrictedCouncilTax = """
        CT104,Ms,Nadia,Rahman,15/08/1983,4 Oak Close,Stafford,ST16 1XY,

        """;

    private readonly TempDirectory _folder = new();
    private WebApplication? _app;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public string BaseUrl { get; } = $"http://127.0.0.1:{FreePort.Next()}";

    public IServiceProvider Services => _app!.Services;

    /// <summary>Where each test's screenshots go: under the test output, one file a page.</summary>
    public static string Screenshots { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    public async Task InitializeAsync()
    {
        _folder.Write("council-tax.csv", TwoSources.CouncilTax + UncertainCouncilTax + RestrictedCouncilTax);
        _folder.Write("housing-benefits.csv", TwoSources.HousingBenefits + UncertainHousingBenefits);
        var root = JsonNode.Parse(ApiCallers.WithApi(TwoSources.Config))!.AsObject();
        // The benefits system's claim reference is of the "benefits" class: stewards are granted it, agents are not.
        root["Sources"]![1]!["Mapping"]!["Attributes"] = new JsonArray(new JsonObject
        {
            ["Field"] = "CLAIM_REF", ["Name"] = "benefit-claim", ["Sensitivity"] = "benefits",
        });
        // The account is also a named scheme's identifier, that agents can find a resident by.
        root["Sources"]![0]!["Mapping"]!["Identifiers"] = new JsonArray(new JsonObject { ["Field"] = "account_ref", ["Scheme"] = "council-tax-account" });
        root["Api"]!["Purposes"] = new JsonObject { ["agent"] = new JsonArray("test", "council tax enquiry") };
        var config = _folder.Write("citizenhub.json", root.ToJsonString());
        _app = HubComposition.BuildWebApplication(HubComposition.Load(config), BaseUrl);
        await _app.StartAsync();
        var catalog = _app.Services.GetRequiredService<SourceCatalog>();
        var runner = _app.Services.GetRequiredService<SyncRunner>();
        foreach (var source in catalog.Sources)
        {
            var summary = await runner.RunAsync(source, CancellationToken.None);
            Assert.True(summary.Succeeded, summary.Error);
        }

        Directory.CreateDirectory(Screenshots);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    /// <summary>A fresh browser (no cookies), at the site.</summary>
    public async Task<IPage> NewPageAsync(bool javaScript = true)
    {
        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl,
            JavaScriptEnabled = javaScript,
            ViewportSize = new ViewportSize { Width = 1100, Height = 900 },
        });
        return await context.NewPageAsync();
    }

    /// <summary>A fresh browser signed in with the role's key, having said why (when <paramref name="purpose"/> is given).</summary>
    public async Task<IPage> SignInAsync(string role, string? purpose = "test: checking the web page", bool javaScript = true)
    {
        var page = await NewPageAsync(javaScript);
        await page.GotoAsync("/sign-in");
        await page.GetByLabel("Your key or sign-in token").FillAsync(ApiCallers.KeyByRole[role]);
        if (purpose is not null)
        {
            await page.GetByLabel("Why are you looking at residents' records", new PageGetByLabelOptions { Exact = false }).FillAsync(purpose);
        }

        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Sign in" }).ClickAsync();
        return page;
    }

    /// <summary>An API client holding the role's key (and a purpose, for the reads that need one): to check what a page did.</summary>
    public HttpClient ApiClient(string role)
    {
        var client = new HttpClient { BaseAddress = new Uri(BaseUrl) };
        client.DefaultRequestHeaders.Add("X-Api-Key", ApiCallers.KeyByRole[role]);
        client.DefaultRequestHeaders.Add("X-Purpose", "test: checking what the page did");
        return client;
    }

    /// <summary>Saves the page as it looks, for docs/web.md.</summary>
    public static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, name + ".png"), FullPage = true });

    /// <summary>axe-core's WCAG 2.2 A and AA rules over the page; the serious and critical violations found.</summary>
    public static async Task<IReadOnlyList<string>> AccessibilityProblemsAsync(IPage page)
    {
        var result = await page.RunAxe(new AxeRunOptions
        {
            RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] },
        });
        return [.. result.Violations
            .Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => string.Join(" ", n.Target)))}")];
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class WebSiteCollection : ICollectionFixture<WebSite>
{
    public const string Name = "web site";
}
