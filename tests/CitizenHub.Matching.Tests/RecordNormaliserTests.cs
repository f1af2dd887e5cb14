using CitizenHub.Contracts;

namespace CitizenHub.Matching.Tests;

public sealed class RecordNormaliserTests
{
    private static readonly DateTimeOffset Observed = new(2026, 11, 1, 2, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Normalise_TidiesNamesAndBuildsComparisonKeys()
    {
        var normalised = RecordNormaliser.Normalise(Record() with { Name = new PersonName(" MRS. ", "  MARGARET   ANN ", "O'BRIEN") });

        Assert.Equal(("Mrs", "Margaret Ann", "O'Brien"), (normalised.Title, normalised.GivenNames, normalised.FamilyName));
        Assert.Equal(("MARGARET", "OBRIEN"), (normalised.GivenKey, normalised.FamilyKey));
    }

    [Fact]
    public void Normalise_Address_PostcodeCanonicalAndLinesTidied()
    {
        var normalised = RecordNormaliser.Normalise(Record() with
        {
            Addresses = [new PostalAddress([" 14  Weston Road ", " "], "STAFFORD", "st163rz", "000100031234567")],
        });

        Assert.Equal(["14 Weston Road"], normalised.Address!.Lines);
        Assert.Equal(("Stafford", "ST16 3RZ", "100031234567"), (normalised.Address.Town, normalised.Address.Postcode, normalised.Address.Uprn));
        Assert.Equal("14 Weston Road, Stafford, ST16 3RZ", normalised.Address.OneLine);
    }

    [Fact]
    public void Normalise_PostcodeOfAnyCountry_IsKeptAsEvidence()
    {
        var normalised = RecordNormaliser.Normalise(Record() with
        {
            Addresses = [new PostalAddress(["8 Stanley Street"], "Winston Hills", "4223") { PostcodeFormat = PostcodeFormat.Any }],
        });

        Assert.Equal("4223", normalised.Address!.Postcode);
        Assert.Empty(normalised.Problems);
    }

    [Fact]
    public void Normalise_SamePostcodeFromAUkSource_IsFlaggedAndNotUsed()
    {
        var normalised = RecordNormaliser.Normalise(Record() with
        {
            Addresses = [new PostalAddress(["8 Stanley Street"], "Winston Hills", "4223")],
        });

        Assert.Null(normalised.Address!.Postcode);
        Assert.Equal(["postcode: not valid, kept raw and not used as evidence"], normalised.Problems);
    }

    [Fact]
    public void Normalise_IdentifiersOfNamedSchemes_SchemeAndValueUpperCaseWithoutSpaces_NiAndNhsLeftToTheirChecks()
    {
        var normalised = RecordNormaliser.Normalise(Record() with
        {
            Identifiers =
            [
                Identifier.OfScheme("soc-sec-id", " 530 4218 "),
                Identifier.OfScheme("housing-ref", "hr-0042"),
                Identifier.OfScheme("soc-sec-id", "5304218"),
                new Identifier(IdentifierScheme.NiNumber, "JG103792A"),
            ],
        });

        Assert.Equal(["housing-ref|HR-0042", "soc-sec-id|5304218"], normalised.SchemeIdentifiers);
        Assert.Equal("JG103792A", normalised.NiNumber);
    }

    [Fact]
    public void Normalise_PrefersCurrentResidentialAddress()
    {
        var normalised = RecordNormaliser.Normalise(Record() with
        {
            Addresses =
            [
                new PostalAddress(["1 Old Road"], null, "ST16 1AA", Kind: AddressKind.Residential, ValidTo: new DateOnly(2020, 1, 1)),
                new PostalAddress(["PO Box 9"], null, "ST16 9ZZ", Kind: AddressKind.Correspondence),
                new PostalAddress(["2 New Road"], null, "ST17 2BB", Kind: AddressKind.Residential),
            ],
        });

        Assert.Equal("ST17 2BB", normalised.Address!.Postcode);
    }

    [Theory]
    [InlineData(1975, 2, 31)]
    [InlineData(1975, 13, 1)]
    [InlineData(1850, 1, 1)]
    [InlineData(2027, 1, 1)] // after the record was observed
    public void Normalise_ImpossibleDateOfBirth_IsUnusedWithAProblemThatQuotesNoValue(int year, int month, int day)
    {
        var normalised = RecordNormaliser.Normalise(Record() with { DateOfBirth = new PartialDate(year, month, day, $"{day}/{month}/{year}") });

        Assert.Null(normalised.DateOfBirth);
        var problem = Assert.Single(normalised.Problems);
        Assert.StartsWith("date of birth:", problem, StringComparison.Ordinal);
        Assert.DoesNotContain(year.ToString(System.Globalization.CultureInfo.InvariantCulture), problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Normalise_AgeAtObservation_IsTheDaysThePersonCanHaveBeenBornBetween()
    {
        var elector = RecordNormaliser.Normalise(Record() with { DateOfBirth = null, AgeAtObservation = new AgeRange(16, null) });
        var child = RecordNormaliser.Normalise(Record() with { DateOfBirth = null, AgeAtObservation = new AgeRange(null, 25) });
        var silent = RecordNormaliser.Normalise(Record() with { DateOfBirth = null });

        Assert.Equal((null, new DateOnly(2010, 11, 1)), (elector.BornOnOrAfter, elector.BornOnOrBefore));
        Assert.Equal((new DateOnly(2001, 11, 2), null), (child.BornOnOrAfter, child.BornOnOrBefore));
        Assert.Equal((null, null), (silent.BornOnOrAfter, silent.BornOnOrBefore));
        Assert.Empty(elector.Problems);
    }

    [Fact]
    public void Normalise_DateOfBirthTheSourceSaysNoOneItHoldsCanHave_IsKeptAndFlaggedWithoutTheValue()
    {
        var elector = RecordNormaliser.Normalise(Record() with { DateOfBirth = new PartialDate(2021, 3, 4), AgeAtObservation = new AgeRange(16, null) });

        Assert.Equal(new PartialDate(2021, 3, 4), elector.DateOfBirth);
        Assert.Equal(["date of birth: not an age the source says everyone it holds is; both kept"], elector.Problems);
    }

    [Fact]
    public void Normalise_DateOfDeath_IsTheLatestThePersonCanHaveBeenBorn_TheEarlierOfItAndTheSourcesAge()
    {
        var died = RecordNormaliser.Normalise(Record() with { DateOfBirth = null, DateOfDeath = new PartialDate(2024, 9, null) });
        var elector = RecordNormaliser.Normalise(Record() with { DateOfBirth = null, DateOfDeath = new PartialDate(2024, 9, 17), AgeAtObservation = new AgeRange(16, null) });
        var recently = RecordNormaliser.Normalise(Record() with { DateOfBirth = null, DateOfDeath = new PartialDate(2026, 10, 30), AgeAtObservation = new AgeRange(16, null) });

        Assert.Equal(new PartialDate(2024, 9, null), died.DateOfDeath);
        Assert.Equal(new DateOnly(2024, 9, 30), died.BornOnOrBefore); // the last day the partial date can be
        Assert.Equal(new DateOnly(2010, 11, 1), elector.BornOnOrBefore); // 16 or over when read is the earlier
        Assert.Equal(new DateOnly(2010, 11, 1), recently.BornOnOrBefore);
        Assert.Empty(died.Problems);
    }

    [Theory]
    [InlineData(2030, 1, 1, "date of death: after the record was observed")]
    [InlineData(2024, 2, 30, "date of death: not a real date")]
    [InlineData(1940, 1, 1, "date of death: before the date of birth; both kept")]
    public void Normalise_ADateOfDeathThatCannotBe_IsFlaggedWithoutTheValue(int year, int month, int day, string expected)
    {
        var record = RecordNormaliser.Normalise(Record() with { DateOfBirth = new PartialDate(1950, 3, 4), DateOfDeath = new PartialDate(year, month, day) });

        Assert.Equal([expected], record.Problems);
        Assert.Equal(expected.EndsWith("both kept", StringComparison.Ordinal), record.DateOfDeath is not null);
    }

    [Fact]
    public void Normalise_PartialDates_AreKeptWithoutAWholeDateKey()
    {
        var yearOnly = RecordNormaliser.Normalise(Record() with { DateOfBirth = new PartialDate(1950, null, null) });
        var whole = RecordNormaliser.Normalise(Record() with { DateOfBirth = new PartialDate(1950, 3, 4) });

        Assert.Equal(1950, yearOnly.DateOfBirth!.Year);
        Assert.Null(yearOnly.DateOfBirthKey);
        Assert.Equal("1950-03-04", whole.DateOfBirthKey);
    }

    [Fact]
    public void Normalise_InvalidIdentifiers_AreNotEvidenceAndTheProblemQuotesNoValue()
    {
        var normalised = RecordNormaliser.Normalise(Record() with
        {
            Identifiers = [new Identifier(IdentifierScheme.NiNumber, "QQ 12 34 56 Z"), new Identifier(IdentifierScheme.NhsNumber, "943 476 5919")],
        });

        Assert.Null(normalised.NiNumber);
        Assert.Equal("9434765919", normalised.NhsNumber);
        var problem = Assert.Single(normalised.Problems);
        Assert.Contains("NI number", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("QQ", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Normalise_ContactDetails_EmailsLowerCasedPhonesE164InvalidDropped()
    {
        var normalised = RecordNormaliser.Normalise(Record() with
        {
            Emails = [" Margaret.Hughes@Example.ORG ", "not an email", "margaret.hughes@example.org"],
            Phones = ["07700 900123", "+44 7700 900123", "12345"],
        });

        Assert.Equal(["margaret.hughes@example.org"], normalised.Emails);
        Assert.Equal(["+447700900123"], normalised.Phones);
        Assert.Single(normalised.Problems, p => p.StartsWith("phone:", StringComparison.Ordinal));
    }

    [Fact]
    public void Normalise_TitleAndSuffixInsideNames_AreSplitOut()
    {
        var normalised = RecordNormaliser.Normalise(Record() with { Name = new PersonName(null, "MR JOHN ANDREW", "HUGHES JNR") });

        Assert.Equal(("Mr", "John Andrew", "Hughes", "Jr"), (normalised.Title, normalised.GivenNames, normalised.FamilyName, normalised.Suffix));
        Assert.Equal("HUGHES", normalised.FamilyKey);
    }

    [Fact]
    public void Normalise_SuffixField_IsCanonical() =>
        Assert.Equal("Sr", RecordNormaliser.Normalise(Record() with { Name = new PersonName(null, "John", "Hughes", "snr.") }).Suffix);

    [Fact]
    public void Normalise_GivenKeys_EveryNameFoldedHyphenatedNamesWhole()
    {
        var normalised = RecordNormaliser.Normalise(Record() with { Name = new PersonName(null, "Mary-Jane  Ann", "Hughes") });

        Assert.Equal(["MARYJANE", "ANN"], normalised.GivenKeys);
        Assert.Equal("MARYJANE", normalised.GivenKey);
    }

    [Fact]
    public void Normalise_FamilyKey_MacAndMcAgree()
    {
        var mac = RecordNormaliser.Normalise(Record() with { Name = new PersonName(null, "Ian", "MacDonald") });
        var mc = RecordNormaliser.Normalise(Record() with { Name = new PersonName(null, "Ian", "MCDONALD") });

        Assert.Equal("MCDONALD", mac.FamilyKey);
        Assert.Equal(mac.FamilyKey, mc.FamilyKey);
        Assert.Equal(("MacDonald", "McDonald"), (mac.FamilyName, mc.FamilyName)); // display keeps each source's spelling
    }

    [Fact]
    public void Normalise_PreviousFamilyNames_AreFoldedLikeTheFamilyName()
    {
        var normalised = RecordNormaliser.Normalise(Record() with
        {
            Name = new PersonName(null, "Margaret", "Hughes", PreviousFamilyNames: ["O'Brien", " ", "MacLeod", "o brien"]),
        });

        Assert.Equal(["OBRIEN", "MCLEOD"], normalised.PreviousFamilyKeys);
    }

    [Fact]
    public void Normalise_PhoneticCodes_AreDoubleMetaphonePrimaries()
    {
        var normalised = RecordNormaliser.Normalise(Record() with { Name = new PersonName(null, "Catherine Ann", "Smith") });

        Assert.Equal(("SM0", "K0RN"), (normalised.FamilyPhonetic, normalised.GivenPhonetic));
    }

    [Fact]
    public void Normalise_NoName_LeavesNameKeysEmpty()
    {
        var normalised = RecordNormaliser.Normalise(Record() with { Name = null });

        Assert.Null(normalised.GivenKey);
        Assert.Empty(normalised.GivenKeys);
        Assert.Empty(normalised.PreviousFamilyKeys);
        Assert.Equal((null, null, null), (normalised.FamilyKey, normalised.FamilyPhonetic, normalised.GivenPhonetic));
    }

    [Fact]
    public void Normalise_Address_PremisesPartsAreRead()
    {
        var normalised = RecordNormaliser.Normalise(Record() with
        {
            Addresses = [new PostalAddress(["Flat 14a", " 3  High St "], "STAFFORD", "ST16 3RZ")],
        });

        var address = normalised.Address!;
        Assert.Equal(("14A", "3", null, "HIGHSTREET"), (address.Flat, address.HouseNumber, address.BuildingKey, address.StreetKey));
        Assert.Equal(["Flat 14a", "3 High St"], address.Lines); // display lines are only tidied
    }

    private static SourceRecord Record() => new()
    {
        SourceSystem = "council-tax",
        SourceKey = "CT1",
        ObservedAt = Observed,
        Name = new PersonName(null, "Margaret", "Hughes"),
    };
}
