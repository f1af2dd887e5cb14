using CitizenHub.Contracts;
using CitizenHub.Matching.Identity;
using CitizenHub.Matching.Scoring;
using CitizenHub.Store;
using CitizenHub.Store.Postgres;
using CitizenHub.TestKit;

namespace CitizenHub.Hub.Tests;

/// <summary>Resolve on arrival against a real store: each derived class runs every test against one.</summary>
public abstract class RecordResolverTests : ResolverOnAStore
{
    [Fact]
    public async Task ApplyAsync_SameNiNumberInTwoSources_OneCitizenWithBothRecords()
    {
        var events = await ApplyAsync(
            Records.Person("ct", "CT1", "Margaret", "Hughes", (1950, 3, 4), ni: "JG 10 37 92 A"),
            Records.Person("hb", "HB1", "Peggy", "Hughes", ni: "JG103792A"));

        var citizenId = Assert.IsType<CitizenCreated>(Assert.Single(events)).CitizenId;
        var view = await Store.GetCitizenAsync(citizenId, CancellationToken.None);
        Assert.Equal(["ct", "hb"], view!.SourceRecords.Select(r => r.SourceSystem));
        // Survivorship: council tax (priority 1) gives the shown given name, and lineage says so.
        var given = view.Fields.Single(f => f.Field == "given_names");
        Assert.Equal(("Margaret", "ct", "CT1"), (given.Value, given.SourceSystem, given.SourceKey));
    }

    [Fact]
    public async Task ApplyAsync_SameNameAndBirthDate_Links_ButTwinsAndFatherAndSonStayApart()
    {
        await ApplyAsync(
            Records.Person("ct", "1", "JOHN", "SMITH", (1960, 5, 1)),
            Records.Person("hb", "1", "John Andrew", "Smith", (1960, 5, 1)),
            Records.Person("ct", "2", "John", "Smith", (1988, 9, 9)),
            Records.Person("ct", "3", "Amy", "Smith", (1960, 5, 1)));

        var links = await LinksAsync();
        Assert.Equal(3, links.Select(l => l.CitizenId).Distinct().Count());
        Assert.Equal(links.Single(l => l is { SourceSystem: "ct", SourceKey: "1" }).CitizenId, links.Single(l => l.SourceSystem == "hb").CitizenId);
    }

    [Fact]
    public async Task ApplyAsync_ElectorOfAChildsNameAtTheChildsAddress_StaysApartWhenTheRegisterSaysEveryoneIsSixteen()
    {
        var child = Records.Person("sc", "SC1", "Alfie", "Bennett", (2021, 3, 4), postcode: "ST16 2AB");
        var elector = Records.Person("er", "E1", "Alfie", "Bennett", postcode: "ST16 2AB") with { AgeAtObservation = new AgeRange(16, null) };
        // Another child and elector alike, from a register that says nothing of age: the fact, not the names, keeps them apart.
        var otherChild = Records.Person("sc", "SC2", "Isla", "Brown", (2020, 5, 6), postcode: "ST17 4QR");
        var silentElector = Records.Person("er", "E2", "Isla", "Brown", postcode: "ST17 4QR");

        await ApplyAsync(child, elector, otherChild, silentElector);

        var citizenOf = (await LinksAsync()).ToDictionary(l => (l.SourceSystem, l.SourceKey), l => l.CitizenId);
        Assert.NotEqual(citizenOf[("sc", "SC1")], citizenOf[("er", "E1")]);
        Assert.Equal(citizenOf[("sc", "SC2")], citizenOf[("er", "E2")]);
    }

