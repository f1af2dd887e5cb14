namespace CitizenHub.Bench;

/// <summary>One link the hub holds: this source record belongs to this citizen.</summary>
public readonly record struct RecordLink(string CitizenId, string SourceSystem, string SourceKey);

/// <summary>How many pairs of a hard kind there were, and how many the hub merged by mistake.</summary>
/// <param name="MergedIndistinguishable">
/// Of <paramref name="FalselyMerged"/>, the pairs whose records hold nothing that tells the two people apart (no
/// record of one vetoes any record of the other: no differing date of birth, identifier, suffix, given or middle
/// name, no two records of one source): no linker could keep them apart on the data it was given.
/// </param>
public readonly record struct HardPairOutcome(int Pairs, int FalselyMerged, int MergedIndistinguishable = 0);

/// <summary>Pairwise linkage quality against the truth.</summary>
/// <param name="TruePairs">Pairs of records that belong to the same person.</param>
/// <param name="PredictedPairs">Pairs of records the hub put in the same citizen.</param>
/// <param name="CorrectPairs">Pairs that are both.</param>
public sealed record LinkageReport(
    int Records,
    int Persons,
    int Citizens,
    long TruePairs,
    long PredictedPairs,
    long CorrectPairs,
    double Precision,
    double Recall,
    double F1,
    HardPairOutcome Twins,
    HardPairOutcome FatherSon,
    HardPairOutcome Spouses);

/// <summary>Pairwise precision, recall and F1 of a clustering of source records, and false merges of hard pairs.</summary>
public static class LinkageMetrics
{
    /// <summary>
    /// Compares the hub's links with the truth. Pair counts come from the contingency table of person × citizen
    /// (the sum of n(n−1)/2 over its cells, rows and columns), never from enumerating pairs.
    /// A record of the truth with no link counts as a citizen of its own; links to records not in the truth are ignored.
    /// With no predicted pairs precision is 1, with no true pairs recall is 1.
    /// A hard pair is falsely merged when any record of one person shares a citizen with any record of the other.
    /// </summary>
    /// <param name="toldApart">Whether a hard pair's records tell the two apart (see <see cref="HardPairEvidence"/>); without it none is counted as indistinguishable.</param>
    public static LinkageReport Compute(LinkageTruth truth, IEnumerable<RecordLink> links, Func<PersonPair, bool>? toldApart = null)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(links);

        var citizenOf = new Dictionary<RecordRef, string>();
        foreach (var link in links)
        {
            var key = new RecordRef(link.SourceSystem, link.SourceKey);
            if (truth.PersonByRecord.ContainsKey(key))
            {
                citizenOf[key] = link.CitizenId;
            }
        }

        var cells = new Dictionary<(string Person, string Citizen), long>();
        var perPerson = new Dictionary<string, long>(StringComparer.Ordinal);
        var perCitizen = new Dictionary<string, long>(StringComparer.Ordinal);
        var citizensOfPerson = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var (record, person) in truth.PersonByRecord)
        {
            // "\0" cannot appear in a citizen id: an unlinked record is a citizen no other record shares.
            var citizen = citizenOf.TryGetValue(record, out var c) ? c : $"\0{record.SourceSystem}\0{record.SourceKey}";
            cells[(person, citizen)] = cells.GetValueOrDefault((person, citizen)) + 1;
            perPerson[person] = perPerson.GetValueOrDefault(person) + 1;
            perCitizen[citizen] = perCitizen.GetValueOrDefault(citizen) + 1;
            if (!citizensOfPerson.TryGetValue(person, out var set))
            {
                set = new HashSet<string>(StringComparer.Ordinal);
                citizensOfPerson[person] = set;
            }

            set.Add(citizen);
        }

        var correct = cells.Values.Sum(Pairs);
        var truePairs = perPerson.Values.Sum(Pairs);
        var predicted = perCitizen.Values.Sum(Pairs);
        var precision = predicted == 0 ? 1.0 : (double)correct / predicted;
        var recall = truePairs == 0 ? 1.0 : (double)correct / truePairs;
        var f1 = precision + recall == 0 ? 0.0 : 2 * precision * recall / (precision + recall);

        return new LinkageReport(
            truth.PersonByRecord.Count, perPerson.Count, perCitizen.Count, truePairs, predicted, correct, precision, recall, f1,
            Outcome(truth.Twins, citizensOfPerson, toldApart), Outcome(truth.FatherSon, citizensOfPerson, toldApart),
            Outcome(truth.Spouses, citizensOfPerson, toldApart));
    }

    private static long Pairs(long n) => n * (n - 1) / 2;

    private static HardPairOutcome Outcome(IReadOnlyList<PersonPair> pairs, Dictionary<string, HashSet<string>> citizensOfPerson, Func<PersonPair, bool>? toldApart)
    {
        var merged = 0;
        var indistinguishable = 0;
        foreach (var pair in pairs)
        {
            if (citizensOfPerson.TryGetValue(pair.First, out var first)
                && citizensOfPerson.TryGetValue(pair.Second, out var second)
                && first.Overlaps(second))
            {
                merged++;
                if (toldApart is not null && !toldApart(pair))
                {
                    indistinguishable++;
                }
            }
        }

        return new HardPairOutcome(pairs.Count, merged, indistinguishable);
    }
}
