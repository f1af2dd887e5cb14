using CitizenHub.Contracts;
using CitizenHub.Matching.Scoring;

namespace CitizenHub.Matching.Tests.Scoring;

public sealed class PairComparerTests
{
    [Theory]
    [InlineData(1950, 3, 4, 1950, 3, 4, Levels.DobExact)]
    [InlineData(1950, 3, 4, 1950, 4, 3, Levels.DobSwapped)]
    [InlineData(1950, 3, 4, 1959, 3, 4, Levels.DobOneDigit)]
    [InlineData(1950, 3, 14, 1950, 3, 31, Levels.DobYearMonth)] // two digits differ, not neighbours swapped
    [InlineData(1950, 3, 4, 1950, 3, 28, Levels.DobYearMonth)]
    [InlineData(1950, 3, 4, 1950, 11, 28, Levels.DobYear)]
    [InlineData(1950, 3, 4, 1978, 3, 4, Levels.DobDifferent)]
    public void CompareDates_Levels(int y1, int m1, int d1, int y2, int m2, int d2, byte expected)
    {
        Assert.Equal(expected, PairComparer.CompareDates(new PartialDate(y1, m1, d1), new PartialDate(y2, m2, d2)));
    }

    [Fact]
    public void CompareDates_AdjacentDigitsTransposed_IsOneDigit() =>
        Assert.Equal(Levels.DobOneDigit, PairComparer.CompareDates(new PartialDate(1985, 12, 1), new PartialDate(1958, 12, 1)));

    [Fact]
    public void CompareDates_YearOnlyAgreesAsFarAsItGoes()
    {
        Assert.Equal(Levels.DobYear, PairComparer.CompareDates(new PartialDate(1950, null, null), new PartialDate(1950, 3, 4)));
        Assert.Equal(Levels.DobDifferent, PairComparer.CompareDates(new PartialDate(1951, null, null), new PartialDate(1950, 3, 4)));
        Assert.Equal(Levels.Missing, PairComparer.CompareDates(null, new PartialDate(1950, 3, 4)));
    }

    [Fact]
    public void CompareMiddleNames_InitialAgreesWithName_DifferentNamesDisagree_OneSideWithoutIsMissing()
    {
        Assert.Equal(Levels.Exact, PairComparer.CompareMiddleNames(["JOHN", "ANDREW"], ["JOHN", "A"]));
        Assert.Equal(Levels.Different, PairComparer.CompareMiddleNames(["JOHN", "ANDREW"], ["JOHN", "PETER"]));
        Assert.Equal(Levels.Missing, PairComparer.CompareMiddleNames(["JOHN"], ["JOHN", "PETER"]));
    }

    [Theory]
    [InlineData("Jnny", "Jennifer")] // a typo in the pet form
    [InlineData("Jennifer", "Jnny")]
    [InlineData("Vikcy", "Victoria")]
    public void CompareGiven_MistypedNickname_IsClose(string a, string b) =>
        Assert.Equal(Levels.GivenClose, PairComparer.CompareGiven(Named(a, "Evans"), Named(b, "Evans")));

    [Theory]
    [InlineData("Siôn", "John")]
    [InlineData("Seán", "John")]
    [InlineData("Siân", "Jane")]
    [InlineData("Mair", "Mary")]
    [InlineData("Siobhán", "Joan")]
    [InlineData("Ieuan", "Evan")]
    [InlineData("Gruffudd", "Griffith")]
    [InlineData("Pádraig", "Patrick")]
    [InlineData("Eoghan", "Owen")]
    [InlineData("Seumas", "James")]
    public void CompareGiven_WelshIrishAndGaelicForms_AreNicknamesOfTheEnglishName(string a, string b) =>
        Assert.Equal(Levels.GivenNickname, PairComparer.CompareGiven(Named(a, "Evans"), Named(b, "Evans")));

    [Theory]
    [InlineData("Carol", "Caroline")] // each a name the table holds: twins, not a typing error
    [InlineData("Nicola", "Nicole")]
    [InlineData("Shaun", "John")] // Seán is John, but its anglicised spelling is a name of its own
    public void CompareGiven_TwoKnownNamesAlike_AreDifferent(string a, string b) =>
        Assert.Equal(Levels.GivenDifferent, PairComparer.CompareGiven(Named(a, "Evans"), Named(b, "Evans")));

