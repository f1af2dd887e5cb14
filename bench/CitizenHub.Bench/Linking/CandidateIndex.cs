using System.Runtime.InteropServices;
using CitizenHub.Matching;
using CitizenHub.Matching.Linking;

namespace CitizenHub.Bench.Linking;

/// <summary>
/// Golden records held in memory with their blocking keys: the benchmarks' own index (the matching core's
/// <see cref="BlockingKeys"/> and <see cref="Linker"/> over arrays in memory). The hub's stores keep the same keys in their tables.
/// </summary>
public sealed class CandidateIndex
{
    private readonly BlockTable _blocks = new();
    private readonly List<NormalisedRecord> _records = [];
    private readonly CitizenMembership _membership = new();
    private readonly List<string> _citizenNames = [];
    private readonly int _maximumBlockSize;

    // The keys of the record being linked, and of the one passed as upcoming to Link, kept for when it arrives. Two
    // buffers, swapped as the upcoming record arrives: keys are worked out for every record, and need not be garbage.
    private RecordKeys _current;
    private RecordKeys _ahead;

    // The candidate citizens' numbers while a record's candidates are gathered: reused, as this runs for every record.
    private readonly List<int> _candidateScratch = new(16);

    // Where the candidates' profiles are read to bring them into cache (see Candidates); never used otherwise.
    private ulong _profilesRead;

