using CitizenHub.Contracts;
using CitizenHub.Matching.Linking;
using CitizenHub.Matching.Scoring;

namespace CitizenHub.Matching.Tests.Linking;

/// <summary>The hard cases: each must merge or must stay apart, decided by the linker alone.</summary>
public sealed class LinkerTests
{
    private static readonly Linker Linker = new(new PairScorer(MatchModel.Default));

    // ---- Must merge ----

    [Fact]
    public void Decide_TyposInBothNames_Links() =>
        AssertLinks(
            P("Jonathan", "Whitfield", (1971, 4, 12), "ST16 2AB", "14 Weston Road"),
            P("Jonathon", "Whitfeild", (1971, 4, 12), "ST16 2AB", "14 Weston Road"));

    [Fact]
    public void Decide_Nickname_Links() =>
        AssertLinks(
            P("Margaret", "Hughes", (1950, 3, 4), "ST17 4QT", "3 Mill Lane"),
            P("Peggy", "Hughes", (1950, 3, 4), "ST17 4QT", "3 Mill Lane"));

    [Fact]
    public void Decide_GivenAndFamilySwapped_Links() =>
        AssertLinks(
            P("Owen", "Pritchard", (1982, 7, 30), "ST16 1AA", "9 Church Street"),
            P("Pritchard", "Owen", (1982, 7, 30), "ST16 1AA", "9 Church Street"));

    [Fact]
    public void Decide_DayAndMonthSwapped_Links() =>
        AssertLinks(
            P("Aisha", "Rahman", (1990, 3, 7), "ST16 3RZ", "22 Oak Avenue"),
            P("Aisha", "Rahman", (1990, 7, 3), "ST16 3RZ", "22 Oak Avenue"));

    [Fact]
    public void Decide_MaidenNameAndMarriedName_WithSameBirthDateAndEmail_Links() =>
        AssertLinks(
            P("Sarah", "Jenkins", (1985, 11, 2), "ST18 9PL", "5 Elm Close", email: "sarah.j@example.org"),
            P("Sarah", "Morgan", (1985, 11, 2), "ST16 2XY", "40 New Street", email: "sarah.j@example.org"));

    [Fact]
    public void Decide_MovedHome_OldAddressInStaleSource_Links() =>
        AssertLinks(
            P("Declan", "Farrell", (1968, 1, 19), "ST16 2AB", "14 Weston Road"),
            P("Declan", "Farrell", (1968, 1, 19), "WS11 4DD", "2 Station Road"));

    [Fact]
    public void Decide_MissingBirthDate_WithAgreeingNiNumber_Links() =>
        AssertLinks(
            P("Ruth", "Okafor", (1977, 5, 5), "ST16 2AB", "1 High Street", ni: "JG103792A"),
            P("Ruth", "Okafor", null, "WS11 4DD", "7 Low Road", ni: "JG 10 37 92 A"));

    [Fact]
    public void Decide_ElectoralRollWithoutBirthDate_SamePremises_Links() =>
        AssertLinks(
            P("Imogen", "Castellano", (1993, 9, 14), "ST16 2AB", "Flat 2, 11 Weston Road"),
            P("Imogen", "Castellano", null, "ST16 2AB", "Flat 2, 11 Weston Road"));

    // ---- Must not merge ----

    [Fact]
    public void Decide_Twins_StayApart() =>
        AssertDistinct(
            P("Oliver", "Bennett", (2001, 6, 15), "ST16 2AB", "14 Weston Road"),
            P("Harry", "Bennett", (2001, 6, 15), "ST16 2AB", "14 Weston Road"));

    [Fact]
    public void Decide_ElectorAtAChildsAddressWithTheChildsName_StaysApartOnceTheRegisterSaysEveryoneIsSixteen()
    {
        var child = P("Alfie", "Bennett", (2021, 3, 4), "ST16 2AB", "14 Weston Road");
        var elector = P("Alfie", "Bennett", null, "ST16 2AB", "14 Weston Road");

        AssertLinks(child, elector);
        AssertDistinct(child, elector with { BornOnOrBefore = new DateOnly(2010, 11, 1) });
    }

