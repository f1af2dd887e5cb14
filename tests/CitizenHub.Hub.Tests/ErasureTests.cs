using CitizenHub.Contracts;
using CitizenHub.Matching.Identity;
using CitizenHub.Store;
using CitizenHub.Store.Postgres;
using CitizenHub.TestKit;

namespace CitizenHub.Hub.Tests;

/// <summary>
/// An erasure leaves nothing of the citizen's data in the hub (golden record, links, lineage, history, the change feed's
/// causes, reviews, decisions) and keeps its records out while their sources send them unchanged. Each derived class
/// runs every test against one store.
/// </summary>
public abstract class ErasureTests : ResolverOnAStore
{
    [Fact]
    public async Task EraseAsync_LeavesAnErasedIdWithNoRecordsFieldsOrHistoryButItsErasure_AndAnEvent()
    {
        await ApplyAsync(Records.Person("ct", "1", "Ann", "Lee", ni: "AB123456C"), Records.Person("hb", "1", "Ann", "Lee", ni: "AB123456C"));
        var citizen = await CitizenOfAsync("ct", "1");

        var (outcome, events) = await Resolver.EraseAsync(citizen, CancellationToken.None);

        Assert.Equal(StewardOutcomeKind.Applied, outcome.Kind);
        Assert.Equal(citizen, Assert.IsType<CitizenErased>(Assert.Single(events)).CitizenId);
        var view = await Store.GetCitizenAsync(citizen, CancellationToken.None);
        Assert.Equal(CitizenStatus.Erased, view!.Status);
        Assert.Empty(view.Fields);
        Assert.Empty(view.SourceRecords);
        Assert.Null(await Store.GetSourceRecordAsync("ct", "1", CancellationToken.None));
        Assert.Equal([HistoryCause.Erased], (await Store.GetHistoryAsync(citizen, CancellationToken.None)).Select(h => h.Cause));
        Assert.Empty(await LinksAsync());
        Assert.Empty(await Store.SearchAsync(new CitizenSearch("LEE", null, null, null, IncludeRestricted: true), 10, CancellationToken.None));
        Assert.Equal(StewardOutcomeKind.CitizenNotFound, (await Resolver.EraseAsync(citizen, CancellationToken.None)).Outcome.Kind);
    }

    [Fact]
    public async Task EraseAsync_TheChangeFeedKeepsThatChangesHappenedButNotWhichRecordsOrFields()
    {
        await ApplyAsync(Records.Person("ct", "1", "Ann", "Lee", ni: "AB123456C"));
        await ApplyAsync(Records.Person("hb", "1", "Ann", "Lee", ni: "AB123456C", postcode: "ST16 2AB"));
        var citizen = await CitizenOfAsync("ct", "1");

        await Resolver.EraseAsync(citizen, CancellationToken.None);

        var feed = await Store.GetChangesAsync(0, 100, includeRestricted: true, [], CancellationToken.None);
        Assert.Equal(FeedEvents.Erased, feed[^1].Kind);
        Assert.All(feed, change => Assert.Equal((citizen, "", "", 0), (change.CitizenId, change.Cause.SourceSystem, change.Cause.SourceKey, change.ChangedFields.Count)));
    }

    [Fact]
    public async Task EraseAsync_ACitizenMergedFromTwo_ErasesTheHistoryOfTheIdMergedIntoItAndTheReviewsOfItsRecords()
    {
        await ApplyAsync(Records.Person("ct", "1", "Ann", "Lee", ni: "AB123456C"));
        await ApplyAsync(Records.Person("ct", "2", "Anne", "Leigh", nhs: "9434765919"));
        var absorbed = await CitizenOfAsync("ct", "2");
        await ApplyAsync(Records.Person("hb", "9", "Ann", "Lee", ni: "AB123456C", nhs: "943 476 5919", postcode: "ST16 2AB"));
        // An uncertain pair about one of her records (the same name and postcode, another house), waiting for a steward.
        await ApplyAsync(Records.Person("er", "1", "Ann", "Lee") with { Addresses = [new PostalAddress(["3 High Street"], "Stafford", "ST16 2AB")] });
        var survivor = await CitizenOfAsync("ct", "1");
        var open = await Store.GetReviewsAsync(new ReviewQuery(ReviewStatus.Open, 10), CancellationToken.None);
        var absorbedHistory = await Store.GetHistoryAsync(absorbed, CancellationToken.None);

        await Resolver.EraseAsync(survivor, CancellationToken.None);

        Assert.NotEmpty(open);
        Assert.NotEmpty(absorbedHistory);
        Assert.Empty(await Store.GetHistoryAsync(absorbed, CancellationToken.None));
        Assert.Empty(await Store.GetReviewsAsync(new ReviewQuery(ReviewStatus.Open, 10), CancellationToken.None));
        Assert.Empty(await Store.GetReviewsAsync(new ReviewQuery(ReviewStatus.Superseded, 10), CancellationToken.None));
    }

