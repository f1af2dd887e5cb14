using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using CitizenHub.Host;
using CitizenHub.Hub;
using CitizenHub.Matching.Identity;
using CitizenHub.Store;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CitizenHub.Bench.Commands;

/// <summary>
/// <c>citizenhub-bench ingest</c>: end-to-end ingest of generated council sources (CSV files through the adapters, the
/// bus, matching and the store), embedded or on a broker and database shared by several hub instances, timed from the
/// first read to the last record applied. Prints records/s and each instance's peak memory; never a name.
/// With <c>--delta M</c>, then a council's night: M records changed, added or removed across the extracts
/// (<see cref="NightlyDelta.Mix"/>), every source synced again whole, and that second pass timed and tallied on its own.
/// </summary>
internal static class IngestBench
{
    public const int DefaultPersons = 20_000;

    /// <param name="delta">Records the night changes, adds or removes before every source is synced again; 0 for none.</param>
    public static async Task<int> RunAsync(int persons, int seed, string? hubSettings, int instances, int delta, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (persons < 1 || instances < 1)
        {
            throw new CliException($"--persons and --instances must be at least 1 (were {persons} and {instances})");
        }

        if (delta < 0)
        {
            throw new CliException($"--delta must be 0 or more (was {delta})");
        }

        var directory = Path.Combine(Path.GetTempPath(), $"citizenhub-ingest-{Guid.NewGuid():N}"[..30]);
        var children = new List<Process>();
        try
        {
            var options = new PopulationOptions { Persons = persons, Seed = seed };
            var night = delta > 0 ? Night(options, delta) : null;
            var (configPath, generated) = WriteSources(night, options, directory);
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
                $"bench ingest: {generated} records ({persons} persons, seed {seed}) in {hub.Catalog.Sources.Count} sources; {instances} hub instance(s); transport {hub.Configuration["Transport"] ?? "InMemory"}, store {hub.Configuration["Store:Provider"] ?? "Sqlite"}")).ConfigureAwait(false);

            for (var i = 1; i < instances; i++)
            {
                children.Add(await StartServeAsync(configPath, cancellationToken).ConfigureAwait(false));
            }

            // Without a night to follow, the generated people were let go once their extracts were written: what this
            // process holds from here, and its peak resident memory, are the hub's own.
            var hubAlone = night is null;
            if (hubAlone)
            {
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                ResetPeakResident(Environment.ProcessId);
            }

            var stopwatch = new Stopwatch();
            using var measures = new HubMeasures();
            var summaries = new List<SyncRunSummary>();
            // With a delta, the first load's links too, to set the accuracy after the night beside it.
            var firstLinks = new List<RecordLink>();
            using (var host = HubComposition.BuildWorker(hub))
            {
                await host.StartAsync(cancellationToken).ConfigureAwait(false);
                var runner = host.Services.GetRequiredService<SyncRunner>();
                stopwatch.Start();
                // As `citizenhub sync` runs them: a first load builds the search indexes once at its end, within the time.
                summaries.AddRange(await BenchSync.RunEachAsync(runner, hub.Catalog.Sources, output, error, cancellationToken).ConfigureAwait(false));

                stopwatch.Stop();
                var store = host.Services.GetRequiredService<ICitizenStore>();
                var held = 0;
                await foreach (var link in store.ReadLinksAsync(cancellationToken).ConfigureAwait(false))
                {
                    held++;
                    if (night is not null)
                    {
                        firstLinks.Add(new RecordLink(link.CitizenId, link.SourceSystem, link.SourceKey));
                    }
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
                    ("hub s: read, decide, write, commit (this instance)", measures.PhaseSeconds()),
                    (hubAlone ? "peak managed heap MiB (this instance)" : "peak managed heap MiB (this instance, with the generated data)", measures.PeakHeapMebibytes()),
                    ("GC paused s; collections gen 0, 1, 2 (this process)", measures.GcPauses()),
                    ("garbage collector", System.Runtime.GCSettings.IsServerGC ? "server" : "workstation"),
                };
                await output.WriteLineAsync().ConfigureAwait(false);
                await BenchTable.WriteAsync(output, rows).ConfigureAwait(false);
            }

