using CitizenHub.Contracts;

namespace CitizenHub.Matching.Identity;

/// <summary>Gathers one message's changes into one event per citizen, and counts what it did for its run's summary.</summary>
internal sealed class ChangeCollector(DateTimeOffset now)
{
    private int _unchanged, _added, _updated, _removed, _citizensCreated, _linked, _reviews;
    private readonly Dictionary<string, SourceRecordRef> _created = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (long Version, SortedSet<string> Fields, SourceRecordRef Cause)> _changed = new(StringComparer.Ordinal);
    private readonly List<CitizensMerged> _merged = [];
    private readonly List<CitizenSplit> _split = [];
    private readonly List<CitizenRestrictionChanged> _restrictions = [];
    private readonly List<CitizenErased> _erased = [];

    public RunTally Tally => new(_unchanged, _added, _updated, _removed, _citizensCreated, _linked, _merged.Count, _split.Count, _reviews);

    public void Unchanged() => _unchanged++;

    public void Saved(bool added, bool linked)
    {
        if (added)
        {
            _added++;
        }
        else
        {
            _updated++;
        }

        if (linked)
        {
            _linked++;
        }
    }

    public void Removed() => _removed++;

    public void ReviewAsked() => _reviews++;

    public void Created(string citizenId, SourceRecordRef cause)
    {
        _created[citizenId] = cause;
        _citizensCreated++;
    }

    public void Merged(string survivorId, string absorbedId, SourceRecordRef cause)
    {
        _merged.Add(new CitizensMerged(survivorId, absorbedId, cause, now));
        _changed.Remove(absorbedId);
    }

    public void Split(string originalId, string newId, SourceRecordRef cause)
    {
        _split.Add(new CitizenSplit(originalId, newId, cause, now));
        _created[newId] = cause;
    }

    public void Erased(string citizenId) => _erased.Add(new CitizenErased(citizenId, now));

    public void RestrictionChanged(string citizenId, bool restricted, SourceRecordRef cause) =>
        _restrictions.Add(new CitizenRestrictionChanged(citizenId, restricted, cause, now));

    public void Changed(string citizenId, GoldenRecordChange change, SourceRecordRef cause)
    {
        if (!_changed.TryGetValue(citizenId, out var entry))
        {
            entry = (change.Version, new SortedSet<string>(StringComparer.Ordinal), cause);
        }

        entry.Fields.UnionWith(change.ChangedFields);
        _changed[citizenId] = (change.Version, entry.Fields, entry.Cause);
    }

    public IReadOnlyList<object> ToEvents()
    {
        var at = now;
        var events = new List<object>();
        foreach (var (id, cause) in _created)
        {
            events.Add(new CitizenCreated(id, _changed.TryGetValue(id, out var c) ? c.Version : 0, cause, at));
        }

        events.AddRange(_merged);
        events.AddRange(_split);
        events.AddRange(_restrictions);
        events.AddRange(_erased);
        foreach (var (id, change) in _changed)
        {
            if (!_created.ContainsKey(id) && change.Fields.Count > 0)
            {
                events.Add(new CitizenChanged(id, change.Version, [.. change.Fields], change.Cause, at));
            }
        }

        return events;
    }
}
