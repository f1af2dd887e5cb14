using System.Globalization;
using System.Text.Json.Nodes;
using CitizenHub.Host;

namespace CitizenHub.Bench.Commands;

/// <summary>
/// <c>citizenhub-bench febrl</c>: the public FEBRL person-linkage sets synced through the real pipeline (CSV sources,
/// the configuration in <c>bench/febrl/</c>, sync) and the hub's links scored against the truth in their record ids.
/// </summary>
/// <remarks>
/// The data are not in the repository: they are read from the folder given (<c>../shared/data</c> on the project's
/// machines). The truth is in <c>rec_id</c>: <c>rec-N-org</c> is an original, <c>rec-N-dup-K</c> a corrupted copy of
/// it; one N is one person. Prints counts only.
/// </remarks>
internal static class FebrlBench
{
    /// <summary>The sets, by the name <c>--set</c> takes: FEBRL4 links two files, FEBRL3 deduplicates one.</summary>
    public static readonly IReadOnlyList<string> Sets = ["4", "3"];

    public static async Task<int> RunAsync(string dataFolder, string set, string? keep, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (!Sets.Contains(set, StringComparer.Ordinal))
        {
            throw new CliException($"--set must be one of {string.Join(", ", Sets)} (was {set})");
        }

        var data = Path.GetFullPath(dataFolder);
        var directory = BenchFolder.Open(keep, "citizenhub-febrl");
        Directory.CreateDirectory(directory);
        try
        {
            var (configPath, files) = WriteConfiguration(set, data, directory);
            var truth = await ReadTruthAsync(files, cancellationToken).ConfigureAwait(false);
            var hub = HubComposition.Load(configPath);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"bench febrl: FEBRL{set}, {truth.PersonByRecord.Count} records in {hub.Catalog.Sources.Count} sources, configuration bench/febrl/febrl{set}.json")).ConfigureAwait(false);

            var synced = await BenchSync.SyncAndReadAsync(hub, output, error, cancellationToken).ConfigureAwait(false);
            var (summaries, links) = (synced.Summaries, synced.Links);
            var report = LinkageMetrics.Compute(truth, links);
            var unlinked = truth.PersonByRecord.Count - links.Count(l => truth.PersonByRecord.ContainsKey(new RecordRef(l.SourceSystem, l.SourceKey)));
            await BenchTable.WriteAsync(output, [
                ("records", N(report.Records)),
                ("persons", N(report.Persons)),
                ("citizens", N(report.Citizens)),
                ("records not held", N(unlinked)),
                ("elapsed s", synced.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)),
                ("precision", R(report.Precision)),
                ("recall", R(report.Recall)),
                ("F1", R(report.F1)),
                ("true pairs", N(report.TruePairs)),
                ("predicted pairs", N(report.PredictedPairs)),
                ("correct pairs", N(report.CorrectPairs)),
                ("open reviews", N(synced.OpenReviews.Count)),
            ]).ConfigureAwait(false);
            if (keep is not null)
            {
                await output.WriteLineAsync($"kept: {directory} (citizenhub.json and the store)").ConfigureAwait(false);
            }

            return summaries.All(s => s.Succeeded) ? BenchCli.Succeeded : BenchCli.Failed;
        }
        finally
        {
            BenchFolder.Close(directory, keep);
        }

        static string N(long n) => n.ToString(CultureInfo.InvariantCulture);
        static string R(double r) => r.ToString("0.0000", CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The set's configuration as the repository holds it, written into the working folder with each source's file
    /// found in the data folder; returns its path and each source's file.
    /// </summary>
    internal static (string ConfigPath, IReadOnlyList<(string Source, string File)> Files) WriteConfiguration(string set, string dataFolder, string directory)
    {
        using var stream = typeof(FebrlBench).Assembly.GetManifestResourceStream($"febrl{set}.json")
            ?? throw new InvalidOperationException($"febrl{set}.json is not built into citizenhub-bench.");
        var config = JsonNode.Parse(stream)!.AsObject();
        var files = new List<(string, string)>();
        foreach (var source in config["Sources"]!.AsArray())
        {
            var csv = source!["Csv"]!.AsObject();
            var file = Path.Combine(dataFolder, (string)csv["Path"]!);
            if (!File.Exists(file))
            {
                throw new CliException($"no {Path.GetFileName(file)} in {dataFolder}: give the folder of the FEBRL files with --data");
            }

            csv["Path"] = file;
            files.Add(((string)source["Name"]!, file));
        }

        var path = Path.Combine(directory, "citizenhub.json");
        File.WriteAllText(path, config.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        return (path, files);
    }

    /// <summary>Who each record is, from its <c>rec_id</c> (the first column): <c>rec-N-org</c> and <c>rec-N-dup-K</c> are person N.</summary>
    internal static async Task<LinkageTruth> ReadTruthAsync(IReadOnlyList<(string Source, string File)> files, CancellationToken cancellationToken)
    {
        var persons = new Dictionary<RecordRef, string>();
        foreach (var (source, file) in files)
        {
            var lines = await File.ReadAllLinesAsync(file, cancellationToken).ConfigureAwait(false);
            foreach (var line in lines.Skip(1).Where(l => l.Length > 0))
            {
                var id = line[..line.IndexOf(',', StringComparison.Ordinal)].Trim();
                var parts = id.Split('-');
                if (parts.Length < 3 || parts[0] != "rec")
                {
                    throw new CliException($"{Path.GetFileName(file)}: a rec_id not of the form rec-N-org or rec-N-dup-K");
                }

                persons[new RecordRef(source, id)] = parts[1];
            }
        }

        return new LinkageTruth(persons, [], [], []);
    }
}
