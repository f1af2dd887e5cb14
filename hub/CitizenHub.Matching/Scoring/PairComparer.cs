namespace CitizenHub.Matching.Scoring;

/// <summary>The level indexes of each comparison, as <see cref="MatchModel.Default"/> lists them. 0 is always missing.</summary>
public static class Levels
{
    public const byte Missing = 0;

    public const byte GivenExact = 1, GivenNickname = 2, GivenClose = 3, GivenOther = 4, GivenInitial = 5, GivenDifferent = 6;

    public const byte FamilyExact = 1, FamilyPrevious = 2, FamilyPart = 3, FamilyClose = 4, FamilyPhonetic = 5, FamilyDifferent = 6;

    public const byte DobExact = 1, DobSwapped = 2, DobOneDigit = 3, DobYearMonth = 4, DobYear = 5, DobDifferent = 6;

    public const byte AddressUprn = 1, AddressPremises = 2, AddressPostcode = 3, AddressOtherPremises = 4, AddressOutward = 5, AddressDifferent = 6;

    /// <summary>Identifiers, e-mails and phones: agree or not.</summary>
    public const byte Exact = 1, Different = 2;
}

/// <summary>Why two records can never be linked by weight alone.</summary>
public enum Veto
{
    None,

    /// <summary>Both hold a valid NI number and they differ: two people.</summary>
    DifferentNiNumber,

    /// <summary>Both hold a valid NHS number and they differ: two people.</summary>
    DifferentNhsNumber,

    /// <summary>Jr and Sr (or II and III): a parent and child of one name.</summary>
    DifferentSuffix,

    /// <summary>Both have a date of birth and they are not a plausible typing error of each other (father and son).</summary>
    DifferentDateOfBirth,

    /// <summary>Both have a given name and neither is a nickname, spelling, initial or other given name of the other (twins).</summary>
    DifferentGivenName,

    /// <summary>Both have middle names and none agrees, even as an initial or a spelling: a father and son of one first name.</summary>
    DifferentMiddleNames,

    /// <summary>
    /// Two records of one source with nothing personal agreeing (no date of birth, identifier, e-mail or phone):
    /// the source's own keys say they are two people, like a father and son of one name on one electoral register.
    /// </summary>
    SameSourceWithoutPersonalEvidence,
}

/// <summary>What comparing two records found besides the comparison vector.</summary>
/// <param name="Swapped">The given and family names agree only when one record's are swapped.</param>
/// <param name="SameIdentifier">A valid NHS or NI number agrees: the deterministic rule links them.</param>
/// <param name="PersonalAgreement">Something only one person has agrees: date of birth, identifier, e-mail or phone.</param>
public readonly record struct PairFacts(bool Swapped, bool SameIdentifier, Veto Veto, bool PersonalAgreement = false)
{
    /// <summary>A veto that even an agreeing identifier cannot lift: a different identifier or suffix.</summary>
    public bool HardVeto => Veto is Veto.DifferentNiNumber or Veto.DifferentNhsNumber or Veto.DifferentSuffix;

    /// <summary>Whether the pair may be linked at all (by the rule or by weight).</summary>
    public bool Linkable => Veto == Veto.None || (SameIdentifier && !HardVeto);
}

/// <summary>
/// Compares two normalised records field by field into a comparison vector (one level per comparison),
/// and finds the facts that forbid a link. Pure and allocation-free: it runs millions of times a second.
/// </summary>
public static class PairComparer
{
    /// <summary>Jaro–Winkler similarity at or above which two names are spelling variants.</summary>
    public const double CloseNameSimilarity = 0.9;

    public static PairFacts Compare(NormalisedRecord a, NormalisedRecord b, Span<byte> levels)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (levels.Length < MatchFields.Count)
        {
            throw new ArgumentException($"The comparison vector needs {MatchFields.Count} places.", nameof(levels));
        }

