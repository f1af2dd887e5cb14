using System.Globalization;
using CitizenHub.Host;

namespace CitizenHub.Bench.Commands;

/// <summary>
/// <c>citizenhub-bench order</c>: the same generated records synced twice, once as generated and once with every
/// source's rows shuffled and the sources synced in the reverse order, and how far the two stores' people agree.
/// A council's extracts come in whatever order their systems write them; which people the hub finds must not hang on it.
/// </summary>
internal static class OrderBench
{
    public static async Task<int> RunAsync(int persons, int seed, string? keep, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (persons < 1)
        {
            throw new CliException($"--persons must be at least 1 (was {persons})");
        }

        var root = BenchFolder.Open(keep, "citizenhub-order");
        try
        {
            var population = LabelledPopulation.Generate(new PopulationOptions { Persons = persons, Seed = seed });
            await output.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"bench order: {persons} persons, seed {seed}, {population.Records.Count} records, synced as generated and then shuffled with the sources reversed")).ConfigureAwait(false);
            var toldApart = HardPairEvidence.ToldApart(population);

            var generated = await SyncAsync(population, Path.Combine(root, "as-generated"), reverseSources: false, error, cancellationToken).ConfigureAwait(false);
            var shuffled = population with { Records = Shuffled(population.Records, seed) };
            var reordered = await SyncAsync(shuffled, Path.Combine(root, "shuffled-reversed"), reverseSources: true, error, cancellationToken).ConfigureAwait(false);

            var agreement = OrderAgreement.Compare(generated.Links, reordered.Links);
            var first = LinkageMetrics.Compute(population.Truth, generated.Links, toldApart);
            var second = LinkageMetrics.Compute(population.Truth, reordered.Links, toldApart);
            await output.WriteLineAsync().ConfigureAwait(false);
            await BenchTable.WriteAsync(output, [
                ("linked pairs, as generated", N(agreement.FirstPairs)),
                ("linked pairs, reordered", N(agreement.SecondPairs)),
                ("linked pairs in both", N(agreement.PairsInBoth)),
                ("pairwise agreement", agreement.Agreement.ToString("0.0000", CultureInfo.InvariantCulture)),
                ("F1, as generated", R(first.F1)),
                ("F1, reordered", R(second.F1)),
                ("false merges: twins", $"{first.Twins.FalselyMerged} -> {second.Twins.FalselyMerged}"),
                ("false merges: father/son", $"{first.FatherSon.FalselyMerged} -> {second.FatherSon.FalselyMerged}"),
                ("false merges: spouses", $"{first.Spouses.FalselyMerged} -> {second.Spouses.FalselyMerged}"),
            ]).ConfigureAwait(false);
            if (keep is not null)
            {
                await output.WriteLineAsync($"kept: {root} (as-generated/ and shuffled-reversed/, each with its sources, truth and store)").ConfigureAwait(false);
            }

            return generated.Summaries.Concat(reordered.Summaries).All(s => s.Succeeded) ? BenchCli.Succeeded : BenchCli.Failed;
        }
        finally
        {
            BenchFolder.Close(root, keep);
        }

        static string N(long n) => n.ToString(CultureInfo.InvariantCulture);
        static string R(double r) => r.ToString("0.0000", CultureInfo.InvariantCulture);
    }

    private static async Task<SyncedLinks> SyncAsync(LabelledPopulation population, string directory, bool reverseSources, TextWriter error, CancellationToken cancellationToken)
    {
        var hub = HubComposition.Load(SourceFiles.Write(population, directory));
        // Each sync's summaries would be two screens of lines alike; a failure still reaches the error stream.
        return await BenchSync.SyncAndReadAsync(hub, TextWriter.Null, error, cancellationToken, reverseSources).ConfigureAwait(false);
    }

    /// <summary>The records in a seeded random order (Fisher–Yates): every source file's rows come out shuffled.</summary>
    internal static IReadOnlyList<GeneratedRecord> Shuffled(IReadOnlyList<GeneratedRecord> records, int seed)
    {
        var shuffled = records.ToArray();
        var random = new Random(seed);
        for (var i = shuffled.Length - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (shuffled[i], shuffled[j]) = (shuffled[j], shuffled[i]);
        }

        return shuffled;
    }
}

/// <summary>How far two partitions of the same records into citizens agree, pair by pair.</summary>
/// <param name="Agreement">Pairs linked in both over pairs linked in either (1 when neither links any).</param>
internal sealed record OrderAgreement(long FirstPairs, long SecondPairs, long PairsInBoth, double Agreement)
{
    public static OrderAgreement Compare(IEnumerable<RecordLink> first, IEnumerable<RecordLink> second)
    {
        var firstCitizen = first.ToDictionary(l => (l.SourceSystem, l.SourceKey), l => l.CitizenId);
        var secondCitizen = second.ToDictionary(l => (l.SourceSystem, l.SourceKey), l => l.CitizenId);
        var firstSizes = new Dictionary<string, long>(StringComparer.Ordinal);
        var secondSizes = new Dictionary<string, long>(StringComparer.Ordinal);
        var cells = new Dictionary<(string, string), long>();
        foreach (var (record, a) in firstCitizen)
        {
            firstSizes[a] = firstSizes.GetValueOrDefault(a) + 1;
            if (secondCitizen.TryGetValue(record, out var b))
            {
                cells[(a, b)] = cells.GetValueOrDefault((a, b)) + 1;
            }
        }

        foreach (var b in secondCitizen.Values)
        {
            secondSizes[b] = secondSizes.GetValueOrDefault(b) + 1;
        }

        var firstPairs = firstSizes.Values.Sum(Pairs);
        var secondPairs = secondSizes.Values.Sum(Pairs);
        var both = cells.Values.Sum(Pairs);
        var either = firstPairs + secondPairs - both;
        return new OrderAgreement(firstPairs, secondPairs, both, either == 0 ? 1.0 : (double)both / either);

        static long Pairs(long n) => n * (n - 1) / 2;
    }
}
