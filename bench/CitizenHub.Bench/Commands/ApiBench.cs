using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using CitizenHub.Api.Access;
using CitizenHub.Contracts;
using CitizenHub.Host;
using CitizenHub.Matching.Identity;
using CitizenHub.Matching;
using CitizenHub.Matching.Linking;
using CitizenHub.Store;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace CitizenHub.Bench.Commands;

/// <summary>
/// <c>citizenhub-bench api</c>: lookup latency of <c>GET /citizens/{id}</c> over real HTTP on loopback against a
/// SQLite store holding many golden records, each read authenticated, purpose-checked and audited as in production.
/// The records are written straight into the store (resolving a million records through the pipeline is the
/// ingest benchmark's business, not this one's).
/// </summary>
internal static class ApiBench
{
    private const string Letters = "ABDEFGHJLNPQRSTUWXYZ";

    private static readonly string[] GivenNames = ["Olivia", "Amelia", "Isla", "Ava", "Mia", "Oliver", "George", "Noah", "Arthur", "Harry", "Leo", "Muhammad", "Jack", "Charlie", "Grace", "Freya", "Evie", "Ivy", "Sophia", "Thomas"];

    private static readonly string[] FamilyNames = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Wright", "Evans", "Walker", "Shah", "Thompson", "Hughes", "Edwards", "Green", "Hall", "Wood", "Clarke"];

    public static async Task<int> RunAsync(int golden, int requests, int concurrency, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(golden, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(requests, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        var folder = Path.Combine(Path.GetTempPath(), $"citizenhub-apibench-{Guid.NewGuid():N}"[..32]);
        Directory.CreateDirectory(folder);
        try
        {
            var key = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            var configPath = Path.Combine(folder, "citizenhub.json");
            await File.WriteAllTextAsync(configPath, new JsonObject
            {
                ["Store"] = new JsonObject { ["ConnectionString"] = "Data Source=bench.db" },
                ["Sources"] = new JsonArray(),
                ["Api"] = new JsonObject
                {
                    ["Keys"] = new JsonArray(new JsonObject { ["Name"] = "bench", ["Sha256"] = ApiKeys.Hash(key), ["Roles"] = new JsonArray(ApiRoles.Agent) }),
                    ["RequestsPerMinute"] = int.MaxValue / 2,
                },
            }.ToJsonString(), cancellationToken).ConfigureAwait(false);

            var url = $"http://127.0.0.1:{FreePort()}";
            await using var app = HubComposition.BuildWebApplication(HubComposition.Load(configPath), url);
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            var store = app.Services.GetRequiredService<ICitizenStore>();

            output.WriteLine($"writing {golden:N0} golden records…");
            var load = Stopwatch.StartNew();
            var ids = await LoadAsync(store, golden, cancellationToken).ConfigureAwait(false);
            load.Stop();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"written in {load.Elapsed.TotalSeconds:0} s; database {new FileInfo(Path.Combine(folder, "bench.db")).Length / (1024 * 1024)} MiB"));

            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { BaseAddress = new Uri(url) };
            http.DefaultRequestHeaders.Add("X-Api-Key", key);
            http.DefaultRequestHeaders.Add("X-Purpose", "latency benchmark");
            var random = new Random(7);
            // Warm up: the JIT, the connection pool, SQLite's page cache for the index pages.
            await MeasureAsync(http, ids, Math.Min(2_000, requests), concurrency, random, cancellationToken).ConfigureAwait(false);
            var timed = Stopwatch.StartNew();
            var latencies = await MeasureAsync(http, ids, requests, concurrency, random, cancellationToken).ConfigureAwait(false);
            var elapsed = timed.Elapsed;
            latencies.Sort();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
                golden records            {golden}
                requests                  {requests} ({concurrency} at a time, random ids, each audited)
                p50 ms                    {Percentile(latencies, 0.50):0.00}
                p90 ms                    {Percentile(latencies, 0.90):0.00}
                p99 ms                    {Percentile(latencies, 0.99):0.00}
                p99.9 ms                  {Percentile(latencies, 0.999):0.00}
                max ms                    {latencies[^1]:0.00}
                requests/s                {requests / elapsed.TotalSeconds:0}
                """));
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            return BenchCli.Succeeded;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // Litter in the temp folder is all a failure here leaves.
            }
        }
    }

    /// <summary>Fictional residents, one source record each, written in transactions of five thousand.</summary>
    private static async Task<List<string>> LoadAsync(ICitizenStore store, int golden, CancellationToken cancellationToken)
    {
        var random = new Random(1);
        var ids = new List<string>(golden);
        var at = new DateTimeOffset(2026, 11, 1, 2, 0, 0, TimeSpan.Zero);
        var batch = 0;
        while (ids.Count < golden)
        {
            await using var session = await store.BeginMessageAsync(new MessageIdentity(Guid.NewGuid(), "bench", ++batch), cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException("A new message was refused.");
            // Each a citizen of its own, written as the identity engine would write a record that matched no one.
            var changes = new List<IdentityChange>();
            for (var i = 0; i < 5_000 && ids.Count < golden; i++)
            {
                var record = Record(random, ids.Count, at);
                var normalised = RecordNormaliser.Normalise(record);
                var id = Guid.CreateVersion7(at).ToString("N");
                changes.Add(new IdentityChange.CitizenStarted(id, at));
                changes.Add(new IdentityChange.RecordSaved(id, record, normalised, $"bench-{ids.Count}", BlockingKeys.For(normalised), null, false, null, at));
                changes.Add(new IdentityChange.GoldenRecordWritten(id, GoldenRecordBuilder.Build([normalised], SurvivorshipRanks.None), 1, true, at));
                ids.Add(id);
            }

            await session.ApplyAsync(new MessageIdentity(Guid.Empty, "bench", 0), new ChangeSet(changes, [], RunTally.None)).ConfigureAwait(false);
            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        return ids;
    }

    private static SourceRecord Record(Random random, int n, DateTimeOffset at) => new()
    {
        SourceSystem = "council-tax",
        SourceKey = n.ToString("D8", CultureInfo.InvariantCulture),
        ObservedAt = at,
        Name = new PersonName("Mx", GivenNames[random.Next(GivenNames.Length)], FamilyNames[random.Next(FamilyNames.Length)]),
        DateOfBirth = new PartialDate(random.Next(1930, 2007), random.Next(1, 13), random.Next(1, 29)),
        Addresses = [new PostalAddress(
            [$"{random.Next(1, 300)} High Street"], "Stafford",
            $"ST{random.Next(1, 21)} {random.Next(1, 10)}{Letters[random.Next(Letters.Length)]}{Letters[random.Next(Letters.Length)]}")],
    };

    private static async Task<List<double>> MeasureAsync(HttpClient http, List<string> ids, int requests, int concurrency, Random random, CancellationToken cancellationToken)
    {
        var targets = Enumerable.Range(0, requests).Select(_ => ids[random.Next(ids.Count)]).ToArray();
        var latencies = new double[requests];
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < requests)
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await http.GetAsync(new Uri($"/citizens/{targets[i]}", UriKind.Relative), cancellationToken).ConfigureAwait(false);
                await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    throw new InvalidOperationException($"GET /citizens answered {(int)response.StatusCode}.");
                }
            }
        })).ConfigureAwait(false);
        return [.. latencies];
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
