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

    /// <summary>
    /// One record's source says how old everyone it holds is (16 or over on the electoral register) and the other
    /// record's date of birth, or its source, says the person cannot have been: a child is on no electoral register.
    /// </summary>
    ImpossibleAge,

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
/// <param name="SameSchemeIdentifier">
/// An identifier of a scheme the sources name agrees. Not a rule that links on its own (such a scheme is kept less
/// carefully than an NI number), but, like one, it outweighs a given name or a date of birth that disagrees.
/// </param>
public readonly record struct PairFacts(bool Swapped, bool SameIdentifier, Veto Veto, bool PersonalAgreement = false, bool SameSchemeIdentifier = false)
{
    /// <summary>A veto that even an agreeing identifier cannot lift: a different identifier or suffix.</summary>
    public bool HardVeto => Veto is Veto.DifferentNiNumber or Veto.DifferentNhsNumber or Veto.DifferentSuffix;

    /// <summary>Whether the pair may be linked at all (by the rule or by weight).</summary>
    public bool Linkable => Veto == Veto.None || (LiftsSoftVetoes && !HardVeto);

    /// <summary>An agreeing identifier, of any scheme: it outweighs a soft veto (a given name or date of birth that disagrees).</summary>
    public bool LiftsSoftVetoes => SameIdentifier || SameSchemeIdentifier;
}

/// <summary>
/// Compares two normalised records field by field into a comparison vector (one level per comparison),
/// and finds the facts that forbid a link. Pure and allocation-free: it runs millions of times a second.
/// </summary>
/// <remarks>
/// It reads each record's <see cref="ComparisonProfile"/> first (names, dates, postcodes and identifiers packed into
/// the record) and its strings and lists only when the profile can't answer: against a million golden records the
/// cost of a pair was the cache misses of following those pointers, not the comparing.
/// </remarks>
public static class PairComparer
{
    /// <summary>Jaro–Winkler similarity at or above which two names are spelling variants.</summary>
    public const double CloseNameSimilarity = 0.9;

    // Room for a packed key's characters (PackedKey holds at most ten).
    private const int KeyBuffer = 10;

    public static PairFacts Compare(NormalisedRecord a, NormalisedRecord b, Span<byte> levels)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (levels.Length < MatchFields.Count)
        {
            throw new ArgumentException($"The comparison vector needs {MatchFields.Count} places.", nameof(levels));
        }

        ref readonly var pa = ref a.Profile;
        ref readonly var pb = ref b.Profile;
        var swapped = IsSwapped(a, b);
        levels[MatchFields.GivenNameIndex] = swapped ? (PackedKey.Equal(pa.Given, pb.Family, a.GivenKey, b.FamilyKey) ? Levels.GivenExact : Levels.GivenClose) : CompareGiven(a, b);
        levels[MatchFields.MiddleNamesIndex] = swapped || levels[MatchFields.GivenNameIndex] == Levels.GivenOther || pa.GivenNameCount < 2 || pb.GivenNameCount < 2
            ? Levels.Missing
            : CompareMiddleNames(a.GivenKeys, b.GivenKeys);
        levels[MatchFields.FamilyNameIndex] = swapped ? (PackedKey.Equal(pa.Family, pb.Given, a.FamilyKey, b.GivenKey) ? Levels.FamilyExact : Levels.FamilyClose) : CompareFamily(a, b);
        levels[MatchFields.DateOfBirthIndex] = CompareDates(pa.DateOfBirth, pb.DateOfBirth);
        levels[MatchFields.AddressIndex] = CompareAddresses(a, b);
        levels[MatchFields.NiNumberIndex] = CompareExact(pa.Ni, pb.Ni, a, b, static r => r.NiNumber);
        levels[MatchFields.NhsNumberIndex] = CompareExact(pa.Nhs, pb.Nhs, a, b, static r => r.NhsNumber);
        levels[MatchFields.EmailIndex] = CompareAny(pa.EmailCount, pb.EmailCount, pa.EmailBits, pb.EmailBits, a, b, static r => r.Emails);
        levels[MatchFields.PhoneIndex] = CompareAny(pa.PhoneCount, pb.PhoneCount, pa.PhoneBits, pb.PhoneBits, a, b, static r => r.Phones);
        levels[MatchFields.IdentifierIndex] = pa.SchemeIdentifierCount == 0 || pb.SchemeIdentifierCount == 0 ? Levels.Missing : CompareSchemes(a, b);