    [Fact]
    public void Decide_FatherAndSonOfOneName_AtOneAddress_StayApart() =>
        AssertDistinct(
            P("David", "Evans", (1958, 2, 10), "ST16 2AB", "14 Weston Road"),
            P("David", "Evans", (1986, 8, 23), "ST16 2AB", "14 Weston Road"));

    [Fact]
    public void Decide_FatherAndSonOfOneName_SuffixesDiffer_StayApartEvenWithoutBirthDates() =>
        AssertDistinct(
            P("David", "Evans Jr", null, "ST16 2AB", "14 Weston Road"),
            P("David", "Evans Sr", null, "ST16 2AB", "14 Weston Road"));

    [Fact]
    public void Decide_Spouses_StayApart() =>
        AssertDistinct(
            P("Emma", "Clarke", (1979, 4, 1), "ST16 2AB", "14 Weston Road"),
            P("James", "Clarke", (1976, 12, 9), "ST16 2AB", "14 Weston Road"));

    [Fact]
    public void Decide_TwoJohnSmithsInOneTown_StayApart() =>
        AssertDistinct(
            P("John", "Smith", (1960, 5, 1), "ST16 2AB", "14 Weston Road"),
            P("John", "Smith", (1972, 10, 30), "ST16 3RZ", "8 Oak Avenue"));

    [Fact]
    public void Decide_OneSourceHoldsTwoRecordsOfOneNameAtOneAddress_TheyAreTwoPeople() =>
        AssertDistinct(
            P("David", "Evans", null, "ST16 2AB", "14 Weston Road", system: "electoral-register"),
            P("David", "Evans", null, "ST16 2AB", "14 Weston Road", system: "electoral-register"));

    [Fact]
    public void Decide_OneSourcesDuplicateWithTheSameBirthDate_Links() =>
        AssertLinks(
            P("David", "Evans", (1958, 2, 10), "ST16 2AB", "14 Weston Road", system: "council-tax"),
            P("Dave", "Evans", (1958, 2, 10), "ST16 2AB", "14 Weston Road", system: "council-tax"));

    [Fact]
    public void Decide_NeighboursInTwoFlatsOfOneBuilding_AreNotTheSamePremises()
    {
        var a = P("Chris", "Doyle", null, "ST16 2AB", "Flat 14A, Weston Court");
        var b = P("Chris", "Doyle", null, "ST16 2AB", "Flat 14C, Weston Court");

        Assert.Equal(Levels.AddressOtherPremises, PairComparer.CompareAddresses(a.Address, b.Address));
        Assert.Null(Linker.Decide(a, [new CandidateCitizen("c1", [b])], NoTermFrequencies.Instance).CitizenId);
    }

    [Fact]
    public void Decide_DifferentNiNumbers_StayApartWhateverElseAgrees() =>
        AssertDistinct(
            P("Grace", "Obi", (1990, 1, 1), "ST16 2AB", "14 Weston Road", ni: "JG103792A"),
            P("Grace", "Obi", (1990, 1, 1), "ST16 2AB", "14 Weston Road", ni: "AB123456C"));

    [Fact]
    public void Decide_GivenNameReplacedButTheSourcesSchemeIdentifierAgrees_Links()
    {
        // Without the identifier the two given names read as twins; a shared number of a scheme both sources keep
        // (as FEBRL's soc_sec_id) says one person whose given name one source has wrong.
        var held = P("Brianna", "Keeble", (1961, 12, 14), "ST16 2AB", "14 Weston Road");
        var incoming = P("Phoebe", "Keeble", (1961, 12, 14), "ST16 2AB", "14 Weston Road");
        AssertDistinct(held, incoming);

        AssertLinks(WithScheme(held, "soc-sec-id", "4066625"), WithScheme(incoming, "soc-sec-id", "406 6625"));
    }

