using System.Diagnostics;
using System.Globalization;
using CitizenHub.Matching.Scoring;

namespace CitizenHub.Bench.Commands;

/// <summary>The matching core's benchmarks: in-memory linkage with its mistakes explained, and linking speed.</summary>
internal static class MatchingBenches
{
    /// <summary>Links generated data in memory and prints the metrics and the commonest kinds of mistake.</summary>
    public static async Task<int> LinkageAsync(
        int persons, int seed, int show, double? linkThreshold, double? reviewThreshold, bool estimate, bool strict, double? nameAloneNamesakes, TextWriter output)
    {
        var population = LabelledPopulation.Generate(new PopulationOptions { Persons = persons, Seed = seed });
        var model = MatchModel.Default with
        {
            LinkThreshold = linkThreshold ?? MatchModel.Default.LinkThreshold,
            ReviewThreshold = reviewThreshold ?? MatchModel.Default.ReviewThreshold,
            RequirePersonalEvidence = strict,
            NameAloneMaximumNamesakes = nameAloneNamesakes ?? MatchModel.Default.NameAloneMaximumNamesakes,
        };
        if (estimate)
        {
            var estimated = ParameterEstimation.Estimate([.. population.Records.Select(r => Matching.RecordNormaliser.Normalise(r.Record))], model);
            model = model.WithParameters(estimated.Parameters);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"estimated by EM over {estimated.CandidatePairs} candidate pairs ({estimated.Iterations} iterations, converged {estimated.Converged}, match share {estimated.MatchShare:0.000}):"));
            foreach (var comparison in model.Comparisons)
            {
                output.WriteLine($"  {comparison.Comparison}: " + string.Join(", ", comparison.Levels.Skip(1).Select(l =>
                    string.Create(CultureInfo.InvariantCulture, $"{l.Level} m={l.M:0.####} u={l.U:0.######} ({l.Weight:+0.0;-0.0})"))));
            }
        }

        var stopwatch = Stopwatch.StartNew();
        var result = InMemoryLinkage.Run(population, model);
        // The same table as bench accuracy, so the two can be read side by side.
        await AccuracyBench.WriteReportAsync(result.Report, SourceLayout.All.Count, stopwatch.Elapsed, output).ConfigureAwait(false);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"review items              {result.Reviews}")).ConfigureAwait(false);
        output.WriteLine("linked on a name alone, by expected namesakes: same person, strangers");
        foreach (var bucket in result.NameAlone)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {bucket.AtLeast,10:G3} to {bucket.AtLeast * 2,-10:G3} {bucket.SamePerson,7} {bucket.Strangers,7}"));
        }

        foreach (var kind in result.Mistakes.GroupBy(m => m.Kind))
        {
            output.WriteLine($"{kind.Key} pairs: {kind.Count()}");
            foreach (var byErrors in kind.GroupBy(m => (m.Sources, m.Errors)).OrderByDescending(g => g.Count()).Take(show))
            {
                output.WriteLine($"  {byErrors.Count(),6}  {byErrors.Key.Sources}  [{byErrors.Key.Errors}]");
                output.WriteLine($"          e.g. {byErrors.First().Explanation}");
            }
        }

        return BenchCli.Succeeded;
    }

    /// <summary>Scoring and linking speed on one thread against an index of golden records.</summary>
    public static Task<int> SpeedAsync(int golden, int linked, int seed, TextWriter output)
    {
        var report = LinkingSpeedBench.Run(golden, linked, seed, output);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
            golden records in index   {report.GoldenRecords}
            records linked            {report.Linked}
            link seconds              {report.LinkSeconds:0.00}
            records/s (one thread)    {report.RecordsPerSecond:0}
            candidate citizens/record {(double)report.CandidateCitizens / report.Linked:0.0}
            candidate pairs/record    {(double)report.CandidatePairs / report.Linked:0.0}
            decisions                 {report.Links} links ({report.Merges} merges), {report.NewCitizens} new
            normalise seconds         {report.NormaliseSeconds:0.00} ({report.Linked / report.NormaliseSeconds:0} records/s, not in the link time)
            index build seconds       {report.IndexBuildSeconds:0.00}
            peak working set MiB      {report.PeakWorkingSetBytes / (1024 * 1024)}
            GC pauses in the run      {report.Gc.PauseSeconds:0.00} s (gen0 {report.Gc.Gen0}, gen1 {report.Gc.Gen1}, gen2 {report.Gc.Gen2}); {report.Gc.AllocatedBytes / report.Linked:N0} bytes allocated per record
            """));
        output.WriteLine("blocking keys             kind: keys, mean records per key, largest block");
        foreach (var (kind, keys, mean, largest) in report.Blocks)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {kind,-8} {keys,10} {mean,8:0.0} {largest,8}"));
        }

        return Task.FromResult(BenchCli.Succeeded);
    }
}