    [Theory]
    [InlineData("Carolne", "Caroline")] // one of them no known name: still read as a typing error
    [InlineData("Nicolla", "Nicola")]
    public void CompareGiven_AKnownNameAndAnUnknownOneAlike_AreClose(string a, string b) =>
        Assert.Equal(Levels.GivenClose, PairComparer.CompareGiven(Named(a, "Evans"), Named(b, "Evans")));

    [Theory]
    [InlineData("Jenny", "Victoria")]
    [InlineData("Jnny", "Victoria")]
    public void CompareGiven_UnrelatedNames_StayDifferent(string a, string b) =>
        Assert.Equal(Levels.GivenDifferent, PairComparer.CompareGiven(Named(a, "Evans"), Named(b, "Evans")));

    [Fact]
    public void Compare_NamesSwappedWithATypoInOne_IsASwapWithAClosePart_NotTwoDifferentNames()
    {
        Span<byte> levels = stackalloc byte[MatchFields.Count];

        var facts = PairComparer.Compare(Named("Patricia", "Whitehouse"), Named("Whitehouse", "Patrcia", "hb"), levels);

        Assert.True(facts.Swapped);
        Assert.Equal(Veto.None, facts.Veto);
        Assert.Equal(Levels.GivenClose, levels[MatchFields.GivenNameIndex]);
        Assert.Equal(Levels.FamilyExact, levels[MatchFields.FamilyNameIndex]);
    }

    [Fact]
    public void Compare_SpousesWhoseNamesCrossOnlyByChance_AreNotASwap()
    {
        // Thomas Morgan and Sian Thomas: one name crosses exactly, the other is a different name.
        Span<byte> levels = stackalloc byte[MatchFields.Count];

        Assert.False(PairComparer.Compare(Named("Thomas", "Morgan"), Named("Sian", "Thomas", "hb"), levels).Swapped);
    }

    private static NormalisedRecord Named(string given, string family, string system = "ct") =>
        RecordNormaliser.Normalise(Source(system, given + family, null) with { Name = new PersonName(null, given, family) });

    [Fact]
    public void Compare_TwoRecordsOfOneSourceWithOnlyNameAndAddress_AreVetoed_ButNotWithABirthDateInCommon()
    {
        Span<byte> levels = stackalloc byte[MatchFields.Count];
        var a = Record("er", "1", null);
        var b = Record("er", "2", null);

        Assert.Equal(Veto.SameSourceWithoutPersonalEvidence, PairComparer.Compare(a, b, levels).Veto);
        Assert.Equal(Veto.None, PairComparer.Compare(Record("er", "1", 1960), Record("er", "2", 1960), levels).Veto);
        Assert.Equal(Veto.None, PairComparer.Compare(a, Record("ct", "2", null), levels).Veto);
    }

    [Fact]
    public void Compare_DifferentSuffixes_AreAHardVetoThatAnIdentifierCannotLift()
    {
        Span<byte> levels = stackalloc byte[MatchFields.Count];
        var senior = RecordNormaliser.Normalise(Source("ct", "1", null) with { Name = new PersonName(null, "David", "Evans", "Sr"), Identifiers = [new Identifier(IdentifierScheme.NiNumber, "JG103792A")] });
        var junior = RecordNormaliser.Normalise(Source("hb", "1", null) with { Name = new PersonName(null, "David", "Evans", "Jr"), Identifiers = [new Identifier(IdentifierScheme.NiNumber, "JG103792A")] });

        var facts = PairComparer.Compare(senior, junior, levels);

        Assert.Equal(Veto.DifferentSuffix, facts.Veto);
        Assert.True(facts.HardVeto);
        Assert.False(facts.Linkable);
    }

    // The comparer reads names, dates, postcodes and identifiers packed into each record; a value too long or too
    // unusual to pack is compared from its string. Both ways must give the same levels.
    [Theory]
    [InlineData("Christopher", "Christopher", Levels.GivenExact)] // eleven letters: not packed
    [InlineData("Christopher", "Christpoher", Levels.GivenClose)]
    [InlineData("Christopher", "Chris", Levels.GivenNickname)]
    [InlineData("Christopher", "Bartholomew", Levels.GivenDifferent)]
    [InlineData("Łukasz", "Łukasz", Levels.GivenExact)] // a letter outside A–Z: not packed
    [InlineData("Łukasz", "Lukasz", Levels.GivenClose)] // one letter apart, found from the strings
    public void CompareGiven_NamesTooLongOrUnusualToPack_CompareAsTheirStrings(string a, string b, byte expected) =>
        Assert.Equal(expected, PairComparer.CompareGiven(Named(a, "Evans"), Named(b, "Evans")));