    [Fact]
    public void Decide_SchemeIdentifierAloneWithNothingElseAgreeing_IsNotALink()
    {
        // Unlike an NI or NHS number, a council's own scheme is no rule on its own: the names and date must not all disagree.
        var decision = Linker.Decide(
            WithScheme(P("Oscar", "Brannigan", (1948, 9, 30), "ST16 2AB", "14 Weston Road"), "housing-ref", "H123"),
            [new CandidateCitizen("c1", [WithScheme(P("Wren", "Abernethy", (1933, 4, 5), "WS15 1UG", "3 Kooyong Place"), "housing-ref", "H123")])],
            NoTermFrequencies.Instance);

        Assert.Null(decision.CitizenId);
    }

    [Fact]
    public void Decide_SameSchemeDifferentValues_StayApartAsTwins_ButAnotherSchemeSaysNothing()
    {
        var oliver = WithScheme(P("Oliver", "Bennett", (2001, 6, 15), "ST16 2AB", "14 Weston Road"), "upn", "A123");
        AssertDistinct(oliver, WithScheme(P("Harry", "Bennett", (2001, 6, 15), "ST16 2AB", "14 Weston Road"), "upn", "B456"));
        AssertLinks(oliver, WithScheme(P("Oliver", "Bennett", (2001, 6, 15), "ST16 2AB", "14 Weston Road"), "blue-badge", "X1"));
    }

    [Fact]
    public void Explain_IdentifierOfANamedScheme_ListedOnlyWhereBothRecordsHoldTheScheme()
    {
        var a = P("Oliver", "Bennett", (2001, 6, 15), "ST16 2AB", "14 Weston Road");
        var b = P("Oliver", "Bennett", (2001, 6, 15), "ST16 2AB", "14 Weston Road");
        var exact = Linker.Scorer.ExactWeights(a, NoTermFrequencies.Instance);

        var without = Linker.Scorer.Explain(a, b, exact);
        var with = Linker.Scorer.Explain(WithScheme(a, "upn", "A1"), WithScheme(b, "upn", "A1"), exact);

        Assert.DoesNotContain(without.Fields, f => f.Comparison.StartsWith(MatchFields.Identifier, StringComparison.Ordinal));
        Assert.Equal(MatchFields.Count - 1, without.Fields.Count);
        Assert.Equal("exact", with.Fields.Single(f => f.Comparison == MatchFields.SchemeComparison("upn")).Level);
    }

    // ---- Groups of golden records ----

    [Fact]
    public void Decide_RecordThatBridgesTwoCitizens_MergesThemIntoTheOlder()
    {
        var byNi = P("Kieran", "Walsh", null, null, null, ni: "JG103792A");
        var byNhs = P("Kieran", "Walsh", null, null, null, nhs: "9434765919");
        var bridge = P("Kieran", "Walsh", (1988, 2, 2), "ST16 2AB", "3 Mill Lane", ni: "JG103792A", nhs: "9434765919");

        var decision = Linker.Decide(bridge, [new CandidateCitizen("older", [byNi]), new CandidateCitizen("newer", [byNhs])], NoTermFrequencies.Instance);

        Assert.Equal("older", decision.CitizenId);
        Assert.Equal(["newer"], decision.Absorbed);
    }

    [Fact]
    public void Decide_RecordAgreeingWithOneTwinOfACitizenHoldingBoth_DoesNotJoinIt()
    {
        // A citizen wrongly holding both twins (e.g. by a steward's mistake) vetoes any record one twin's record vetoes.
        var oliver = P("Oliver", "Bennett", (2001, 6, 15), "ST16 2AB", "14 Weston Road");
        var harry = P("Harry", "Bennett", (2001, 6, 15), "ST16 2AB", "14 Weston Road");
        var incoming = P("Oliver", "Bennett", (2001, 6, 15), "ST16 2AB", "14 Weston Road");

        Assert.Null(Linker.Decide(incoming, [new CandidateCitizen("both", [oliver, harry])], NoTermFrequencies.Instance).CitizenId);
    }

