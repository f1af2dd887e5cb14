using CitizenHub.Matching;

namespace CitizenHub.Store;

/// <summary>
/// The normalised records of each citizen a resolution session has read, kept for the rest of the session: the
/// resolver asks for the same citizens' records several times per incoming record. Every write that changes which
/// records a citizen has forgets that citizen (and whichever citizen held a moved record).
/// </summary>
internal sealed class LinkedRecordCache
{
    private readonly Dictionary<string, IReadOnlyList<NormalisedRecord>> _linked = new(StringComparer.Ordinal);

    public bool TryGet(string citizenId, out IReadOnlyList<NormalisedRecord> records) => _linked.TryGetValue(citizenId, out records!);

    public void Keep(string citizenId, IReadOnlyList<NormalisedRecord> records) => _linked[citizenId] = records;

    /// <summary>Forgets the linked records of a citizen, and of whichever citizen held the given record.</summary>
    public void Forget(string? citizenId, string? sourceSystem = null, string? sourceKey = null)
    {
        if (citizenId is not null)
        {
            _linked.Remove(citizenId);
        }

        if (sourceSystem is not null)
        {
            foreach (var holder in _linked.Where(c => c.Value.Any(r => r.SourceSystem == sourceSystem && r.SourceKey == sourceKey)).Select(c => c.Key).ToList())
            {
                _linked.Remove(holder);
            }
        }
    }
}