    [Fact]
    public async Task ApplyAsync_ARecordOfADeath_JoinsItsPersonAndShowsTheDate_ButNotAGrandchildOfTheNameBornSince()
    {
        var widow = Records.Person("ct", "CT1", "Edith", "Marsh", (1931, 2, 9), postcode: "ST16 2AB");
        var died = Records.Person("deaths", "D1", "Edith", "Marsh", postcode: "ST16 2AB") with { DateOfDeath = new PartialDate(2019, 1, 5) };
        var granddaughter = Records.Person("sc", "SC1", "Edith", "Marsh", (2021, 7, 1), postcode: "ST16 2AB");

        await ApplyAsync(widow, died, granddaughter);

        var citizenOf = (await LinksAsync()).ToDictionary(l => (l.SourceSystem, l.SourceKey), l => l.CitizenId);
        Assert.Equal(citizenOf[("ct", "CT1")], citizenOf[("deaths", "D1")]);
        Assert.NotEqual(citizenOf[("deaths", "D1")], citizenOf[("sc", "SC1")]);
        var view = await Store.GetCitizenAsync(citizenOf[("deaths", "D1")], CancellationToken.None);
        var death = view!.Fields.Single(f => f.Field == Matching.GoldenFields.DateOfDeath);
        Assert.Equal(("2019-01-05", "deaths", "D1"), (death.Value, death.SourceSystem, death.SourceKey));
    }

    [Fact]
    public async Task ApplyAsync_OneKeyThreeTimesInABatch_AppliesEachNewVersionOnceAndSkipsTheRepeat()
    {
        var first = Records.Person("ct", "1", "Ann", "Lee", (1970, 1, 2), ni: "AB123456C");
        var married = Records.Person("ct", "1", "Ann", "Hughes", (1970, 1, 2), ni: "AB123456C", observedAt: Records.Observed.AddHours(1));

        var events = await ApplyAsync(first, married, married, Records.Person("hb", "1", "Ann", "Hughes", ni: "AB123456C"));

        var citizenId = Assert.IsType<CitizenCreated>(Assert.Single(events)).CitizenId;
        var view = await Store.GetCitizenAsync(citizenId, CancellationToken.None);
        Assert.Equal(["ct", "hb"], view!.SourceRecords.Select(r => r.SourceSystem));
        Assert.Equal("Hughes", view.Fields.Single(f => f.Field == "family_name").Value);
        var history = await Store.GetHistoryAsync(citizenId, CancellationToken.None);
        Assert.Equal(
            [HistoryCause.Created, HistoryCause.RecordAdded, HistoryCause.RecordUpdated, HistoryCause.RecordAdded],
            history.Select(h => h.Cause));
    }

    [Fact]
    public async Task ApplyAsync_ANewRecordMatchingAnUnchangedRecordOfTheSameBatch_LinksToItsCitizen()
    {
        // A nightly full extract: the held record comes again unchanged, beside a new record of the same person.
        var held = Records.Person("ct", "1", "Ann", "Lee", (1970, 1, 2), ni: "AB123456C");
        var other = Records.Person("ct", "2", "Bob", "Jones", (1950, 5, 5));
        await ApplyAsync(held, other);

        var events = await ApplyAsync(held, other, Records.Person("ct", "3", "Ann", "Lee", (1970, 1, 2), ni: "AB123456C"));

        Assert.DoesNotContain(events, e => e is CitizenCreated);
        var links = await LinksAsync();
        Assert.Equal(links.Single(l => l.SourceKey == "1").CitizenId, links.Single(l => l.SourceKey == "3").CitizenId);
    }

    [Fact]
    public async Task ApplyAsync_NameMatchWithDifferentNiNumbers_DoesNotLink()
    {
        await ApplyAsync(
            Records.Person("ct", "1", "John", "Smith", (1960, 5, 1), ni: "AB123456C"),
            Records.Person("hb", "1", "John", "Smith", (1960, 5, 1), ni: "CE654321A"));

        Assert.Equal(2, (await LinksAsync()).Select(l => l.CitizenId).Distinct().Count());
    }

