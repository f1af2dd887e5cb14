using CitizenHub.Contracts;

namespace CitizenHub.Matching.Identity;

/// <summary>
/// What the store holds of everything one message can touch, read before the engine decides anything: the message's
/// records as held, the citizens they or their candidates belong to (with all their records and golden records), what
/// stewards said about any of those records, and the counts of their names. The engine reads nothing else; a question
/// it cannot answer from here is a fault of whoever read the snapshot (<see cref="IdentitySnapshotIncompleteException"/>).
/// </summary>
public sealed class IdentitySnapshot
{
    /// <param name="held">What is held of each record named: the message's records, and every record of every citizen given.</param>
    /// <param name="citizens">Every citizen the message can touch: its candidates' citizens, its records' citizens, and any named.</param>
    /// <param name="declared">What stewards said about each record named or held by a citizen given; a record absent has no declarations.</param>
    /// <param name="suppressed">The message's records an erasure keeps out, with what they said when erased.</param>
    /// <param name="formerCitizens">For the message's records not held: the removed citizen each was last in, when it answers as removed.</param>
    /// <param name="names">The counts of the names of every record here, and of every record the message brings.</param>
    /// <param name="keys">The blocking keys of every record held, as they were when the snapshot was read.</param>
    public IdentitySnapshot(
        IReadOnlyDictionary<SourceRecordRef, HeldRecord> held,
        IReadOnlyCollection<CitizenState> citizens,
        IReadOnlyDictionary<SourceRecordRef, StewardDeclarations> declared,
        IReadOnlyDictionary<SourceRecordRef, string> suppressed,
        IReadOnlyDictionary<SourceRecordRef, string> formerCitizens,
        NameCounts names,
        IHeldKeys keys)
    {
        ArgumentNullException.ThrowIfNull(held);
        ArgumentNullException.ThrowIfNull(citizens);
        ArgumentNullException.ThrowIfNull(declared);
        ArgumentNullException.ThrowIfNull(suppressed);
        ArgumentNullException.ThrowIfNull(formerCitizens);
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(keys);
        Held = held;
        Citizens = citizens;
        Declared = declared;
        Suppressed = suppressed;
        FormerCitizens = formerCitizens;
        Names = names;
        Keys = keys;
    }

    public IReadOnlyDictionary<SourceRecordRef, HeldRecord> Held { get; }

    public IReadOnlyCollection<CitizenState> Citizens { get; }

    public IReadOnlyDictionary<SourceRecordRef, StewardDeclarations> Declared { get; }

    public IReadOnlyDictionary<SourceRecordRef, string> Suppressed { get; }

    public IReadOnlyDictionary<SourceRecordRef, string> FormerCitizens { get; }

    public NameCounts Names { get; }

    public IHeldKeys Keys { get; }
}

/// <summary>A citizen as held: its place in the store's order, its state, its records (by source, then key) and its golden record.</summary>
/// <param name="Seq">The store's order of citizens (the order they were created): candidates are weighed in this order.</param>
/// <param name="Restricted">Whether restriction of processing is placed on any of its records.</param>
public sealed record CitizenState(
    string CitizenId,
    long Seq,
    CitizenStatus Status,
    long Version,
    IReadOnlyList<NormalisedRecord> Records,
    IReadOnlyList<GoldenField> Golden,
    bool Restricted);

/// <summary>How many records hold each name, for the names a snapshot needs; a name not counted here is held by none.</summary>
/// <param name="Total">How many records the counts are over.</param>
public sealed record NameCounts(long Total, IReadOnlyDictionary<string, long> Families, IReadOnlyDictionary<string, long> Givens)
{
    public static NameCounts None { get; } = new(0, new Dictionary<string, long>(), new Dictionary<string, long>());
}

/// <summary>The blocking keys of the records a store holds, by the keys' hashes (<see cref="Linking.BlockingKeys.Hash(ReadOnlySpan{char})"/>).</summary>
public interface IHeldKeys
{
    /// <summary>The records holding a key of this hash; none when no record does. Never throws.</summary>
    IReadOnlyCollection<SourceRecordRef> HoldersOf(ulong hash);
}

/// <summary>The engine needed something the snapshot it was given does not hold: the snapshot was read wrongly, and nothing is applied.</summary>
public sealed class IdentitySnapshotIncompleteException(string message) : InvalidOperationException(message);
