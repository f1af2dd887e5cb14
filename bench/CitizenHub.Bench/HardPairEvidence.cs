using CitizenHub.Matching;
using CitizenHub.Matching.Scoring;

namespace CitizenHub.Bench;

/// <summary>
/// Whether the records of a hard pair (twins, a father and son, spouses) hold anything that tells the two people
/// apart, so that the benchmark can say which false merges a linker could have avoided and which no linker could.
/// </summary>
/// <remarks>
/// A father and son of one name at one address whose records carry no date of birth, suffix, middle name or
/// identifier (a council-tax account and an electoral-register entry, say) are the same record twice: there the
/// data, not the linker, decides. The matching core's own vetoes are the test, so the line moves with the model:
/// a new piece of evidence the comparer learns to read makes more pairs distinguishable, never fewer.
/// </remarks>
public static class HardPairEvidence
{
    /// <summary>A predicate that is true when some record of one person vetoes some record of the other.</summary>
    public static Func<PersonPair, bool> ToldApart(LabelledPopulation population)
    {
        ArgumentNullException.ThrowIfNull(population);
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pair in population.Truth.Twins.Concat(population.Truth.FatherSon).Concat(population.Truth.Spouses))
        {
            wanted.Add(pair.First);
            wanted.Add(pair.Second);
        }

        var recordsOf = population.Records.Where(r => wanted.Contains(r.PersonId))
            .GroupBy(r => r.PersonId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(r => RecordNormaliser.Normalise(r.Record)).ToList(), StringComparer.Ordinal);
        return pair => recordsOf.TryGetValue(pair.First, out var first) && recordsOf.TryGetValue(pair.Second, out var second) && AnyVeto(first, second);
    }

    private static bool AnyVeto(List<NormalisedRecord> first, List<NormalisedRecord> second)
    {
        Span<byte> levels = stackalloc byte[MatchFields.Count];
        foreach (var a in first)
        {
            foreach (var b in second)
            {
                if (PairComparer.Compare(a, b, levels).Veto != Veto.None)
                {
                    return true;
                }
            }
        }

        return false;
    }
}
