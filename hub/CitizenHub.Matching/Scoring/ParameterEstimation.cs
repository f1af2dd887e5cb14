using CitizenHub.Matching.Linking;

namespace CitizenHub.Matching.Scoring;

/// <summary>What estimating the model's parameters from a set of records found.</summary>
/// <param name="CandidatePairs">Pairs that share a blocking key, over which m was estimated.</param>
/// <param name="RandomPairs">Random pairs over which u was estimated.</param>
/// <param name="MatchShare">The estimated share of candidate pairs that are one person (lambda).</param>
public sealed record EstimationResult(
    IReadOnlyList<ComparisonParameters> Parameters,
    int CandidatePairs,
    int RandomPairs,
    double MatchShare,
    int Iterations,
    bool Converged);

/// <summary>
/// Estimates m and u from the records themselves, unsupervised, the way Splink does: u from random pairs
/// (almost all two different people), then m by expectation–maximisation over the pairs blocking finds,
/// with u held fixed so EM has one job.
/// </summary>
public static class ParameterEstimation
{
    public static EstimationResult Estimate(IReadOnlyList<NormalisedRecord> records, MatchModel start, int randomPairs = 200_000, int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(start);
        if (records.Count < 2)
        {
            throw new ArgumentException("At least two records are needed to estimate parameters.", nameof(records));
        }

        var random = new Random(seed);
        var randomVectors = new List<byte[]>(randomPairs);
        for (var n = 0; n < randomPairs; n++)
        {
            var i = random.Next(records.Count);
            var j = random.Next(records.Count - 1);
            if (j >= i)
            {
                j++;
            }

            randomVectors.Add(Vector(records[i], records[j]));
        }

        var withU = ExpectationMaximisation.EstimateU(randomVectors, start.Comparisons);
        var candidates = CandidateVectors(records);
        var em = ExpectationMaximisation.Estimate(candidates, withU, startLambda: 0.3, new EmOptions(FixU: true));
        return new EstimationResult(em.Parameters, candidates.Count, randomVectors.Count, em.Lambda, em.Iterations, em.Converged);
    }

    /// <summary>The comparison vectors of every distinct pair that shares a blocking key (blocks over the size cap skipped).</summary>
    public static IReadOnlyList<byte[]> CandidateVectors(IReadOnlyList<NormalisedRecord> records, int maximumBlockSize = BlockingKeys.DefaultMaximumBlockSize)
    {
        ArgumentNullException.ThrowIfNull(records);
        var blocks = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < records.Count; i++)
        {
            foreach (var key in BlockingKeys.For(records[i]))
            {
                if (!blocks.TryGetValue(key, out var block))
                {
                    block = [];
                    blocks[key] = block;
                }

                block.Add(i);
            }
        }

        var seen = new HashSet<long>();
        var vectors = new List<byte[]>();
        foreach (var block in blocks.Values.Where(b => b.Count > 1 && b.Count <= maximumBlockSize))
        {
            for (var x = 0; x < block.Count; x++)
            {
                for (var y = x + 1; y < block.Count; y++)
                {
                    if (seen.Add(((long)block[x] << 32) | (uint)block[y]))
                    {
                        vectors.Add(Vector(records[block[x]], records[block[y]]));
                    }
                }
            }
        }

        return vectors;
    }

    private static byte[] Vector(NormalisedRecord a, NormalisedRecord b)
    {
        var levels = new byte[MatchFields.Count];
        PairComparer.Compare(a, b, levels);
        return levels;
    }
}
