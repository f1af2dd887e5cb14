using CitizenHub.Contracts;
using CitizenHub.Matching.Identity;
using CitizenHub.Store;
using CitizenHub.Store.Postgres;
using CitizenHub.TestKit;

namespace CitizenHub.Hub.Tests;

/// <summary>
/// A restricted resident stays restricted whatever happens to their records: every path that moves records between
/// citizens (a sync's merge, a changed record moving out, a steward's merge, split and review decision, a redelivery)
/// leaves no citizen holding their records visible to agents. Each derived class runs every test against one store.
/// </summary>
public abstract class RestrictionFollowsThePersonTests : ResolverOnAStore
{
    [Fact]
    public async Task SetRestrictionAsync_PlacedAndLifted_EachWithAHistoryRowAndAChangeEvent_PlacedTwiceOnce()
    {
        await ApplyAsync(Records.Person("ct", "1", "Ann", "Lee", ni: "AB123456C"));
        var citizen = await CitizenOfAsync("ct", "1");

        var (placed, placedEvents) = await Resolver.SetRestrictionAsync(citizen, restricted: true, CancellationToken.None);
        var (_, againEvents) = await Resolver.SetRestrictionAsync(citizen, restricted: true, CancellationToken.None);
        var hidden = await Store.GetChangesAsync(0, 100, includeRestricted: false, [], CancellationToken.None);
        var (_, liftedEvents) = await Resolver.SetRestrictionAsync(citizen, restricted: false, CancellationToken.None);
        var (unknown, _) = await Resolver.SetRestrictionAsync(new string('f', 32), restricted: true, CancellationToken.None);

        Assert.Equal(StewardOutcomeKind.Applied, placed.Kind);
        Assert.Equal((citizen, true), Assert.IsType<CitizenRestrictionChanged>(Assert.Single(placedEvents)) is var p ? (p.CitizenId, p.Restricted) : default);
        Assert.Empty(againEvents);
        Assert.False(Assert.IsType<CitizenRestrictionChanged>(Assert.Single(liftedEvents)).Restricted);
        Assert.Equal(StewardOutcomeKind.CitizenNotFound, unknown.Kind);
        Assert.Equal(
            [HistoryCause.Created, HistoryCause.RecordAdded, HistoryCause.Restricted, HistoryCause.Unrestricted],
            (await Store.GetHistoryAsync(citizen, CancellationToken.None)).Select(h => h.Cause));
        Assert.Equal(
            [FeedEvents.Created, FeedEvents.Restricted, FeedEvents.Unrestricted],
            (await Store.GetChangesAsync(0, 100, includeRestricted: true, [], CancellationToken.None)).Select(c => c.Kind));
        // While restricted, its feed was hidden from those who may not see it, the restriction's own entry included.
        Assert.Empty(hidden);
    }

    [Fact]
    public async Task ApplyAsync_ANewRecordBridgesARestrictedAndAnUnrestrictedCitizen_TheMergedCitizenIsRestricted()
    {
        await ApplyAsync(Records.Person("ct", "1", "Ann", "Lee", ni: "AB123456C"));
        await ApplyAsync(Records.Person("ct", "2", "Anne", "Leigh", nhs: "9434765919"));
        await RestrictAsync(await CitizenOfAsync("ct", "2"));

        var events = await ApplyAsync(Records.Person("hb", "9", "Ann", "Lee", ni: "AB123456C", nhs: "943 476 5919"));

        var merged = Assert.Single(events.OfType<CitizensMerged>());
        await AssertRestrictedAsync(merged.SurvivingId);
        Assert.All(await RecordsOfAsync(merged.SurvivingId), r => Assert.True(r.CitizenRestricted));
    }

    [Fact]
    public async Task ApplyAsync_ARestrictedRecordChangesAndMovesOut_ItsNewCitizenIsRestricted()
    {
        await ApplyAsync(Records.Person("ct", "1", "Ann", "Lee", ni: "AB123456C"), Records.Person("ct", "2", "Ann", "Lee", ni: "AB123456C"));
        var citizen = await CitizenOfAsync("ct", "1");
        await RestrictAsync(citizen);

        await ApplyAsync(Records.Person("ct", "2", "Bob", "Ray", (1990, 1, 1), ni: "CE123456B"));

        var moved = await CitizenOfAsync("ct", "2");
        Assert.NotEqual(citizen, moved);
        await AssertRestrictedAsync(moved);
        await AssertRestrictedAsync(citizen);
    }

    [Fact]
    public async Task ApplyAsync_TheRecordsItWasPlacedOnGo_ARecordThatJoinedSinceKeepsTheCitizenRestricted()
    {
        await ApplyAsync(Records.Person("ct", "old", "Ann", "Lee", ni: "AB123456C"));
        var citizen = await CitizenOfAsync("ct", "old");
        await RestrictAsync(citizen);
        await ApplyAsync(Records.Person("hb", "new", "Ann", "Lee", ni: "AB123456C"));

        await RemoveAsync("ct", "old");

        Assert.Equal(citizen, await CitizenOfAsync("hb", "new"));
        await AssertRestrictedAsync(citizen);
    }