    [Fact]
    public async Task ApplyAsync_RecordBridgingTwoCitizens_MergesIntoTheOlder()
    {
        await ApplyAsync(Records.Person("ct", "1", "Ann", "Lee", ni: "AB123456C"));
        await ApplyAsync(Records.Person("ct", "2", "Anne", "Leigh", nhs: "9434765919"));
        var before = await LinksAsync();
        var older = before.Single(l => l.SourceKey == "1").CitizenId;
        var newer = before.Single(l => l.SourceKey == "2").CitizenId;

        var events = await ApplyAsync(Records.Person("hb", "9", "Ann", "Lee", ni: "AB123456C", nhs: "943 476 5919"));

        var merged = Assert.Single(events.OfType<CitizensMerged>());
        Assert.Equal((older, newer), (merged.SurvivingId, merged.RetiredId));
        Assert.All(await LinksAsync(), l => Assert.Equal(older, l.CitizenId));
        var retired = await Store.GetCitizenAsync(newer, CancellationToken.None);
        Assert.Equal((CitizenStatus.Merged, older), (retired!.Status, retired.MergedInto));
    }

    [Fact]
    public async Task ApplyAsync_SameBatchDeliveredTwice_SecondChangesNothing()
    {
        var batch = new SourceRecordBatch(RunId, "ct", 1, [Records.Person("ct", "1", "Ann", "Lee", ni: "AB123456C")]);

        var first = await Resolver.ApplyAsync(batch, CancellationToken.None);
        var second = await Resolver.ApplyAsync(batch, CancellationToken.None);

        Assert.NotEmpty(first);
        Assert.Empty(second);
        Assert.Single(await LinksAsync());
    }

    [Fact]
    public async Task ApplyAsync_UnchangedRecordInALaterExtract_ChangesNothing()
    {
        var record = Records.Person("ct", "1", "Ann", "Lee", ni: "AB123456C");
        await ApplyAsync(record);
        var citizenId = (await LinksAsync()).Single().CitizenId;
        var version = (await Store.GetCitizenAsync(citizenId, CancellationToken.None))!.Version;

        var events = await ApplyAsync(record with { ObservedAt = record.ObservedAt.AddDays(1) });

        Assert.Empty(events);
        Assert.Equal(version, (await Store.GetCitizenAsync(citizenId, CancellationToken.None))!.Version);
    }

    [Fact]
    public async Task ApplyAsync_ChangedRecord_UpdatesShownValueKeepsIdAndReportsField()
    {
        var record = Records.Person("ct", "1", "Ann", "Lee", ni: "AB123456C");
        await ApplyAsync(record);
        var citizenId = (await LinksAsync()).Single().CitizenId;

        var events = await ApplyAsync(record with { Name = new PersonName("Mrs", "Ann", "Okafor"), ObservedAt = record.ObservedAt.AddDays(1) });

        var changed = Assert.IsType<CitizenChanged>(Assert.Single(events));
        Assert.Equal(citizenId, changed.CitizenId);
        Assert.Contains("family_name", changed.ChangedFields);
        Assert.DoesNotContain("ni_number", changed.ChangedFields);
        var view = await Store.GetCitizenAsync(citizenId, CancellationToken.None);
        Assert.Equal("Okafor", view!.Fields.Single(f => f.Field == "family_name").Value);
    }

    [Fact]
    public async Task ApplyAsync_OlderVersionArrivingLate_IsIgnored()
    {
        var record = Records.Person("ct", "1", "Ann", "Lee", ni: "AB123456C");
        await ApplyAsync(record with { Name = new PersonName(null, "Ann", "Okafor"), ObservedAt = record.ObservedAt.AddDays(1) });

        var events = await ApplyAsync(record);

        Assert.Empty(events);
        var view = await Store.GetCitizenAsync((await LinksAsync()).Single().CitizenId, CancellationToken.None);
        Assert.Equal("Okafor", view!.Fields.Single(f => f.Field == "family_name").Value);
    }

