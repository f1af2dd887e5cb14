using CitizenHub.Contracts;
using CitizenHub.Matching;
using CitizenHub.Matching.Scoring;

namespace CitizenHub.Store.Postgres;

/// <summary>
/// The name counts and record total a resolution session has read, kept exact as the session saves and removes
/// records by doing what the store's name-count trigger will do (PostgreSQL migration 3) and what the session adds
/// to the total at its commit (migration 5), so that counting a record's names is not a round trip of its own for
/// every record resolved.
/// </summary>
/// <remarks>
/// A change it cannot mirror (a save of a record whose counted names it does not know) makes it forget everything,
/// and the next count is read again, after the session's held-back writes, from the triggers' own rows.
/// </remarks>
internal sealed class SessionNameCounts
{
    private readonly Dictionary<string, long> _families = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _givens = new(StringComparer.Ordinal);

    /// <summary>The names each record is counted under, for the records the session has read or saved; a record known not to be held has none.</summary>
    private readonly Dictionary<SourceRecordRef, (string? Family, string? Given)?> _counted = [];
    private long? _total;

    /// <summary>Whether the record total has been read (and not forgotten since).</summary>
    /// <summary>Forgets every count: a change set was applied, which these counts do not follow.</summary>
    public void Clear()
    {
        _families.Clear();
        _givens.Clear();
        _counted.Clear();
        _total = null;
    }

    public bool HasTotal => _total is not null;

    /// <summary>The names of these records whose counts have not been read (all of them when nothing has).</summary>
    public (string[] Families, string[] Givens) Missing(IEnumerable<NormalisedRecord> records)
    {
        var families = new HashSet<string>(StringComparer.Ordinal);
        var givens = new HashSet<string>(StringComparer.Ordinal);
        foreach (var record in records)
        {
            if (record.FamilyKey is { } family && !_families.ContainsKey(family))
            {
                families.Add(family);
            }

            if (record.GivenKey is { } given && !_givens.ContainsKey(given))
            {
                givens.Add(given);
            }
        }

        return ([.. families], [.. givens]);
    }

    /// <summary>Counts read from the store; a name asked for and not returned is held by no record.</summary>
    public void Read(long total, string[] families, string[] givens, IEnumerable<(string Kind, string Name, long Count)> rows)
    {
        _total = total;
        foreach (var family in families)
        {
            _families[family] = 0;
        }

        foreach (var given in givens)
        {
            _givens[given] = 0;
        }

        foreach (var (kind, name, count) in rows)
        {
            (kind == "family" ? _families : _givens)[name] = count;
        }
    }

    /// <summary>What the store holds of a record, as read: the names it is counted under, or none when it is not held.</summary>
    public void Known(SourceRecordRef record, string? family, string? given, bool held) =>
        _counted[record] = held ? (family, given) : null;

    /// <summary>A record saved: a new one is counted, a new version moves its names (the trigger fires on every update of them).</summary>
    public void Saved(SourceRecordRef record, NormalisedRecord normalised)
    {
        if (!_counted.TryGetValue(record, out var before))
        {
            Forget();
        }
        else
        {
            if (before is { } old)
            {
                Add(old.Family, old.Given, -1);
            }
            else if (_total is not null)
            {
                _total++;
            }

            Add(normalised.FamilyKey, normalised.GivenKey, +1);
        }

        _counted[record] = (normalised.FamilyKey, normalised.GivenKey);
    }

    public void Removed(SourceRecordRef record)
    {
        if (!_counted.TryGetValue(record, out var before))
        {
            Forget();
        }
        else if (before is { } old)
        {
            Add(old.Family, old.Given, -1);
            _total--;
        }

        _counted[record] = null;
    }

    /// <summary>
    /// The counts of these records' names as they stand now, apart from the session's later writes, and nothing for
    /// any other name: what reading them from the store gives.
    /// </summary>
    public ITermFrequencies For(IReadOnlyCollection<NormalisedRecord> records)
    {
        var families = new Dictionary<string, long>(StringComparer.Ordinal);
        var givens = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var record in records)
        {
            if (record.FamilyKey is { } family && _families.GetValueOrDefault(family) is > 0 and var f)
            {
                families[family] = f;
            }

            if (record.GivenKey is { } given && _givens.GetValueOrDefault(given) is > 0 and var g)
            {
                givens[given] = g;
            }
        }

        return new CountedTermFrequencies(_total ?? 0, families, givens);
    }

    private void Add(string? family, string? given, int delta)
    {
        if (family is not null && _families.TryGetValue(family, out var f))
        {
            _families[family] = f + delta;
        }

        if (given is not null && _givens.TryGetValue(given, out var g))
        {
            _givens[given] = g + delta;
        }
    }

    private void Forget()
    {
        _families.Clear();
        _givens.Clear();
        _total = null;
    }
}