        var swapped = IsSwapped(a, b);
        levels[MatchFields.GivenNameIndex] = swapped ? (a.GivenKey == b.FamilyKey ? Levels.GivenExact : Levels.GivenClose) : CompareGiven(a, b);
        levels[MatchFields.MiddleNamesIndex] = swapped || levels[MatchFields.GivenNameIndex] == Levels.GivenOther
            ? Levels.Missing
            : CompareMiddleNames(a.GivenKeys, b.GivenKeys);
        levels[MatchFields.FamilyNameIndex] = swapped ? (a.FamilyKey == b.GivenKey ? Levels.FamilyExact : Levels.FamilyClose) : CompareFamily(a, b);
        levels[MatchFields.DateOfBirthIndex] = CompareDates(a.DateOfBirth, b.DateOfBirth);
        levels[MatchFields.AddressIndex] = CompareAddresses(a.Address, b.Address);
        levels[MatchFields.NiNumberIndex] = CompareExact(a.NiNumber, b.NiNumber);
        levels[MatchFields.NhsNumberIndex] = CompareExact(a.NhsNumber, b.NhsNumber);
        levels[MatchFields.EmailIndex] = CompareAny(a.Emails, b.Emails);
        levels[MatchFields.PhoneIndex] = CompareAny(a.Phones, b.Phones);

