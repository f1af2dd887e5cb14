namespace CitizenHub.Matching.Scoring;

/// <summary>How often name values occur among the records held, for term-frequency adjustment.</summary>
public interface ITermFrequencies
{
    /// <summary>How many records the counts are over.</summary>
    long Total { get; }

    long FamilyCount(string familyKey);

    long GivenCount(string givenKey);
}

/// <summary>No counts: every exact name agreement weighs the model's average.</summary>
public sealed class NoTermFrequencies : ITermFrequencies
{
    public static NoTermFrequencies Instance { get; } = new();

    public long Total => 0;

    public long FamilyCount(string familyKey) => 0;

    public long GivenCount(string givenKey) => 0;
}

/// <summary>Where a candidate pair falls against the model's thresholds.</summary>
public enum MatchBand
{
    /// <summary>Two people.</summary>
    Distinct,

    /// <summary>Uncertain: a steward decides; it never merges on its own.</summary>
    Review,

    /// <summary>One person.</summary>
    Link,
}

/// <summary>The total weight of a candidate pair, what forbids or forces a link, and the band it falls in.</summary>
public readonly record struct PairScore(double Weight, PairFacts Facts, MatchBand Band);

/// <summary>
/// The weights of an exact name agreement for one record, adjusted for how common its names are:
/// sharing a rare family name is stronger evidence than sharing <c>SMITH</c>.
/// </summary>
public readonly record struct ExactNameWeights(double Given, double Family, bool GivenAdjusted, bool FamilyAdjusted)
{
    /// <summary>
    /// How many of the records held would share the record's whole name by chance: the records held times the share
    /// of its given name times that of its family name (each floored as the adjusted weights are). 0 when the names'
    /// frequencies are not known (too few records held, or a name missing): nothing is then taken to be common.
    /// </summary>
    public double ExpectedNamesakes { get; init; }
}

/// <summary>One field's part in a pair's score: the level it compared at and the weight that gave. A value: every link keeps ten.</summary>
public readonly record struct FieldWeight(string Comparison, string Level, double Weight, bool TermFrequencyAdjusted = false);

/// <summary>
/// Why two records are (or are not) one person: the total weight, the band, the deterministic rule or veto
/// that applied, and every field's weight. Kept on each link, so "why are these the same person" has an answer.
/// </summary>
public sealed record MatchExplanation(double Weight, MatchBand Band, string? Rule, string? Veto, IReadOnlyList<FieldWeight> Fields);

/// <summary>Fellegi–Sunter scoring of candidate pairs under a <see cref="MatchModel"/>.</summary>
public sealed class PairScorer
{
    /// <summary>The rule name reported when a shared valid identifier links a pair.</summary>
    public const string SameIdentifierRule = "same NHS or NI number";

    /// <summary>The rule name reported when a pair weighty enough to link is sent to a steward for having only a common name in common.</summary>
    public const string CommonNameAloneRule = "only the name in common, and too common a name";

    private readonly MatchModel _model;
    private readonly double[][] _weights;

    /// <summary>The weights of each named scheme with parameters of its own, by the scheme's name, found by a span of it.</summary>
    private readonly Dictionary<string, double[]>.AlternateLookup<ReadOnlySpan<char>> _schemeWeights;

