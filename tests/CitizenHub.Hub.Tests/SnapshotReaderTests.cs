using CitizenHub.Contracts;
using CitizenHub.Matching;
using CitizenHub.Matching.Identity;
using CitizenHub.Matching.Linking;
using CitizenHub.Store;
using CitizenHub.TestKit;

namespace CitizenHub.Hub.Tests;

/// <summary>
/// What a snapshot reads of a block held by more records than it may hold: only a block that the message's own records
/// could bring within its limit, by changing their keys or going, is read; the identity engine leaves any other out, so
/// reading it would only cost time (most of a first load's, at a million records).
/// </summary>
public sealed class SnapshotReaderTests : ResolverOnAStore
{
    // Records with a name and nothing else hold one key, the name's, whose block holds at most this many others.
    private static readonly int OverTheLimit = BlockingKeys.NameOnlyMaximumBlockSize + 2;

    protected override Task<ICitizenStore> CreateStoreAsync() => SqliteStoreAsync();

    [Fact]
    public async Task ReadAsync_ABlockOverItsLimitHoldingNoneOfTheMessage_IsNotRead()
    {
        await HoldTheBlockAsync();
        var arriving = Records.Person("hb", "new", "Ann", "Lee");

        var snapshot = await ReadAsync(arriving);

        Assert.Empty(snapshot.Citizens);
    }

    [Fact]
    public async Task ReadAsync_ABlockOverItsLimitThatTheMessagesOwnRecordCouldLeave_IsRead()
    {
        await HoldTheBlockAsync();
        // The first record of the block changes its name: the block may come within its limit, so it is read.
        var leaving = Records.Person("ct", "0", "Bea", "Lee");
        var arriving = Records.Person("hb", "new", "Ann", "Lee");

        var snapshot = await ReadAsync(leaving, arriving);

        var read = snapshot.Citizens.SelectMany(c => c.Records).Select(r => r.SourceKey).ToHashSet();
        Assert.Equal(Enumerable.Range(0, OverTheLimit).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToHashSet(), read);
    }

    private async Task HoldTheBlockAsync()
    {
        for (var i = 0; i < OverTheLimit; i++)
        {
            await ApplyAsync(Records.Person("ct", i.ToString(System.Globalization.CultureInfo.InvariantCulture), "Ann", "Lee"));
        }
    }

    private async Task<IdentitySnapshot> ReadAsync(params SourceRecord[] message)
    {
        await using var session = await Store.BeginMessageAsync(new MessageIdentity(Guid.NewGuid(), "test", 1), CancellationToken.None)
            ?? throw new InvalidOperationException("A new message was taken for one applied before.");
        return await SnapshotReader.ReadAsync(
            session,
            [.. message.Select(r => new SourceRecordRef(r.SourceSystem, r.SourceKey))],
            [],
            searching: [.. message.Select(RecordNormaliser.Normalise)]);
    }
}
