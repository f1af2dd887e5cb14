using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using CitizenHub.Host;
using CitizenHub.Hub;
using CitizenHub.Store;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CitizenHub.Bench.Commands;

/// <summary>
/// <c>citizenhub-bench ingest</c>: end-to-end ingest of generated council sources (CSV files through the adapters, the
/// bus, matching and the store), embedded or on a broker and database shared by several hub instances, timed from the
/// first read to the last record applied. Prints records/s and each instance's peak memory; never a name.
/// </summary>
internal static class IngestBench
{
    public const int DefaultPersons = 20_000;

    public static async Task<int> RunAsync(int persons, int seed, string? hubSettings, int instances, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (persons < 1 || instances < 1)
        {
            throw new CliException($"--persons and --instances must be at least 1 (were {persons} and {instances})");
        }

        var directory = Path.Combine(Path.GetTempPath(), $"citizenhub-ingest-{Guid.NewGuid():N}"[..30]);
        var children = new List<Process>();
        try
        {
            var population = LabelledPopulation.Generate(new PopulationOptions { Persons = persons, Seed = seed });
            var configPath = SourceFiles.Write(population, directory);
            var settings = hubSettings is null ? null : ReadSettings(hubSettings);
            if (settings is not null)
            {
                Overlay(configPath, settings);
            }

            if (instances > 1 && settings?["Transport"]?.GetValue<string>() is not "RabbitMq")
            {
                throw new CliException("--instances above 1 needs a shared broker and store: give --hub with Transport RabbitMq and Store Postgres");
            }

            var hub = HubComposition.Load(configPath);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"bench ingest: {population.Records.Count} records ({persons} persons, seed {seed}) in {hub.Catalog.Sources.Count} sources; {instances} hub instance(s); transport {hub.Configuration["Transport"] ?? "InMemory"}, store {hub.Configuration["Store:Provider"] ?? "Sqlite"}")).ConfigureAwait(false);

            for (var i = 1; i < instances; i++)
            {
                children.Add(await StartServeAsync(configPath, cancellationToken).ConfigureAwait(false));
            }

