using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;

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
            Assert.Matches(@"council-tax: 30 records, 0 rejected", output.ToString());
        }
        finally
        {
            await stop.CancelAsync();
            Assert.Equal(0, await demo);
        }
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