    [Fact]
    public void CompareFamily_APairOfNamesAlreadyComparedAsGivenNames_IsWorkedOutAsFamilyNames()
    {
        // How two names relate is remembered per pair; a nickname of a given name means nothing for a family name.
        Assert.Equal(Levels.GivenNickname, PairComparer.CompareGiven(Named("Bob", "Evans"), Named("Robert", "Evans")));

        Assert.Equal(Levels.FamilyDifferent, PairComparer.CompareFamily(Named("Anne", "Bob"), Named("Anne", "Robert")));
        Assert.Equal(Levels.GivenNickname, PairComparer.CompareGiven(Named("Robert", "Evans"), Named("Bob", "Evans")));
    }

    [Fact]
    public void Compare_LongFamilyNamesSwappedWithGivenNames_IsASwap()
    {
        Span<byte> levels = stackalloc byte[MatchFields.Count];

        var facts = PairComparer.Compare(Named("Bartholomew", "Featherstonehaugh"), Named("Featherstonehaugh", "Bartholomew", "hb"), levels);

        Assert.True(facts.Swapped);
        Assert.Equal(Levels.GivenExact, levels[MatchFields.GivenNameIndex]);
        Assert.Equal(Levels.FamilyExact, levels[MatchFields.FamilyNameIndex]);
    }

    [Fact]
    public void Compare_ARecordMadeWithWith_ComparesByItsNewValues()
    {
        Span<byte> levels = stackalloc byte[MatchFields.Count];
        var john = Named("John", "Smith");
        var renamed = john with { GivenKey = "PETER", GivenKeys = ["PETER"], DateOfBirth = new PartialDate(1970, 1, 2) };

        PairComparer.Compare(renamed, Named("Peter", "Smith", "hb"), levels);
        Assert.Equal(Levels.GivenExact, levels[MatchFields.GivenNameIndex]);
        Assert.Equal(Levels.Missing, levels[MatchFields.DateOfBirthIndex]);

        PairComparer.Compare(renamed, Record("hb", "1", 1970), levels);
        Assert.Equal(Levels.DobYear, levels[MatchFields.DateOfBirthIndex]);
        Assert.Equal(Levels.GivenDifferent, PairComparer.CompareGiven(renamed, john));
    }

    [Fact]
    public void Compare_ARecordReadBackFromJson_ComparesAsTheRecordWritten()
    {
        Span<byte> written = stackalloc byte[MatchFields.Count];
        Span<byte> read = stackalloc byte[MatchFields.Count];
        var record = RecordNormaliser.Normalise(Source("ct", "1", 1960) with
        {
            Identifiers = [new Identifier(IdentifierScheme.NiNumber, "JG103792A")],
            Emails = ["david@example.org"],
        });
        var other = RecordNormaliser.Normalise(Source("hb", "2", 1960) with
        {
            Identifiers = [new Identifier(IdentifierScheme.NiNumber, "JG103792A")],
            Emails = ["d.evans@example.org", "david@example.org"],
        });

        var roundTripped = System.Text.Json.JsonSerializer.Deserialize<NormalisedRecord>(System.Text.Json.JsonSerializer.Serialize(record))!;

        var facts = PairComparer.Compare(record, other, written);
        Assert.Equal(facts, PairComparer.Compare(roundTripped, other, read));
        Assert.True(written.SequenceEqual(read));
        Assert.Equal(Levels.Exact, read[MatchFields.NiNumberIndex]);
        Assert.Equal(Levels.Exact, read[MatchFields.EmailIndex]);
        Assert.Equal(Levels.AddressPremises, read[MatchFields.AddressIndex]);
    }

    [Theory]
    [InlineData("ST16 2AB", "ST16 9ZZ", Levels.AddressOutward)]
    [InlineData("ST1 6AB", "ST16 2AB", Levels.AddressDifferent)] // ST1 is a prefix of ST16 but another outward code
    [InlineData("SW1A 1AA", "SW1A 1AA", Levels.AddressPostcode)]
    public void CompareAddresses_OutwardCodesCompareWhole(string a, string b, byte expected) =>
        Assert.Equal(expected, PairComparer.CompareAddresses(new NormalisedAddress([], null, a, null), new NormalisedAddress([], null, b, null)));