    public PairScorer(MatchModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        _weights = [.. model.Comparisons.Select((c, i) => c.Levels.Select((_, level) => model.Weight(i, level)).ToArray())];
        _schemeWeights = model.Schemes.ToDictionary(
            s => s.Comparison[MatchFields.SchemePrefix.Length..],
            s => s.Levels.Select((l, level) => level == 0 ? 0 : l.Weight).ToArray(),
            StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public MatchModel Model => _model;

    /// <summary>The exact-agreement weights of a record's names, from the term frequencies held (once per incoming record).</summary>
    public ExactNameWeights ExactWeights(NormalisedRecord record, ITermFrequencies frequencies)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(frequencies);
        var given = _weights[MatchFields.GivenNameIndex][Levels.GivenExact];
        var family = _weights[MatchFields.FamilyNameIndex][Levels.FamilyExact];
        var adjust = frequencies.Total >= _model.TermFrequencyMinimumRecords;
        var givenAdjusted = adjust && record.GivenKey is not null;
        var familyAdjusted = adjust && record.FamilyKey is not null;
        if (givenAdjusted)
        {
            given = Adjusted(MatchFields.GivenNameIndex, Levels.GivenExact, frequencies.GivenCount(record.GivenKey!), frequencies.Total);
        }

        if (familyAdjusted)
        {
            family = Adjusted(MatchFields.FamilyNameIndex, Levels.FamilyExact, frequencies.FamilyCount(record.FamilyKey!), frequencies.Total);
        }

        return new ExactNameWeights(given, family, givenAdjusted, familyAdjusted)
        {
            ExpectedNamesakes = givenAdjusted && familyAdjusted
                ? frequencies.Total * Share(frequencies.GivenCount(record.GivenKey!), frequencies.Total) * Share(frequencies.FamilyCount(record.FamilyKey!), frequencies.Total)
                : 0,
        };
    }

    /// <summary>Scores record <paramref name="a"/> (whose exact-name weights are given) against <paramref name="b"/>.</summary>
    public PairScore Score(NormalisedRecord a, NormalisedRecord b, ExactNameWeights exact, Span<byte> levels)
    {
        var facts = PairComparer.Compare(a, b, levels);
        var weight = 0.0;
        for (var c = 0; c < MatchFields.Count; c++)
        {
            weight += c == MatchFields.IdentifierIndex ? 0 : WeightOf(c, levels[c], exact);
        }

        if (levels[MatchFields.IdentifierIndex] != Levels.Missing)
        {
            weight += SchemesWeight(a, b, explained: null);
        }

        if (facts.Swapped)
        {
            weight -= _model.SwappedNamesPenalty;
        }

        return new PairScore(weight, facts, BandOf(weight, facts, levels, exact));
    }

    /// <summary>Scores and explains a pair: every field's level and weight.</summary>
    public MatchExplanation Explain(NormalisedRecord a, NormalisedRecord b, ExactNameWeights exact)
    {
        Span<byte> levels = stackalloc byte[MatchFields.Count];
        var score = Score(a, b, exact, levels);
        return Explain(a, b, score, levels, exact);
    }

    /// <summary>
    /// Explains a pair already scored, from the comparison vector that scoring filled (no second comparison of the
    /// fields; the named schemes the two share are compared again, one by one, to explain each).
    /// </summary>
    public MatchExplanation Explain(NormalisedRecord a, NormalisedRecord b, PairScore score, ReadOnlySpan<byte> levels, ExactNameWeights exact)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var fields = new List<FieldWeight>(MatchFields.Count + 1);
        for (var c = 0; c < MatchFields.Count; c++)
        {
            if (c == MatchFields.IdentifierIndex)
            {
                // Each scheme the two share, under its own name. Most councils name no scheme, and a steward reading
                // every link need not be told each time that none was compared; nor need every link's stored evidence.
                if (levels[c] != Levels.Missing)
                {
                    SchemesWeight(a, b, fields);
                }

                continue;
            }

            var parameters = _model.Comparisons[c];
            var adjusted = (c == MatchFields.GivenNameIndex && levels[c] == Levels.GivenExact && exact.GivenAdjusted)
                || (c == MatchFields.FamilyNameIndex && levels[c] == Levels.FamilyExact && exact.FamilyAdjusted);
            fields.Add(new FieldWeight(parameters.Comparison, parameters.Levels[levels[c]].Level, Math.Round(WeightOf(c, levels[c], exact), 2), adjusted));
        }

        if (score.Facts.Swapped)
        {
            fields.Add(new FieldWeight("name_order", "given and family swapped", -_model.SwappedNamesPenalty));
        }

        return new MatchExplanation(
            Math.Round(score.Weight, 2),
            score.Band,
            score.Band == MatchBand.Link && score.Facts.SameIdentifier ? SameIdentifierRule
            : score.Band == MatchBand.Review && score.Weight >= _model.LinkThreshold && TooCommonAlone(score.Facts, levels, exact) ? CommonNameAloneRule
            : null,
            score.Facts.Veto == Veto.None ? null : score.Facts.Veto.ToString(),
            fields);
    }

