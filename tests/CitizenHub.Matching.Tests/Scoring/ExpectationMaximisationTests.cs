using CitizenHub.Matching.Scoring;

namespace CitizenHub.Matching.Tests.Scoring;

public sealed class ExpectationMaximisationTests
{
    private const double TrueLambda = 0.1;
    private const double Close = 0.02;

    /// <summary>Known parameters the synthetic pairs are drawn from; level 0 (missing) is 1/1 so its weight is 0.</summary>
    private static readonly IReadOnlyList<ComparisonParameters> Truth =
    [
        Comparison("first_name", ["exact", "close", "different"], m: [0.80, 0.15, 0.05], u: [0.02, 0.08, 0.90]),
        Comparison("family_name", ["exact", "close", "different"], m: [0.85, 0.10, 0.05], u: [0.01, 0.04, 0.95]),
        Comparison("birth_date", ["exact", "one_part", "different"], m: [0.90, 0.07, 0.03], u: [0.005, 0.05, 0.945]),
        Comparison("postcode", ["full", "district", "area", "different"], m: [0.70, 0.15, 0.10, 0.05], u: [0.002, 0.02, 0.15, 0.828]),
    ];

    [Fact]
    public void Estimate_FixedTrueU_RecoversMAndLambdaFromWrongStart()
    {
        var vectors = Sample(Truth, TrueLambda, 50_000, missingShare: 0.05, new Random(20240601));

        var result = ExpectationMaximisation.Estimate(vectors, WrongM(Truth), 0.5, new EmOptions());

        Assert.True(result.Converged);
        Assert.InRange(result.Lambda, TrueLambda - 0.01, TrueLambda + 0.01);
        AssertClose(Truth, result.Parameters, checkU: false);
        // u was fixed: it comes back exactly as given.
        AssertUnchangedU(Truth, result.Parameters);
    }

    [Fact]
    public void Estimate_FreeU_RecoversMUAndLambdaFromWrongStart()
    {
        var vectors = Sample(Truth, TrueLambda, 50_000, missingShare: 0.05, new Random(7));
        var start = Truth.Select(c => c with
        {
            Levels = c.Levels.Select((l, i) => i == 0 ? l : l with
            {
                // m leans to agreement and u to disagreement, as any sensible start would, but both are far off.
                M = i == 1 ? 0.5 : 0.5 / (c.Levels.Count - 2),
                U = i == c.Levels.Count - 1 ? 0.5 : 0.5 / (c.Levels.Count - 2),
            }).ToList(),
        }).ToList();

        var result = ExpectationMaximisation.Estimate(vectors, start, 0.3, new EmOptions(MaxIterations: 500, FixU: false));

        Assert.True(result.Converged);
        Assert.InRange(result.Lambda, TrueLambda - 0.01, TrueLambda + 0.01);
        AssertClose(Truth, result.Parameters, checkU: true);
    }

    [Fact]
    public void Estimate_ManyMissingComparisons_IgnoresMissingAndRecoversParameters()
    {
        var vectors = Sample(Truth, TrueLambda, 50_000, missingShare: 0.4, new Random(99));
        Assert.True(vectors.Count(v => v.Contains((byte)0)) > 40_000);
        var start = WrongM(Truth);

        var result = ExpectationMaximisation.Estimate(vectors, start, 0.5, new EmOptions());

        Assert.True(result.Converged);
        Assert.InRange(result.Lambda, TrueLambda - 0.01, TrueLambda + 0.01);
        AssertClose(Truth, result.Parameters, checkU: true);
        for (var k = 0; k < start.Count; k++)
        {
            Assert.Equal(start[k].Levels[0], result.Parameters[k].Levels[0]);
        }
    }

