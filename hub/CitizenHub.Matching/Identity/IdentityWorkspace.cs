using System.Runtime.InteropServices;
using CitizenHub.Contracts;
using CitizenHub.Matching.Linking;
using CitizenHub.Matching.Scoring;

namespace CitizenHub.Matching.Identity;

/// <summary>
/// The store as one message sees it while the engine decides: a snapshot, with every change the message makes so far
/// applied to it in memory and written down in order. It answers as the store would after those changes (the store
/// contract tests hold the stores to the same answers), and it reads nothing: a question about something the snapshot
/// does not hold throws <see cref="IdentitySnapshotIncompleteException"/>.
/// </summary>
internal sealed class IdentityWorkspace
{
    // Citizens this message created come after every citizen held, in the order created, as the store's own order would put them.
    private const long CreatedHere = long.MaxValue / 2;

    private readonly IdentitySnapshot _snapshot;
    private readonly Func<DateTimeOffset, string> _newCitizenId;
    private readonly Dictionary<SourceRecordRef, HeldRecord?> _held = [];
    private readonly Dictionary<SourceRecordRef, NormalisedRecord> _normalised = [];
    private readonly Dictionary<string, Citizen> _citizens = new(StringComparer.Ordinal);
    private readonly Dictionary<SourceRecordRef, StewardDeclarations> _declared = [];
    private readonly Dictionary<SourceRecordRef, string> _suppressed = [];
    private readonly Dictionary<SourceRecordRef, string> _removedFrom = [];
    private readonly Dictionary<string, long> _families;
    private readonly Dictionary<string, long> _givens;
    private long _total;
    private long _created;

    // The blocking keys of records this message saved or removed (null), over the snapshot's keys, and who holds each of those keys now.
    private readonly Dictionary<SourceRecordRef, ulong[]?> _changedKeys = [];
    private readonly Dictionary<ulong, List<SourceRecordRef>> _keyHolders = [];

    private readonly List<IdentityChange> _changes = [];

    public IdentityWorkspace(IdentitySnapshot snapshot, Func<DateTimeOffset, string> newCitizenId)
    {
        _snapshot = snapshot;
        _newCitizenId = newCitizenId;
        foreach (var (record, held) in snapshot.Held)
        {
            _held[record] = held;
        }

        foreach (var citizen in snapshot.Citizens)
        {
            _citizens[citizen.CitizenId] = new Citizen(citizen.Seq, citizen.Status, citizen.Version, [.. citizen.Records], citizen.Golden, citizen.Restricted);
            foreach (var record in citizen.Records)
            {
                _normalised[Ref(record)] = record;
            }
        }

        foreach (var (record, declared) in snapshot.Declared)
        {
            _declared[record] = declared;
        }

        foreach (var (record, hash) in snapshot.Suppressed)
        {
            _suppressed[record] = hash;
        }

        _families = new Dictionary<string, long>(snapshot.Names.Families, StringComparer.Ordinal);
        _givens = new Dictionary<string, long>(snapshot.Names.Givens, StringComparer.Ordinal);
        _total = snapshot.Names.Total;
    }

    public IReadOnlyList<IdentityChange> Changes => _changes;

    public IReadOnlyDictionary<SourceRecordRef, string> Suppressed => _suppressed;

    public static SourceRecordRef Ref(NormalisedRecord record) => new(record.SourceSystem, record.SourceKey);

    public HeldRecord? FindRecord(SourceRecordRef record) => _held.GetValueOrDefault(record);