    [Fact]
    public async Task ApplyAsync_AnErasedRecordSentAgainUnchanged_StaysOut_ChangedComesIn()
    {
        var ann = Records.Person("ct", "1", "Ann", "Lee", ni: "AB123456C");
        var bob = Records.Person("ct", "2", "Bob", "Ray", (1990, 1, 1));
        await ApplyAsync(ann);
        await ApplyAsync(bob);
        await Resolver.EraseAsync(await CitizenOfAsync("ct", "1"), CancellationToken.None);
        await Resolver.EraseAsync(await CitizenOfAsync("ct", "2"), CancellationToken.None);

        var again = await ApplyAsync(ann with { ObservedAt = ann.ObservedAt.AddDays(1) }, bob with { Name = new PersonName(null, "Robert", "Ray") });

        Assert.Null(await Store.GetSourceRecordAsync("ct", "1", CancellationToken.None));
        Assert.NotNull(await Store.GetSourceRecordAsync("ct", "2", CancellationToken.None));
        Assert.Single(again.OfType<CitizenCreated>());
        // Held (2, changed and back) and kept out (1): a full extract without 1 would end its suppression.
        Assert.Equal(["1", "2"], (await KeysAsync("ct")).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task RemoveAsync_TheSourceDropsAnErasedRecord_ItIsNoLongerKeptOut_AndComesInIfSentAgain()
    {
        var ann = Records.Person("ct", "1", "Ann", "Lee", ni: "AB123456C");
        await ApplyAsync(ann);
        await Resolver.EraseAsync(await CitizenOfAsync("ct", "1"), CancellationToken.None);
        var keptOut = await KeysAsync("ct");

        await RemoveAsync("ct", "1");
        var afterRemoval = await KeysAsync("ct");
        await ApplyAsync(ann);

        Assert.Equal(["1"], keptOut);
        Assert.Empty(afterRemoval);
        Assert.NotNull(await Store.GetSourceRecordAsync("ct", "1", CancellationToken.None));
    }

    [Fact]
    public async Task ReadSourceContentHashesAsync_GivesAnErasedRecordsDigestAsItWasWhenErased_SoAFullRunNeedNotSendItUnchanged()
    {
        var ann = Records.Person("ct", "1", "Ann", "Lee", ni: "AB123456C");
        await ApplyAsync(ann);
        await Resolver.EraseAsync(await CitizenOfAsync("ct", "1"), CancellationToken.None);

        var held = new List<(string, string)>();
        await foreach (var pair in Store.ReadSourceContentHashesAsync("ct", CancellationToken.None))
        {
            held.Add(pair);
        }

        Assert.Equal([("1", RecordResolver.ContentHash(ann))], held);
    }

    private async Task<List<string>> KeysAsync(string system)
    {
        var keys = new List<string>();
        await foreach (var key in Store.ReadSourceKeysAsync(system, CancellationToken.None))
        {
            keys.Add(key);
        }

        return keys;
    }
}

public sealed class SqliteErasureTests : ErasureTests
{
    protected override Task<ICitizenStore> CreateStoreAsync() => SqliteStoreAsync();
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresErasureTests(PostgresServer server) : ErasureTests
{
    protected override async Task<ICitizenStore> CreateStoreAsync() => new PostgresCitizenStore(await server.CreateDatabaseAsync());
}