        var sameIdentifier = levels[MatchFields.NiNumberIndex] == Levels.Exact || levels[MatchFields.NhsNumberIndex] == Levels.Exact;
        var veto = levels[MatchFields.NhsNumberIndex] == Levels.Different ? Veto.DifferentNhsNumber
            : levels[MatchFields.NiNumberIndex] == Levels.Different ? Veto.DifferentNiNumber
            : a.Suffix is not null && b.Suffix is not null && !string.Equals(a.Suffix, b.Suffix, StringComparison.OrdinalIgnoreCase) ? Veto.DifferentSuffix
            : levels[MatchFields.DateOfBirthIndex] == Levels.DobDifferent ? Veto.DifferentDateOfBirth
            : levels[MatchFields.GivenNameIndex] == Levels.GivenDifferent ? Veto.DifferentGivenName
            : levels[MatchFields.MiddleNamesIndex] == Levels.Different ? Veto.DifferentMiddleNames
            : a.SourceSystem == b.SourceSystem && !HasPersonalAgreement(levels) ? Veto.SameSourceWithoutPersonalEvidence
            : Veto.None;
        return new PairFacts(swapped, sameIdentifier, veto, HasPersonalAgreement(levels));
    }

    /// <summary>Agreement on something only one person has: a date of birth (allowing a typing error), an identifier, an e-mail or a phone.</summary>
    private static bool HasPersonalAgreement(ReadOnlySpan<byte> levels) =>
        levels[MatchFields.DateOfBirthIndex] is Levels.DobExact or Levels.DobSwapped or Levels.DobOneDigit
        || levels[MatchFields.NiNumberIndex] == Levels.Exact
        || levels[MatchFields.NhsNumberIndex] == Levels.Exact
        || levels[MatchFields.EmailIndex] == Levels.Exact
        || levels[MatchFields.PhoneIndex] == Levels.Exact;

    /// <summary>
    /// Given and family names that agree only crosswise (<c>John Smith</c> and <c>Smith John</c>), one of them
    /// allowing a spelling error (<c>Smith Jhon</c>): a swap is a slip of one form, the typo a second, separate one.
    /// </summary>
    private static bool IsSwapped(NormalisedRecord a, NormalisedRecord b) =>
        a.GivenKey is { } ag && a.FamilyKey is { } af && b.GivenKey is { } bg && b.FamilyKey is { } bf
        && ag != af && ag != bg
        && ((ag == bf && (af == bg || AreClose(af, bg))) || (af == bg && AreClose(ag, bf)));

    public static byte CompareGiven(NormalisedRecord a, NormalisedRecord b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.GivenKey is not { } x || b.GivenKey is not { } y)
        {
            return Levels.Missing;
        }

        if (x == y)
        {
            return Levels.GivenExact;
        }

        if (Nicknames.AreEquivalent(x, y))
        {
            return Levels.GivenNickname;
        }

        if (AreClose(x, y) || IsMistypedNickname(x, y) || IsMistypedNickname(y, x))
        {
            return Levels.GivenClose;
        }

        if (Contains(a.GivenKeys, y) || Contains(b.GivenKeys, x))
        {
            // One source holds the middle name the person goes by.
            return Levels.GivenOther;
        }

        if ((x.Length == 1 && y[0] == x[0]) || (y.Length == 1 && x[0] == y[0]))
        {
            return Levels.GivenInitial;
        }

        return Levels.GivenDifferent;
    }

    /// <summary>
    /// Middle names, when both records have them: one in common agrees (many sources keep only the first given
    /// name, so a missing middle name says nothing).
    /// </summary>
    public static byte CompareMiddleNames(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count < 2 || b.Count < 2)
        {
            return Levels.Missing;
        }

        for (var i = 1; i < a.Count; i++)
        {
            for (var j = 1; j < b.Count; j++)
            {
                if (a[i] == b[j] || (a[i].Length == 1 && b[j][0] == a[i][0]) || (b[j].Length == 1 && a[i][0] == b[j][0]) || AreClose(a[i], b[j]))
                {
                    return Levels.Exact;
                }
            }
        }

        return Levels.Different;
    }

    public static byte CompareFamily(NormalisedRecord a, NormalisedRecord b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.FamilyKey is not { } x || b.FamilyKey is not { } y)
        {
            return Levels.Missing;
        }

        if (x == y)
        {
            return Levels.FamilyExact;
        }

        if (Contains(b.PreviousFamilyKeys, x) || Contains(a.PreviousFamilyKeys, y) || Intersect(a.PreviousFamilyKeys, b.PreviousFamilyKeys))
        {
            return Levels.FamilyPrevious;
        }

        if (IsPart(x, y) || IsPart(y, x))
        {
            return Levels.FamilyPart;
        }

        if (AreClose(x, y))
        {
            return Levels.FamilyClose;
        }

        return a.FamilyPhonetic is { } p && p == b.FamilyPhonetic ? Levels.FamilyPhonetic : Levels.FamilyDifferent;
    }

    public static byte CompareDates(Contracts.PartialDate? a, Contracts.PartialDate? b)
    {
        if (a is null || b is null)
        {
            return Levels.Missing;
        }

        if (a.Month is { } am && a.Day is { } ad && b.Month is { } bm && b.Day is { } bd)
        {
            if (a.Year == b.Year && am == bm && ad == bd)
            {
                return Levels.DobExact;
            }

            if (a.Year == b.Year && am == bd && ad == bm)
            {
                return Levels.DobSwapped;
            }

            if (OneDigitApart(Digits(a.Year, am, ad), Digits(b.Year, bm, bd)))
            {
                return Levels.DobOneDigit;
            }

            return a.Year != b.Year ? Levels.DobDifferent : am == bm ? Levels.DobYearMonth : Levels.DobYear;
        }

        // A partial date agrees as far as both go.
        if (a.Year != b.Year)
        {
            return Levels.DobDifferent;
        }

        return a.Month is { } pm && b.Month is { } qm
            ? pm == qm ? Levels.DobYearMonth : Levels.DobYear
            : Levels.DobYear;
    }

    public static byte CompareAddresses(NormalisedAddress? a, NormalisedAddress? b)
    {
        if (a is null || b is null)
        {
            return Levels.Missing;
        }

        if (a.Uprn is { } ua && b.Uprn is { } ub && ua == ub)
        {
            return Levels.AddressUprn;
        }

        var premises = ComparePremises(a, b);
        if (a.Postcode is { } pa && b.Postcode is { } pb)
        {
            if (pa == pb)
            {
                // Two UPRNs that differ are two properties, whatever the lines say.
                var differentUprn = a.Uprn is not null && b.Uprn is not null;
                return differentUprn || premises < 0 ? Levels.AddressOtherPremises
                    : premises > 0 ? Levels.AddressPremises
                    : Levels.AddressPostcode;
            }

            return Outward(pa).SequenceEqual(Outward(pb)) ? Levels.AddressOutward : Levels.AddressDifferent;
        }

        // No postcode on one side: the street and premises can still agree.
        if (a.StreetKey is { } sa && b.StreetKey is { } sb)
        {
            return sa == sb && premises > 0 ? Levels.AddressPremises : sa == sb ? Levels.AddressOutward : Levels.AddressDifferent;
        }

        return Levels.Missing;
    }

    /// <summary>1 when flat and house (number or name) agree, -1 when either is known on both sides and differs, 0 when unknown.</summary>
    private static int ComparePremises(NormalisedAddress a, NormalisedAddress b)
    {
        if ((a.Flat is not null || b.Flat is not null) && a.Flat != b.Flat)
        {
            // Flat 14A and Flat 14C, or a flat and the whole house: never the same premises.
            return a.Flat is not null && b.Flat is not null ? -1 : 0;
        }

        if (a.HouseNumber is { } na && b.HouseNumber is { } nb)
        {
            return na == nb ? 1 : -1;
        }

        if (a.BuildingKey is { } ba && b.BuildingKey is { } bb)
        {
            return ba == bb ? 1 : -1;
        }

        return 0;
    }

    private static ReadOnlySpan<char> Outward(string postcode)
    {
        var space = postcode.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? postcode : postcode.AsSpan(0, space);
    }

    private static byte CompareExact(string? a, string? b) =>
        a is null || b is null ? Levels.Missing : a == b ? Levels.Exact : Levels.Different;

    private static byte CompareAny(IReadOnlyList<string> a, IReadOnlyList<string> b) =>
        a.Count == 0 || b.Count == 0 ? Levels.Missing : Intersect(a, b) ? Levels.Exact : Levels.Different;

    /// <summary>A spelling error in a pet form of the other name (<c>JNNY</c> for <c>JENNIFER</c>).</summary>
    private static bool IsMistypedNickname(string mistyped, string name)
    {
        var equivalents = Nicknames.Equivalents(name);
        for (var i = 0; i < equivalents.Count; i++)
        {
            if (AreClose(mistyped, equivalents[i]))
            {
                return true;
            }
        }

        return false;
    }

    private static bool AreClose(string x, string y)
    {
        if (Math.Min(x.Length, y.Length) < 3)
        {
            return false;
        }

        return StringSimilarity.JaroWinkler(x, y) >= CloseNameSimilarity
            || (Math.Min(x.Length, y.Length) >= 5 && StringSimilarity.DamerauLevenshtein(x, y, 1) <= 1);
    }

    /// <summary>One part of a double-barrelled name: SMITH and SMITHJONES.</summary>
    private static bool IsPart(string part, string whole) =>
        part.Length >= 3 && whole.Length > part.Length + 2
        && (whole.StartsWith(part, StringComparison.Ordinal) || whole.EndsWith(part, StringComparison.Ordinal));

    private static bool Contains(IReadOnlyList<string> list, string value)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] == value)
            {
                return true;
            }
        }

        return false;
    }

    private static bool Intersect(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        for (var i = 0; i < a.Count; i++)
        {
            if (Contains(b, a[i]))
            {
                return true;
            }
        }

        return false;
    }

    private static int Digits(int year, int month, int day) => (year * 10000) + (month * 100) + day;

    /// <summary>Eight-digit dates that differ in one digit, or by two neighbouring digits swapped (typing errors).</summary>
    private static bool OneDigitApart(int x, int y)
    {
        Span<int> dx = stackalloc int[8];
        Span<int> dy = stackalloc int[8];
        for (var i = 7; i >= 0; i--)
        {
            dx[i] = x % 10;
            dy[i] = y % 10;
            x /= 10;
            y /= 10;
        }

        var first = -1;
        var differences = 0;
        for (var i = 0; i < 8; i++)
        {
            if (dx[i] != dy[i])
            {
                differences++;
                if (first < 0)
                {
                    first = i;
                }
            }
        }

        return differences == 1
            || (differences == 2 && first < 7 && dx[first] == dy[first + 1] && dx[first + 1] == dy[first]);
    }
}
