using CitizenHub.Contracts;
using CitizenHub.Matching.Linking;
using CitizenHub.Matching.Scoring;

namespace CitizenHub.Matching.Identity;

/// <summary>
/// The people a set of records describes, found as if the records had arrived in one fixed order whatever order they
/// came in: the records with a date of birth first (they establish who is who), then by source and key. Each is
/// decided as an arrival is (<see cref="Linker.Decide"/> over the groups it shares a blocking key with, a steward's
/// word first, a namesake's ambiguous records taken out), so the answer hangs on the records, not on their order.
/// </summary>
internal static class CanonicalGroups
{
    /// <summary>What the records come to: the groups, in the order they were started, and the pairs a steward should be asked about.</summary>
    public sealed record Outcome(IReadOnlyList<IReadOnlyList<NormalisedRecord>> Groups, IReadOnlyList<(NormalisedRecord Record, PairEvidence Candidate)> Asked);

    public static Outcome Find(
        Linker linker, IReadOnlyList<NormalisedRecord> records, ITermFrequencies frequencies, Func<SourceRecordRef, StewardDeclarations> declared)
    {
        ArgumentNullException.ThrowIfNull(linker);
        ArgumentNullException.ThrowIfNull(records);
        var ordered = records.OrderBy(r => r.DateOfBirth is null ? 1 : 0)
            .ThenBy(r => r.SourceSystem, StringComparer.Ordinal)
            .ThenBy(r => r.SourceKey, StringComparer.Ordinal)
            .ToList();
        var keys = ordered.ToDictionary(r => r, r => BlockingKeys.For(r).ToHashSet(StringComparer.Ordinal));
        // A group's id is its place in this list; a group merged into another or emptied stays as an empty slot.
        var groups = new List<List<NormalisedRecord>>();
        var asked = new List<(NormalisedRecord, PairEvidence)>();
        foreach (var record in ordered)
        {
            var mine = declared(IdentityWorkspace.Ref(record));
            var candidates = new List<CandidateCitizen>();
            for (var g = 0; g < groups.Count; g++)
            {
                var members = groups[g];
                if (members.Count > 0
                    && members.Any(m => keys[m].Overlaps(keys[record]))
                    && !members.Any(m => mine.Different.Contains(IdentityWorkspace.Ref(m))))
                {
                    candidates.Add(new CandidateCitizen(Id(g), members));
                }
            }

            var decision = linker.Decide(record, candidates, frequencies);
            var stewarded = mine.Same.Count == 0 ? null
                : candidates.FirstOrDefault(c => c.Records.Any(r => mine.Same.Contains(IdentityWorkspace.Ref(r))));
            int target;
            if (stewarded is not null)
            {
                target = Index(stewarded.CitizenId);
            }
            else if (decision.CitizenId is not null)
            {
                target = Index(decision.CitizenId);
                foreach (var absorbed in decision.Absorbed)
                {
                    var joining = groups[Index(absorbed)];
                    if (!AnyDeclaredDifferent(joining, groups[target], declared))
                    {
                        groups[target].AddRange(joining);
                        joining.Clear();
                    }
                }
            }
            else
            {
                target = groups.Count;
                groups.Add([]);
            }

            groups[target].Add(record);
            asked.AddRange(decision.Reviews.Select(r => (record, r)));
            foreach (var namesake in decision.Namesakes ?? [])
            {
                var held = groups[Index(namesake)];
                var (ambiguous, apart, theirs) = linker.Separate(held, record, frequencies);
                foreach (var moving in theirs)
                {
                    held.Remove(moving);
                    groups[target].Add(moving);
                }

                var staying = held.FirstOrDefault(h => !ambiguous.Contains(h));
                foreach (var group in apart)
                {
                    held.RemoveAll(group.Contains);
                    groups.Add([.. group]);
                }

                foreach (var taken in ambiguous)
                {
                    asked.Add((taken, linker.Explain(taken, Id(target), record, frequencies)));
                    if (staying is not null)
                    {
                        asked.Add((taken, linker.Explain(taken, namesake, staying, frequencies)));
                    }
                }
            }
        }

        return new Outcome([.. groups.Where(g => g.Count > 0)], asked);

        static string Id(int group) => group.ToString(System.Globalization.CultureInfo.InvariantCulture);
        static int Index(string id) => int.Parse(id, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Whether a steward said a record of one set is a different person from a record of the other.</summary>
    public static bool AnyDeclaredDifferent(
        IReadOnlyList<NormalisedRecord> joining, IReadOnlyList<NormalisedRecord> held, Func<SourceRecordRef, StewardDeclarations> declared) =>
        joining.Any(j => declared(IdentityWorkspace.Ref(j)).Different is { Count: > 0 } different && held.Any(h => different.Contains(IdentityWorkspace.Ref(h))));
}
