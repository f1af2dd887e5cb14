namespace CitizenHub.Matching.Scoring;

/// <summary>
/// Settings for <see cref="ExpectationMaximisation.Estimate"/>. Checked when estimation starts.
/// </summary>
/// <param name="MaxIterations">
/// Upper bound on EM iterations, so a slowly creeping estimate still ends. Must be at least 1.
/// <value>The default value is 100.</value>
/// </param>
/// <param name="Tolerance">
/// Estimation has converged when no m, u or lambda moved by this much in an iteration. Must be positive.
/// <value>The default value is 1e-6.</value>
/// </param>
/// <param name="FixU">
/// Keep u as given and estimate only m and lambda. u is better estimated from random pairs
/// (<see cref="ExpectationMaximisation.EstimateU"/>) than from blocked pairs, whose non-matches agree far more often
/// than non-matches in general do.
/// <value>The default value is <see langword="true"/>.</value>
/// </param>
/// <param name="ProbabilityFloor">
/// Smallest probability kept (before renormalising), and the bounds of lambda: a level never seen would otherwise
/// get probability 0 and an infinite weight. Must be positive and small enough that every comparison's non-missing
/// levels at the floor sum to less than 1.
/// <value>The default value is 1e-6.</value>
/// </param>
public sealed record EmOptions(int MaxIterations = 100, double Tolerance = 1e-6, bool FixU = true, double ProbabilityFloor = 1e-6);

/// <summary>The outcome of <see cref="ExpectationMaximisation.Estimate"/>.</summary>
/// <param name="Parameters">The estimated parameters, in the order given; level 0 (missing) is as given.</param>
/// <param name="Lambda">The estimated prior probability that a candidate pair is a match.</param>
/// <param name="Iterations">How many EM iterations ran.</param>
/// <param name="Converged">
/// Whether the last iteration moved every parameter by less than the tolerance; <see langword="false"/> means
/// <see cref="EmOptions.MaxIterations"/> ran out first and the estimates may still be moving.
/// </param>
public sealed record EmResult(IReadOnlyList<ComparisonParameters> Parameters, double Lambda, int Iterations, bool Converged);

/// <summary>
/// Estimates Fellegi–Sunter parameters from unlabelled comparison vectors, so the hub needs no hand-labelled pairs.
/// A comparison vector holds one level index per comparison, in the order of the parameter list; level 0 is
/// missing and carries no evidence.
/// </summary>
/// <remarks>
/// Pairs are first grouped by distinct vector: millions of candidate pairs show only a few hundred patterns, and EM
/// over pattern counts gives the same estimates for a fraction of the work. Everything is deterministic: the same
/// input, in the same order, gives bit-identical output. Invalid arguments throw <see cref="ArgumentException"/>
/// whose message names the position and the comparison but never quotes a value from the data.
/// </remarks>
public static class ExpectationMaximisation
{
    /// <summary>
    /// Estimates m (and, unless <see cref="EmOptions.FixU"/>, u) for every non-missing level, and lambda, from the
    /// comparison vectors of candidate pairs (those found by blocking), by EM under Fellegi–Sunter's assumption that
    /// comparisons are independent given match status.
    /// </summary>
    /// <param name="vectors">One comparison vector per candidate pair.</param>
    /// <param name="start">
    /// Starting parameters; their m and u of non-missing levels must lie in (0, 1]. Start m above u on the agreeing
    /// levels: EM cannot tell "match" from "non-match" by itself, and starts on the wrong side converge to swapped
    /// classes.
    /// </param>
    /// <param name="startLambda">Starting prior probability of a match, strictly between 0 and 1.</param>
    /// <param name="options">Iteration limits, tolerance, whether u is fixed, and the probability floor.</param>
    public static EmResult Estimate(IReadOnlyList<byte[]> vectors, IReadOnlyList<ComparisonParameters> start, double startLambda, EmOptions options)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        ArgumentNullException.ThrowIfNull(options);
        ValidateStart(start, nameof(start));
        if (!(startLambda > 0 && startLambda < 1))
        {
            throw new ArgumentException("The starting lambda must lie strictly between 0 and 1.", nameof(startLambda));
        }

        if (options.MaxIterations < 1)
        {
            throw new ArgumentException("MaxIterations must be at least 1.", nameof(options));
        }

        if (!(options.Tolerance > 0) || double.IsInfinity(options.Tolerance))
        {
            throw new ArgumentException("Tolerance must be a positive finite number.", nameof(options));
        }

        ValidateFloor(options.ProbabilityFloor, start, nameof(options));

        var (patterns, counts) = GroupPatterns(vectors, start, nameof(vectors));
        if (patterns.Count == 0)
        {
            throw new ArgumentException("At least one comparison vector is needed to estimate parameters.", nameof(vectors));
        }

        var floor = options.ProbabilityFloor;
        var m = start.Select(c => c.Levels.Select(l => l.M).ToArray()).ToArray();
        var u = start.Select(c => c.Levels.Select(l => l.U).ToArray()).ToArray();
        var lambda = startLambda;
        var total = counts.Sum();