        var sameIdentifier = levels[MatchFields.NiNumberIndex] == Levels.Exact || levels[MatchFields.NhsNumberIndex] == Levels.Exact;
        var personal = HasPersonalAgreement(levels);
        var veto = levels[MatchFields.NhsNumberIndex] == Levels.Different ? Veto.DifferentNhsNumber
            : levels[MatchFields.NiNumberIndex] == Levels.Different ? Veto.DifferentNiNumber
            : pa.HasSuffix && pb.HasSuffix && !string.Equals(a.Suffix, b.Suffix, StringComparison.OrdinalIgnoreCase) ? Veto.DifferentSuffix
            : levels[MatchFields.DateOfBirthIndex] == Levels.DobDifferent ? Veto.DifferentDateOfBirth
            : (pa.HasBirthWindow || pb.HasBirthWindow) && !CouldBeOneAge(in pa, in pb) ? Veto.ImpossibleAge
            : levels[MatchFields.GivenNameIndex] == Levels.GivenDifferent ? Veto.DifferentGivenName
            : levels[MatchFields.MiddleNamesIndex] == Levels.Different ? Veto.DifferentMiddleNames
            : !personal && pa.SourceHash == pb.SourceHash && a.SourceSystem == b.SourceSystem ? Veto.SameSourceWithoutPersonalEvidence
            : Veto.None;
        return new PairFacts(swapped, sameIdentifier, veto, personal, levels[MatchFields.IdentifierIndex] == Levels.Exact);
    }

    /// <summary>
    /// Whether one person could be born on a day both records allow: each one's date of birth (a whole year or month
    /// when that is all it has) and each one's window from what its source says of everyone's age.
    /// </summary>
    private static bool CouldBeOneAge(in ComparisonProfile a, in ComparisonProfile b)
    {
        if (Math.Max(a.BornFrom, b.BornFrom) > Math.Min(a.LatestBirthDay, b.LatestBirthDay))
        {
            return false;
        }

        // A date of birth outside the other's window; the two dates against each other are the date comparison's.
        return Fits(a.DateOfBirth, b) && Fits(b.DateOfBirth, a);

        static bool Fits(int packedDate, in ComparisonProfile window)
        {
            if (packedDate == 0 || !window.HasBirthWindow)
            {
                return true;
            }

            var (earliest, latest) = ComparisonProfile.Days(packedDate);
            return latest >= window.BornFrom && earliest <= window.LatestBirthDay;
        }
    }

    /// <summary>Agreement on something only one person has: a date of birth (allowing a typing error), an identifier, an e-mail or a phone.</summary>
    private static bool HasPersonalAgreement(ReadOnlySpan<byte> levels) =>
        levels[MatchFields.DateOfBirthIndex] is Levels.DobExact or Levels.DobSwapped or Levels.DobOneDigit
        || levels[MatchFields.NiNumberIndex] == Levels.Exact
        || levels[MatchFields.NhsNumberIndex] == Levels.Exact
        || levels[MatchFields.EmailIndex] == Levels.Exact
        || levels[MatchFields.PhoneIndex] == Levels.Exact
        || levels[MatchFields.IdentifierIndex] == Levels.Exact;

    /// <summary>
    /// Given and family names that agree only crosswise (<c>John Smith</c> and <c>Smith John</c>), one of them
    /// allowing a spelling error (<c>Smith Jhon</c>): a swap is a slip of one form, the typo a second, separate one.
    /// </summary>
    private static bool IsSwapped(NormalisedRecord a, NormalisedRecord b)
    {
        ref readonly var pa = ref a.Profile;
        ref readonly var pb = ref b.Profile;
        if (pa.Given == PackedKey.None || pa.Family == PackedKey.None || pb.Given == PackedKey.None || pb.Family == PackedKey.None
            || PackedKey.Equal(pa.Given, pa.Family, a.GivenKey, a.FamilyKey) || PackedKey.Equal(pa.Given, pb.Given, a.GivenKey, b.GivenKey))
        {
            return false;
        }

        var givenIsFamily = PackedKey.Equal(pa.Given, pb.Family, a.GivenKey, b.FamilyKey);
        var familyIsGiven = PackedKey.Equal(pa.Family, pb.Given, a.FamilyKey, b.GivenKey);
        if (!givenIsFamily && !familyIsGiven)
        {
            return false;
        }

        Span<char> buffers = stackalloc char[2 * KeyBuffer];
        return givenIsFamily
            ? familyIsGiven || AreClose(PackedKey.Text(pa.Family, a.FamilyKey, buffers[..KeyBuffer]), PackedKey.Text(pb.Given, b.GivenKey, buffers[KeyBuffer..]))
            : AreClose(PackedKey.Text(pa.Given, a.GivenKey, buffers[..KeyBuffer]), PackedKey.Text(pb.Family, b.FamilyKey, buffers[KeyBuffer..]));
    }

    public static byte CompareGiven(NormalisedRecord a, NormalisedRecord b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ref readonly var pa = ref a.Profile;
        ref readonly var pb = ref b.Profile;
        if (pa.Given == PackedKey.None || pb.Given == PackedKey.None)
        {
            return Levels.Missing;
        }

        if (PackedKey.Equal(pa.Given, pb.Given, a.GivenKey, b.GivenKey))
        {
            return Levels.GivenExact;
        }

        Span<char> buffers = stackalloc char[2 * KeyBuffer];
        var x = PackedKey.Text(pa.Given, a.GivenKey, buffers[..KeyBuffer]);
        var y = PackedKey.Text(pb.Given, b.GivenKey, buffers[KeyBuffer..]);
        var remember = NameRelations.CanRemember(pa.Given, pb.Given);
        if (!remember || !NameRelations.TryGet(NameRelations.Given, pa.Given, pb.Given, out var relation))
        {
            // Two names the table holds on different lines are two names however alike they look (twins Carol and
            // Caroline); a close spelling stands for a typing error only where one of them is not a known name.
            var (xKnown, yKnown) = (Nicknames.IsKnown(x), Nicknames.IsKnown(y));
            relation = Nicknames.AreEquivalent(x, y) ? Levels.GivenNickname
                : !(xKnown && yKnown) && (AreClose(x, y) || (!xKnown && IsMistypedNickname(x, y)) || (!yKnown && IsMistypedNickname(y, x))) ? Levels.GivenClose
                : Levels.GivenDifferent;
            if (remember)
            {
                NameRelations.Set(NameRelations.Given, pa.Given, pb.Given, relation);
            }
        }

        if (relation != Levels.GivenDifferent)
        {
            return relation;
        }

        // Only a record with more than one given name can hold the other's first (its own first is not the other's).
        if ((pa.GivenNameCount > 1 && Contains(a.GivenKeys, y)) || (pb.GivenNameCount > 1 && Contains(b.GivenKeys, x)))
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
        ref readonly var pa = ref a.Profile;
        ref readonly var pb = ref b.Profile;
        if (pa.Family == PackedKey.None || pb.Family == PackedKey.None)
        {
            return Levels.Missing;
        }

        if (PackedKey.Equal(pa.Family, pb.Family, a.FamilyKey, b.FamilyKey))
        {
            return Levels.FamilyExact;
        }

        Span<char> buffers = stackalloc char[2 * KeyBuffer];
        var x = PackedKey.Text(pa.Family, a.FamilyKey, buffers[..KeyBuffer]);
        var y = PackedKey.Text(pb.Family, b.FamilyKey, buffers[KeyBuffer..]);
        if ((pa.PreviousFamilyCount > 0 || pb.PreviousFamilyCount > 0)
            && (Contains(b.PreviousFamilyKeys, x) || Contains(a.PreviousFamilyKeys, y) || Intersect(a.PreviousFamilyKeys, b.PreviousFamilyKeys)))
        {
            return Levels.FamilyPrevious;
        }

        var remember = NameRelations.CanRemember(pa.Family, pb.Family);
        if (!remember || !NameRelations.TryGet(NameRelations.Family, pa.Family, pb.Family, out var relation))
        {
            relation = IsPart(x, y) || IsPart(y, x) ? Levels.FamilyPart
                : AreClose(x, y) ? Levels.FamilyClose
                : Levels.FamilyDifferent;
            if (remember)
            {
                NameRelations.Set(NameRelations.Family, pa.Family, pb.Family, relation);
            }
        }

        if (relation != Levels.FamilyDifferent)
        {
            return relation;
        }

        return pa.FamilyPhonetic != PackedKey.None && PackedKey.Equal(pa.FamilyPhonetic, pb.FamilyPhonetic, a.FamilyPhonetic, b.FamilyPhonetic)
            ? Levels.FamilyPhonetic
            : Levels.FamilyDifferent;
    }

    public static byte CompareDates(Contracts.PartialDate? a, Contracts.PartialDate? b) =>
        CompareDates(ComparisonProfile.PackDate(a), ComparisonProfile.PackDate(b));

    /// <summary>Dates packed by <see cref="ComparisonProfile.PackDate"/>.</summary>
    private static byte CompareDates(int a, int b)
    {
        if (a == 0 || b == 0)
        {
            return Levels.Missing;
        }

        int ay = a >> 9, am = (a >> 5) & 0xF, ad = a & 0x1F;
        int by = b >> 9, bm = (b >> 5) & 0xF, bd = b & 0x1F;
        if (am != 0 && ad != 0 && bm != 0 && bd != 0)
        {
            if (a == b)
            {
                return Levels.DobExact;
            }

            if (ay == by && am == bd && ad == bm)
            {
                return Levels.DobSwapped;
            }

            if (OneDigitApart(Digits(ay, am, ad), Digits(by, bm, bd)))
            {
                return Levels.DobOneDigit;
            }

            return ay != by ? Levels.DobDifferent : am == bm ? Levels.DobYearMonth : Levels.DobYear;
        }

        // A partial date agrees as far as both go.
        if (ay != by)
        {
            return Levels.DobDifferent;
        }

        return am != 0 && bm != 0 && am == bm ? Levels.DobYearMonth : Levels.DobYear;
    }

    public static byte CompareAddresses(NormalisedAddress? a, NormalisedAddress? b) =>
        CompareAddresses(WithAddress(a), WithAddress(b));

    private static byte CompareAddresses(NormalisedRecord a, NormalisedRecord b)
    {
        ref readonly var pa = ref a.Profile;
        ref readonly var pb = ref b.Profile;
        if (!pa.HasAddress || !pb.HasAddress)
        {
            return Levels.Missing;
        }

        if (pa.Uprn != PackedKey.None && pb.Uprn != PackedKey.None && PackedKey.Equal(pa.Uprn, pb.Uprn, a.Address!.Uprn, b.Address!.Uprn))
        {
            return Levels.AddressUprn;
        }

        var premises = ComparePremises(a, b);
        if (pa.Postcode != PackedKey.None && pb.Postcode != PackedKey.None)
        {
            if (PackedKey.Equal(pa.Postcode, pb.Postcode, a.Address!.Postcode, b.Address!.Postcode))
            {
                // Two UPRNs that differ are two properties, whatever the lines say.
                var differentUprn = pa.Uprn != PackedKey.None && pb.Uprn != PackedKey.None;
                return differentUprn || premises < 0 ? Levels.AddressOtherPremises
                    : premises > 0 ? Levels.AddressPremises
                    : Levels.AddressPostcode;
            }

            var sameOutward = pa.Postcode == PackedKey.Unpacked || pb.Postcode == PackedKey.Unpacked
                ? Outward(a.Address!.Postcode!).SequenceEqual(Outward(b.Address!.Postcode!))
                : pa.OutwardLength == pb.OutwardLength && PackedKey.SamePrefix(pa.Postcode, pb.Postcode, pa.OutwardLength);
            return sameOutward ? Levels.AddressOutward : Levels.AddressDifferent;
        }

        // No postcode on one side: the street and premises can still agree.
        if (a.Address!.StreetKey is { } sa && b.Address!.StreetKey is { } sb)
        {
            return sa == sb && premises > 0 ? Levels.AddressPremises : sa == sb ? Levels.AddressOutward : Levels.AddressDifferent;
        }

        return Levels.Missing;
    }

    /// <summary>A record holding only an address, to compare two addresses on their own.</summary>
    private static NormalisedRecord WithAddress(NormalisedAddress? address) =>
        new() { SourceSystem = string.Empty, SourceKey = string.Empty, ObservedAt = default, Address = address };

    /// <summary>1 when flat and house (number or name) agree, -1 when either is known on both sides and differs, 0 when unknown.</summary>
    private static int ComparePremises(NormalisedRecord a, NormalisedRecord b)
    {
        ref readonly var pa = ref a.Profile;
        ref readonly var pb = ref b.Profile;
        if ((pa.Flat != PackedKey.None || pb.Flat != PackedKey.None) && !PackedKey.Equal(pa.Flat, pb.Flat, a.Address!.Flat, b.Address!.Flat))
        {
            // Flat 14A and Flat 14C, or a flat and the whole house: never the same premises.
            return pa.Flat != PackedKey.None && pb.Flat != PackedKey.None ? -1 : 0;
        }

        if (pa.House != PackedKey.None && pb.House != PackedKey.None)
        {
            return PackedKey.Equal(pa.House, pb.House, a.Address!.HouseNumber, b.Address!.HouseNumber) ? 1 : -1;
        }

        if (pa.Building != PackedKey.None && pb.Building != PackedKey.None)
        {
            return PackedKey.Equal(pa.Building, pb.Building, a.Address!.BuildingKey, b.Address!.BuildingKey) ? 1 : -1;
        }

        return 0;
    }

    private static ReadOnlySpan<char> Outward(string postcode)
    {
        var space = postcode.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? postcode : postcode.AsSpan(0, space);
    }

    private static byte CompareExact(ulong x, ulong y, NormalisedRecord a, NormalisedRecord b, Func<NormalisedRecord, string?> value) =>
        x == PackedKey.None || y == PackedKey.None ? Levels.Missing
        : PackedKey.Equal(x, y, value(a), value(b)) ? Levels.Exact
        : Levels.Different;

    /// <summary>Lists compared by their bits first: bits that don't meet mean no value in common, without reading either list.</summary>
    private static byte CompareAny(byte xCount, byte yCount, ulong xBits, ulong yBits, NormalisedRecord a, NormalisedRecord b, Func<NormalisedRecord, IReadOnlyList<string>> values) =>
        xCount == 0 || yCount == 0 ? Levels.Missing
        : (xBits & yBits) != 0 && Intersect(values(a), values(b)) ? Levels.Exact
        : Levels.Different;

    /// <summary>A spelling error in a pet form of the other name (<c>JNNY</c> for <c>JENNIFER</c>).</summary>
    private static bool IsMistypedNickname(ReadOnlySpan<char> mistyped, ReadOnlySpan<char> name)
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

    private static bool AreClose(ReadOnlySpan<char> x, ReadOnlySpan<char> y)
    {
        if (Math.Min(x.Length, y.Length) < 3)
        {
            return false;
        }

        return StringSimilarity.JaroWinkler(x, y) >= CloseNameSimilarity
            || (Math.Min(x.Length, y.Length) >= 5 && StringSimilarity.DamerauLevenshtein(x, y, 1) <= 1);
    }

    /// <summary>One part of a double-barrelled name: SMITH and SMITHJONES.</summary>
    private static bool IsPart(ReadOnlySpan<char> part, ReadOnlySpan<char> whole) =>
        part.Length >= 3 && whole.Length > part.Length + 2
        && (whole.StartsWith(part, StringComparison.Ordinal) || whole.EndsWith(part, StringComparison.Ordinal));

    private static bool Contains(IReadOnlyList<string> list, ReadOnlySpan<char> value)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i].AsSpan().SequenceEqual(value))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Exact when the two share an identifier; different when they hold one scheme and no value of it agrees; else missing.</summary>
    private static byte CompareSchemes(NormalisedRecord a, NormalisedRecord b)
    {
        if ((a.Profile.SchemeIdentifierBits & b.Profile.SchemeIdentifierBits) != 0 && Intersect(a.SchemeIdentifiers, b.SchemeIdentifiers))
        {
            return Levels.Exact;
        }

        foreach (var x in a.SchemeIdentifiers)
        {
            var scheme = SchemeOf(x);
            foreach (var y in b.SchemeIdentifiers)
            {
                if (y.AsSpan().StartsWith(scheme, StringComparison.Ordinal))
                {
                    return Levels.Different;
                }
            }
        }

        return Levels.Missing;
    }

    /// <summary>
    /// How two records compare on one named scheme (<paramref name="scheme"/> as the records' identifiers begin,
    /// <c>council-tax-account|</c>): exact when a value of it agrees, different when both hold it and none does, else missing.
    /// </summary>
    public static byte CompareScheme(NormalisedRecord a, NormalisedRecord b, ReadOnlySpan<char> scheme)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var level = Levels.Missing;
        foreach (var x in a.SchemeIdentifiers)
        {
            if (!x.AsSpan().StartsWith(scheme, StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var y in b.SchemeIdentifiers)
            {
                if (y.AsSpan().StartsWith(scheme, StringComparison.Ordinal))
                {
                    if (string.Equals(x, y, StringComparison.Ordinal))
                    {
                        return Levels.Exact;
                    }

                    level = Levels.Different;
                }
            }
        }

        return level;
    }

    /// <summary>The scheme an identifier of a named scheme is of, as the identifiers begin: <c>council-tax-account|</c>.</summary>
    public static ReadOnlySpan<char> SchemeOf(string schemeIdentifier)
    {
        ArgumentNullException.ThrowIfNull(schemeIdentifier);
        return schemeIdentifier.AsSpan(0, schemeIdentifier.IndexOf('|', StringComparison.Ordinal) + 1);
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