    [Fact]
    public void Decide_FitsFatherAndSonEqually_LinksToNeitherAndAsksASteward()
    {
        var father = P("David", "Evans", (1958, 2, 10), "ST16 2AB", "14 Weston Road");
        var son = P("David", "Evans", (1986, 8, 23), "ST16 2AB", "14 Weston Road");
        var electoralRoll = P("David", "Evans", null, "ST16 2AB", "14 Weston Road");

        var decision = Linker.Decide(
            electoralRoll, [new CandidateCitizen("father", [father]), new CandidateCitizen("son", [son])], NoTermFrequencies.Instance);

        Assert.Null(decision.CitizenId);
        Assert.Equal(["father", "son"], decision.Reviews.Select(r => r.CitizenId).Order());
    }

    [Fact]
    public void Decide_SrArrivesAtACitizenHoldingTheJrAndAnUnmarkedRecord_TheUnmarkedRecordIsAmbiguous()
    {
        // Council tax (no suffix, no date of birth) linked first to the son's electoral-register entry; then the
        // father's entry arrives. The suffix is a hard veto, and still a namesake: the council-tax record may be either's.
        var councilTax = P("David", "Evans", null, "ST16 2AB", "14 Weston Road", system: "council-tax");
        var son = P("David", "Evans Jr", null, "ST16 2AB", "14 Weston Road", system: "electoral-register");
        var father = P("David", "Evans Sr", null, "ST16 2AB", "14 Weston Road", system: "electoral-register");

        var decision = Linker.Decide(father, [new CandidateCitizen("c1", [councilTax, son])], NoTermFrequencies.Instance);

        Assert.Null(decision.CitizenId);
        Assert.Equal(["c1"], decision.Namesakes);
        Assert.Same(councilTax, Assert.Single(Linker.Ambiguous([councilTax, son], father, NoTermFrequencies.Instance)));
    }

    [Fact]
    public void Ambiguous_NamesakeLivingElsewhere_LeavesTheRecordsAtTheCitizensOwnAddress()
    {
        // The register lists one Ernestine Stracke at her home (with her council-tax account) and, now, another
        // across town. The account fits her own entry far better than the stranger's: it stays.
        var councilTax = P("Ernestine", "Stracke", null, "ST16 2AB", "17 Weston Road", system: "council-tax");
        var ownEntry = P("Ernestine", "Stracke", null, "ST16 2AB", "17 Weston Road", system: "electoral-register");
        var elsewhere = P("Ernestine", "Stracke", null, "WS14 5RD", "1 Lichfield Road", system: "electoral-register");

        Assert.Empty(Linker.Ambiguous([councilTax, ownEntry], elsewhere, NoTermFrequencies.Instance));
    }

    [Fact]
    public void Ambiguous_NamesakeAtTheSameAddress_TakesOutTheRecordThatFitsBoth()
    {
        var councilTax = P("David", "Evans", null, "ST16 2AB", "14 Weston Road", system: "council-tax");
        var ownEntry = P("David", "Evans", null, "ST16 2AB", "14 Weston Road", system: "electoral-register");
        var secondEntry = P("David", "Evans", null, "ST16 2AB", "14 Weston Road", system: "electoral-register");

        Assert.Same(councilTax, Assert.Single(Linker.Ambiguous([councilTax, ownEntry], secondEntry, NoTermFrequencies.Instance)));
    }

    [Fact]
    public void Separate_ARecordThatFitsTheNamesakeFarBetterThanTheRecordVetoingIt_IsTheNamesakes()
    {
        // The register entry of a namesake across town joined the citizen on the name alone; now the register
        // lists one of the name at the council-tax account's own address. The account is that entry's person, not
        // a guess between the two: it goes with the newcomer instead of standing alone.
        var acrossTown = P("Ernestine", "Stracke", null, "WS14 5RD", "1 Lichfield Road", system: "electoral-register");
        var councilTax = P("Ernestine", "Stracke", null, "ST16 2AB", "17 Weston Road", system: "council-tax");
        var atTheAccountsAddress = P("Ernestine", "Stracke", null, "ST16 2AB", "17 Weston Road", system: "electoral-register");

        var separation = Linker.Separate([acrossTown, councilTax], atTheAccountsAddress, NoTermFrequencies.Instance);

        Assert.Same(councilTax, Assert.Single(separation.Namesakes));
        Assert.Empty(separation.Ambiguous);
    }

