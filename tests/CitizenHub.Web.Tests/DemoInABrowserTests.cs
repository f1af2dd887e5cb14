using System.Text.Json;
using System.Text.RegularExpressions;
using CitizenHub.Host;
using CitizenHub.TestKit;
using Microsoft.Playwright;

namespace CitizenHub.Web.Tests;

/// <summary>
/// What a new user does first: runs the demo, opens the address it prints, signs in with the agent's key it prints, and
/// sees the single view of a resident drawn from all four legacy systems; or tries the API's documented examples on it.
/// </summary>
[Collection(WebSiteCollection.Name)]
public sealed partial class DemoInABrowserTests(WebSite site)
{
    [GeneratedRegex(@"see them at (http://127\.0\.0\.1:\d+)(/residents/[0-9a-f]{32})")]
    private static partial Regex ResidentAddress();

    [GeneratedRegex(@"^curl (.*)$", RegexOptions.Multiline)]
    private static partial Regex CurlLine();

    [GeneratedRegex("""-H (?:'([^']*)'|"([^"]*)")""")]
    private static partial Regex Header();

    [GeneratedRegex("""(?:'|")?(http://127\.0\.0\.1:5080[^'"\s]*)(?:'|")?\s*$""")]
    private static partial Regex Address();

    [Fact]
    public async Task Demo_PrintedAddressAndKey_SignInAndSeeAResidentFromAllFourSystems()
    {
        await using var demo = await RunningDemo.StartAsync();
        var resident = ResidentAddress().Match(demo.Printed);
        Assert.True(resident.Success, demo.Printed);
        Assert.Contains($"Open {demo.Url}/ in a browser", demo.Printed, StringComparison.Ordinal);

        var page = await site.NewPageAsync();
        await page.GotoAsync($"{demo.Url}/");
        await page.GetByLabel("Your key or sign-in token").FillAsync(demo.Key("agent"));
        await page.GetByLabel("Why are you looking at residents' records", new() { Exact = false }).FillAsync("trying the demo");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.GotoAsync(resident.Groups[1].Value + resident.Groups[2].Value);

        var systems = page.GetByRole(AriaRole.Region, new() { Name = "Records side by side" }).Locator("thead th");
        var names = (await systems.AllInnerTextsAsync()).Select(t => t.Split('\n')[0].Trim()).Distinct().Order().ToList();
        Assert.Equal(["benefits", "council-tax", "electoral-register", "housing"], names);
        await WebSite.ScreenshotAsync(page, "demo-resident");
    }

    [Fact]
    public async Task EveryCurlExampleInTheApiDocs_WorksAgainstTheDemo()
    {
        var docs = await File.ReadAllTextAsync(FindRepositoryFile("docs/api.md"));
        await using var demo = await RunningDemo.StartAsync();
        var variables = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["AGENT"] = demo.Key("agent"), ["STEWARD"] = demo.Key("steward"), ["ADMIN"] = demo.Key("admin"), ["AUDITOR"] = demo.Key("auditor"),
        };
        string Expand(string text) => Regex.Replace(text, @"\$([A-Z]+)", m => variables[m.Groups[1].Value]);

        var examples = CurlLine().Matches(docs).Select(m => m.Groups[1].Value).ToList();
        Assert.True(examples.Count >= 7, $"{examples.Count} examples found");
        using var http = new HttpClient();
        foreach (var example in examples)
        {
            var address = Address().Match(example);
            Assert.True(address.Success, example);
            using var request = new HttpRequestMessage(HttpMethod.Get, Expand(address.Groups[1].Value).Replace("http://127.0.0.1:5080", demo.Url, StringComparison.Ordinal));
            foreach (Match header in Header().Matches(example))
            {
                var (name, value) = (header.Groups[1].Success ? header.Groups[1].Value : header.Groups[2].Value).Split(':', 2) switch { var p => (p[0], p[1].Trim()) };
                request.Headers.Add(name, Expand(value));
            }

            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"{example}: {(int)response.StatusCode} {body}");
            // The first search gives the resident the later examples read.
            if (!variables.ContainsKey("CITIZEN") && request.RequestUri!.AbsolutePath == "/citizens")
            {
                variables["CITIZEN"] = JsonDocument.Parse(body).RootElement.GetProperty("results")[0].GetProperty("citizenId").GetString()!;
            }
        }
    }

    private static string FindRepositoryFile(string relative)
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, relative)))
            {
                return Path.Combine(folder.FullName, relative);
            }
        }

        throw new FileNotFoundException($"{relative} is not above the test's folder");
    }

    /// <summary><c>citizenhub demo</c> on a free loopback port, until disposed; what it printed once it was ready.</summary>
    private sealed partial class RunningDemo : IAsyncDisposable
    {
        private readonly StringWriter _output = new();
        private readonly CancellationTokenSource _stop = new();
        private TextWriter _writer = null!;
        private Task<int> _run = null!;

        public string Url { get; } = $"http://127.0.0.1:{FreePort.Next()}";

        public string Printed
        {
            get
            {
                lock (_writer)
                {
                    return _output.ToString();
                }
            }
        }

        [GeneratedRegex(@"^\s+(agent|steward|admin|auditor)\s+([0-9a-f]+)$", RegexOptions.Multiline)]
        private static partial Regex KeyLine();

        public string Key(string role) => KeyLine().Matches(Printed).Single(m => m.Groups[1].Value == role).Groups[2].Value;

        public static async Task<RunningDemo> StartAsync()
        {
            var demo = new RunningDemo();
            demo._writer = TextWriter.Synchronized(demo._output);
            demo._run = CitizenHubCli.RunAsync(["demo", "--urls", demo.Url], demo._writer, demo._writer, demo._stop.Token);
            // Ready once it has printed its last line of examples.
            for (var waited = 0; !demo.Printed.Contains("/openapi/v1.json", StringComparison.Ordinal) && !demo._run.IsCompleted && waited < 900; waited++)
            {
                await Task.Delay(100);
            }

            Assert.Contains("/openapi/v1.json", demo.Printed, StringComparison.Ordinal);
            return demo;
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            Assert.Equal(0, await _run);
            _stop.Dispose();
            _output.Dispose();
        }
    }
}