    /// <summary>
    /// The weight of the named schemes two records share: each scheme's own, exact when a value of it agrees and
    /// different when none does, summed; each added to <paramref name="explained"/> when given.
    /// </summary>
    private double SchemesWeight(NormalisedRecord a, NormalisedRecord b, List<FieldWeight>? explained)
    {
        var total = 0.0;
        var identifiers = a.SchemeIdentifiers;
        for (var i = 0; i < identifiers.Count; i++)
        {
            var scheme = PairComparer.SchemeOf(identifiers[i]);
            // A record's identifiers are in order, so one scheme's values are together: each scheme is weighed once.
            if (i > 0 && identifiers[i - 1].AsSpan().StartsWith(scheme, StringComparison.Ordinal))
            {
                continue;
            }

            var level = PairComparer.CompareScheme(a, b, scheme);
            if (level == Levels.Missing)
            {
                continue;
            }

            var name = scheme[..^1];
            var weight = (_schemeWeights.TryGetValue(name, out var own) ? own : _weights[MatchFields.IdentifierIndex])[level];
            total += weight;
            explained?.Add(new FieldWeight(
                MatchFields.SchemeComparison(name), _model.Comparisons[MatchFields.IdentifierIndex].Levels[level].Level, Math.Round(weight, 2)));
        }

        return total;
    }

    private double WeightOf(int comparison, byte level, ExactNameWeights exact) =>
        (comparison, level) switch
        {
            (MatchFields.GivenNameIndex, Levels.GivenExact) => exact.Given,
            (MatchFields.FamilyNameIndex, Levels.FamilyExact) => exact.Family,
            _ => _weights[comparison][level],
        };

    private MatchBand BandOf(double weight, PairFacts facts, ReadOnlySpan<byte> levels, ExactNameWeights exact)
    {
        if (!facts.Linkable)
        {
            return MatchBand.Distinct;
        }

        if (facts.SameIdentifier
            || (weight >= _model.LinkThreshold && (facts.PersonalAgreement || !_model.RequirePersonalEvidence) && !TooCommonAlone(facts, levels, exact)))
        {
            return MatchBand.Link;
        }

        return weight >= _model.ReviewThreshold ? MatchBand.Review : MatchBand.Distinct;
    }

    /// <summary>
    /// A pair with nothing but a name in common, whose name the records held say too many people would share by chance
    /// (<see cref="MatchModel.NameAloneMaximumNamesakes"/>) for it to tell one person.
    /// </summary>
    private bool TooCommonAlone(PairFacts facts, ReadOnlySpan<byte> levels, ExactNameWeights exact) =>
        exact.ExpectedNamesakes > _model.NameAloneMaximumNamesakes && NamesAlone(facts, levels);

    /// <summary>log2(m / u) with u the value's share of the records held, floored so one sighting is not taken as unique.</summary>
    private double Adjusted(int comparison, int level, long count, long total) => Math.Log2(_model.M(comparison, level) / Share(count, total));

    private double Share(long count, long total) => Math.Max((double)count / total, _model.MinimumTermFrequency);

    /// <summary>
    /// Whether the names are all two records have in common: no date of birth to compare, nothing personal agreeing,
    /// and no address agreeing beyond the street (another house, another postcode, or none).
    /// </summary>
    public static bool NamesAlone(PairFacts facts, ReadOnlySpan<byte> levels) =>
        !facts.PersonalAgreement
        && levels[MatchFields.DateOfBirthIndex] == Levels.Missing
        && levels[MatchFields.AddressIndex] is Levels.Missing or Levels.AddressDifferent or Levels.AddressOutward or Levels.AddressOtherPremises;
}