            var stopwatch = new Stopwatch();
            var summaries = new List<SyncRunSummary>();
            using (var host = HubComposition.BuildWorker(hub))
            {
                await host.StartAsync(cancellationToken).ConfigureAwait(false);
                var runner = host.Services.GetRequiredService<SyncRunner>();
                stopwatch.Start();
                foreach (var source in hub.Catalog.Sources)
                {
                    var summary = await runner.RunAsync(source, cancellationToken).ConfigureAwait(false);
                    summaries.Add(summary);
                    await SyncReport.WriteSummaryAsync(summary, output, error).ConfigureAwait(false);
                }

                stopwatch.Stop();
                var store = host.Services.GetRequiredService<ICitizenStore>();
                var held = 0;
                await foreach (var unused in store.ReadLinksAsync(cancellationToken).ConfigureAwait(false))
                {
                    held++;
                }

                var keysLoad = await TimeKeysLoadAsync(host.Services, cancellationToken).ConfigureAwait(false);
                await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
                var records = summaries.Sum(s => s.Records);
                var peaks = new List<long> { PeakResidentBytes(Environment.ProcessId) };
                peaks.AddRange(children.Select(c => PeakResidentBytes(c.Id)));
                var rows = new (string Measure, string Value)[]
                {
                    ("records", records.ToString(CultureInfo.InvariantCulture)),
                    ("records held", held.ToString(CultureInfo.InvariantCulture)),
                    ("instances", instances.ToString(CultureInfo.InvariantCulture)),
                    ("elapsed s", stopwatch.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)),
                    ("records/s", (records / Math.Max(stopwatch.Elapsed.TotalSeconds, 0.001)).ToString("0", CultureInfo.InvariantCulture)),
                    ("peak memory MiB (per instance)", string.Join(", ", peaks.Select(p => (p / 1048576.0).ToString("0", CultureInfo.InvariantCulture)))),
                    ("keys loaded by a new instance s", keysLoad.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)),
                };
                await output.WriteLineAsync().ConfigureAwait(false);
                await BenchTable.WriteAsync(output, rows).ConfigureAwait(false);
            }

            return summaries.All(s => s.Succeeded) ? BenchCli.Succeeded : BenchCli.Failed;
        }
        finally
        {
            foreach (var child in children)
            {
                StopChild(child);
            }

            SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // A file still held open only leaves litter in the temp folder.
            }
        }
    }

    /// <summary>The transport, broker and store settings of a configuration file (its sources, if any, are ignored).</summary>
    private static JsonObject ReadSettings(string path)
    {
        if (!File.Exists(path))
        {
            throw new CliException($"--hub file '{path}' not found");
        }

        var settings = JsonNode.Parse(File.ReadAllText(path)) as JsonObject
            ?? throw new CliException($"--hub file '{path}' is not a JSON object");
        settings.Remove("Sources");
        return settings;
    }

    private static void Overlay(string configPath, JsonObject settings)
    {
        var config = (JsonObject)JsonNode.Parse(File.ReadAllText(configPath))!;
        foreach (var (name, value) in settings)
        {
            config[name] = value?.DeepClone();
        }

        File.WriteAllText(configPath, config.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>
    /// Another hub instance: the shipped executable's <c>citizenhub serve</c> (built beside this one, as the bench
    /// references the host), ready once its health check answers.
    /// </summary>
    private static async Task<Process> StartServeAsync(string configPath, CancellationToken cancellationToken)
    {
        var port = FreeLoopbackPort();
        var hostAssembly = typeof(HubComposition).Assembly.Location;
        var appHost = Path.ChangeExtension(hostAssembly, OperatingSystem.IsWindows() ? ".exe" : null);
        ProcessStartInfo start;
        if (File.Exists(appHost))
        {
            start = new ProcessStartInfo(appHost);
        }
        else
        {
            // No native launcher beside it: run the assembly with the dotnet that runs this one.
            var dotnet = Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet"
                ? Environment.ProcessPath!
                : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
            start = new ProcessStartInfo(dotnet);
            start.ArgumentList.Add(hostAssembly);
        }

        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;

        foreach (var argument in new[] { "serve", "--config", configPath, "--urls", $"http://127.0.0.1:{port}" })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("citizenhub serve did not start");
        _ = process.StandardOutput.ReadToEndAsync(cancellationToken);
        _ = process.StandardError.ReadToEndAsync(cancellationToken);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        for (var i = 0; i < 600; i++)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"a hub instance exited while starting (exit code {process.ExitCode})");
            }

            try
            {
                using var response = await http.GetAsync(new Uri("/health", UriKind.Relative), cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return process;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }

        throw new TimeoutException("a hub instance did not become healthy within a minute");
    }

    private static void StopChild(Process child)
    {
        if (!child.HasExited)
        {
            child.Kill(entireProcessTree: true);
            child.WaitForExit();
        }

        child.Dispose();
    }

    /// <summary>
    /// How long a new hub instance takes to load the blocking keys of every record held, which it does in its first
    /// resolution (a nightly sync is a new process every night): a second store on the same database, one session,
    /// rolled back.
    /// </summary>
    private static async Task<TimeSpan> TimeKeysLoadAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var store = CitizenHubServiceCollectionExtensions.CreateStore(
            services.GetRequiredService<IOptions<CitizenHubOptions>>().Value.Store, services.GetRequiredService<ConfigurationLocation>());
        try
        {
            var stopwatch = Stopwatch.StartNew();
            await using (var session = await store.BeginMessageAsync(new MessageIdentity(Guid.NewGuid(), "bench-keys", 1), cancellationToken).ConfigureAwait(false))
            {
                await session!.GetKeysAsync().ConfigureAwait(false);
            }

            return stopwatch.Elapsed;
        }
        finally
        {
            switch (store)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }
    }

    /// <summary>The most memory the process has held resident (Linux's VmHWM); 0 where that is not known.</summary>
    private static long PeakResidentBytes(int processId)
    {
        try
        {
            var line = File.ReadLines($"/proc/{processId}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