    /// <summary>
    /// Active citizens holding any record (other than the one named) that has one of the keys, in the store's order of
    /// citizens; a key held by more records than its block may hold is left out (<see cref="BlockingKeys.MaximumBlockSize"/>).
    /// </summary>
    public IReadOnlyList<string> FindCitizens(IReadOnlyCollection<string> keys, SourceRecordRef except, int maximumBlockSize)
    {
        var found = new HashSet<SourceRecordRef>();
        var members = new List<SourceRecordRef>();
        foreach (var key in keys)
        {
            var hash = BlockingKeys.Hash(key);
            var limit = BlockingKeys.MaximumBlockSize(key, maximumBlockSize);
            var held = _snapshot.Keys.HoldersOf(hash);
            // Nothing this message did could bring a block that large within its limit: it is not read.
            if (held.Count - _changedKeys.Count - 1 > limit)
            {
                continue;
            }

            members.Clear();
            foreach (var holder in held)
            {
                if (!_changedKeys.ContainsKey(holder))
                {
                    members.Add(holder);
                }
            }

            if (_keyHolders.TryGetValue(hash, out var changed))
            {
                members.AddRange(changed);
            }

            if (members.Count - (members.Contains(except) ? 1 : 0) > limit)
            {
                continue;
            }

            foreach (var member in members)
            {
                if (member != except)
                {
                    found.Add(member);
                }
            }
        }

        if (found.Count == 0)
        {
            return [];
        }

        var citizens = new HashSet<string>(StringComparer.Ordinal);
        foreach (var record in found)
        {
            if (!_held.TryGetValue(record, out var held))
            {
                throw new IdentitySnapshotIncompleteException("A candidate record found by its keys is not in the snapshot.");
            }

            if (held is not null)
            {
                citizens.Add(held.CitizenId);
            }
        }

        return [.. citizens.Where(id => CitizenOf(id).Status == CitizenStatus.Active).OrderBy(id => CitizenOf(id).Seq)];
    }

    /// <summary>The counts of the names of these records (and of no others: a name of another record counts as held by none).</summary>
    public ITermFrequencies Frequencies(IReadOnlyCollection<NormalisedRecord> records)
    {
        var families = new Dictionary<string, long>(StringComparer.Ordinal);
        var givens = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var record in records)
        {
            if (record.FamilyKey is { } family && _families.GetValueOrDefault(family) is > 0 and var familyCount)
            {
                families[family] = familyCount;
            }

            if (record.GivenKey is { } given && _givens.GetValueOrDefault(given) is > 0 and var givenCount)
            {
                givens[given] = givenCount;
            }
        }