    [Fact]
    public async Task ApplyAsync_RecordNoLongerMatching_MovesToANewCitizenAndOldOneKeepsTheRest()
    {
        var wrong = Records.Person("hb", "1", "Ann", "Lee", ni: "AB123456C");
        await ApplyAsync(Records.Person("ct", "1", "Ann", "Lee", ni: "AB123456C"), wrong);
        var original = (await LinksAsync()).Select(l => l.CitizenId).Distinct().Single();

        // The benefits office corrects a mistyped NI number: the record was never this person.
        await ApplyAsync(wrong with { Name = new PersonName(null, "Bea", "Lee"), Identifiers = [new Identifier(IdentifierScheme.NiNumber, "CE654321A")], ObservedAt = wrong.ObservedAt.AddDays(1) });

        var links = await LinksAsync();
        Assert.Equal(original, links.Single(l => l.SourceSystem == "ct").CitizenId);
        Assert.NotEqual(original, links.Single(l => l.SourceSystem == "hb").CitizenId);
        var view = await Store.GetCitizenAsync(original, CancellationToken.None);
        Assert.Equal("Ann", view!.Fields.Single(f => f.Field == "given_names").Value);
    }

    [Fact]
    public async Task ApplyAsync_SoleRecordUpdatedToMatchNoOne_KeepsItsCitizenId()
    {
        var record = Records.Person("ct", "1", "Ann", "Lee", (1980, 1, 1));
        await ApplyAsync(record);
        var original = (await LinksAsync()).Single().CitizenId;

        await ApplyAsync(record with { DateOfBirth = new PartialDate(1981, 1, 1), ObservedAt = record.ObservedAt.AddDays(1) });

        Assert.Equal(original, (await LinksAsync()).Single().CitizenId);
    }

    [Fact]
    public async Task ApplyAsync_SoleRecordNowMatchingAnotherCitizen_OldIdForwardsThere()
    {
        var late = Records.Person("hb", "1", "Anne", "Leigh");
        await ApplyAsync(Records.Person("ct", "1", "Ann", "Lee", ni: "AB123456C"));
        await ApplyAsync(late);
        var links = await LinksAsync();
        var (kept, moved) = (links.Single(l => l.SourceSystem == "ct").CitizenId, links.Single(l => l.SourceSystem == "hb").CitizenId);

        var events = await ApplyAsync(late with { Identifiers = [new Identifier(IdentifierScheme.NiNumber, "AB123456C")], ObservedAt = late.ObservedAt.AddDays(1) });

        Assert.Equal((kept, moved), Assert.Single(events.OfType<CitizensMerged>()) is var m ? (m.SurvivingId, m.RetiredId) : default);
        var old = await Store.GetCitizenAsync(moved, CancellationToken.None);
        Assert.Equal((CitizenStatus.Merged, kept), (old!.Status, old.MergedInto));
    }

    [Fact]
    public async Task RemoveAsync_LastRecordRemoved_CitizenIsRemoved()
    {
        await ApplyAsync(Records.Person("ct", "1", "Ann", "Lee", ni: "AB123456C"), Records.Person("hb", "1", "Ann", "Lee", ni: "AB123456C"));
        var citizenId = (await LinksAsync()).First().CitizenId;

        await Resolver.RemoveAsync(new SourceRecordsRemoved(RunId, "hb", 1, ["1"], Records.Observed.AddDays(1)), CancellationToken.None);
        var afterOne = await Store.GetCitizenAsync(citizenId, CancellationToken.None);
        await Resolver.RemoveAsync(new SourceRecordsRemoved(RunId, "ct", 2, ["1"], Records.Observed.AddDays(1)), CancellationToken.None);
        var afterBoth = await Store.GetCitizenAsync(citizenId, CancellationToken.None);

        Assert.Equal((CitizenStatus.Active, 1), (afterOne!.Status, afterOne.SourceRecords.Count));
        Assert.Equal(CitizenStatus.Removed, afterBoth!.Status);
        Assert.Empty(await LinksAsync());
    }

