using CitizenHub.Matching.Linking;

namespace CitizenHub.Matching.Scoring;

/// <summary>What estimating the model's parameters from a set of records found.</summary>
/// <param name="CandidatePairs">Pairs that share a blocking key, over which m was estimated.</param>
/// <param name="RandomPairs">Random pairs over which u was estimated.</param>
/// <param name="MatchShare">The estimated share of candidate pairs that are one person (lambda).</param>
/// <param name="NotEstimated">
/// What the records could not estimate, each saying why (no pairs share a postcode, say, in a source whose addresses
/// have none): such a comparison keeps its starting m, with u from the random pairs.
/// </param>
public sealed record EstimationResult(
    IReadOnlyList<ComparisonParameters> Parameters,
    int CandidatePairs,
    int RandomPairs,
    double MatchShare,
    int Iterations,
    bool Converged,
    IReadOnlyList<string> NotEstimated);

/// <summary>
/// Estimates m and u from the records themselves, unsupervised, the way Splink does: u from random pairs
/// (almost all two different people), then m by expectation–maximisation over the pairs blocking finds,
/// with u held fixed so EM has one job. Estimating m over every candidate pair at once fails: pairs found by
/// sharing a postcode are mostly neighbours, whose address agreement u (from random pairs) calls near-impossible,
/// so EM takes them all for matches. Hence one session per blocking rule, leaving out the field it blocked on.
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
        var randomPairList = new List<(int, int)>(randomPairs);
        for (var n = 0; n < randomPairs; n++)
        {
            var i = random.Next(records.Count);
            var j = random.Next(records.Count - 1);
            if (j >= i)
            {
                j++;
            }

            randomPairList.Add((i, j));
        }

        var randomVectors = Vectors(records, randomPairList, scheme: null);
        var withU = ExpectationMaximisation.EstimateU(randomVectors, start.Comparisons);

        // m by EM, twice, the way Splink does: once over pairs blocked on date of birth, once over pairs blocked on
        // postcode. A field a session blocked on agrees in (almost) every one of its pairs, matches or not, so it is
        // left out of that session's likelihood and its m is taken from the other session. A session with no pairs
        // (records with no postcode, or none in a form blocking reads) leaves its fields to the other.
        var birthDatePairs = CandidatePairs(records, BlockingKeys.DefaultMaximumBlockSize, "dob:");
        var postcodePairs = CandidatePairs(records, BlockingKeys.DefaultMaximumBlockSize, "pc:");
        var byBirthDate = Session(records, birthDatePairs, MatchFields.DateOfBirthIndex, withU, scheme: null);
        var byPostcode = Session(records, postcodePairs, MatchFields.AddressIndex, withU, scheme: null);
        if (byBirthDate is null && byPostcode is null)
        {
            throw new ArgumentException(
                "No two records share a date of birth or a postcode: there are no candidate pairs to estimate m from.", nameof(records));
        }

        var notEstimated = new List<string>();
        if (byBirthDate is null)
        {
            notEstimated.Add("no two records share a date of birth: m estimated over pairs sharing a postcode only");
        }

        if (byPostcode is null)
        {
            notEstimated.Add("no two records share a postcode: m estimated over pairs sharing a date of birth only");
        }

        var parameters = withU.Select((comparison, c) =>
        {
            List<SessionResult> from = c switch
            {
                MatchFields.DateOfBirthIndex => [.. new[] { byPostcode }.OfType<SessionResult>()],
                MatchFields.AddressIndex => [.. new[] { byBirthDate }.OfType<SessionResult>()],
                _ => [.. new[] { byBirthDate, byPostcode }.OfType<SessionResult>()],
            };
            if (from.Count == 0)
            {
                notEstimated.Add($"{comparison.Comparison}: m kept as it started (only pairs found the other way estimate it, and there were none); u estimated");
                return comparison;
            }

            var estimated = from.Count == 1 ? from[0].Result.Parameters[c] : Average(from[0].Result.Parameters[c], from[1].Result.Parameters[c]);
            return KeepUnseenLevels(estimated, start.Comparisons[c], from.Aggregate(0UL, (seen, session) => seen | session.Seen[c]));
        }).ToList();
        var schemes = records.SelectMany(r => r.SchemeIdentifiers).Select(i => PairComparer.SchemeOf(i).ToString()).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        foreach (var scheme in schemes)
        {
            parameters.Add(EstimateScheme(scheme));
        }

        var sessions = new[] { byBirthDate, byPostcode }.OfType<SessionResult>().ToList();
        return new EstimationResult(
            parameters,
            sessions.Sum(session => session.Pairs),
            randomVectors.Count,
            sessions[0].Result.Lambda,
            sessions.Sum(session => session.Result.Iterations),
            sessions.All(session => session.Result.Converged),
            notEstimated);

        // A named scheme's own m and u: the same pairs compared again with the identifier slot holding that scheme's
        // level alone, u from the random pairs and m by EM over the candidate pairs, as for every comparison.
        ComparisonParameters EstimateScheme(string scheme)
        {
            var name = MatchFields.SchemeComparison(scheme.AsSpan(0, scheme.Length - 1));
            var identifier = withU[MatchFields.IdentifierIndex] with { Comparison = name };
            var schemeRandom = Vectors(records, randomPairList, scheme);
            if (schemeRandom.Any(v => v[MatchFields.IdentifierIndex] != Levels.Missing))
            {
                identifier = ExpectationMaximisation.EstimateU(schemeRandom, start.Comparisons)[MatchFields.IdentifierIndex] with { Comparison = name };
            }
            else
            {
                notEstimated.Add($"{name}: no random pair of records both hold it; u kept as the identifier comparison's");
            }

            var schemeStart = withU.Select((c, i) => i == MatchFields.IdentifierIndex ? identifier : c).ToList();
            var from = new[]
            {
                Session(records, birthDatePairs, MatchFields.DateOfBirthIndex, schemeStart, scheme),
                Session(records, postcodePairs, MatchFields.AddressIndex, schemeStart, scheme),
            }.OfType<SessionResult>().Where(session => (session.Seen[MatchFields.IdentifierIndex] & ~1UL) != 0).ToList();
            if (from.Count == 0)
            {
                notEstimated.Add($"{name}: no candidate pair of records both hold it; m kept as the identifier comparison's");
                return identifier with { Levels = [.. identifier.Levels.Zip(parameters[MatchFields.IdentifierIndex].Levels, (u, m) => u with { M = m.M })] };
            }

            var estimated = from.Count == 1
                ? from[0].Result.Parameters[MatchFields.IdentifierIndex]
                : Average(from[0].Result.Parameters[MatchFields.IdentifierIndex], from[1].Result.Parameters[MatchFields.IdentifierIndex]);
            return KeepUnseenLevels(estimated, identifier, from.Aggregate(0UL, (seen, session) => seen | session.Seen[MatchFields.IdentifierIndex])) with { Comparison = name };
        }
    }

    private sealed record SessionResult(EmResult Result, int Pairs, ulong[] Seen);

    /// <summary>One EM session over the pairs sharing a blocking key of one kind; null when no pair does.</summary>
    /// <param name="scheme">When given, the identifier slot compares this named scheme alone.</param>
    private static SessionResult? Session(
        IReadOnlyList<NormalisedRecord> records, List<(int, int)> pairs, int blockedComparison, IReadOnlyList<ComparisonParameters> start, string? scheme)
    {
        var vectors = Vectors(records, pairs, scheme);
        if (vectors.Count == 0)
        {
            return null;
        }

        // Which levels of each comparison the session saw at all (a bit per level).
        var seen = new ulong[start.Count];
        foreach (var vector in vectors)
        {
            vector[blockedComparison] = Levels.Missing;
            for (var c = 0; c < vector.Length; c++)
            {
                seen[c] |= 1UL << vector[c];
            }
        }

        return new SessionResult(ExpectationMaximisation.Estimate(vectors, start, startLambda: 0.5, new EmOptions(FixU: true)), vectors.Count, seen);
    }

    /// <summary>At or below this, a u estimate is EM's floor: random pairs never showed the level either.</summary>
    private const double UnseenU = 2e-6;

    /// <summary>
    /// A level no candidate pair showed (e-mails held by one source only never agree across sources) has no
    /// estimate, only EM's floor: it keeps its starting m (and its starting u, when random pairs never showed it
    /// either), and the estimated levels share what is left.
    /// </summary>
    private static ComparisonParameters KeepUnseenLevels(ComparisonParameters estimated, ComparisonParameters start, ulong seen)
    {
        var unseen = Enumerable.Range(1, estimated.Levels.Count - 1).Where(level => (seen & (1UL << level)) == 0).ToList();
        if (unseen.Count == 0 || unseen.Count == estimated.Levels.Count - 1)
        {
            return unseen.Count == 0 ? estimated : start with { Levels = [.. start.Levels.Zip(estimated.Levels, (s, e) => s with { U = e.U })] };
        }

        var kept = unseen.Sum(level => start.Levels[level].M);
        var seenTotal = estimated.Levels.Skip(1).Where((_, i) => !unseen.Contains(i + 1)).Sum(l => l.M);
        return estimated with
        {
            Levels = [.. estimated.Levels.Select((l, level) => level == 0 ? l
                : unseen.Contains(level) ? l with { M = start.Levels[level].M, U = l.U <= UnseenU ? start.Levels[level].U : l.U }
                : l with { M = l.M / seenTotal * (1 - kept) })],
        };
    }

    private static ComparisonParameters Average(ComparisonParameters a, ComparisonParameters b) =>
        a with
        {
            Levels = [.. a.Levels.Zip(b.Levels, (x, y) => x.Level == MatchModel.MissingLevel ? x : x with { M = (x.M + y.M) / 2 })],
        };

    /// <summary>The comparison vectors of every distinct pair that shares a blocking key (blocks over the size cap skipped).</summary>
    /// <param name="keyPrefix">Only blocking keys with this prefix (e.g. <c>dob:</c>); all when null.</param>
    public static IReadOnlyList<byte[]> CandidateVectors(
        IReadOnlyList<NormalisedRecord> records, int maximumBlockSize = BlockingKeys.DefaultMaximumBlockSize, string? keyPrefix = null)
    {
        ArgumentNullException.ThrowIfNull(records);
        return Vectors(records, CandidatePairs(records, maximumBlockSize, keyPrefix), scheme: null);
    }

    /// <summary>Every distinct pair of records that shares a blocking key, by index.</summary>
    private static List<(int, int)> CandidatePairs(IReadOnlyList<NormalisedRecord> records, int maximumBlockSize, string? keyPrefix)
    {
        var blocks = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < records.Count; i++)
        {
            foreach (var key in BlockingKeys.For(records[i]))
            {
                if (keyPrefix is not null && !key.StartsWith(keyPrefix, StringComparison.Ordinal))
                {
                    continue;
                }

                if (!blocks.TryGetValue(key, out var block))
                {
                    block = [];
                    blocks[key] = block;
                }

                block.Add(i);
            }
        }

        var seen = new HashSet<long>();
        var pairs = new List<(int, int)>();
        // The same caps as linking uses, so the pairs estimated over are the pairs that get scored.
        foreach (var block in blocks.Where(b => b.Value.Count > 1 && b.Value.Count <= BlockingKeys.MaximumBlockSize(b.Key, maximumBlockSize)).Select(b => b.Value))
        {
            for (var x = 0; x < block.Count; x++)
            {
                for (var y = x + 1; y < block.Count; y++)
                {
                    if (seen.Add(((long)block[x] << 32) | (uint)block[y]))
                    {
                        pairs.Add((block[x], block[y]));
                    }
                }
            }
        }

        return pairs;
    }

    /// <param name="scheme">When given (<c>council-tax-account|</c>), the identifier slot compares this named scheme alone.</param>
    private static List<byte[]> Vectors(IReadOnlyList<NormalisedRecord> records, List<(int, int)> pairs, string? scheme)
    {
        var vectors = new List<byte[]>(pairs.Count);
        foreach (var (i, j) in pairs)
        {
            var levels = new byte[MatchFields.Count];
            PairComparer.Compare(records[i], records[j], levels);
            if (scheme is not null)
            {
                levels[MatchFields.IdentifierIndex] = PairComparer.CompareScheme(records[i], records[j], scheme);
            }

            vectors.Add(levels);
        }

        return vectors;
    }
}