        return new Counted(_total, families, givens);
    }

    /// <summary>Every record linked to a citizen, by source, then key.</summary>
    public IReadOnlyList<NormalisedRecord> LinkedRecords(string citizenId) => [.. CitizenOf(citizenId).Records];

    public bool IsRestricted(string citizenId) => CitizenOf(citizenId).Restricted;

    public bool IsActive(string citizenId) => CitizenOf(citizenId).Status == CitizenStatus.Active;

    /// <summary>The citizen's place in the store's order of citizens (the order they were created).</summary>
    public long OrderOf(string citizenId) => CitizenOf(citizenId).Seq;

    public string CreateCitizen(DateTimeOffset at)
    {
        var citizenId = _newCitizenId(at);
        _citizens.Add(citizenId, new Citizen(CreatedHere + _created++, CitizenStatus.Active, 0, [], [], false));
        _changes.Add(new IdentityChange.CitizenStarted(citizenId, at));
        return citizenId;
    }

    public void SaveRecord(
        string citizenId, SourceRecord record, NormalisedRecord normalised, string contentHash, IReadOnlyList<string> matchKeys, PairEvidence? evidence, DateTimeOffset at)
    {
        var saved = new SourceRecordRef(record.SourceSystem, record.SourceKey);
        var held = _held.GetValueOrDefault(saved);
        var before = held is null ? null : _normalised.GetValueOrDefault(saved);
        if (held is not null)
        {
            CitizenOf(held.CitizenId).Take(saved);
            Count(before, -1);
        }
        else
        {
            _total++;
        }

        Count(normalised, +1);
        CitizenOf(citizenId).Put(normalised);
        _held[saved] = new HeldRecord(citizenId, contentHash, record.ObservedAt);
        _normalised[saved] = normalised;
        SetKeys(saved, HashesOf(matchKeys));
        _changes.Add(new IdentityChange.RecordSaved(citizenId, record, normalised, contentHash, matchKeys, evidence, held is not null, before, at));
    }

    public void MoveRecord(SourceRecordRef record, string citizenId, DateTimeOffset at)
    {
        var held = Held(record);
        CitizenOf(citizenId).Put(CitizenOf(held.CitizenId).Take(record));
        _held[record] = held with { CitizenId = citizenId };
        _changes.Add(new IdentityChange.RecordMoved(record, citizenId, at));
    }

    public void RemoveRecord(SourceRecordRef record)
    {
        var held = Held(record);
        var before = CitizenOf(held.CitizenId).Take(record);
        Count(before, -1);
        _total--;
        _held[record] = null;
        _normalised.Remove(record);
        _removedFrom[record] = held.CitizenId;
        SetKeys(record, null);
        _changes.Add(new IdentityChange.RecordRemoved(record, held.CitizenId, before));
    }

    public void Merge(string survivorId, string absorbedId, DateTimeOffset at)
    {
        var survivor = CitizenOf(survivorId);
        var absorbed = CitizenOf(absorbedId);
        foreach (var record in absorbed.Records.ToList())
        {
            var moved = Ref(record);
            survivor.Put(absorbed.Take(moved));
            _held[moved] = _held[moved]! with { CitizenId = survivorId };
        }

        survivor.Restricted |= absorbed.Restricted;
        absorbed.Status = CitizenStatus.Merged;
        absorbed.Golden = [];
        absorbed.Version++;
        _changes.Add(new IdentityChange.CitizenAbsorbed(survivorId, absorbedId, at));
    }

    public GoldenRecordChange SetGoldenRecord(string citizenId, IReadOnlyList<GoldenField> fields, DateTimeOffset at)
    {
        var citizen = CitizenOf(citizenId);
        var diff = GoldenRecordDiff.Between(citizen.Golden, fields);
        citizen.Version += diff.Rewritten ? 1 : 0;
        citizen.Golden = [.. fields];
        citizen.Status = fields.Count == 0 ? CitizenStatus.Removed : CitizenStatus.Active;
        _changes.Add(new IdentityChange.GoldenRecordWritten(citizenId, citizen.Golden, citizen.Version, diff.Rewritten, at));
        return new GoldenRecordChange(citizen.Version, diff.Changed);
    }

    public void AddHistory(CitizenHistoryEntry entry) => _changes.Add(new IdentityChange.HistoryAdded(entry));

    public void AddReview(SourceRecordRef record, PairEvidence candidate, DateTimeOffset at) =>
        _changes.Add(new IdentityChange.ReviewAdded(record, candidate, at));

    public void SupersedeReviews(SourceRecordRef record, DateTimeOffset at) => _changes.Add(new IdentityChange.ReviewsSuperseded(record, at));

    public void CloseReview(long reviewId, ReviewStatus status, DateTimeOffset at) => _changes.Add(new IdentityChange.ReviewClosed(reviewId, status, at));

    public void AddStewardDecision(StewardDecision decision)
    {
        Declare(decision.Record, decision.Other, decision.SamePerson);
        Declare(decision.Other, decision.Record, decision.SamePerson);
        _changes.Add(new IdentityChange.StewardDecisionAdded(decision));
    }

    public StewardDeclarations GetDeclared(SourceRecordRef record) => _declared.GetValueOrDefault(record) ?? StewardDeclarations.None;

    /// <summary>The citizen a record not held was in when it was removed, while that citizen answers as removed.</summary>
    public string? FindFormerCitizen(SourceRecordRef record)
    {
        var former = _removedFrom.TryGetValue(record, out var here) ? here : _snapshot.FormerCitizens.GetValueOrDefault(record);
        return former is not null && CitizenOf(former).Status == CitizenStatus.Removed ? former : null;
    }

    public void LiftSuppression(SourceRecordRef record)
    {
        _suppressed.Remove(record);
        _changes.Add(new IdentityChange.SuppressionLifted(record));
    }

    /// <summary>Places restriction on a citizen's records or lifts it; whether the citizen's state changed (placed on no records, nothing does).</summary>
    public bool SetRestriction(string citizenId, bool restricted, DateTimeOffset at)
    {
        var citizen = CitizenOf(citizenId);
        var before = citizen.Restricted;
        citizen.Restricted = restricted && citizen.Records.Count > 0;
        _changes.Add(new IdentityChange.RestrictionSet(citizenId, restricted, at));
        return before != citizen.Restricted;
    }

    public void EraseCitizen(string citizenId, IReadOnlyList<SuppressedRecord> records, DateTimeOffset at)
    {
        var citizen = CitizenOf(citizenId);
        citizen.Status = CitizenStatus.Erased;
        citizen.Golden = [];
        foreach (var record in records)
        {
            _suppressed[record.Record] = record.ContentHash;
            _removedFrom.Remove(record.Record);
        }

        _changes.Add(new IdentityChange.CitizenErased(citizenId, records, at));
    }

    private Citizen CitizenOf(string citizenId) =>
        _citizens.TryGetValue(citizenId, out var citizen)
            ? citizen
            : throw new IdentitySnapshotIncompleteException("A citizen the message touches is not in the snapshot.");

    private HeldRecord Held(SourceRecordRef record) =>
        _held.GetValueOrDefault(record) ?? throw new IdentitySnapshotIncompleteException("A record the message moves or removes is not held in the snapshot.");

    private void Declare(SourceRecordRef record, SourceRecordRef other, bool same)
    {
        var declared = GetDeclared(record);
        var sameSet = new HashSet<SourceRecordRef>(declared.Same);
        var differentSet = new HashSet<SourceRecordRef>(declared.Different);
        (same ? sameSet : differentSet).Add(other);
        _declared[record] = new StewardDeclarations(sameSet, differentSet);
    }

    private void Count(NormalisedRecord? record, int by)
    {
        if (record?.FamilyKey is { } family)
        {
            CollectionsMarshal.GetValueRefOrAddDefault(_families, family, out _) += by;
        }

        if (record?.GivenKey is { } given)
        {
            CollectionsMarshal.GetValueRefOrAddDefault(_givens, given, out _) += by;
        }
    }

    private static ulong[] HashesOf(IReadOnlyList<string> keys)
    {
        var hashes = new HashSet<ulong>(keys.Count);
        foreach (var key in keys)
        {
            hashes.Add(BlockingKeys.Hash(key));
        }

        return [.. hashes];
    }

    private void SetKeys(SourceRecordRef record, ulong[]? hashes)
    {
        if (_changedKeys.TryGetValue(record, out var before) && before is not null)
        {
            foreach (var hash in before)
            {
                _keyHolders[hash].Remove(record);
            }
        }

        _changedKeys[record] = hashes;
        foreach (var hash in hashes ?? [])
        {
            (CollectionsMarshal.GetValueRefOrAddDefault(_keyHolders, hash, out _) ??= []).Add(record);
        }
    }

    private sealed class Citizen(long seq, CitizenStatus status, long version, List<NormalisedRecord> records, IReadOnlyList<GoldenField> golden, bool restricted)
    {
        public long Seq { get; } = seq;

        public CitizenStatus Status { get; set; } = status;

        public long Version { get; set; } = version;

        public List<NormalisedRecord> Records { get; } = records;

        public IReadOnlyList<GoldenField> Golden { get; set; } = golden;

        public bool Restricted { get; set; } = restricted;

        // Kept in the order the stores read a citizen's records: by source, then key.
        public void Put(NormalisedRecord record)
        {
            var at = Records.FindIndex(r => Compare(r, record) > 0);
            Records.Insert(at < 0 ? Records.Count : at, record);
        }

        public NormalisedRecord Take(SourceRecordRef record)
        {
            var at = Records.FindIndex(r => r.SourceSystem == record.SourceSystem && r.SourceKey == record.SourceKey);
            if (at < 0)
            {
                throw new IdentitySnapshotIncompleteException("A record held by a citizen is not among the citizen's records in the snapshot.");
            }

            var taken = Records[at];
            Records.RemoveAt(at);
            return taken;
        }

        private static int Compare(NormalisedRecord left, NormalisedRecord right)
        {
            var bySystem = string.CompareOrdinal(left.SourceSystem, right.SourceSystem);
            return bySystem != 0 ? bySystem : string.CompareOrdinal(left.SourceKey, right.SourceKey);
        }
    }

    private sealed class Counted(long total, Dictionary<string, long> families, Dictionary<string, long> givens) : ITermFrequencies
    {
        public long Total => total;

        public long FamilyCount(string familyKey) => families.GetValueOrDefault(familyKey);

        public long GivenCount(string givenKey) => givens.GetValueOrDefault(givenKey);
    }
}
