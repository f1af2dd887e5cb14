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
    /// <summary>What the second sync changes: <c>both</c> (the default), only the <c>rows</c>, or only the <c>sources</c>' order.</summary>
    public static readonly string[] Reorderings = ["both", "rows", "sources"];

    public static async Task<int> RunAsync(int persons, int seed, string reorder, string? keep, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (persons < 1)
        {
            throw new CliException($"--persons must be at least 1 (was {persons})");
        }

        if (!Reorderings.Contains(reorder, StringComparer.Ordinal))
        {
            throw new CliException($"--reorder must be one of {string.Join(", ", Reorderings)} (was '{reorder}')");
        }

        var (shuffleRows, reverseSources) = (reorder != "sources", reorder != "rows");

        var root = BenchFolder.Open(keep, "citizenhub-order");
        try
        {
            var population = LabelledPopulation.Generate(new PopulationOptions { Persons = persons, Seed = seed });
            await output.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"bench order: {persons} persons, seed {seed}, {population.Records.Count} records, synced as generated and then {Describe(shuffleRows, reverseSources)}")).ConfigureAwait(false);
            var toldApart = HardPairEvidence.ToldApart(population);

            var generated = await SyncAsync(population, Path.Combine(root, "as-generated"), reverseSources: false, error, cancellationToken).ConfigureAwait(false);
            var second = shuffleRows ? population with { Records = Shuffled(population.Records, seed) } : population;
            var reordered = await SyncAsync(second, Path.Combine(root, "reordered"), reverseSources, error, cancellationToken).ConfigureAwait(false);

            var agreement = OrderAgreement.Compare(generated.Links, reordered.Links);
            var first = LinkageMetrics.Compute(population.Truth, generated.Links, toldApart);
            var other = LinkageMetrics.Compute(population.Truth, reordered.Links, toldApart);
            await output.WriteLineAsync().ConfigureAwait(false);
            await BenchTable.WriteAsync(output, [
                ("linked pairs, as generated", N(agreement.FirstPairs)),
                ("linked pairs, reordered", N(agreement.SecondPairs)),
                ("linked pairs in both", N(agreement.PairsInBoth)),
                ("pairwise agreement", agreement.Agreement.ToString("0.0000", CultureInfo.InvariantCulture)),
                ("F1, as generated", R(first.F1)),
                ("F1, reordered", R(other.F1)),
                ("false merges: twins", $"{first.Twins.FalselyMerged} -> {other.Twins.FalselyMerged}"),
                ("false merges: father/son", $"{first.FatherSon.FalselyMerged} -> {other.FatherSon.FalselyMerged}"),
                ("false merges: spouses", $"{first.Spouses.FalselyMerged} -> {other.Spouses.FalselyMerged}"),
            ]).ConfigureAwait(false);
            if (keep is not null)
            {
                await output.WriteLineAsync($"kept: {root} (as-generated/ and reordered/, each with its sources, truth and store)").ConfigureAwait(false);
            }

            return generated.Summaries.Concat(reordered.Summaries).All(s => s.Succeeded) ? BenchCli.Succeeded : BenchCli.Failed;
        }
        finally
        {
            BenchFolder.Close(root, keep);
        }

        static string Describe(bool rows, bool sources) => (rows, sources) switch
        {
            (true, true) => "shuffled with the sources reversed",
            (true, false) => "with every file's rows shuffled",
            _ => "with the sources reversed",
        };

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