    [Fact]
    public async Task ApplyAsync_TheSameBatchRedelivered_ChangesNothingOfTheRestriction()
    {
        var batch = new SourceRecordBatch(RunId, "hb", 99, [Records.Person("hb", "1", "Ann", "Lee", ni: "AB123456C")]);
        await ApplyAsync(Records.Person("ct", "1", "Ann", "Lee", ni: "AB123456C"));
        var citizen = await CitizenOfAsync("ct", "1");
        await RestrictAsync(citizen);

        await Resolver.ApplyAsync(batch, CancellationToken.None);
        var again = await Resolver.ApplyAsync(batch, CancellationToken.None);

        Assert.Empty(again);
        Assert.Equal(citizen, await CitizenOfAsync("hb", "1"));
        await AssertRestrictedAsync(citizen);
    }

    [Fact]
    public async Task MergeByStewardAsync_AnUnrestrictedCitizenSurvives_ItIsRestricted()
    {
        await ApplyAsync(Records.Person("ct", "1", "Ann", "Lee", ni: "AB123456C"));
        await ApplyAsync(Records.Person("hb", "1", "Bob", "Ray", (1990, 1, 1)));
        var (restricted, plain) = (await CitizenOfAsync("ct", "1"), await CitizenOfAsync("hb", "1"));
        await RestrictAsync(restricted);

        var (outcome, _) = await Resolver.MergeByStewardAsync(plain, restricted, "steward", "same person", CancellationToken.None);

        Assert.Equal(StewardOutcomeKind.Applied, outcome.Kind);
        await AssertRestrictedAsync(plain);
        Assert.Empty(await Store.SearchAsync(new CitizenSearch("RAY", null, null, null), 10, CancellationToken.None));
    }

    [Fact]
    public async Task SplitByStewardAsync_ARecordSplitOffARestrictedCitizen_TheNewCitizenIsRestricted()
    {
        await ApplyAsync(Records.Person("ct", "1", "Ann", "Lee", ni: "AB123456C"), Records.Person("sc", "1", "Ann", "Lee", ni: "AB123456C"));
        var citizen = await CitizenOfAsync("ct", "1");
        await RestrictAsync(citizen);

        var (outcome, _) = await Resolver.SplitByStewardAsync(citizen, new SourceRecordRef("sc", "1"), "steward", "not her", CancellationToken.None);

        Assert.Equal(StewardOutcomeKind.Applied, outcome.Kind);
        await AssertRestrictedAsync(outcome.OtherCitizenId!);
        await AssertRestrictedAsync(citizen);
        Assert.Empty(await Store.SearchAsync(new CitizenSearch("LEE", null, null, null), 10, CancellationToken.None));
    }

    [Fact]
    public async Task DecideAsync_SamePersonAsARestrictedCitizen_TheMergedCitizenIsRestricted()
    {
        // An uncertain pair (the same name and postcode, another house number), the first of them restricted.
        await ApplyAsync(Records.Person("ct", "1", "Imogen", "Castellano", postcode: "ST16 2AB"));
        await RestrictAsync(await CitizenOfAsync("ct", "1"));
        await ApplyAsync(Records.Person("hb", "1", "Imogen", "Castellano") with { Addresses = [new PostalAddress(["3 High Street"], "Stafford", "ST16 2AB")] });
        var review = Assert.Single(await Store.GetReviewsAsync(new ReviewQuery(ReviewStatus.Open, 10), CancellationToken.None));
        var unrestricted = await CitizenOfAsync("hb", "1");
        var before = (await Store.GetCitizenAsync(unrestricted, CancellationToken.None))!.Restricted;

        var (outcome, _) = await Resolver.DecideAsync(review.ReviewId, samePerson: true, "steward", null, CancellationToken.None);

        Assert.False(before);
        Assert.Equal(StewardOutcomeKind.Applied, outcome.Kind);
        await AssertRestrictedAsync(outcome.CitizenId!);
        Assert.All(await RecordsOfAsync(outcome.CitizenId!), r => Assert.True(r.CitizenRestricted));
    }

    private async Task RestrictAsync(string citizenId) =>
        Assert.Equal(StewardOutcomeKind.Applied, (await Resolver.SetRestrictionAsync(citizenId, restricted: true, CancellationToken.None)).Outcome.Kind);

    private async Task AssertRestrictedAsync(string citizenId)
    {
        var view = await Store.GetCitizenAsync(citizenId, CancellationToken.None);
        Assert.True(view!.Restricted, $"Citizen {citizenId} is not restricted.");
        Assert.DoesNotContain(
            citizenId,
            (await Store.SearchAsync(new CitizenSearch(null, null, null, null) { SourceRecord = new SourceRecordRef(view.SourceRecords[0].SourceSystem, view.SourceRecords[0].SourceKey) }, 10, CancellationToken.None))
                .Select(c => c.CitizenId));
    }

    private async Task<List<HeldSourceRecord>> RecordsOfAsync(string citizenId)
    {
        var view = await Store.GetCitizenAsync(citizenId, CancellationToken.None);
        var held = new List<HeldSourceRecord>();
        foreach (var record in view!.SourceRecords)
        {
            held.Add((await Store.GetSourceRecordAsync(record.SourceSystem, record.SourceKey, CancellationToken.None))!);
        }

        return held;
    }
}

public sealed class SqliteRestrictionFollowsThePersonTests : RestrictionFollowsThePersonTests
{
    protected override Task<ICitizenStore> CreateStoreAsync() => SqliteStoreAsync();
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresRestrictionFollowsThePersonTests(PostgresServer server) : RestrictionFollowsThePersonTests
{
    protected override async Task<ICitizenStore> CreateStoreAsync() => new PostgresCitizenStore(await server.CreateDatabaseAsync());
}