    [Fact]
    public async Task ApplyAsync_RemovedRecordComingBackUnderItsKey_RejoinsItsCitizenIdWhichLivesAgain()
    {
        var record = Records.Person("ct", "1", "Ann", "Lee", ni: "AB123456C");
        await ApplyAsync(record);
        var citizenId = (await LinksAsync()).Single().CitizenId;
        await Resolver.RemoveAsync(new SourceRecordsRemoved(RunId, "ct", 1, ["1"], Records.Observed.AddDays(1)), CancellationToken.None);
        var whileRemoved = await Store.GetCitizenAsync(citizenId, CancellationToken.None);

        var events = await ApplyAsync(record with { ObservedAt = Records.Observed.AddDays(2) });

        Assert.Equal(CitizenStatus.Removed, whileRemoved!.Status);
        Assert.Equal(citizenId, (await LinksAsync()).Single().CitizenId);
        var view = await Store.GetCitizenAsync(citizenId, CancellationToken.None);
        Assert.Equal(CitizenStatus.Active, view!.Status);
        Assert.Equal("Lee", view.Fields.Single(f => f.Field == "family_name").Value);
        Assert.Equal(HistoryCause.Restored, (await Store.GetHistoryAsync(citizenId, CancellationToken.None)).Select(h => h.Cause).SkipLast(1).Last());
        Assert.Equal(citizenId, Assert.IsType<CitizenChanged>(Assert.Single(events)).CitizenId);
    }