            if (night is not null)
            {
                summaries.AddRange(await RunNightAsync(night, firstLinks, directory, configPath, [.. children.Select(c => c.Id)], measures, output, error, cancellationToken).ConfigureAwait(false));
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

    /// <summary>
    /// The sources' extracts written to <paramref name="directory"/>: the night's first, or a population's generated
    /// here and let go when written (nothing after the first load reads it), so that it is not held through the load.
    /// </summary>
    /// <returns>The hub's configuration for them, and how many records they hold.</returns>
    private static (string ConfigPath, int Records) WriteSources(NightlyDelta? night, PopulationOptions options, string directory)
    {
        var population = night?.Before ?? LabelledPopulation.Generate(options);
        return (SourceFiles.Write(population, directory), population.Records.Count);
    }

    /// <summary>The population and its night. A night changes a small part of the records: at most a quarter (so that
    /// no source loses more than <c>Sync.MaxRemovalFraction</c> of its records, which a sync would refuse to remove).</summary>
    private static NightlyDelta Night(PopulationOptions options, int delta)
    {
        NightlyDelta night;
        try
        {
            night = LabelledPopulation.GenerateWithDelta(options, delta);
        }
        catch (ArgumentOutOfRangeException)
        {
            throw new CliException($"--delta must be at most a quarter of the records generated (was {delta}, more than all of them)");
        }

        if (delta > night.Before.Records.Count / 4)
        {
            throw new CliException(string.Create(CultureInfo.InvariantCulture,
                $"--delta must be at most a quarter of the {night.Before.Records.Count} records generated (was {delta})"));
        }

        return night;
    }

    /// <summary>
    /// The night: the extracts written again with the delta's changes, and every source synced again whole by a new
    /// worker on the same store (as a nightly job is a new process), timed from its first read to its last record
    /// applied. Prints what was changed, what the hub counted, the time and the peak memory since the night began,
    /// and the links scored against the truth after the night, beside the first load's.
    /// </summary>
    private static async Task<List<SyncRunSummary>> RunNightAsync(
        NightlyDelta night,
        IReadOnlyList<RecordLink> firstLinks,
        string directory,
        string configPath,
        IReadOnlyList<int> children,
        HubMeasures measures,
        TextWriter output,
        TextWriter error,
        CancellationToken cancellationToken)
    {
        SourceFiles.WriteExtracts(night.After, directory);
        var made = string.Join(", ", NightlyDelta.Mix.Select(m => string.Create(CultureInfo.InvariantCulture, $"{night.Count(m.Kind)} {Describe(m.Kind)}")));
        await output.WriteLineAsync().ConfigureAwait(false);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"bench ingest --delta: {night.Changes.Count} records changed in the extracts ({made}); {night.After.Records.Count} records in the night's full extracts")).ConfigureAwait(false);

        // The first load's garbage is let go and the peak reset, so the peak is the night's (the generated population,
        // before and after, stays in this process: a nightly job alone would hold less).
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        measures.Reset();
        var processes = new List<int> { Environment.ProcessId };
        processes.AddRange(children);
        var reset = processes.Select(ResetPeakResident).ToList().TrueForAll(r => r);

        var hub = HubComposition.Load(configPath);
        var summaries = new List<SyncRunSummary>();
        var links = new List<RecordLink>();
        var stopwatch = new Stopwatch();
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
            await foreach (var link in store.ReadLinksAsync(cancellationToken).ConfigureAwait(false))
            {
                links.Add(new RecordLink(link.CitizenId, link.SourceSystem, link.SourceKey));
            }

