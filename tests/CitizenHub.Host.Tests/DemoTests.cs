using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using CitizenHub.Adapters.Testing;
using CitizenHub.Store;
using CitizenHub.Store.Sqlite;
using Microsoft.Data.Sqlite;

namespace CitizenHub.Host.Tests;

/// <summary>The demo as a newcomer runs it: real HTTP on a loopback port, the shipped sample sources.</summary>
public sealed partial class DemoTests
{
    [GeneratedRegex(@"curl -H 'X-Api-Key: ([0-9a-f]+)' -H 'X-Purpose: ([^']+)' http://127\.0\.0\.1:\d+/citizens/([0-9a-f]{32})")]
    private static partial Regex JoinedCitizenExample();

    [Fact]
    public async Task Demo_SyncsSamplesAndServesACitizenJoinedFromBothSources()
    {
        var url = $"http://127.0.0.1:{FreePort()}";
        using var output = new StringWriter();
        var writer = TextWriter.Synchronized(output);
        using var stop = new CancellationTokenSource();
        var demo = CitizenHubCli.RunAsync(["demo", "--urls", url], writer, writer, stop.Token);

        Match example;
        var waited = TimeSpan.Zero;
        while (!(example = JoinedCitizenExample().Match(Read(output, writer))).Success && !demo.IsCompleted && waited < TimeSpan.FromSeconds(90))
        {
            await Task.Delay(200);
            waited += TimeSpan.FromMilliseconds(200);
        }

        try
        {
            Assert.True(example.Success, output.ToString());
            using var http = new HttpClient { BaseAddress = new Uri(url) };
            // As printed: the agent's key and a purpose.
            http.DefaultRequestHeaders.Add("X-Api-Key", example.Groups[1].Value);
            http.DefaultRequestHeaders.Add("X-Purpose", example.Groups[2].Value);
            var citizen = await http.GetFromJsonAsync<JsonElement>($"/citizens/{example.Groups[3].Value}");
            var systems = citizen.GetProperty("sourceRecords").EnumerateArray().Select(r => r.GetProperty("sourceSystem").GetString()).Distinct();
            Assert.Equal(["council-tax", "housing-benefits"], systems.Order());
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/health", UriKind.Relative))).StatusCode);
            Assert.Matches(@"council-tax: 30 records, 1 rejected", output.ToString());
        }
        finally
        {
            await stop.CancelAsync();
            Assert.Equal(0, await demo);
        }
    }

    [Fact]
    public async Task Demo_AfterASyncOfTheSampleConfiguration_StartsFromAnEmptyStore()
    {
        // An operator's checkout: the shipped samples, then a sync of them, which leaves its store and rejects beside them.
        using var samples = new TempDirectory();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "samples", "embedded")))
        {
            File.Copy(file, samples.File(Path.GetFileName(file)));
        }

        using (var quiet = new StringWriter())
        {
            Assert.Equal(0, await CitizenHubCli.RunAsync(["sync", "--config", samples.File("citizenhub.json")], quiet, quiet, CancellationToken.None));
        }

        Assert.True(File.Exists(samples.File("citizenhub.db")));
        var earlierRun = (await SourcesAsync(samples.File("citizenhub.db"))).Single(s => s.SourceSystem == "council-tax").LastRunId!.Value;

        var url = $"http://127.0.0.1:{FreePort()}";
        using var output = new StringWriter();
        var writer = TextWriter.Synchronized(output);
        using var stop = new CancellationTokenSource();
        var demo = Demo.RunAsync(url, writer, samples.Path, stop.Token);
        var waited = TimeSpan.Zero;
        while (!JoinedCitizenExample().IsMatch(Read(output, writer)) && !demo.IsCompleted && waited < TimeSpan.FromSeconds(90))
        {
            await Task.Delay(200);
            waited += TimeSpan.FromMilliseconds(200);
        }

        try
        {
            var printed = Read(output, writer);
            Assert.Matches(JoinedCitizenExample(), printed);
            var workspace = Regex.Match(printed, "Demo workspace: (.+)").Groups[1].Value.TrimEnd();
            using var store = new SqliteCitizenStore($"Data Source={Path.Combine(workspace, "citizenhub.db")}");
            // The demo's store holds its own runs only, none of the earlier sync's.
            Assert.Null(await store.GetRunAsync(earlierRun, CancellationToken.None));
            Assert.Equal(["council-tax", "housing-benefits"], (await store.GetSourcesAsync(CancellationToken.None)).Select(s => s.SourceSystem).Order());
            Assert.Contains($"  rejects: {Path.Combine(workspace, "rejects")}", printed, StringComparison.Ordinal);
        }
        finally
        {
            await stop.CancelAsync();
            Assert.Equal(0, await demo);
            SqliteConnection.ClearAllPools();
        }
    }

    private static async Task<IReadOnlyList<SourceStatus>> SourcesAsync(string file)
    {
        using var store = new SqliteCitizenStore($"Data Source={file}");
        return await store.GetSourcesAsync(CancellationToken.None);
    }

    /// <summary>Reads what the demo wrote so far, under the lock its synchronised writer takes.</summary>
    private static string Read(StringWriter output, TextWriter writer)
    {
        lock (writer)
        {
            return output.ToString();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
