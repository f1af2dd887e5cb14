using CitizenHub.Matching.Scoring;

namespace CitizenHub.Matching.Linking;

/// <summary>Name counts kept in memory, for term-frequency adjustment.</summary>
public sealed class TermFrequencyTable : ITermFrequencies
{
    private readonly Dictionary<string, long> _family = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _given = new(StringComparer.Ordinal);

    public long Total { get; private set; }

    public long FamilyCount(string familyKey) => _family.GetValueOrDefault(familyKey);

    public long GivenCount(string givenKey) => _given.GetValueOrDefault(givenKey);

    public void Add(NormalisedRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        Total++;
        if (record.FamilyKey is { } family)
        {
            _family[family] = _family.GetValueOrDefault(family) + 1;
        }

        if (record.GivenKey is { } given)
        {
            _given[given] = _given.GetValueOrDefault(given) + 1;
        }
    }
}
