using CitizenHub.Contracts;
using CitizenHub.Matching.Identity;
using CitizenHub.Matching.Linking;

namespace CitizenHub.Matching.Tests.Identity;

/// <summary>
/// The workspace finds candidates as the store's key index would after the message's own changes: a key held by
/// more records than its block may hold is left out, counting records other than the one asked for, and saves and
/// removals earlier in the message move the count.
/// </summary>
public sealed class IdentityWorkspaceTests
{
    private const string Phone = "ph:+441632960000";
    private static readonly DateTimeOffset At = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void FindCitizens_KeyHeldByMoreOthersThanTheBlockHolds_IsLeftOut_AndTheRecordAskingIsNotCounted()
    {
        var workspace = Workspace(holders: 4, out var refs);

        Assert.Empty(workspace.FindCitizens([Phone], new SourceRecordRef("x", "x"), maximumBlockSize: 3));
        // Asked by one of the four, three others hold it: within the block.
        Assert.Equal(["c1", "c2", "c3"], workspace.FindCitizens([Phone], refs[0], maximumBlockSize: 3));
    }

    [Fact]
    public void FindCitizens_NameOnlyKey_HasTheSmallerBlock()
    {
        var key = BlockingKeys.NameOnlyPrefix + "LEE|ANN";
        var workspace = Workspace(holders: BlockingKeys.NameOnlyMaximumBlockSize + 1, out _, key);

        Assert.Empty(workspace.FindCitizens([key], new SourceRecordRef("x", "x"), BlockingKeys.DefaultMaximumBlockSize));
        Assert.Equal(BlockingKeys.NameOnlyMaximumBlockSize + 1, workspace.FindCitizens([Phone], new SourceRecordRef("x", "x"), BlockingKeys.DefaultMaximumBlockSize).Count);
    }

    [Fact]
    public void FindCitizens_ARemovalEarlierInTheMessage_BringsTheBlockWithinItsLimit_AndASaveTakesItPast()
    {
        var workspace = Workspace(holders: 4, out var refs);
        workspace.RemoveRecord(refs[3]);

        Assert.Equal(["c0", "c1", "c2"], workspace.FindCitizens([Phone], new SourceRecordRef("x", "x"), maximumBlockSize: 3));

        var record = Record("ct", "new");
        var citizen = workspace.CreateCitizen(At);
        workspace.SaveRecord(citizen, record, RecordNormaliser.Normalise(record), "h", [Phone], null, At);

        Assert.Empty(workspace.FindCitizens([Phone], new SourceRecordRef("x", "x"), maximumBlockSize: 3));
        Assert.Equal(["c1", "c2", citizen], workspace.FindCitizens([Phone], refs[0], maximumBlockSize: 3));
    }

    [Fact]
    public void FindCitizens_ACitizenMarkedRemoved_IsNoCandidate()
    {
        var workspace = Workspace(holders: 2, out _);
        workspace.SetGoldenRecord("c0", [], At);

        Assert.Equal(["c1"], workspace.FindCitizens([Phone], new SourceRecordRef("x", "x"), maximumBlockSize: 3));
    }

    // A citizen of one record each, c0 first in the store's order, every record holding the phone (and the extra key).
    private static IdentityWorkspace Workspace(int holders, out SourceRecordRef[] refs, string? alsoKey = null)
    {
        refs = [.. Enumerable.Range(0, holders).Select(i => new SourceRecordRef("ct", i.ToString(System.Globalization.CultureInfo.InvariantCulture)))];
        var keys = new Keys();
        var held = new Dictionary<SourceRecordRef, HeldRecord>();
        var citizens = new List<CitizenState>();
        for (var i = 0; i < holders; i++)
        {
            var record = Record(refs[i].SourceSystem, refs[i].SourceKey);
            citizens.Add(new CitizenState($"c{i}", i + 1, CitizenStatus.Active, 1, [RecordNormaliser.Normalise(record)], [], false));
            held[refs[i]] = new HeldRecord($"c{i}", "h", At);
            keys.Hold(refs[i], alsoKey is null ? [Phone] : [Phone, alsoKey]);
        }

        var snapshot = new IdentitySnapshot(held, citizens, new Dictionary<SourceRecordRef, StewardDeclarations>(), new Dictionary<SourceRecordRef, string>(), new Dictionary<SourceRecordRef, string>(), NameCounts.None, keys);
        var minted = 0;
        return new IdentityWorkspace(snapshot, _ => $"new-{++minted}");
    }

    private static SourceRecord Record(string system, string key) => new()
    {
        SourceSystem = system,
        SourceKey = key,
        ObservedAt = At,
        Name = new PersonName(null, "Ann", "Lee"),
    };

    private sealed class Keys : IHeldKeys
    {
        private readonly Dictionary<ulong, List<SourceRecordRef>> _holders = [];

        public void Hold(SourceRecordRef record, IReadOnlyList<string> keys)
        {
            foreach (var key in keys)
            {
                (_holders.TryGetValue(BlockingKeys.Hash(key), out var list) ? list : _holders[BlockingKeys.Hash(key)] = []).Add(record);
            }
        }

        public IReadOnlyCollection<SourceRecordRef> HoldersOf(ulong hash) => _holders.TryGetValue(hash, out var list) ? list : [];
    }
}