        var logM = m.Select(levels => new double[levels.Length]).ToArray();
        var logU = u.Select(levels => new double[levels.Length]).ToArray();
        var matchCounts = m.Select(levels => new double[levels.Length]).ToArray();
        var nonMatchCounts = m.Select(levels => new double[levels.Length]).ToArray();

        var iterations = 0;
        var converged = false;
        while (iterations < options.MaxIterations && !converged)
        {
            iterations++;
            for (var k = 0; k < m.Length; k++)
            {
                // Level 0 stays at log 0: a missing comparison multiplies neither likelihood.
                for (var level = 1; level < m[k].Length; level++)
                {
                    logM[k][level] = Math.Log(m[k][level]);
                    logU[k][level] = Math.Log(u[k][level]);
                }

                Array.Clear(matchCounts[k]);
                Array.Clear(nonMatchCounts[k]);
            }

            // E step: the probability that each pattern is a match, computed from log likelihoods so that
            // long vectors of rare levels do not underflow to 0/0.
            var logLambda = Math.Log(lambda);
            var logNotLambda = Math.Log(1 - lambda);
            var expectedMatches = 0.0;
            for (var p = 0; p < patterns.Count; p++)
            {
                var pattern = patterns[p];
                var logMatch = logLambda;
                var logNonMatch = logNotLambda;
                for (var k = 0; k < pattern.Length; k++)
                {
                    logMatch += logM[k][pattern[k]];
                    logNonMatch += logU[k][pattern[k]];
                }

                var posterior = Logistic(logMatch - logNonMatch);
                var asMatch = counts[p] * posterior;
                var asNonMatch = counts[p] * (1 - posterior);
                expectedMatches += asMatch;
                for (var k = 0; k < pattern.Length; k++)
                {
                    matchCounts[k][pattern[k]] += asMatch;
                    nonMatchCounts[k][pattern[k]] += asNonMatch;
                }
            }

            // M step: each level's share of the expected matches (non-matches) where the comparison is present.
            var change = 0.0;
            var newLambda = Math.Clamp(expectedMatches / total, floor, 1 - floor);
            change = Math.Max(change, Math.Abs(newLambda - lambda));
            lambda = newLambda;
            for (var k = 0; k < m.Length; k++)
            {
                change = Math.Max(change, Update(m[k], matchCounts[k], floor));
                if (!options.FixU)
                {
                    change = Math.Max(change, Update(u[k], nonMatchCounts[k], floor));
                }
            }

            converged = change < options.Tolerance;
        }

