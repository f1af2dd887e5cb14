namespace CitizenHub.Matching.Scoring;

/// <summary>
/// The Fellegi–Sunter model: the compared fields, their levels with m and u probabilities, and the two
/// thresholds that split candidate pairs into link, review and distinct.
/// </summary>
/// <remarks>
/// The default parameters were set from what each level means for UK council data (how often a true
/// match shows it, how often two different people do) and checked against the labelled generator; they
/// can be replaced by parameters estimated from a store's own data by EM
/// (<see cref="ExpectationMaximisation"/>, <c>citizenhub matching estimate</c>) or fixed in configuration.
/// </remarks>
public sealed record MatchModel
{
    /// <summary>The comparisons in the order <see cref="PairComparer"/> fills a comparison vector.</summary>
    public required IReadOnlyList<ComparisonParameters> Comparisons { get; init; }

    /// <summary>
    /// Named schemes with parameters of their own (<see cref="MatchFields.SchemeComparison"/>), each with the levels
    /// of <see cref="MatchFields.Identifier"/>: a council-tax account kept carefully agrees less often by chance and
    /// disagrees less often for one person than a library card. A scheme not here is weighed by the identifier
    /// comparison's parameters. <value>The default is none.</value>
    /// </summary>
    public IReadOnlyList<ComparisonParameters> Schemes { get; init; } = [];

    /// <summary>A candidate pair at or above this total weight (bits) is the same person.</summary>
    public double LinkThreshold { get; init; } = 15;

    /// <summary>A candidate pair at or above this weight but below <see cref="LinkThreshold"/> goes to a steward; below it, distinct.</summary>
    public double ReviewThreshold { get; init; } = 12;

    /// <summary>
    /// When true, a pair links only if something personal agrees (date of birth, NI or NHS number, e-mail, phone):
    /// name and address alone go to a steward however strong. A father and son of one name at one address, whose
    /// records carry no date of birth, can then never merge; the price is recall wherever sources hold no dates of
    /// birth. <value>The default is false.</value>
    /// </summary>
    public bool RequirePersonalEvidence { get; init; }

    /// <summary>
    /// A pair with nothing but a name in common (no date of birth to compare, nothing personal agreeing, another
    /// address) links only if at most this many of the records held would share the name by chance
    /// (<see cref="ExactNameWeights.ExpectedNamesakes"/>); otherwise it goes to a steward, however much the name weighs.
    /// A name's weight is fixed by how common it is, while the strangers who share it by chance grow with the records
    /// held: a name that weighs enough to link alone among fifty thousand records is expected on another record among a
    /// million. <value>The default is 1: chance alone would give the name to another record held.</value>
    /// </summary>
    public double NameAloneMaximumNamesakes { get; init; } = 1;

    /// <summary>Bits taken off when the two records' given and family names agree only once swapped.</summary>
    public double SwappedNamesPenalty { get; init; } = 1.5;

    /// <summary>
    /// The smallest term-frequency share used for an exact name agreement: a name seen once in a small
    /// store is not taken as one in a million. <value>The default is 1e-5.</value>
    /// </summary>
    public double MinimumTermFrequency { get; init; } = 1e-5;

    /// <summary>Term-frequency adjustment is applied only once this many records are held, so early counts don't mislead.</summary>
    public int TermFrequencyMinimumRecords { get; init; } = 1000;

    /// <summary>The weight of a level, by comparison and level index; 0 for the missing level.</summary>
    public double Weight(int comparison, int level) => level == 0 ? 0 : Comparisons[comparison].Levels[level].Weight;

    /// <summary>The m probability of a level.</summary>
    public double M(int comparison, int level) => Comparisons[comparison].Levels[level].M;

    /// <summary>
    /// Replaces the comparisons' parameters (e.g. with an EM estimate), keeping thresholds and settings. A comparison the
    /// parameters do not name keeps its own, so a file written before a comparison was added still reads.
    /// </summary>
    /// <remarks>
    /// A named scheme's parameters (<c>identifier:SCHEME</c>) replace that scheme's, or add it to <see cref="Schemes"/>;
    /// they have the identifier comparison's levels.
    /// </remarks>
    public MatchModel WithParameters(IReadOnlyList<ComparisonParameters> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var byName = new Dictionary<string, ComparisonParameters>(StringComparer.Ordinal);
        var identifierLevels = Comparisons.First(c => c.Comparison == MatchFields.Identifier).Levels;
        if (!parameters.All(p => byName.TryAdd(p.Comparison, p))
            || byName.Values.Any(p => IsScheme(p.Comparison)
                ? p.Comparison.Length == MatchFields.SchemePrefix.Length || !p.Levels.Select(l => l.Level).SequenceEqual(identifierLevels.Select(l => l.Level))
                : !Comparisons.Any(c => c.Comparison == p.Comparison))
            || Comparisons.Any(c => byName.TryGetValue(c.Comparison, out var given) && given.Levels.Count != c.Levels.Count))
        {
            throw new ArgumentException(
                "The parameters must name the model's comparisons, each once and with its levels (a named scheme's as identifier:NAME, with the identifier comparison's levels).",
                nameof(parameters));
        }

        var schemes = byName.Values.Where(p => IsScheme(p.Comparison)).ToList();
        return this with
        {
            Comparisons = [.. Comparisons.Select(c => byName.GetValueOrDefault(c.Comparison, c))],
            Schemes = [.. Schemes.Where(kept => !byName.ContainsKey(kept.Comparison)), .. schemes],
        };

        static bool IsScheme(string comparison) => comparison.StartsWith(MatchFields.SchemePrefix, StringComparison.Ordinal);
    }

