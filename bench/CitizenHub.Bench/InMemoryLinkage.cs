using CitizenHub.Bench.Linking;
using CitizenHub.Matching;
using CitizenHub.Matching.Linking;
using CitizenHub.Matching.Scoring;

namespace CitizenHub.Bench;

/// <summary>A pair the linker got wrong, by the kinds of error in its two records and their sources.</summary>
public sealed record LinkageMistake(string Kind, string Sources, InjectedErrors Errors, string Explanation);

/// <summary>
/// Pairs of records one citizen holds with only their names in common (both exactly, no date of birth to compare, another
/// address), whose names' expected namesakes (<see cref="ExactNameWeights.ExpectedNamesakes"/>, from the counts at
/// the end) are from <paramref name="AtLeast"/> to twice it.
/// </summary>
public sealed record NameAloneBucket(double AtLeast, int SamePerson, int Strangers);

/// <summary>What linking a population in memory gave, with the mistakes explained.</summary>
public sealed record InMemoryLinkageResult(LinkageReport Report, IReadOnlyList<RecordLink> Links, IReadOnlyList<LinkageMistake> Mistakes, int Reviews)
{
    /// <summary>Pairs linked on a name alone, by how common the name is: does rarity tell the right ones?</summary>
    public IReadOnlyList<NameAloneBucket> NameAlone { get; init; } = [];
}

/// <summary>
/// Links a generated population with the matching core alone (the in-memory index, no store or bus), source by
/// source as the nightly syncs would, and explains every missed and false pair. For working on the model: the
/// real pipeline gives the same decisions, minutes slower.
/// </summary>
public static class InMemoryLinkage
{
    public static InMemoryLinkageResult Run(LabelledPopulation population, MatchModel model)
    {
        ArgumentNullException.ThrowIfNull(population);
        ArgumentNullException.ThrowIfNull(model);
        var linker = new Linker(new PairScorer(model));
        var index = new CandidateIndex();
        // Source by source, in the order the generated configuration syncs them.
        var order = SourceLayout.All.Select((source, i) => (source.Name, i)).ToDictionary(x => x.Name, x => x.i, StringComparer.Ordinal);
        var ordered = population.Records.OrderBy(r => order[r.Record.SourceSystem]).ToList();
        var normalised = new List<NormalisedRecord>(ordered.Count);
        var reviews = 0;
        normalised.AddRange(ordered.Select(r => RecordNormaliser.Normalise(r.Record)));
        for (var i = 0; i < normalised.Count; i++)
        {
            var (decision, detached) = index.Link(normalised[i], linker, upcoming: i + 1 < normalised.Count ? normalised[i + 1] : null);
            reviews += decision.Reviews.Count + detached;
        }

        var links = ordered.Select((r, i) => new RecordLink(
            index.CitizenOf(i).ToString(System.Globalization.CultureInfo.InvariantCulture), r.Record.SourceSystem, r.Record.SourceKey)).ToList();
        var report = LinkageMetrics.Compute(population.Truth, links, HardPairEvidence.ToldApart(population));

        var mistakes = new List<LinkageMistake>();
        var hard = new Dictionary<(string, string), string>();
        foreach (var (pairs, name) in new[] { (population.Truth.Twins, "twins"), (population.Truth.FatherSon, "father/son"), (population.Truth.Spouses, "spouses") })
        {
            foreach (var pair in pairs)
            {
                hard[(pair.First, pair.Second)] = name;
                hard[(pair.Second, pair.First)] = name;
            }
        }

        var scorer = linker.Scorer;
        // Missed pairs lie within one person's records; false pairs within one citizen's: never all pairs.
        var groups = Enumerable.Range(0, ordered.Count).GroupBy(i => ordered[i].PersonId)
            .Concat(Enumerable.Range(0, ordered.Count).GroupBy(i => "citizen " + index.CitizenOf(i).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        foreach (var group in groups.Select(g => g.ToList()).Where(g => g.Count > 1))
        {
            foreach (var i in group)
            {
                foreach (var j in group.Where(j => j > i))
                {
                    var samePerson = ordered[i].PersonId == ordered[j].PersonId;
                    if (samePerson == (index.CitizenOf(i) == index.CitizenOf(j)))
                    {
                        continue;
                    }

                    var explanation = scorer.Explain(normalised[i], normalised[j], scorer.ExactWeights(normalised[i], index.Frequencies));
                    mistakes.Add(new LinkageMistake(
                        samePerson ? "missed" : hard.TryGetValue((ordered[i].PersonId, ordered[j].PersonId), out var kind) ? $"false ({kind})" : "false",
                        $"{ordered[i].Record.SourceSystem}+{ordered[j].Record.SourceSystem}",
                        ordered[i].Errors | ordered[j].Errors,
                        $"{explanation.Weight:0.0} bits{(explanation.Veto is { } v ? $", veto {v}" : "")}: "
                        + string.Join(", ", explanation.Fields.Where(f => f.Level != "missing").Select(f => $"{f.Comparison}={f.Level}"))));
                }
            }
        }

        return new InMemoryLinkageResult(report, links, mistakes, reviews) { NameAlone = NameAloneLinks(ordered, normalised, index, scorer) };
    }

    private static List<NameAloneBucket> NameAloneLinks(
        List<GeneratedRecord> ordered, List<NormalisedRecord> normalised, CandidateIndex index, PairScorer scorer)
    {
        var buckets = new SortedDictionary<int, (int Same, int Strangers)>();
        var levels = new byte[MatchFields.Count];
        foreach (var citizen in Enumerable.Range(0, ordered.Count).GroupBy(index.CitizenOf).Select(g => g.ToList()).Where(g => g.Count > 1))
        {
            foreach (var i in citizen)
            {
                var exact = scorer.ExactWeights(normalised[i], index.Frequencies);
                foreach (var j in citizen.Where(j => j > i))
                {
                    var facts = scorer.Score(normalised[i], normalised[j], exact, levels).Facts;
                    if (levels[MatchFields.GivenNameIndex] != Levels.GivenExact || levels[MatchFields.FamilyNameIndex] != Levels.FamilyExact
                        || !PairScorer.NamesAlone(facts, levels) || exact.ExpectedNamesakes <= 0)
                    {
                        continue;
                    }

                    var bucket = (int)Math.Floor(Math.Log2(exact.ExpectedNamesakes));
                    var (same, strangers) = buckets.GetValueOrDefault(bucket);
                    buckets[bucket] = ordered[i].PersonId == ordered[j].PersonId ? (same + 1, strangers) : (same, strangers + 1);
                }
            }
        }

        return [.. buckets.Select(b => new NameAloneBucket(Math.Pow(2, b.Key), b.Value.Same, b.Value.Strangers))];
    }
}
