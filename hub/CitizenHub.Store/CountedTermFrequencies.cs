using CitizenHub.Matching.Scoring;

namespace CitizenHub.Store;

/// <summary>Name counts read for one record's comparison.</summary>
internal sealed class CountedTermFrequencies(long total, Dictionary<string, long> families, Dictionary<string, long> givens) : ITermFrequencies
{
    public long Total => total;

    public long FamilyCount(string familyKey) => families.GetValueOrDefault(familyKey);

    public long GivenCount(string givenKey) => givens.GetValueOrDefault(givenKey);
}
