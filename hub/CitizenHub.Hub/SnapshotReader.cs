using CitizenHub.Contracts;
using CitizenHub.Matching;
using CitizenHub.Matching.Identity;
using CitizenHub.Matching.Linking;
using CitizenHub.Store;

namespace CitizenHub.Hub;

/// <summary>
/// Reads the snapshot the identity engine decides a message on: everything the message can touch, in a few reads for
/// the whole message (each one query, or one round trip, whatever the message's size).
/// </summary>
public static class SnapshotReader
{
    /// <param name="records">The records the message names: what is held of them, their citizens, and where they were removed from.</param>
    /// <param name="citizens">Citizens the message names (a steward's command).</param>
    /// <param name="held">What is held of <paramref name="records"/> (and of any other record of the message), when the caller read it already.</param>
    /// <param name="suppressed">The named records an erasure keeps out, when the caller read them already.</param>
    /// <param name="searching">Records to be resolved: the citizens their blocking keys find now, or could find once the message's own changes are made, are read too.</param>
    public static async Task<IdentitySnapshot> ReadAsync(
        IResolutionSession session,
        IReadOnlyCollection<SourceRecordRef> records,
        IReadOnlyCollection<string> citizens,
        IReadOnlyDictionary<SourceRecordRef, HeldRecord>? held = null,
        IReadOnlyDictionary<SourceRecordRef, string>? suppressed = null,
        IReadOnlyCollection<NormalisedRecord>? searching = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(citizens);
        searching ??= [];
        held ??= await session.GetHeldAsync(records).ConfigureAwait(false);
        var keys = await session.GetKeysAsync().ConfigureAwait(false);

        // A block over its limit comes within it only as the message's own records in it change their keys or go (the
        // engine counts a block without them): such a block is read too, so that the engine finds what the store would,
        // and no other block over its limit is. Only a record the store holds can be among a block's holders: in a first
        // load none of the message's is, and no block over its limit is even counted.
        var found = new HashSet<SourceRecordRef>();
        var heldOfMessage = new HashSet<SourceRecordRef>(records.Where(held.ContainsKey));
        heldOfMessage.UnionWith(searching.Select(r => new SourceRecordRef(r.SourceSystem, r.SourceKey)).Where(held.ContainsKey));
        foreach (var record in searching)
        {
            Find(keys, BlockingKeys.For(record), new SourceRecordRef(record.SourceSystem, record.SourceKey), heldOfMessage, found);
        }

        // A candidate may be a record of the message itself, whose holding is read already.
        var foundInMessage = found.Where(held.ContainsKey).Select(r => held[r].CitizenId).ToList();
        found.ExceptWith(held.Keys);
        var foundHeld = await session.GetHeldAsync(found).ConfigureAwait(false);
        var notHeld = records.Where(r => !held.ContainsKey(r)).ToList();
        var formers = await session.GetFormerCitizensAsync(notHeld).ConfigureAwait(false);

        var citizenIds = new HashSet<string>(citizens, StringComparer.Ordinal);
        citizenIds.UnionWith(records.Select(r => held.GetValueOrDefault(r)?.CitizenId).OfType<string>());
        citizenIds.UnionWith(foundHeld.Values.Select(h => h.CitizenId));
        citizenIds.UnionWith(foundInMessage);
        citizenIds.UnionWith(formers.Values);
        var states = await session.GetCitizensAsync(citizenIds).ConfigureAwait(false);

        var allHeld = new Dictionary<SourceRecordRef, HeldRecord>(held);
        foreach (var (record, found1) in foundHeld)
        {
            allHeld[record] = found1;
        }

        var citizenRecords = states.SelectMany(c => c.Records).Select(r => new SourceRecordRef(r.SourceSystem, r.SourceKey)).ToList();
        foreach (var (record, heldRecord) in await session.GetHeldAsync([.. citizenRecords.Where(r => !allHeld.ContainsKey(r))]).ConfigureAwait(false))
        {
            allHeld[record] = heldRecord;
        }

        var declared = await session.GetDeclarationsAsync([.. records.Concat(citizenRecords).Distinct()]).ConfigureAwait(false);
        var named = searching.Concat(states.SelectMany(c => c.Records)).ToList();
        var names = await session.GetNameCountsAsync(
            [.. named.Select(r => r.FamilyKey).OfType<string>().Distinct(StringComparer.Ordinal)],
            [.. named.Select(r => r.GivenKey).OfType<string>().Distinct(StringComparer.Ordinal)]).ConfigureAwait(false);
        suppressed ??= await session.GetSuppressedAsync(records).ConfigureAwait(false);
        return new IdentitySnapshot(allHeld, states, declared, suppressed, formers, names, keys);
    }

    /// <summary>
    /// The snapshot of a message none of whose records is news (each unchanged, older than held, or kept out by an
    /// erasure): what is held of them, and nothing else, for the engine asks nothing else of such records.
    /// </summary>
    public static IdentitySnapshot HeldOnly(IReadOnlyDictionary<SourceRecordRef, HeldRecord> held, IReadOnlyDictionary<SourceRecordRef, string> suppressed) =>
        new(held, [], new Dictionary<SourceRecordRef, StewardDeclarations>(), suppressed, new Dictionary<SourceRecordRef, string>(), NameCounts.None, NoKeys.Instance);

    private sealed class NoKeys : IHeldKeys
    {
        public static readonly NoKeys Instance = new();

        public IReadOnlyCollection<SourceRecordRef> HoldersOf(ulong hash) => [];
    }

    // The records holding any of the keys, other than the one named, leaving out each key held by more of them than its
    // block may hold once the message's own records are left out of it.
    private static void Find(IHeldKeys keys, IReadOnlyList<string> matchKeys, SourceRecordRef except, HashSet<SourceRecordRef> heldOfMessage, HashSet<SourceRecordRef> found)
    {
        foreach (var key in matchKeys)
        {
            var holders = keys.HoldersOf(BlockingKeys.Hash(key));
            var over = holders.Count - 1 - BlockingKeys.MaximumBlockSize(key, BlockingKeys.DefaultMaximumBlockSize);
            if (over > 0 && (over > heldOfMessage.Count || over > holders.Count(heldOfMessage.Contains)))
            {
                continue;
            }

            foreach (var holder in holders)
            {
                if (holder != except)
                {
                    found.Add(holder);
                }
            }
        }
    }
}