    [Fact]
    public void Estimate_EachIteration_NonMissingMAndUSumToOne()
    {
        var vectors = Sample(Truth, TrueLambda, 5_000, missingShare: 0.2, new Random(3));
        // An odd missing level, to show it stays out of the sums and is returned untouched.
        var start = WrongM(Truth).Select(c => c with { Levels = [new ComparisonLevelParameters("missing", 0.3, 0.7), .. c.Levels.Skip(1)] }).ToList();

        foreach (var iterations in new[] { 1, 2, 5 })
        {
            var result = ExpectationMaximisation.Estimate(vectors, start, 0.5, new EmOptions(MaxIterations: iterations, FixU: false));

            Assert.Equal(iterations, result.Iterations);
            foreach (var comparison in result.Parameters)
            {
                Assert.Equal(1.0, comparison.Levels.Skip(1).Sum(l => l.M), 12);
                Assert.Equal(1.0, comparison.Levels.Skip(1).Sum(l => l.U), 12);
                Assert.Equal(new ComparisonLevelParameters("missing", 0.3, 0.7), comparison.Levels[0]);
            }
        }
    }

    [Fact]
    public void Estimate_OneIteration_MatchesHandComputedUpdateOverPatternCounts()
    {
        // One comparison, levels missing/agree/disagree; m = 0.9/0.1, u = 0.2/0.8, lambda = 0.5.
        // Match probabilities: agree 0.45/0.55 = 9/11, disagree 0.05/0.45 = 1/9, missing = lambda = 1/2
        // (the missing level's m and u, here unequal, must not count).
        var start = new[] { Comparison("name", ["agree", "disagree"], m: [0.9, 0.1], u: [0.2, 0.8]) };
        start[0] = start[0] with { Levels = [new ComparisonLevelParameters("missing", 0.3, 0.7), .. start[0].Levels.Skip(1)] };
        byte[][] vectors = [[1], [0], [1], [2], [1], [0]];

        var result = ExpectationMaximisation.Estimate(vectors, start, 0.5, new EmOptions(MaxIterations: 1));

        var agree = 3 * 9.0 / 11;
        var disagree = 1.0 / 9;
        Assert.Equal((agree + disagree + 2 * 0.5) / 6, result.Lambda, 12);
        Assert.Equal(agree / (agree + disagree), result.Parameters[0].Levels[1].M, 12);
        Assert.Equal(disagree / (agree + disagree), result.Parameters[0].Levels[2].M, 12);
        Assert.Equal(1, result.Iterations);
        Assert.False(result.Converged);
    }

    [Fact]
    public void Estimate_LevelNeverSeen_IsFlooredNotZero()
    {
        var start = new[] { Comparison("name", ["agree", "close", "disagree"], m: [0.6, 0.3, 0.1], u: [0.1, 0.3, 0.6]) };
        byte[][] vectors = [[1], [1], [3], [3], [3], [3]];

        var result = ExpectationMaximisation.Estimate(vectors, start, 0.5, new EmOptions(FixU: false, ProbabilityFloor: 1e-4));

        var close = result.Parameters[0].Levels[2];
        Assert.InRange(close.M, 0.9e-4, 1.1e-4);
        Assert.InRange(close.U, 0.9e-4, 1.1e-4);
        Assert.True(double.IsFinite(close.Weight));
    }

    [Fact]
    public void Estimate_RareLevelsInLongVectors_DoNotUnderflow()
    {
        // 40 comparisons whose u of agreement is 1e-9: the raw likelihood of an all-agree pair as a non-match is
        // 1e-360, below the smallest double.
        var start = Enumerable.Range(0, 40)
            .Select(i => Comparison($"c{i}", ["agree", "disagree"], m: [0.9, 0.1], u: [1e-9, 1 - 1e-9]))
            .ToList();
        var agree = Enumerable.Repeat((byte)1, 40).ToArray();
        var disagree = Enumerable.Repeat((byte)2, 40).ToArray();
        byte[][] vectors = [agree, agree, disagree, disagree, disagree, disagree];

        var result = ExpectationMaximisation.Estimate(vectors, start, 0.5, new EmOptions(ProbabilityFloor: 1e-12));

        Assert.True(result.Converged);
        Assert.Equal(2.0 / 6, result.Lambda, 6);
        Assert.All(result.Parameters, c => Assert.True(double.IsFinite(c.Levels[1].M) && c.Levels[1].M > 0.99));
    }