    [Theory]
    [InlineData("soc-sec-id|5304218", "soc-sec-id|5304218", Levels.Exact, true)]
    [InlineData("soc-sec-id|5304218", "soc-sec-id|5304219", Levels.Different, false)]
    [InlineData("soc-sec-id|5304218", "passport|5304218", Levels.Missing, false)] // another scheme says nothing
    [InlineData("soc-sec-id|5304218", null, Levels.Missing, false)]
    public void Compare_SchemeIdentifiers_CompareWithinTheirScheme(string a, string? b, byte expected, bool lifts)
    {
        Span<byte> levels = stackalloc byte[MatchFields.Count];
        var x = Record("ct", "1", 1980) with { SchemeIdentifiers = [a] };
        var y = Record("hb", "2", 1980) with { SchemeIdentifiers = b is null ? [] : ["housing-ref|H1", b] };

        var facts = PairComparer.Compare(x, y, levels);

        Assert.Equal(expected, levels[MatchFields.IdentifierIndex]);
        Assert.Equal(lifts, facts.LiftsSoftVetoes);
        Assert.False(facts.SameIdentifier); // not the NI/NHS rule
    }

    [Theory]
    [InlineData("4223", "4223", Levels.AddressPostcode)]
    [InlineData("4223", "4224", Levels.AddressDifferent)] // no outward code: one digit apart is another place
    [InlineData("D02 X285", "d02x285", Levels.AddressPostcode)]
    [InlineData("D02 X285", "D02 X286", Levels.AddressDifferent)]
    [InlineData("ST16 2AB", "ST16 2AB", Levels.AddressPostcode)]
    [InlineData("ST162AB", "ST16 9ZZ", Levels.AddressOutward)] // a UK postcode among them keeps its outward code
    public void CompareAddresses_PostcodesOfAnyCountry_CompareExactlyOnceFolded(string a, string b, byte expected)
    {
        static NormalisedAddress Abroad(string postcode) => RecordNormaliser.Normalise(Source("overseas", "1", null) with
        {
            Addresses = [new PostalAddress([], null, postcode) { PostcodeFormat = PostcodeFormat.Any }],
        }).Address!;

        Assert.Equal(expected, PairComparer.CompareAddresses(Abroad(a), Abroad(b)));
    }

    [Theory]
    [InlineData("100012345678", "100012345678", Levels.AddressUprn)] // twelve digits: packed as a number
    [InlineData("000012345678", "12345678", Levels.AddressOtherPremises)] // the same number, not the same UPRN
    [InlineData("100012345678", "100012345679", Levels.AddressOtherPremises)]
    public void CompareAddresses_Uprns(string a, string b, byte expected) =>
        Assert.Equal(expected, PairComparer.CompareAddresses(new NormalisedAddress([], null, "ST16 2AB", a), new NormalisedAddress([], null, "ST16 2AB", b)));

    [Theory]
    [InlineData(2021, 3, 4, true)] // a child of five: on no electoral register
    [InlineData(2010, 11, 2, true)] // sixteen on the day after the register was read
    [InlineData(2010, 11, 1, false)] // sixteen that day
    [InlineData(1980, 6, 1, false)]
    public void Compare_DateOfBirthYoungerThanTheOtherSourceSaysEveryoneIs_IsVetoed(int year, int month, int day, bool vetoed)
    {
        Span<byte> levels = stackalloc byte[MatchFields.Count];
        var elector = Aged("er", "E1", new AgeRange(16, null));
        var client = RecordNormaliser.Normalise(Source("sc", "S1", null) with { DateOfBirth = new PartialDate(year, month, day) });

        Assert.Equal(vetoed ? Veto.ImpossibleAge : Veto.None, PairComparer.Compare(elector, client, levels).Veto);
        Assert.Equal(vetoed ? Veto.ImpossibleAge : Veto.None, PairComparer.Compare(client, elector, levels).Veto);
    }