    [Fact]
    public async Task ApplyAsync_RemovedRecordComingBackWhenAnotherCitizenIsThePerson_JoinsThatOne()
    {
        var record = Records.Person("ct", "1", "Ann", "Lee", ni: "AB123456C");
        await ApplyAsync(record);
        var former = (await LinksAsync()).Single().CitizenId;
        await Resolver.RemoveAsync(new SourceRecordsRemoved(RunId, "ct", 1, ["1"], Records.Observed.AddDays(1)), CancellationToken.None);
        await ApplyAsync(Records.Person("hb", "1", "Ann", "Lee", ni: "AB123456C"));
        var other = (await LinksAsync()).Single().CitizenId;

        await ApplyAsync(record with { ObservedAt = Records.Observed.AddDays(2) });

        Assert.NotEqual(former, other);
        Assert.All(await LinksAsync(), l => Assert.Equal(other, l.CitizenId));
        Assert.Equal(CitizenStatus.Removed, (await Store.GetCitizenAsync(former, CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task ApplyAsync_RecordFlaggedDeleted_RemovesIt()
    {
        var record = Records.Person("ct", "1", "Ann", "Lee", ni: "AB123456C");
        await ApplyAsync(record);

        await ApplyAsync(record with { Deleted = true, ObservedAt = record.ObservedAt.AddDays(1) });

        Assert.Empty(await LinksAsync());
    }

    [Fact]
    public async Task RemoveAsync_RecordThatHeldTwoOthersTogether_SplitsTheCitizen()
    {
        await ApplyAsync(Records.Person("ct", "1", "Kieran", "Walsh", ni: "JG103792A"));
        await ApplyAsync(Records.Person("ct", "2", "Kieran", "Walsh", nhs: "9434765919"));
        await ApplyAsync(Records.Person("hb", "9", "Kieran", "Walsh", (1988, 2, 2), ni: "JG103792A", nhs: "9434765919"));
        var original = (await LinksAsync()).Select(l => l.CitizenId).Distinct().Single();

        // Without the record that carried both identifiers, a shared name alone is not enough to be one person.
        var events = await Resolver.RemoveAsync(new SourceRecordsRemoved(RunId, "hb", 99, ["9"], Records.Observed.AddDays(1)), CancellationToken.None);

        var links = await LinksAsync();
        Assert.Equal(original, links.Single(l => l.SourceKey == "1").CitizenId);
        var split = Assert.Single(events.OfType<CitizenSplit>());
        Assert.Equal((original, links.Single(l => l.SourceKey == "2").CitizenId), (split.OriginalId, split.NewId));
        Assert.NotEqual(original, split.NewId);
        var history = await Store.GetHistoryAsync(original, CancellationToken.None);
        Assert.Contains(history, h => h.Cause == HistoryCause.Split && h.RelatedCitizenId == split.NewId);
        Assert.Contains(await Store.GetHistoryAsync(split.NewId, CancellationToken.None), h => h.Cause == HistoryCause.Split && h.RelatedCitizenId == original);
    }

    [Fact]
    public async Task ApplyAsync_History_KeepsEveryChangeWithItsCause()
    {
        await ApplyAsync(Records.Person("ct", "1", "Ann", "Lee", ni: "AB123456C"));
        await ApplyAsync(Records.Person("ct", "2", "Anne", "Leigh", nhs: "9434765919"));
        var older = (await LinksAsync()).Single(l => l.SourceKey == "1").CitizenId;
        var newer = (await LinksAsync()).Single(l => l.SourceKey == "2").CitizenId;

        await ApplyAsync(Records.Person("hb", "9", "Ann", "Lee", ni: "AB123456C", nhs: "943 476 5919"));

        var history = await Store.GetHistoryAsync(older, CancellationToken.None);
        Assert.Equal(
            [HistoryCause.Created, HistoryCause.RecordAdded, HistoryCause.Merged, HistoryCause.RecordAdded],
            history.Select(h => h.Cause));
        Assert.Equal(newer, history[2].RelatedCitizenId);
        Assert.Equal(new SourceRecordRef("hb", "9"), history[2].Record);
        Assert.Equal(HistoryCause.MergedInto, (await Store.GetHistoryAsync(newer, CancellationToken.None))[^1].Cause);
    }

    [Fact]
    public async Task ApplyAsync_LinkedRecord_KeepsThePerFieldEvidence()
    {
        await ApplyAsync(Records.Person("ct", "1", "Margaret", "Hughes", (1950, 3, 4), postcode: "ST16 2AB"));
        await ApplyAsync(Records.Person("hb", "1", "Peggy", "Hughes", (1950, 3, 4), postcode: "ST16 2AB"));

        var evidence = await Store.GetLinkEvidenceAsync("hb", "1", CancellationToken.None);

        Assert.Equal(("ct", "1"), (evidence!.SourceSystem, evidence.SourceKey));
        Assert.Equal("nickname", evidence.Explanation.Fields.Single(f => f.Comparison == "given_name").Level);
        Assert.True(evidence.Explanation.Weight >= MatchModel.Default.LinkThreshold);
        Assert.Null(await Store.GetLinkEvidenceAsync("ct", "1", CancellationToken.None));
    }

    [Fact]
    public async Task ApplyAsync_UncertainPair_QueuedForAStewardAndNotMerged_ThenSupersededWhenTheRecordChanges()
    {
        // The same name and postcode, another house number, nothing else: a typing error or a neighbour; likely one
        // person, not certain enough to merge.
        await ApplyAsync(Records.Person("ct", "1", "Imogen", "Castellano", postcode: "ST16 2AB"));
        var record = Records.Person("hb", "1", "Imogen", "Castellano") with
        {
            Addresses = [new PostalAddress(["3 High Street"], "Stafford", "ST16 2AB")],
        };
        await ApplyAsync(record);

        Assert.Equal(2, (await LinksAsync()).Select(l => l.CitizenId).Distinct().Count());
        var review = Assert.Single(await Store.GetReviewsAsync(new ReviewQuery(ReviewStatus.Open, 10), CancellationToken.None));
        Assert.Equal((new SourceRecordRef("hb", "1"), "ct", "1"), (review.Record, review.Candidate.SourceSystem, review.Candidate.SourceKey));
        Assert.Equal(MatchBand.Review, review.Candidate.Explanation.Band);

        await ApplyAsync(record with { Name = new PersonName(null, "Isabel", "Castellano"), ObservedAt = record.ObservedAt.AddDays(1) });

        Assert.Empty(await Store.GetReviewsAsync(new ReviewQuery(ReviewStatus.Open, 10), CancellationToken.None));
        Assert.Single(await Store.GetReviewsAsync(new ReviewQuery(ReviewStatus.Superseded, 10), CancellationToken.None));
    }

    [Fact]
    public async Task ApplyAsync_NamesakeOnTheSameRegister_RecordsThatCouldBeEitherStandAloneForAStewardToDecide()
    {
        // Council tax knows one David Evans at the address; the register then lists two (a father and son).
        await ApplyAsync(Records.Person("ct", "1", "David", "Evans", postcode: "ST16 2AB"));
        await ApplyAsync(Records.Person("er", "1", "David", "Evans", postcode: "ST16 2AB"));
        var events = await ApplyAsync(Records.Person("er", "2", "David", "Evans", postcode: "ST16 2AB"));

        var links = await LinksAsync();
        Assert.Equal(3, links.Select(l => l.CitizenId).Distinct().Count());
        Assert.NotEmpty(events.OfType<CitizenSplit>());
        var reviews = await Store.GetReviewsAsync(new ReviewQuery(ReviewStatus.Open, 10), CancellationToken.None);
        Assert.Equal(["er:1", "er:2"], reviews.Where(r => r.Record == new SourceRecordRef("ct", "1"))
            .Select(r => $"{r.Candidate.SourceSystem}:{r.Candidate.SourceKey}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ContentHash_IgnoresObservedAtButNotContent()
    {
        var record = Records.Person("ct", "1", "Ann", "Lee");

        Assert.Equal(RecordResolver.ContentHash(record), RecordResolver.ContentHash(record with { ObservedAt = record.ObservedAt.AddYears(1) }));
        Assert.NotEqual(RecordResolver.ContentHash(record), RecordResolver.ContentHash(record with { SourceVersion = "2" }));
    }
}

/// <summary>The resolver against a SQLite file in a fresh folder.</summary>
public sealed class SqliteRecordResolverTests : RecordResolverTests
{
    protected override Task<ICitizenStore> CreateStoreAsync() => SqliteStoreAsync();
}

/// <summary>The resolver against a fresh database on a real PostgreSQL server.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresRecordResolverTests(PostgresServer server) : RecordResolverTests
{
    private string _connectionString = "";

    protected override async Task<ICitizenStore> CreateStoreAsync()
    {
        _connectionString = await server.CreateDatabaseAsync();
        return new PostgresCitizenStore(_connectionString);
    }

    [Fact]
    public async Task ApplyAsync_TwoInstancesResolvingOnePersonsRecordsAtOnce_OneCitizenPerPerson()
    {
        // Each person has a council-tax record, resolved by one instance, and a benefits record with the same NI
        // number, resolved by another at the same moment. Unserialised, both would find no match and each create
        // a citizen for the same person.
        string[] families = ["Hughes", "Castellano", "Okafor", "Lindqvist", "Brennan", "Adeyemi", "Kowalski", "Fairweather"];
        string[] givens = ["Margaret", "Imogen", "Chidi", "Astrid", "Declan"];
        var people = Enumerable.Range(0, 40).Select(i => (Given: givens[i % givens.Length], Family: families[i / givens.Length], Ni: $"JG{100000 + i:D6}A", Born: (1940 + i, 1 + (i % 12), 1 + (i % 28)))).ToList();
        await using var otherStore = new PostgresCitizenStore(_connectionString);
        await otherStore.MigrateAsync(CancellationToken.None);
        var instances = new[] { (System: "ct", Resolver: NewResolver(Store)), (System: "hb", Resolver: NewResolver(otherStore)) };
        var runId = Guid.NewGuid();

        await Task.WhenAll(instances.Select((instance, n) => Task.Run(async () =>
        {
            var sequence = 0;
            foreach (var batch in people.Select((p, i) => Records.Person(instance.System, $"{i}", p.Given, p.Family, p.Born, ni: p.Ni)).Chunk(5))
            {
                await instance.Resolver.ApplyAsync(new SourceRecordBatch(runId, instance.System, (n * 100) + ++sequence, batch), CancellationToken.None);
            }
        })));

        var links = await LinksAsync();
        Assert.Equal(80, links.Count);
        Assert.Equal(40, links.Select(l => l.CitizenId).Distinct().Count());
        Assert.All(links.GroupBy(l => l.SourceKey), person => Assert.Single(person.Select(l => l.CitizenId).Distinct()));
    }
}

/// <summary>One PostgreSQL server for every test of this assembly that needs one; each test takes a fresh database on it.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL";
}