    public CandidateIndex(int maximumBlockSize = BlockingKeys.DefaultMaximumBlockSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maximumBlockSize, 1);
        _maximumBlockSize = maximumBlockSize;
        _current = new RecordKeys(maximumBlockSize);
        _ahead = new RecordKeys(maximumBlockSize);
    }

    public TermFrequencyTable Frequencies { get; } = new();

    /// <summary>Candidate citizens handed out by <see cref="Candidates(NormalisedRecord)"/> so far (blocking's output, for benchmarks).</summary>
    public long CandidateCitizensServed { get; private set; }

    /// <summary>Candidate records (pairs to score) handed out by <see cref="Candidates(NormalisedRecord)"/> so far.</summary>
    public long CandidateRecordsServed { get; private set; }

    /// <summary>The citizen a record (by its position of adding) belongs to now.</summary>
    public int CitizenOf(int recordIndex) => _membership.CitizenOf(recordIndex);

    /// <summary>Candidate citizens for a record, oldest first, as the linker wants them. Ids are the citizens' numbers as text.</summary>
    public IReadOnlyList<CandidateCitizen> Candidates(NormalisedRecord record) => Candidates(KeysOf(record));

    private List<CandidateCitizen> Candidates(ReadOnlySpan<BlockKey> keys)
    {
        // A handful of citizens per record: a list with Contains beats a set here.
        var citizens = _candidateScratch;
        citizens.Clear();
        foreach (var key in keys)
        {
            if (_blocks.TryGet(key.Hash, out var block) && block.Count <= key.MaximumBlockSize)
            {
                foreach (var r in block)
                {
                    var citizen = _membership.CitizenOf(r);
                    if (!citizens.Contains(citizen))
                    {
                        citizens.Add(citizen);
                    }
                }
            }
        }

        citizens.Sort();
        var candidates = new List<CandidateCitizen>(citizens.Count);
        foreach (var citizen in citizens)
        {
            var records = new NormalisedRecord[_membership.Count(citizen)];
            var i = 0;
            foreach (var position in _membership.RecordsOf(citizen))
            {
                var held = _records[position];
                records[i++] = held;
                // Read now, while the next candidates' reads are under way too, so scoring finds the profile in cache:
                // one at a time, each candidate record would cost scoring a full wait on memory.
                _profilesRead += held.Profile.Given ^ held.Profile.PhoneBits;
            }

            candidates.Add(new CandidateCitizen(_citizenNames[citizen], records));
            CandidateRecordsServed += records.Length;
        }

        CandidateCitizensServed += candidates.Count;
        return candidates;
    }

    /// <summary>Links the record as the decision says (a new citizen, a link, or a merge) and returns its citizen's number.</summary>
    public int Apply(NormalisedRecord record, LinkDecision decision) => Apply(record, decision, KeysOf(record));

    private int Apply(NormalisedRecord record, LinkDecision decision, ReadOnlySpan<BlockKey> keys)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(decision);
        int citizen;
        if (decision.CitizenId is null)
        {
            citizen = NewCitizen();
        }
        else
        {
            citizen = CitizenNumber(decision.CitizenId);
        }

        foreach (var absorbed in decision.Absorbed.Select(CitizenNumber))
        {
            _membership.MoveAll(absorbed, citizen);
        }

        var index = _records.Count;
        _records.Add(record);
        _membership.AddRecord(index, citizen);
        Frequencies.Add(record);
        foreach (var key in keys)
        {
            _blocks.Add(key.Kind, key.Hash, index);
        }

        return citizen;
    }

    /// <summary>
    /// Resolves a record on arrival as the hub does: decide, apply, and when the record shows a citizen to have a
    /// namesake, take out the records that could be either person's (each to a citizen of its own).
    /// </summary>
    /// <param name="upcoming">
    /// The record that will be linked next, when the caller knows it: its blocks are fetched from memory while this
    /// one is decided. Against a million golden records finding candidates is mostly waiting on memory, and this way
    /// the waits overlap work. It changes nothing but the timing.
    /// </param>
    /// <returns>The decision and how many records were taken out as ambiguous.</returns>
    public (LinkDecision Decision, int Detached) Link(NormalisedRecord record, Linker linker, NormalisedRecord? upcoming = null)
    {
        ArgumentNullException.ThrowIfNull(linker);
        var keys = KeysOf(record);
        if (upcoming is not null)
        {
            _ahead.Fill(upcoming);
            foreach (var key in _ahead.Keys)
            {
                _blocks.Prefetch(key.Hash);
            }
        }

        var candidates = Candidates(keys);
        if (upcoming is not null)
        {
            // The next record's slots have arrived by now: ask for what each of their records leads to.
            PrefetchAhead(_ahead.Keys, Stage.RecordsOfBlocks);
        }

        var decision = linker.Decide(record, candidates, Frequencies);
        Apply(record, decision, keys);
        if (upcoming is not null)
        {
            PrefetchAhead(_ahead.Keys, Stage.CitizensAndProfiles);
        }

        var detached = 0;
        foreach (var namesake in decision.Namesakes ?? [])
        {
            var positions = new List<int>();
            foreach (var position in _membership.RecordsOf(CitizenNumber(namesake)))
            {
                positions.Add(position);
            }

            var held = positions.ConvertAll(r => _records[r]);
            var (_, apart, theirs) = linker.Separate(held, record, Frequencies);
            // A citizen holds a few records: find a position by reference rather than keep a map of millions.
            int PositionOf(NormalisedRecord taken) => positions[held.FindIndex(h => ReferenceEquals(h, taken))];
            foreach (var group in apart)
            {
                Detach(PositionOf(group[0]));
                foreach (var taken in group.Skip(1))
                {
                    _membership.Detach(PositionOf(taken), _membership.CitizenOf(PositionOf(group[0])));
                }

                detached += group.Count;
            }

            foreach (var moving in theirs)
            {
                _membership.Detach(PositionOf(moving), _membership.CitizenOf(_records.Count - 1));
            }
        }

        return (decision, detached);
    }

    /// <summary>Per kind of blocking key (its prefix): how many keys, the mean records a key holds, and the largest block.</summary>
    public IReadOnlyList<(string Kind, int Keys, double MeanRecords, int LargestBlock)> BlockStatistics() =>
        [.. _blocks.Statistics().OrderBy(g => g.Kind, StringComparer.Ordinal)];

    /// <summary>Moves one record out of its citizen into a new citizen of its own.</summary>
    public void Detach(int recordIndex)
    {
        _membership.Detach(recordIndex, NewCitizen());
    }

    private int NewCitizen()
    {
        var citizen = _membership.NewCitizen();
        // Named once: candidates hand the name out for every record that finds this citizen.
        _citizenNames.Add(CitizenName(citizen));
        return citizen;
    }

    // The next record's candidates, fetched ahead in two steps a record's work apart, each step asking only for what
    // the one before brought into cache: first each block record's citizen and place in the record list, then that
    // citizen's chain and name and the record's comparison profile. Blocks' chains (a fourth record and on) are left to the
    // lookup itself: few blocks have one.
    private void PrefetchAhead(ReadOnlySpan<BlockKey> keys, Stage stage)
    {
        if (!MemoryHint.IsSupported)
        {
            return;
        }

        var records = CollectionsMarshal.AsSpan(_records);
        var names = CollectionsMarshal.AsSpan(_citizenNames);
        foreach (var key in keys)
        {
            if (!_blocks.TryGet(key.Hash, out var block) || block.Count > key.MaximumBlockSize)
            {
                continue;
            }

            for (var i = 0; i < block.InSlot; i++)
            {
                var r = block.SlotRecord(i);
                if (stage == Stage.RecordsOfBlocks)
                {
                    _membership.PrefetchCitizenOf(r);
                    MemoryHint.Prefetch(in records[r]);
                }
                else
                {
                    var citizen = _membership.CitizenOf(r);
                    _membership.PrefetchChain(citizen);
                    MemoryHint.Prefetch(in names[citizen]);
                    MemoryHint.Prefetch(in records[r].Profile);
                }
            }
        }
    }

    // The record's blocking keys with their hashes: worked out once when the record was the upcoming one. Valid until
    // the next call: the buffers are reused.
    private ReadOnlySpan<BlockKey> KeysOf(NormalisedRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (ReferenceEquals(_ahead.Record, record))
        {
            (_current, _ahead) = (_ahead, _current);
        }
        else
        {
            _current.Fill(record);
        }

        return _current.Keys;
    }

    private static string CitizenName(int citizen) => citizen.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static int CitizenNumber(string id) => int.Parse(id, System.Globalization.CultureInfo.InvariantCulture);

    private enum Stage
    {
        RecordsOfBlocks,
        CitizensAndProfiles,
    }

    private readonly record struct BlockKey(string Kind, ulong Hash, int MaximumBlockSize);

    // One record's keys, hashed as they are written: the key text itself is never kept.
    private sealed class RecordKeys(int maximumBlockSize) : IBlockingKeySink
    {
        private BlockKey[] _keys = new BlockKey[16];
        private int _count;

        public NormalisedRecord? Record { get; private set; }

        public ReadOnlySpan<BlockKey> Keys => _keys.AsSpan(0, _count);

        public void Fill(NormalisedRecord record)
        {
            (Record, _count) = (null, 0);
            BlockingKeys.Write(record, this);
            Record = record;
        }

        public void Key(string kind, ReadOnlySpan<char> key)
        {
            if (_count == _keys.Length)
            {
                Array.Resize(ref _keys, _count * 2);
            }

            _keys[_count++] = new BlockKey(kind, BlockingKeys.Hash(key), BlockingKeys.MaximumBlockSize(kind, maximumBlockSize));
        }
    }
}
