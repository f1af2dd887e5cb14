namespace CitizenHub.Bench.Linking;

/// <summary>
/// Which citizen each record (by its position of adding) belongs to, and each citizen's records in the order they
/// joined, as chains through flat arrays rather than a list per citizen.
/// </summary>
/// <remarks>
/// Finding a candidate's records read, for a list per citizen, the slot, the list, then the list's array: three cache
/// misses a candidate at a million citizens. A chain reads the citizen's first record and one link per further record
/// (most citizens hold one or two), and a million lists fewer is a million objects the collector never visits.
/// </remarks>
internal sealed class CitizenMembership
{
    private int[] _citizenOfRecord = new int[16];
    private int[] _nextOfRecord = new int[16];
    private Chain[] _chains = new Chain[16];
    private int _recordCount;
    private int _citizenCount;

    public int CitizenOf(int record) => _citizenOfRecord[record];

    /// <summary>Asks the processor to bring a record's citizen into cache, for a lookup soon (see <see cref="BlockTable.Prefetch"/>).</summary>
    public void PrefetchCitizenOf(int record)
    {
        if ((uint)record < (uint)_recordCount)
        {
            MemoryHint.Prefetch(in _citizenOfRecord[record]);
        }
    }

    /// <summary>Asks the processor to bring a citizen's chain (its first record and count) into cache.</summary>
    public void PrefetchChain(int citizen)
    {
        if ((uint)citizen < (uint)_citizenCount)
        {
            MemoryHint.Prefetch(in _chains[citizen]);
        }
    }

    public int Count(int citizen) => _chains[citizen].Count;

    public int NewCitizen()
    {
        if (_citizenCount == _chains.Length)
        {
            Array.Resize(ref _chains, _chains.Length * 2);
        }

        _chains[_citizenCount] = new Chain(-1, -1, 0);
        return _citizenCount++;
    }

    /// <summary>Adds the next record (its position must be the number of records added so far) to a citizen.</summary>
    public void AddRecord(int record, int citizen)
    {
        if (record != _recordCount)
        {
            throw new ArgumentOutOfRangeException(nameof(record), "Records are added in order of their positions.");
        }

        if (_recordCount == _citizenOfRecord.Length)
        {
            Array.Resize(ref _citizenOfRecord, _recordCount * 2);
            Array.Resize(ref _nextOfRecord, _recordCount * 2);
        }

        _recordCount++;
        Append(record, citizen);
    }

    /// <summary>Moves every record of one citizen to the end of another's (a merge).</summary>
    public void MoveAll(int from, int to)
    {
        ref var source = ref _chains[from];
        if (source.Count == 0 || from == to)
        {
            return;
        }

        for (var r = source.First; r >= 0; r = _nextOfRecord[r])
        {
            _citizenOfRecord[r] = to;
        }

        ref var target = ref _chains[to];
        if (target.Count == 0)
        {
            target.First = source.First;
        }
        else
        {
            _nextOfRecord[target.Last] = source.First;
        }

        target.Last = source.Last;
        target.Count += source.Count;
        source = new Chain(-1, -1, 0);
    }

    /// <summary>Takes one record out of its citizen and puts it in another (a new one, made by <see cref="NewCitizen"/>).</summary>
    public void Detach(int record, int toCitizen)
    {
        ref var chain = ref _chains[_citizenOfRecord[record]];
        var previous = -1;
        for (var r = chain.First; r != record; r = _nextOfRecord[r])
        {
            previous = r;
        }

        var next = _nextOfRecord[record];
        if (previous < 0)
        {
            chain.First = next;
        }
        else
        {
            _nextOfRecord[previous] = next;
        }

        if (chain.Last == record)
        {
            chain.Last = previous;
        }

        chain.Count--;
        Append(record, toCitizen);
    }

    /// <summary>A citizen's records in the order they joined.</summary>
    public Records RecordsOf(int citizen) => new(_nextOfRecord, _chains[citizen].First);

    private void Append(int record, int citizen)
    {
        _citizenOfRecord[record] = citizen;
        _nextOfRecord[record] = -1;
        ref var chain = ref _chains[citizen];
        if (chain.Count == 0)
        {
            chain.First = record;
        }
        else
        {
            _nextOfRecord[chain.Last] = record;
        }

        chain.Last = record;
        chain.Count++;
    }

    public readonly struct Records(int[] next, int first)
    {
        public Enumerator GetEnumerator() => new(next, first);
    }

    public struct Enumerator(int[] next, int first)
    {
        private int _next = first;

        public int Current { get; private set; }

        public bool MoveNext()
        {
            if (_next < 0)
            {
                return false;
            }

            Current = _next;
            _next = next[_next];
            return true;
        }
    }

    private record struct Chain(int First, int Last, int Count);
}