    [Fact]
    public void Separate_ARecordThatFitsTheNamesakeAsWellAsARecordTiedToTheOneVetoingIt_IsAmbiguousNotTheNamesakes()
    {
        // Claude Reynolds's register entry across town and his claim at home share a date of birth; his council-tax
        // account at home has none. A second Claude Reynolds is registered at the home. The account fits the
        // newcomer far better than the entry vetoing him, but no better than the claim, which stays for its date of
        // birth: it could be either man's.
        var acrossTown = P("Claude", "Reynolds", (1967, 2, 16), "WS15 7EX", "3 Lichfield Road", system: "electoral-register");
        var claim = P("Claude", "Reynolds", (1967, 2, 16), "ST14 7XL", "9 Mill Lane", system: "housing-benefits");
        var councilTax = P("Claude", "Reynolds", null, "ST14 7XL", "9 Mill Lane", system: "council-tax");
        var atHome = P("Claude", "Reynolds", null, "ST14 7XL", "9 Mill Lane", system: "electoral-register");

        var separation = Linker.Separate([acrossTown, claim, councilTax], atHome, NoTermFrequencies.Instance);

        Assert.Same(councilTax, Assert.Single(separation.Ambiguous));
        Assert.Empty(separation.Namesakes);
    }

    [Fact]
    public void Separate_TwoAmbiguousRecordsOfOneDateOfBirth_LeaveTogether()
    {
        // The register lists a second David Evans at the address. The account and the claim could be either man's,
        // but they share a date of birth: they are one of the two, and leave as one.
        var ownEntry = P("David", "Evans", null, "ST16 2AB", "14 Weston Road", system: "electoral-register");
        var councilTax = P("David", "Evans", (1958, 2, 10), "ST16 2AB", "14 Weston Road", system: "council-tax");
        var claim = P("David", "Evans", (1958, 2, 10), "ST16 2AB", "14 Weston Road", system: "housing-benefits");
        var secondEntry = P("David", "Evans", null, "ST16 2AB", "14 Weston Road", system: "electoral-register");

        var separation = Linker.Separate([ownEntry, councilTax, claim], secondEntry, NoTermFrequencies.Instance);

        Assert.Equal([councilTax, claim], separation.Ambiguous);
        Assert.Equal([councilTax, claim], Assert.Single(separation.AmbiguousGroups));
    }

    [Fact]
    public void Decide_BridgeWouldAbsorbARecordThatAlsoFitsANamesake_LinksWithoutAbsorbingIt()
    {
        // The son's electoral-register entry, the father's (with his date of birth), and a council-tax record with no
        // date of birth that fits both, standing alone. The son's social-care record links to his entry; pulling the
        // council-tax record in with it would be a guess between father and son.
        var sonEntry = P("David", "Evans", null, "ST16 2AB", "14 Weston Road", system: "electoral-register");
        var fatherEntry = P("David", "Evans", (1958, 2, 10), "ST16 2AB", "14 Weston Road", system: "electoral-register");
        var councilTax = P("David", "Evans", null, "ST16 2AB", "14 Weston Road", system: "council-tax");
        var sonCare = P("David", "Evans", (1986, 8, 23), "ST16 2AB", "14 Weston Road", system: "social-care");

        var decision = Linker.Decide(
            sonCare,
            [new CandidateCitizen("son", [sonEntry]), new CandidateCitizen("father", [fatherEntry]), new CandidateCitizen("either", [councilTax])],
            NoTermFrequencies.Instance);

        Assert.Equal("son", decision.CitizenId);
        Assert.Empty(decision.Absorbed);
        Assert.Contains(decision.Reviews, r => r.CitizenId == "either");
    }