            await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }

        var peaks = processes.Select(PeakResidentBytes).ToList();
        var tally = summaries.Aggregate(RunTally.None, (sum, s) => sum + s.Tally);
        var read = summaries.Sum(s => s.Records);
        var seconds = Math.Max(stopwatch.Elapsed.TotalSeconds, 0.001);
        var report = LinkageMetrics.Compute(night.After.Truth, links, HardPairEvidence.ToldApart(night.After));
        var first = LinkageMetrics.Compute(night.Before.Truth, firstLinks);
        var rows = new (string Measure, string Value)[]
        {
            ("delta records read", N(read)),
            ("delta made: updated, added, removed", string.Create(CultureInfo.InvariantCulture, $"{night.Updated}, {night.Added}, {night.Removed}")),
            ("delta hub: updated", N(tally.Updated)),
            ("delta hub: added", N(tally.Added)),
            ("delta hub: removed", N(tally.Removed)),
            ("delta hub: unchanged", N(tally.Unchanged)),
            ("delta hub: citizens created, linked, merged, split, reviews", string.Create(CultureInfo.InvariantCulture,
                $"{tally.CitizensCreated}, {tally.Linked}, {tally.Merged}, {tally.Split}, {tally.Reviews}")),
            ("delta elapsed s", stopwatch.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)),
            // The sources are synced one after another, so their reading times add up: the rest was the hub applying.
            ("delta of which reading and publishing s", summaries.Sum(s => s.ReadElapsed.TotalSeconds).ToString("0.0", CultureInfo.InvariantCulture)),
            ("delta changed records/s", (tally.Applied / seconds).ToString("0", CultureInfo.InvariantCulture)),
            ("delta records read/s", (read / seconds).ToString("0", CultureInfo.InvariantCulture)),
            (reset ? "delta peak memory MiB (per instance, since the night began)" : "delta peak memory MiB (per instance, whole run: the peak could not be reset)",
                string.Join(", ", peaks.Select(p => (p / 1048576.0).ToString("0", CultureInfo.InvariantCulture)))),
            ("delta hub s: read, decide, write, commit (this instance)", measures.PhaseSeconds()),
            ("delta peak managed heap MiB (this instance, with the generated data)", measures.PeakHeapMebibytes()),
            ("delta GC paused s; collections gen 0, 1, 2 (this process)", measures.GcPauses()),
            ("delta precision (first load's)", $"{R(report.Precision)} ({R(first.Precision)})"),
            ("delta recall (first load's)", $"{R(report.Recall)} ({R(first.Recall)})"),
            ("delta F1 (first load's)", $"{R(report.F1)} ({R(first.F1)})"),
            ("delta false merges: twins, father/son, spouses (first load's)", $"{Hard(report)} ({Hard(first)})"),
        };
        await output.WriteLineAsync().ConfigureAwait(false);
        await BenchTable.WriteAsync(output, rows).ConfigureAwait(false);
        return summaries;

        static string N(int n) => n.ToString(CultureInfo.InvariantCulture);
        static string R(double r) => r.ToString("0.0000", CultureInfo.InvariantCulture);
        static string Hard(LinkageReport r) => string.Create(CultureInfo.InvariantCulture,
            $"{r.Twins.FalselyMerged} of {r.Twins.Pairs}, {r.FatherSon.FalselyMerged} of {r.FatherSon.Pairs}, {r.Spouses.FalselyMerged} of {r.Spouses.Pairs}");
    }

    private static string Describe(DeltaChangeKind kind) => kind switch
    {
        DeltaChangeKind.Moved => "moved home",
        DeltaChangeKind.Phone => "new phone",
        DeltaChangeKind.Email => "new e-mail",
        DeltaChangeKind.NameCorrected => "names put right",
        DeltaChangeKind.Added => "new residents' records",
        _ => "records of people who left",
    };

    /// <summary>Resets the process's peak resident memory (Linux: <c>5</c> into <c>/proc/PID/clear_refs</c>); false where it cannot.</summary>
    private static bool ResetPeakResident(int processId)
    {
        try
        {
            File.WriteAllText($"/proc/{processId}/clear_refs", "5");
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
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
