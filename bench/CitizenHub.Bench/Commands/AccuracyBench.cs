using System.Globalization;
using CitizenHub.Host;
using CitizenHub.Matching.Identity;

namespace CitizenHub.Bench.Commands;

/// <summary>
/// <c>citizenhub-bench accuracy</c>: a seeded labelled population written as four council source files, synced through
/// the real pipeline (the same path as <c>sync</c>), and the hub's links scored against the truth.
/// Prints ids and counts only, never a name.
/// </summary>
internal static class AccuracyBench
{
    public const int DefaultPersons = 20_000;
    public const int DefaultSeed = 1;

    public static async Task<int> RunAsync(int persons, int seed, string? keep, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (persons < 1)
        {
            throw new CliException($"--persons must be at least 1 (was {persons})");
        }

        var directory = BenchFolder.Open(keep, "citizenhub-bench");
        try
        {
            var population = LabelledPopulation.Generate(new PopulationOptions { Persons = persons, Seed = seed });
            var configPath = SourceFiles.Write(population, directory);
            var hub = HubComposition.Load(configPath);
            await output.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"bench accuracy: {persons} persons, seed {seed}, {population.Records.Count} records in {hub.Catalog.Sources.Count} sources")).ConfigureAwait(false);

            var synced = await BenchSync.SyncAndReadAsync(hub, output, error, cancellationToken).ConfigureAwait(false);
            var (summaries, links, reviews) = (synced.Summaries, synced.Links, synced.OpenReviews);
            var report = LinkageMetrics.Compute(population.Truth, links, HardPairEvidence.ToldApart(population));
            await WriteReportAsync(report, hub.Catalog.Sources.Count, synced.Elapsed, output).ConfigureAwait(false);
            // What another build must give on the same seed to have decided the same (docs/bench-cli.md).
            await BenchTable.WriteAsync(output, [
                ("links digest", OutcomeDigest.Partition(links)),
                ("open reviews", reviews.Count.ToString(CultureInfo.InvariantCulture)),
                ("open reviews digest", OutcomeDigest.Reviews(reviews)),
                ("ambiguous records", AmbiguousRecords(reviews).ToString(CultureInfo.InvariantCulture)),
            ]).ConfigureAwait(false);
            if (keep is not null)
            {
                await output.WriteLineAsync($"kept: {directory} (sources, citizenhub.json, truth.csv, hard-pairs.csv, the store)").ConfigureAwait(false);
            }

            return summaries.All(s => s.Succeeded) ? BenchCli.Succeeded : BenchCli.Failed;
        }
        finally
        {
            BenchFolder.Close(directory, keep);
        }
    }

    /// <summary>
    /// Records a steward is asked to place among two or more citizens: the queue's ambiguous records (a record that
    /// fits a father and a son alike goes to neither), as against a record with one uncertain candidate.
    /// </summary>
    internal static int AmbiguousRecords(IReadOnlyList<ReviewItem> openReviews) =>
        openReviews.GroupBy(r => r.Record).Count(g => g.Select(r => r.Candidate.CitizenId).Distinct(StringComparer.Ordinal).Skip(1).Any());

    internal static async Task WriteReportAsync(LinkageReport report, int sources, TimeSpan elapsed, TextWriter output)
    {
        var rows = new (string Measure, string Value)[]
        {
            ("persons", N(report.Persons)),
            ("records", N(report.Records)),
            ("sources", N(sources)),
            ("citizens", N(report.Citizens)),
            ("elapsed s", elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)),
            ("records/s", (report.Records / Math.Max(elapsed.TotalSeconds, 0.001)).ToString("0.0", CultureInfo.InvariantCulture)),
            ("precision", R(report.Precision)),
            ("recall", R(report.Recall)),
            ("F1", R(report.F1)),
            ("true pairs", N(report.TruePairs)),
            ("predicted pairs", N(report.PredictedPairs)),
            ("correct pairs", N(report.CorrectPairs)),
            ("false merges: twins", Hard(report.Twins)),
            ("false merges: father/son", Hard(report.FatherSon)),
            ("false merges: spouses", Hard(report.Spouses)),
        };
        await output.WriteLineAsync().ConfigureAwait(false);
        await BenchTable.WriteAsync(output, rows).ConfigureAwait(false);

        static string N(long n) => n.ToString(CultureInfo.InvariantCulture);
        static string R(double r) => r.ToString("0.0000", CultureInfo.InvariantCulture);
        static string Hard(HardPairOutcome o) => o.FalselyMerged == 0
            ? string.Create(CultureInfo.InvariantCulture, $"0 of {o.Pairs}")
            : string.Create(CultureInfo.InvariantCulture, $"{o.FalselyMerged} of {o.Pairs} ({o.MergedIndistinguishable} with nothing in their records to tell them apart)");
    }
}