    /// <summary>The model with the shipped default parameters.</summary>
    public static MatchModel Default { get; } = new()
    {
        Comparisons =
        [
            Comparison(MatchFields.GivenName,
                ("exact", 0.84, 0.02),
                ("nickname", 0.05, 0.002),
                ("close", 0.04, 0.002),
                ("other given name", 0.03, 0.004),
                ("initial", 0.02, 0.05),
                ("different", 0.02, 0.922)),
            Comparison(MatchFields.MiddleNames,
                ("exact", 0.9, 0.01),
                ("different", 0.1, 0.99)),
            Comparison(MatchFields.FamilyName,
                ("exact", 0.86, 0.005),
                ("previous name", 0.02, 0.0001),
                ("part", 0.01, 0.0005),
                ("close", 0.05, 0.002),
                ("phonetic", 0.01, 0.005),
                ("different", 0.05, 0.9874)),
            Comparison(MatchFields.DateOfBirth,
                ("exact", 0.9, 0.00004),
                ("day and month swapped", 0.015, 0.00004),
                ("one digit", 0.03, 0.0003),
                ("same year and month", 0.01, 0.0025),
                ("same year", 0.02, 0.012),
                ("different", 0.025, 0.98516)),
            Comparison(MatchFields.Address,
                ("same UPRN", 0.6, 0.00005),
                ("same premises", 0.2, 0.0001),
                ("same postcode", 0.05, 0.0015),
                ("same postcode, other premises", 0.005, 0.002),
                ("same outward code", 0.03, 0.07),
                ("different", 0.11, 0.98635)),
            Comparison(MatchFields.NiNumber,
                ("exact", 0.98, 0.0000001),
                ("different", 0.02, 0.9999999)),
            Comparison(MatchFields.NhsNumber,
                ("exact", 0.98, 0.0000001),
                ("different", 0.02, 0.9999999)),
            Comparison(MatchFields.Email,
                ("exact", 0.7, 0.00001),
                ("different", 0.3, 0.99999)),
            Comparison(MatchFields.Phone,
                ("exact", 0.6, 0.00001),
                ("different", 0.4, 0.99999)),
            // A scheme named by a council is kept less carefully than an NI or NHS number (a reference retyped, one
            // reissued), so disagreeing is evidence, not a veto.
            Comparison(MatchFields.Identifier,
                ("exact", 0.95, 0.000001),
                ("different", 0.05, 0.999999)),
        ],
    };

    /// <summary>The level of a comparison where either record has no value: no evidence either way (weight 0).</summary>
    public const string MissingLevel = "missing";

    private static ComparisonParameters Comparison(string name, params (string Level, double M, double U)[] levels) =>
        new(name, [new ComparisonLevelParameters(MissingLevel, 1, 1), .. levels.Select(l => new ComparisonLevelParameters(l.Level, l.M, l.U))]);
}

/// <summary>The compared fields, by name and position in a comparison vector.</summary>
public static class MatchFields
{
    public const string GivenName = "given_name";
    public const string MiddleNames = "middle_names";
    public const string FamilyName = "family_name";
    public const string DateOfBirth = "date_of_birth";
    public const string Address = "address";
    public const string NiNumber = "ni_number";
    public const string NhsNumber = "nhs_number";
    public const string Email = "email";
    public const string Phone = "phone";

    /// <summary>An identifier of a scheme a source's mapping names (a council's own reference, a passport, a foreign number).</summary>
    public const string Identifier = "identifier";

    /// <summary>How the comparison of one named scheme with parameters of its own is named: <c>identifier:council-tax-account</c>.</summary>
    public const string SchemePrefix = "identifier:";

    /// <summary>The comparison of one named scheme, by the scheme's name.</summary>
    public static string SchemeComparison(ReadOnlySpan<char> scheme) => string.Concat(SchemePrefix, scheme);

    public const int GivenNameIndex = 0;
    public const int MiddleNamesIndex = 1;
    public const int FamilyNameIndex = 2;
    public const int DateOfBirthIndex = 3;
    public const int AddressIndex = 4;
    public const int NiNumberIndex = 5;
    public const int NhsNumberIndex = 6;
    public const int EmailIndex = 7;
    public const int PhoneIndex = 8;
    public const int IdentifierIndex = 9;

    public const int Count = 10;
}