    [Fact]
    public void Estimate_BothLikelihoodsBelowSmallestDouble_StillGivesThePosterior()
    {
        // 200 comparisons at a level of probability about 1e-3 under both hypotheses: each likelihood is about
        // 1e-600, so a direct ratio is 0/0. Half favour a match by 2 and half oppose it by 2, so the posterior
        // equals the prior and one iteration leaves lambda where it started.
        var start = Enumerable.Range(0, 200)
            .Select(i => i % 2 == 0
                ? Comparison($"c{i}", ["rare", "common"], m: [2e-3, 1 - 2e-3], u: [1e-3, 1 - 1e-3])
                : Comparison($"c{i}", ["rare", "common"], m: [1e-3, 1 - 1e-3], u: [2e-3, 1 - 2e-3]))
            .ToList();
        byte[][] vectors = [Enumerable.Repeat((byte)1, 200).ToArray()];

        var result = ExpectationMaximisation.Estimate(vectors, start, 0.3, new EmOptions(MaxIterations: 1, ProbabilityFloor: 1e-9));

        Assert.Equal(0.3, result.Lambda, 9);
    }

    [Fact]
    public void Estimate_SameInputTwice_GivesIdenticalResult()
    {
        var vectors = Sample(Truth, TrueLambda, 20_000, missingShare: 0.1, new Random(11));
        var options = new EmOptions(FixU: false);

        var first = ExpectationMaximisation.Estimate(vectors, WrongM(Truth), 0.5, options);
        var second = ExpectationMaximisation.Estimate(vectors, WrongM(Truth), 0.5, options);

        Assert.Equal(first.Lambda, second.Lambda);
        Assert.Equal(first.Iterations, second.Iterations);
        Assert.Equal(first.Converged, second.Converged);
        Assert.Equal(
            first.Parameters.SelectMany(c => c.Levels),
            second.Parameters.SelectMany(c => c.Levels));
    }

    [Fact]
    public void Estimate_VectorsSharingOneBuffer_CountsEachPatternAsItWas()
    {
        // A streaming source may hand out one buffer refilled per pair; grouping must copy, not keep, it.
        var start = new[] { Comparison("name", ["agree", "disagree"], m: [0.9, 0.1], u: [0.2, 0.8]) };
        byte[][] copies = [[1], [1], [2], [1], [0], [2]];

        var fromBuffer = ExpectationMaximisation.Estimate(new SharedBufferVectors(copies), start, 0.5, new EmOptions(MaxIterations: 1));
        var fromCopies = ExpectationMaximisation.Estimate(copies, start, 0.5, new EmOptions(MaxIterations: 1));

        Assert.Equal(fromCopies.Lambda, fromBuffer.Lambda);
        Assert.Equal(fromCopies.Parameters[0].Levels, fromBuffer.Parameters[0].Levels);
    }