    [Theory]
    [InlineData(2010, null, false)] // born some time in 2010: could be sixteen
    [InlineData(2011, null, true)]
    [InlineData(2010, 12, true)] // born in December 2010: not sixteen on 1 November 2026
    public void Compare_PartialDateOfBirth_VetoedOnlyWhenNoDayOfItCouldBeOldEnough(int year, int? month, bool vetoed)
    {
        Span<byte> levels = stackalloc byte[MatchFields.Count];
        var client = RecordNormaliser.Normalise(Source("sc", "S1", null) with { DateOfBirth = new PartialDate(year, month, null) });

        Assert.Equal(vetoed ? Veto.ImpossibleAge : Veto.None, PairComparer.Compare(Aged("er", "E1", new AgeRange(16, null)), client, levels).Veto);
    }

    [Fact]
    public void Compare_TwoSourcesWhoseAgesCannotMeet_AreVetoed_ButAgesThatOverlapAreNot()
    {
        Span<byte> levels = stackalloc byte[MatchFields.Count];
        var child = Aged("cs", "C1", new AgeRange(null, 25));

        Assert.Equal(Veto.ImpossibleAge, PairComparer.Compare(Aged("pension", "P1", new AgeRange(66, null)), child, levels).Veto);
        Assert.Equal(Veto.None, PairComparer.Compare(Aged("er", "E1", new AgeRange(16, null)), child, levels).Veto);
        Assert.Equal(Veto.None, PairComparer.Compare(Record("ct", "T1", null), child, levels).Veto);
    }

    [Fact]
    public void Compare_ImpossibleAge_IsLiftedByAnAgreeingNhsNumber_LikeADifferentDateOfBirth()
    {
        Span<byte> levels = stackalloc byte[MatchFields.Count];
        var nhs = new Identifier(IdentifierScheme.NhsNumber, "9434765919");
        var elector = RecordNormaliser.Normalise(Source("er", "E1", null) with { AgeAtObservation = new AgeRange(16, null), Identifiers = [nhs] });
        var client = RecordNormaliser.Normalise(Source("sc", "S1", 2021) with { Identifiers = [nhs] });

        var facts = PairComparer.Compare(elector, client, levels);

        Assert.Equal(Veto.ImpossibleAge, facts.Veto);
        Assert.True(facts.Linkable);
    }

    [Theory]
    [InlineData(2001, true)] // born after the death
    [InlineData(1950, false)]
    [InlineData(null, false)]
    public void Compare_ARecordOfADeath_VetoesARecordOfSomeoneBornAfterIt(int? birthYear, bool vetoed)
    {
        Span<byte> levels = stackalloc byte[MatchFields.Count];
        var died = RecordNormaliser.Normalise(Source("deaths", "D1", null) with { DateOfDeath = new PartialDate(1990, 5, 1) });

        var facts = PairComparer.Compare(died, Record("ct", "T1", birthYear), levels);

        Assert.Equal(vetoed ? Veto.ImpossibleAge : Veto.None, facts.Veto);
    }

    [Fact]
    public void Compare_ARecordOfADeath_VetoesASourceWhoseEveryoneWasBornAfterIt()
    {
        Span<byte> levels = stackalloc byte[MatchFields.Count];
        var died = RecordNormaliser.Normalise(Source("deaths", "D1", null) with { DateOfDeath = new PartialDate(1990, 5, 1) });

        Assert.Equal(Veto.ImpossibleAge, PairComparer.Compare(died, Aged("cs", "C1", new AgeRange(null, 25)), levels).Veto);
        Assert.Equal(Veto.None, PairComparer.Compare(died, Aged("er", "E1", new AgeRange(16, null)), levels).Veto);
    }

    private static NormalisedRecord Aged(string system, string key, AgeRange age) =>
        RecordNormaliser.Normalise(Source(system, key, null) with { AgeAtObservation = age });

    private static NormalisedRecord Record(string system, string key, int? birthYear) => RecordNormaliser.Normalise(Source(system, key, birthYear));

    private static SourceRecord Source(string system, string key, int? birthYear) => new()
    {
        SourceSystem = system,
        SourceKey = key,
        ObservedAt = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero),
        Name = new PersonName(null, "David", "Evans"),
        DateOfBirth = birthYear is { } y ? new PartialDate(y, 6, 1) : null,
        Addresses = [new PostalAddress(["14 Weston Road"], "Stafford", "ST16 2AB")],
    };
}
