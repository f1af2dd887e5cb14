using System.Net;
using System.Text.RegularExpressions;
using CitizenHub.Api.Access;
using CitizenHub.TestKit;

namespace CitizenHub.Host.Tests;

/// <summary><c>citizenhub serve</c> says where it listens, and warns when no caller could get in.</summary>
public sealed partial class ServeTests : CommandLineTest
{
    [GeneratedRegex(@"^CitizenHub is serving at (http://127\.0\.0\.1:(\d+)) \(Ctrl\+C to stop\)\r?$", RegexOptions.Multiline)]
    private static partial Regex ServingAt();

    [Fact]
    public async Task Serve_WithoutKeyOrJwt_PrintsTheBoundAddressAndWarnsOnceOnStandardError()
    {
        var config = TwoSources.WriteTo(Folder);

        var (address, error) = await ServeUntilListeningAsync(config, async url =>
        {
            using var http = new HttpClient();
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(url + "/health"))).StatusCode);
        });

        Assert.NotEqual("0", address.Groups[2].Value);
        Assert.Equal(
            "citizenhub: warning: no API key (Api.Keys) and no JWT (Api.Jwt) is configured, so every request will get 401 — add a key with `citizenhub keys add`",
            error.TrimEnd());
    }

    [Fact]
    public async Task Serve_WithAnApiKey_DoesNotWarn()
    {
        TwoSources.WriteTo(Folder);
        var config = Folder.Write("citizenhub.json", TwoSources.Config.Replace(
            "\"Sync\": { \"BatchSize\": 2 },",
            $$"""
            "Sync": { "BatchSize": 2 },
            "Api": { "Keys": [ { "Name": "contact-centre", "Sha256": "{{ApiKeys.Hash("a-key")}}", "Roles": [ "agent" ] } ] },
            """,
            StringComparison.Ordinal));

        var (address, error) = await ServeUntilListeningAsync(config, _ => Task.CompletedTask);

        Assert.True(address.Success);
        Assert.Empty(error);
    }

    /// <summary>Runs serve on a port the system picks until it prints its address, lets <paramref name="whileServing"/> call it, then stops it.</summary>
    private async Task<(Match Address, string Error)> ServeUntilListeningAsync(string config, Func<string, Task> whileServing)
    {
        var output = TextWriter.Synchronized(Output);
        var error = TextWriter.Synchronized(Error);
        using var stop = new CancellationTokenSource();
        var serve = CitizenHubCli.RunAsync(["serve", "--config", config, "--urls", "http://127.0.0.1:0"], output, error, stop.Token);
        Match address;
        var waited = TimeSpan.Zero;
        while (!(address = ServingAt().Match(Read(Output, output))).Success && !serve.IsCompleted && waited < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(100);
            waited += TimeSpan.FromMilliseconds(100);
        }

        try
        {
            Assert.True(address.Success, Read(Output, output) + Read(Error, error));
            await whileServing(address.Groups[1].Value);
        }
        finally
        {
            await stop.CancelAsync();
            Assert.Equal(0, await serve);
        }

        return (address, Read(Error, error));
    }

    private static string Read(StringWriter writer, TextWriter synchronised)
    {
        lock (synchronised)
        {
            return writer.ToString();
        }
    }
}