        return new EmResult(Rebuild(start, m, u), lambda, iterations, converged);
    }

    /// <summary>
    /// Estimates u from the comparison vectors of random record pairs, as Splink does: random pairs are almost all
    /// non-matches, so u of a level is its share among the random pairs in which the comparison is not missing.
    /// </summary>
    /// <param name="randomPairVectors">One comparison vector per random record pair.</param>
    /// <param name="start">
    /// The parameters whose u are replaced. m and level 0 are kept as given, and so is u of a comparison that is
    /// missing in every random pair (there is nothing to estimate it from).
    /// </param>
    /// <param name="floor">
    /// Smallest u kept before renormalising, so a level no random pair showed does not get an infinite weight.
    /// </param>
    public static IReadOnlyList<ComparisonParameters> EstimateU(IReadOnlyList<byte[]> randomPairVectors, IReadOnlyList<ComparisonParameters> start, double floor = 1e-6)
    {
        ArgumentNullException.ThrowIfNull(randomPairVectors);
        ValidateStart(start, nameof(start));
        ValidateFloor(floor, start, nameof(floor));

        var (patterns, counts) = GroupPatterns(randomPairVectors, start, nameof(randomPairVectors));
        if (patterns.Count == 0)
        {
            throw new ArgumentException("At least one comparison vector is needed to estimate u.", nameof(randomPairVectors));
        }

        var levelCounts = start.Select(c => new double[c.Levels.Count]).ToArray();
        for (var p = 0; p < patterns.Count; p++)
        {
            for (var k = 0; k < patterns[p].Length; k++)
            {
                levelCounts[k][patterns[p][k]] += counts[p];
            }
        }

        var m = start.Select(c => c.Levels.Select(l => l.M).ToArray()).ToArray();
        var u = start.Select(c => c.Levels.Select(l => l.U).ToArray()).ToArray();
        for (var k = 0; k < u.Length; k++)
        {
            Update(u[k], levelCounts[k], floor);
        }

        return Rebuild(start, m, u);
    }

    /// <summary>
    /// Replaces the non-missing probabilities with their shares of <paramref name="counts"/>, floored and
    /// renormalised, and returns the largest change. Leaves them alone when the comparison was never present,
    /// since there is then nothing to learn from.
    /// </summary>
    private static double Update(double[] probabilities, double[] counts, double floor)
    {
        var present = 0.0;
        for (var level = 1; level < counts.Length; level++)
        {
            present += counts[level];
        }

        if (!(present > 0))
        {
            return 0;
        }

        var sum = 0.0;
        var updated = new double[probabilities.Length];
        for (var level = 1; level < counts.Length; level++)
        {
            updated[level] = Math.Max(counts[level] / present, floor);
            sum += updated[level];
        }

        var change = 0.0;
        for (var level = 1; level < counts.Length; level++)
        {
            var value = updated[level] / sum;
            change = Math.Max(change, Math.Abs(value - probabilities[level]));
            probabilities[level] = value;
        }

        return change;
    }

    /// <summary>1 / (1 + e^-x), written so that neither branch overflows for large |x|.</summary>
    private static double Logistic(double x)
    {
        if (x >= 0)
        {
            return 1 / (1 + Math.Exp(-x));
        }

        var e = Math.Exp(x);
        return e / (1 + e);
    }

    /// <summary>
    /// Counts the distinct vectors, in order of first appearance so that sums (and so results) do not depend on
    /// hashing, and checks each vector against the parameters on the way.
    /// </summary>
    private static (List<byte[]> Patterns, List<double> Counts) GroupPatterns(IReadOnlyList<byte[]> vectors, IReadOnlyList<ComparisonParameters> parameters, string paramName)
    {
        var index = new Dictionary<byte[], int>(VectorComparer.Instance);
        var patterns = new List<byte[]>();
        var counts = new List<double>();
        for (var i = 0; i < vectors.Count; i++)
        {
            var vector = vectors[i]
                ?? throw new ArgumentException($"Comparison vector {i} is null.", paramName);
            if (vector.Length != parameters.Count)
            {
                throw new ArgumentException(
                    $"Comparison vector {i} has {vector.Length} level indexes; expected {parameters.Count}, one per comparison.", paramName);
            }

            for (var k = 0; k < vector.Length; k++)
            {
                if (vector[k] >= parameters[k].Levels.Count)
                {
                    throw new ArgumentException(
                        $"Comparison vector {i} has a level index out of range for comparison '{parameters[k].Comparison}' " +
                        $"(position {k}); it has {parameters[k].Levels.Count} levels.", paramName);
                }
            }

            if (index.TryGetValue(vector, out var p))
            {
                counts[p]++;
            }
            else
            {
                // Copied so that a caller reusing its buffers cannot change a pattern already counted.
                var pattern = (byte[])vector.Clone();
                index.Add(pattern, patterns.Count);
                patterns.Add(pattern);
                counts.Add(1);
            }
        }

        return (patterns, counts);
    }

    private static void ValidateStart(IReadOnlyList<ComparisonParameters> start, string paramName)
    {
        ArgumentNullException.ThrowIfNull(start, paramName);
        if (start.Count == 0)
        {
            throw new ArgumentException("At least one comparison is needed.", paramName);
        }

        for (var k = 0; k < start.Count; k++)
        {
            var comparison = start[k] ?? throw new ArgumentException($"Comparison {k} is null.", paramName);
            if (comparison.Levels is null || comparison.Levels.Count < 2 || comparison.Levels.Count > byte.MaxValue + 1)
            {
                throw new ArgumentException(
                    $"Comparison '{comparison.Comparison}' must have between 2 and {byte.MaxValue + 1} levels: missing and at least one other.", paramName);
            }

            for (var level = 0; level < comparison.Levels.Count; level++)
            {
                var parameters = comparison.Levels[level]
                    ?? throw new ArgumentException($"Level {level} of comparison '{comparison.Comparison}' is null.", paramName);
                if (level > 0 && !(IsProbability(parameters.M) && IsProbability(parameters.U)))
                {
                    throw new ArgumentException(
                        $"Level '{parameters.Level}' of comparison '{comparison.Comparison}' must have m and u in (0, 1].", paramName);
                }
            }
        }

        static bool IsProbability(double p) => p > 0 && p <= 1;
    }

    private static void ValidateFloor(double floor, IReadOnlyList<ComparisonParameters> start, string paramName)
    {
        var mostLevels = start.Max(c => c.Levels.Count - 1);
        if (!(floor > 0 && floor * mostLevels < 1))
        {
            throw new ArgumentException(
                "The probability floor must be positive and small enough that a comparison's non-missing levels at the floor sum to less than 1.",
                paramName);
        }
    }

    private static List<ComparisonParameters> Rebuild(IReadOnlyList<ComparisonParameters> start, double[][] m, double[][] u) =>
        start.Select((comparison, k) => comparison with
        {
            Levels = comparison.Levels
                .Select((level, l) => l == 0 ? level : level with { M = m[k][l], U = u[k][l] })
                .ToList(),
        }).ToList();

    /// <summary>Compares comparison vectors by content, so identical vectors group as one pattern.</summary>
    private sealed class VectorComparer : IEqualityComparer<byte[]>
    {
        public static readonly VectorComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj)
        {
            var hash = new HashCode();
            hash.AddBytes(obj);
            return hash.ToHashCode();
        }
    }
}
