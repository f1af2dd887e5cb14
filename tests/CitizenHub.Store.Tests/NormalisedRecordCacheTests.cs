using CitizenHub.Contracts;
using CitizenHub.TestKit;

namespace CitizenHub.Store.Tests;

public sealed class NormalisedRecordCacheTests
{
    private static readonly SourceRecordRef Ann = new("ct", "1");

    [Fact]
    public void Get_TheSameBytesAgain_AnswersWithTheFormItMade()
    {
        var cache = new NormalisedRecordCache();
        var stored = StoredRecord.Encode(Records.Person("ct", "1", "Ann", "Lee"));

        var first = cache.Get(Ann, stored);
        var again = cache.Get(Ann, [.. stored]);

        Assert.Same(first, again);
    }

    [Fact]
    public void Get_AChangedRecord_NormalisesWhatIsStoredNow()
    {
        var cache = new NormalisedRecordCache();
        cache.Get(Ann, StoredRecord.Encode(Records.Person("ct", "1", "Ann", "Lee")));

        var changed = cache.Get(Ann, StoredRecord.Encode(Records.Person("ct", "1", "Ann", "Hart")));

        Assert.Equal("Hart", changed.FamilyName);
    }

    [Fact]
    public void Get_TheSameContentObservedLater_GivesTheLaterTime()
    {
        var cache = new NormalisedRecordCache();
        cache.Get(Ann, StoredRecord.Encode(Records.Person("ct", "1", "Ann", "Lee")));

        var later = cache.Get(Ann, StoredRecord.Encode(Records.Person("ct", "1", "Ann", "Lee", observedAt: Records.Observed.AddDays(1))));

        Assert.Equal(Records.Observed.AddDays(1), later.ObservedAt);
    }

    [Fact]
    public void Get_MoreRecordsThanTwoGenerations_ForgetsTheOldestButKeepsWhatIsReadOften()
    {
        var cache = new NormalisedRecordCache(generationSize: 10);
        var stored = StoredRecord.Encode(Records.Person("ct", "1", "Ann", "Lee"));
        var often = new SourceRecordRef("ct", "often");
        var kept = cache.Get(often, stored);
        var first = cache.Get(new SourceRecordRef("ct", "r0"), stored);
        for (var i = 1; i < 50; i++)
        {
            cache.Get(new SourceRecordRef("ct", $"r{i}"), stored);
            Assert.Same(kept, cache.Get(often, stored));
        }

        Assert.NotSame(first, cache.Get(new SourceRecordRef("ct", "r0"), stored));
    }
}
