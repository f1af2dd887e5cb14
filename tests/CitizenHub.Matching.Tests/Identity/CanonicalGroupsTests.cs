using CitizenHub.Contracts;
using CitizenHub.Matching.Identity;
using CitizenHub.Matching.Linking;
using CitizenHub.Matching.Scoring;
using static CitizenHub.Matching.Tests.Linking.LinkerTests;

namespace CitizenHub.Matching.Tests.Identity;

/// <summary>The people a set of records describes, found the same way whatever order the records are given in.</summary>
public sealed class CanonicalGroupsTests
{
    private static readonly Linker Linker = new(new PairScorer(MatchModel.Default));

    [Fact]
    public void Find_FatherSonAndTheirUndatedRecordsInEveryOrder_GivesTheSamePeople()
    {
        // A father and son of one name at one address: each dated by one source, each on the register (the
        // father with his middle name, the son's entry misspelt), and a council-tax account that could be either's.
        // Decided in the order given, these come to three different answers depending on the order.
        NormalisedRecord[] records =
        [
            P("David John", "Evans", (1958, 2, 10), "ST16 2AB", "14 Weston Road", system: "housing-benefits"),
            P("David", "Evans", (1986, 8, 23), "ST16 2AB", "14 Weston Road", system: "social-care"),
            P("David John", "Evans", null, "ST16 2AB", "14 Weston Road", system: "electoral-register"),
            P("David", "Evanss", null, "ST16 2AB", "14 Weston Road", system: "electoral-register"),
            P("David", "Evans", null, "ST16 2AB", "14 Weston Road", system: "council-tax"),
        ];

        var outcomes = Permutations(records)
            .Select(order => Describe(CanonicalGroups.Find(Linker, order, NoTermFrequencies.Instance, _ => StewardDeclarations.None)))
            .Distinct(StringComparer.Ordinal)
            .ToList();

        var people = Assert.Single(outcomes);
        // And the answer keeps the two dated records apart.
        Assert.DoesNotContain(people.Split(" / "), p => p.Contains("housing-benefits", StringComparison.Ordinal) && p.Contains("social-care", StringComparison.Ordinal));
    }

    [Fact]
    public void Find_AStewardSaidTwoRecordsAreDifferentPeople_KeepsThemApart()
    {
        var tax = P("Grace", "Okafor", (1988, 1, 20), "ST16 2AB", "3 Lime Grove", system: "council-tax");
        var housing = P("Grace", "Okafor", (1988, 1, 20), "ST16 2AB", "3 Lime Grove", system: "housing-benefits");
        var different = new StewardDeclarations(new HashSet<SourceRecordRef>(), new HashSet<SourceRecordRef> { Ref(tax), Ref(housing) });

        var apart = CanonicalGroups.Find(Linker, [tax, housing], NoTermFrequencies.Instance, _ => different);
        var together = CanonicalGroups.Find(Linker, [tax, housing], NoTermFrequencies.Instance, _ => StewardDeclarations.None);

        Assert.Equal(2, apart.Groups.Count);
        Assert.Single(together.Groups);
    }

    private static SourceRecordRef Ref(NormalisedRecord record) => new(record.SourceSystem, record.SourceKey);

    private static string Describe(CanonicalGroups.Outcome outcome) =>
        string.Join(" / ", outcome.Groups.Select(g => string.Join(",", g.Select(r => $"{r.SourceSystem}:{r.SourceKey}").Order(StringComparer.Ordinal))).Order(StringComparer.Ordinal));

    private static IEnumerable<NormalisedRecord[]> Permutations(NormalisedRecord[] records)
    {
        if (records.Length <= 1)
        {
            yield return records;
            yield break;
        }

        for (var i = 0; i < records.Length; i++)
        {
            var rest = records.Where((_, j) => j != i).ToArray();
            foreach (var tail in Permutations(rest))
            {
                yield return [records[i], .. tail];
            }
        }
    }
}