    [Fact]
    public void Decide_BridgeToOneOfTwoRegisterEntriesItFitsAlike_LinksByTheIdentifierAndAsksAboutBoth()
    {
        // Two Dewey Veums are registered at the home (two people: one register holds them both), and the council-tax
        // account stands alone, put to a steward between them. The housing claim shares the account's NI number, and
        // fits each register entry alike: bridging the account to one of them would be a guess between the men.
        var sonEntry = P("Dewey", "Veum", null, "WS15 1DQ", "11 Bernier Mews", system: "electoral-register");
        var fatherEntry = P("Dewey", "Veum", null, "WS15 1DQ", "11 Bernier Mews", system: "electoral-register");
        var councilTax = P("Dewey", "Veum", null, "WS15 1DQ", "11 Bernier Mews", ni: "XN693707D", system: "council-tax");
        var claim = P("Dewey", "Veum", null, "WS15 1DQ", "11 Bernier Mews", ni: "XN693707D", system: "housing-benefits");

        var decision = Linker.Decide(
            claim,
            [new CandidateCitizen("account", [councilTax]), new CandidateCitizen("son", [sonEntry]), new CandidateCitizen("father", [fatherEntry])],
            NoTermFrequencies.Instance);

        Assert.Equal("account", decision.CitizenId);
        Assert.Empty(decision.Absorbed);
        Assert.Equal(["father", "son"], decision.Reviews.Select(r => r.CitizenId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Decide_BridgeBetweenCitizensWithNoNamesake_StillMerges()
    {
        // The same shapes without the father: the council-tax record is the son's alone and is merged.
        var sonEntry = P("David", "Evans", null, "ST16 2AB", "14 Weston Road", system: "electoral-register");
        var councilTax = P("David", "Evans", null, "ST16 2AB", "14 Weston Road", system: "council-tax");
        var sonCare = P("David", "Evans", (1986, 8, 23), "ST16 2AB", "14 Weston Road", system: "social-care");

        var decision = Linker.Decide(
            sonCare, [new CandidateCitizen("son", [sonEntry]), new CandidateCitizen("either", [councilTax])], NoTermFrequencies.Instance);

        Assert.Equal("son", decision.CitizenId);
        Assert.Equal(["either"], decision.Absorbed);
    }

    [Fact]
    public void Decide_ReviewBand_CreatesNewCitizenAndQueuesThePair()
    {
        // Same name and postcode, the house numbers differ, nothing else: a typing error or neighbours; likely, not certain.
        var held = P("Imogen", "Castellano", null, "ST16 2AB", "3 Mill Lane");
        var incoming = P("Imogen", "Castellano", null, "ST16 2AB", "5 Mill Lane");

        var decision = Linker.Decide(incoming, [new CandidateCitizen("c1", [held])], NoTermFrequencies.Instance);

        Assert.Null(decision.CitizenId);
        var review = Assert.Single(decision.Reviews);
        Assert.Equal(MatchBand.Review, review.Explanation.Band);
    }

    [Fact]
    public void Decide_Link_KeepsPerFieldWeightsAsItsExplanation()
    {
        var held = P("Margaret", "Hughes", (1950, 3, 4), "ST17 4QT", "3 Mill Lane");
        var decision = Linker.Decide(
            P("Peggy", "Hughes", (1950, 3, 4), "ST17 4QT", "3 Mill Lane"), [new CandidateCitizen("c1", [held])], NoTermFrequencies.Instance);

        var explanation = decision.Evidence!.Explanation;
        var given = explanation.Fields.Single(f => f.Comparison == MatchFields.GivenName);
        Assert.Equal("nickname", given.Level);
        Assert.True(given.Weight > 0);
        Assert.Equal(explanation.Weight, explanation.Fields.Sum(f => f.Weight), 1);
        Assert.Equal(held.SourceKey, decision.Evidence.SourceKey);
    }

    [Fact]
    public void Components_RecordThatHeldTwoOthersTogetherIsGone_TwoGroups()
    {
        var byNi = P("Kieran", "Walsh", null, null, null, ni: "JG103792A");
        var byNhs = P("Kieran", "Walsh", null, null, null, nhs: "9434765919");

        var groups = Linker.Components([byNi, byNhs], NoTermFrequencies.Instance);

        Assert.Equal(2, groups.Count);
    }

    [Fact]
    public void ExactWeights_RareFamilyName_WeighsMoreThanACommonOne()
    {
        var frequencies = new TermFrequencyTable();
        for (var i = 0; i < 2000; i++)
        {
            frequencies.Add(P(i % 2 == 0 ? "John" : "Amy", i < 100 ? "Smith" : $"Name{(char)('A' + (i % 26))}{(char)('A' + (i / 26 % 26))}", null, null, null));
        }

        frequencies.Add(P("Amy", "Quennell", null, null, null));
        var scorer = new PairScorer(MatchModel.Default);

        var rare = scorer.ExactWeights(P("Amy", "Quennell", null, null, null), frequencies);
        var common = scorer.ExactWeights(P("Amy", "Smith", null, null, null), frequencies);

        Assert.True(rare.Family > common.Family + 4, $"rare {rare.Family:0.0} bits, common {common.Family:0.0} bits");
        Assert.True(rare.FamilyAdjusted);
    }

    private static void AssertLinks(NormalisedRecord held, NormalisedRecord incoming)
    {
        var decision = Linker.Decide(incoming, [new CandidateCitizen("c1", [held])], NoTermFrequencies.Instance);
        Assert.True(decision.CitizenId == "c1", $"expected a link; {Describe(incoming, held)}");
        Assert.Equal(MatchBand.Link, decision.Evidence!.Explanation.Band);
    }

    private static void AssertDistinct(NormalisedRecord held, NormalisedRecord incoming)
    {
        var decision = Linker.Decide(incoming, [new CandidateCitizen("c1", [held])], NoTermFrequencies.Instance);
        Assert.True(decision.CitizenId is null, $"expected no link; {Describe(incoming, held)}");
        Assert.DoesNotContain(decision.Reviews, r => r.CitizenId == "c1" && r.Explanation.Veto is null && r.Explanation.Weight >= MatchModel.Default.LinkThreshold);
    }

    private static string Describe(NormalisedRecord a, NormalisedRecord b)
    {
        var explanation = Linker.Scorer.Explain(a, b, Linker.Scorer.ExactWeights(a, NoTermFrequencies.Instance));
        return $"{explanation.Weight} bits, veto {explanation.Veto}: " + string.Join(", ", explanation.Fields.Select(f => $"{f.Comparison}={f.Level} {f.Weight}"));
    }

    private static int _key;

    private static NormalisedRecord WithScheme(NormalisedRecord record, string scheme, string value) =>
        record with { SchemeIdentifiers = [.. record.SchemeIdentifiers, $"{scheme}|{value.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant()}"] };

    internal static NormalisedRecord P(
        string given,
        string family,
        (int Y, int M, int D)? dob,
        string? postcode,
        string? line,
        string? ni = null,
        string? nhs = null,
        string? email = null,
        string? system = null) =>
        RecordNormaliser.Normalise(new SourceRecord
        {
            // Each record from a source of its own unless told: most hard cases are about two systems' records.
            SourceSystem = system ?? $"source-{Interlocked.Increment(ref _key)}",
            SourceKey = Interlocked.Increment(ref _key).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ObservedAt = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero),
            Name = new PersonName(null, given, family),
            DateOfBirth = dob is { } d ? new PartialDate(d.Y, d.M, d.D) : null,
            Addresses = postcode is null && line is null ? [] : [new PostalAddress(line is null ? [] : line.Split(", "), "Stafford", postcode)],
            Identifiers = [.. new[] { (IdentifierScheme.NiNumber, ni), (IdentifierScheme.NhsNumber, nhs) }
                .Where(i => i.Item2 is not null)
                .Select(i => new Identifier(i.Item1, i.Item2!))],
            Emails = email is null ? [] : [email],
        });
}