    [Fact]
    public void Estimate_WrongVectorLength_Throws()
    {
        byte[][] vectors = [[1, 1, 1, 1], [1, 1, 1]];

        var ex = Assert.Throws<ArgumentException>(() => ExpectationMaximisation.Estimate(vectors, Truth, 0.5, new EmOptions()));

        Assert.Equal("vectors", ex.ParamName);
        Assert.Contains("Comparison vector 1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Estimate_LevelOutOfRange_ThrowsWithoutQuotingTheValue()
    {
        byte[][] vectors = [[1, 1, 1, 1], [1, 1, 1, 200]];

        var ex = Assert.Throws<ArgumentException>(() => ExpectationMaximisation.Estimate(vectors, Truth, 0.5, new EmOptions()));

        Assert.Equal("vectors", ex.ParamName);
        Assert.Contains("postcode", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("200", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    public void Estimate_StartLambdaNotStrictlyBetweenZeroAndOne_Throws(double lambda)
    {
        var ex = Assert.Throws<ArgumentException>(() => ExpectationMaximisation.Estimate([[1, 1, 1, 1]], Truth, lambda, new EmOptions()));
        Assert.Equal("startLambda", ex.ParamName);
    }

    public static TheoryData<EmOptions> InvalidOptions => new()
    {
        new EmOptions(MaxIterations: 0),
        new EmOptions(Tolerance: 0),
        new EmOptions(Tolerance: double.NaN),
        new EmOptions(ProbabilityFloor: 0),
        new EmOptions(ProbabilityFloor: 0.25),
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Estimate_InvalidOptions_Throws(EmOptions options)
    {
        var ex = Assert.Throws<ArgumentException>(() => ExpectationMaximisation.Estimate([[1, 1, 1, 1]], Truth, 0.5, options));
        Assert.Equal("options", ex.ParamName);
    }

    [Fact]
    public void Estimate_NoVectors_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => ExpectationMaximisation.Estimate([], Truth, 0.5, new EmOptions()));
        Assert.Equal("vectors", ex.ParamName);
    }

    [Fact]
    public void Estimate_StartProbabilityZero_Throws()
    {
        var start = new[] { Comparison("name", ["agree", "disagree"], m: [1.0, 0.0], u: [0.2, 0.8]) };

        var ex = Assert.Throws<ArgumentException>(() => ExpectationMaximisation.Estimate([[1]], start, 0.5, new EmOptions()));

        Assert.Equal("start", ex.ParamName);
    }

    [Fact]
    public void Estimate_ComparisonWithOnlyMissingLevel_Throws()
    {
        var start = new[] { new ComparisonParameters("name", [new ComparisonLevelParameters("missing", 1, 1)]) };

        var ex = Assert.Throws<ArgumentException>(() => ExpectationMaximisation.Estimate([[0]], start, 0.5, new EmOptions()));

        Assert.Equal("start", ex.ParamName);
    }

    [Fact]
    public void EstimateU_RandomPairs_RecoversLevelSharesAmongNonMissing()
    {
        // Random pairs: all non-matches, and a third of each comparison missing.
        var vectors = Sample(Truth, lambda: 0, 100_000, missingShare: 0.33, new Random(5));
        var start = WrongM(Truth).Select(c => c with
        {
            Levels = c.Levels.Select((l, i) => i == 0 ? l : l with { U = 1.0 / (c.Levels.Count - 1) }).ToList(),
        }).ToList();

        var result = ExpectationMaximisation.EstimateU(vectors, start);

        for (var k = 0; k < Truth.Count; k++)
        {
            Assert.Equal(start[k].Levels[0], result[k].Levels[0]);
            for (var l = 1; l < Truth[k].Levels.Count; l++)
            {
                Assert.InRange(result[k].Levels[l].U, Truth[k].Levels[l].U - 0.005, Truth[k].Levels[l].U + 0.005);
                Assert.Equal(start[k].Levels[l].M, result[k].Levels[l].M);
            }

            Assert.Equal(1.0, result[k].Levels.Skip(1).Sum(l => l.U), 12);
        }
    }

    [Fact]
    public void EstimateU_CountsOnlyPairsWhereComparisonIsPresent()
    {
        var start = new[] { Comparison("name", ["agree", "close", "disagree"], m: [0.6, 0.3, 0.1], u: [0.3, 0.3, 0.4]) };
        byte[][] vectors = [[0], [0], [0], [0], [1], [3], [3], [3]];

        var result = ExpectationMaximisation.EstimateU(vectors, start, floor: 1e-3);

        var levels = result[0].Levels;
        // 1 agree, 0 close, 3 disagree: the close level is floored, then all are renormalised.
        var sum = 0.25 + 1e-3 + 0.75;
        Assert.Equal(0.25 / sum, levels[1].U, 12);
        Assert.Equal(1e-3 / sum, levels[2].U, 12);
        Assert.Equal(0.75 / sum, levels[3].U, 12);
    }

    [Fact]
    public void EstimateU_ComparisonAlwaysMissing_KeepsStartingU()
    {
        var start = new[]
        {
            Comparison("name", ["agree", "disagree"], m: [0.9, 0.1], u: [0.5, 0.5]),
            Comparison("postcode", ["agree", "disagree"], m: [0.9, 0.1], u: [0.01, 0.99]),
        };
        byte[][] vectors = [[1, 0], [2, 0]];

        var result = ExpectationMaximisation.EstimateU(vectors, start);

        Assert.Equal(start[1], result[1], ComparisonByValue.Instance);
    }

    [Fact]
    public void EstimateU_InvalidInput_Throws()
    {
        Assert.Equal("randomPairVectors", Assert.Throws<ArgumentException>(() => ExpectationMaximisation.EstimateU([], Truth)).ParamName);
        Assert.Equal("randomPairVectors", Assert.Throws<ArgumentException>(() => ExpectationMaximisation.EstimateU([[1, 1]], Truth)).ParamName);
        Assert.Equal("randomPairVectors", Assert.Throws<ArgumentException>(() => ExpectationMaximisation.EstimateU([[1, 1, 1, 5]], Truth)).ParamName);
        Assert.Equal("floor", Assert.Throws<ArgumentException>(() => ExpectationMaximisation.EstimateU([[1, 1, 1, 1]], Truth, floor: -1)).ParamName);
        Assert.Throws<ArgumentNullException>(() => ExpectationMaximisation.EstimateU(null!, Truth));
    }

    private static ComparisonParameters Comparison(string name, string[] levels, double[] m, double[] u) =>
        new(name, [new ComparisonLevelParameters("missing", 1, 1), .. levels.Select((level, i) => new ComparisonLevelParameters(level, m[i], u[i]))]);

    /// <summary>The truth with m flattened to equal shares: wrong everywhere, but not on the non-match side.</summary>
    private static List<ComparisonParameters> WrongM(IReadOnlyList<ComparisonParameters> truth) =>
        truth.Select(c => c with
        {
            Levels = c.Levels.Select((l, i) => i == 0 ? l : l with { M = 1.0 / (c.Levels.Count - 1) }).ToList(),
        }).ToList();

    /// <summary>Draws pairs: a match with probability lambda, then each comparison missing or at a level drawn from m or u.</summary>
    private static List<byte[]> Sample(IReadOnlyList<ComparisonParameters> truth, double lambda, int pairs, double missingShare, Random random)
    {
        var vectors = new List<byte[]>(pairs);
        for (var i = 0; i < pairs; i++)
        {
            var isMatch = random.NextDouble() < lambda;
            var vector = new byte[truth.Count];
            for (var k = 0; k < truth.Count; k++)
            {
                if (random.NextDouble() < missingShare)
                {
                    continue;
                }

                var draw = random.NextDouble();
                var level = 1;
                for (var cumulative = 0.0; level < truth[k].Levels.Count - 1; level++)
                {
                    var levelParameters = truth[k].Levels[level];
                    cumulative += isMatch ? levelParameters.M : levelParameters.U;
                    if (draw < cumulative)
                    {
                        break;
                    }
                }

                vector[k] = (byte)level;
            }

            vectors.Add(vector);
        }

        return vectors;
    }

    private static void AssertClose(IReadOnlyList<ComparisonParameters> expected, IReadOnlyList<ComparisonParameters> actual, bool checkU)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var k = 0; k < expected.Count; k++)
        {
            for (var l = 1; l < expected[k].Levels.Count; l++)
            {
                Assert.InRange(actual[k].Levels[l].M, expected[k].Levels[l].M - Close, expected[k].Levels[l].M + Close);
                if (checkU)
                {
                    Assert.InRange(actual[k].Levels[l].U, expected[k].Levels[l].U - Close, expected[k].Levels[l].U + Close);
                }
            }
        }
    }

    private static void AssertUnchangedU(IReadOnlyList<ComparisonParameters> expected, IReadOnlyList<ComparisonParameters> actual)
    {
        for (var k = 0; k < expected.Count; k++)
        {
            Assert.Equal(expected[k].Levels.Select(l => l.U), actual[k].Levels.Select(l => l.U));
        }
    }

    /// <summary>Vectors read through one buffer that is refilled on every access.</summary>
    private sealed class SharedBufferVectors(byte[][] vectors) : IReadOnlyList<byte[]>
    {
        private readonly byte[] _buffer = new byte[vectors[0].Length];

        public int Count => vectors.Length;

        public byte[] this[int index]
        {
            get
            {
                vectors[index].CopyTo(_buffer, 0);
                return _buffer;
            }
        }

        public IEnumerator<byte[]> GetEnumerator() => Enumerable.Range(0, Count).Select(i => this[i]).GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>Records hold their levels in a list, which records compare by reference; this compares by content.</summary>
    private sealed class ComparisonByValue : IEqualityComparer<ComparisonParameters>
    {
        public static readonly ComparisonByValue Instance = new();

        public bool Equals(ComparisonParameters? x, ComparisonParameters? y) =>
            x is not null && y is not null && x.Comparison == y.Comparison && x.Levels.SequenceEqual(y.Levels);

        public int GetHashCode(ComparisonParameters obj) => obj.Comparison.GetHashCode(StringComparison.Ordinal);
    }
}
