using CitizenHub.Matching.Scoring;

namespace CitizenHub.Matching.Linking;

/// <summary>A golden record that shares a blocking key with an incoming record, with the records linked to it.</summary>
public sealed record CandidateCitizen(string CitizenId, IReadOnlyList<NormalisedRecord> Records);

/// <summary>The record of a candidate citizen that best explains a link or a review, and why.</summary>
public sealed record PairEvidence(string CitizenId, string SourceSystem, string SourceKey, MatchExplanation Explanation);

/// <summary>The outcome of matching one record against the golden records held.</summary>
/// <param name="CitizenId">The citizen the record belongs to; null for a new one.</param>
/// <param name="Absorbed">Citizens the record showed to be the same person as <paramref name="CitizenId"/>.</param>
/// <param name="Evidence">Why the record is linked: its best pair in the chosen citizen. Null for a new citizen.</param>
/// <param name="Reviews">Uncertain pairs for a steward. They never merge on their own.</param>
/// <param name="Namesakes">
/// Citizens the record fits (a pair would link) but that also hold a record vetoing it: a date of birth, suffix
/// or middle name that differs, or another record of the record's own source: two people of one name at one
/// address (a father and son). Records of those citizens linked on name and address alone may belong to either;
/// see <see cref="Linker.Ambiguous"/>.
/// </param>
public sealed record LinkDecision(
    string? CitizenId,
    IReadOnlyList<string> Absorbed,
    PairEvidence? Evidence,
    IReadOnlyList<PairEvidence> Reviews,
    IReadOnlyList<string>? Namesakes = null)
{
    public static LinkDecision New(IReadOnlyList<PairEvidence> reviews) => new(null, [], null, reviews);
}

/// <summary>A citizen's records a namesake's arrival parts from it: those that may be either's, and those that are the namesake's.</summary>
/// <param name="Ambiguous">The records that may be either's.</param>
/// <param name="AmbiguousGroups">The same records, as the groups they leave in: together where something personal ties them.</param>
/// <param name="Namesakes">The records that are the namesake's.</param>
public sealed record NamesakeSeparation(
    IReadOnlyList<NormalisedRecord> Ambiguous, IReadOnlyList<IReadOnlyList<NormalisedRecord>> AmbiguousGroups, IReadOnlyList<NormalisedRecord> Namesakes);

/// <summary>
/// Resolve on arrival, as pure code: scores an incoming record against the candidate citizens found by
/// blocking and decides to link, merge, start a new citizen or ask a steward; and finds the people a
/// citizen's records describe when one of them changes (a split).
/// </summary>
/// <remarks>
/// A citizen is linked to only when the best pair clears the link threshold (or a valid identifier agrees)
/// and no record of the citizen vetoes the link: so a record that agrees with one twin's record can't join
/// a citizen that also holds the other twin. Two citizens are merged by a bridging record only when none of
/// their records veto each other; when a record fits two such citizens about equally, it is linked to neither
/// and both pairs go to a steward, because a wrong guess would show one person's data to another.
/// </remarks>
public sealed class Linker(PairScorer scorer)
{
    /// <summary>Within this many bits of the best, a second citizen that can't be merged with it makes the choice a guess.</summary>
    public const double AmbiguityMargin = 6;

    public PairScorer Scorer => scorer;

    /// <summary>Decides where a record belongs. Candidates must be given oldest first: when the record joins several, the oldest survives.</summary>
    public LinkDecision Decide(NormalisedRecord record, IReadOnlyList<CandidateCitizen> candidates, ITermFrequencies frequencies)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(candidates);
        var exact = scorer.ExactWeights(record, frequencies);
        var assessments = new List<Assessment>(candidates.Count);
        for (var i = 0; i < candidates.Count; i++)
        {
            assessments.Add(Assess(record, candidates[i], exact, i));
        }

        // Plain loops: a record has a handful of candidates and this runs for every record of every sync.
        var reviews = new List<PairEvidence>();
        var matches = new List<Assessment>(2);
        List<string>? namesakes = null;
        foreach (var assessment in assessments)
        {
            switch (assessment.Band)
            {
                case MatchBand.Link:
                    matches.Add(assessment);
                    break;
                case MatchBand.Review:
                    reviews.Add(Evidence(record, assessment, exact));
                    break;
            }

            if (assessment.NamesakeOnly)
            {
                (namesakes ??= []).Add(assessment.Candidate.CitizenId);
            }
        }

        if (matches.Count > 1)
        {
            // Deterministic links first, then the strongest, then the oldest.
            matches.Sort((x, y) => x.SameIdentifier != y.SameIdentifier ? y.SameIdentifier.CompareTo(x.SameIdentifier)
                : x.Best.Weight != y.Best.Weight ? y.Best.Weight.CompareTo(x.Best.Weight)
                : x.Order.CompareTo(y.Order));
        }

        if (matches.Count == 0)
        {
            return new LinkDecision(null, [], null, reviews, namesakes);
        }

        if (matches.Count == 1)
        {
            // Nearly every link: one citizen, nothing to merge.
            return new LinkDecision(matches[0].Candidate.CitizenId, [], Evidence(record, matches[0], exact), reviews, namesakes);
        }

        var group = new List<Assessment> { matches[0] };
        foreach (var other in matches.Skip(1))
        {
            // Identifiers the record shares with both are the deterministic rule at work: only a hard veto
            // (a different identifier or suffix) between the two citizens stops that merge.
            var byIdentifiers = other.SameIdentifier && group.All(g => g.SameIdentifier);
            if (group.All(g => CanMerge(g.Candidate, other.Candidate, byIdentifiers)))
            {
                group.Add(other);
                continue;
            }

            if (!matches[0].SameIdentifier && other.Best.Weight >= matches[0].Best.Weight - AmbiguityMargin)
            {
                // Fits two people who can't be one: a guess either way. A steward decides.
                return new LinkDecision(null, [], null, [.. reviews, Evidence(record, matches[0], exact), Evidence(record, other, exact)], namesakes);
            }

            reviews.Add(Evidence(record, other, exact));
        }

        if (group.Count > 1)
        {
            // A bridging record merges only citizens that are its person's alone. One that could as well be a
            // namesake's (it fits a citizen this record is vetoed against, or a match left out of the group) was
            // linked on name and address only, perhaps taken out as ambiguous already: merging it is a guess. So is
            // one joined on name and address alone that a match left out of the group (a namesake it cannot be one
            // with) fits the record as well as.
            var alternatives = assessments.Where(a => (a.Blocked && a.Best.Weight >= scorer.Model.LinkThreshold) || (a.Band == MatchBand.Link && !group.Contains(a))).ToList();
            for (var i = group.Count - 1; i >= 1 && alternatives.Count > 0; i--)
            {
                var member = group[i];
                if (alternatives.Any(a => CanMerge(member.Candidate, a.Candidate, byIdentifiers: false)
                    || (!member.Best.Facts.PersonalAgreement && a.Band == MatchBand.Link && !group.Contains(a) && a.Best.Weight >= member.Best.Weight - AmbiguityMargin)))
                {
                    reviews.Add(Evidence(record, group[i], exact));
                    group.RemoveAt(i);
                }
            }
        }

        var survivor = group.MinBy(g => g.Order)!;
        var absorbed = group.Where(g => g != survivor).OrderBy(g => g.Order).Select(g => g.Candidate.CitizenId).ToList();
        return new LinkDecision(survivor.Candidate.CitizenId, absorbed, Evidence(record, matches[0], exact), reviews, namesakes);
    }

    /// <summary>
    /// The records of a citizen that, now a namesake has shown up, could as well be the namesake's: they fit the
    /// namesake (they would link, nothing vetoes), share nothing personal (date of birth, identifier, e-mail,
    /// phone) with the records the citizen keeps (those vetoing the namesake or not fitting it, and those tied to
    /// them), and fit those no better than they fit the namesake (within <see cref="AmbiguityMargin"/>). Such a
    /// record was linked on name and address alone, and a guess shows one person's data to the other, so it is taken
    /// out to stand alone and go to a steward.
    /// </summary>
    public IReadOnlyList<NormalisedRecord> Ambiguous(IReadOnlyList<NormalisedRecord> citizenRecords, NormalisedRecord namesake, ITermFrequencies frequencies) =>
        Separate(citizenRecords, namesake, frequencies).Ambiguous;

    /// <summary>
    /// What a namesake's arrival means for a citizen's records: those <see cref="Ambiguous"/> between the two, and
    /// those that are plainly the namesake's — they fit the namesake by <see cref="AmbiguityMargin"/> more than any
    /// record the citizen keeps, and share nothing personal with those (a record that joined the citizen on a name
    /// alone, before the person it belongs with arrived).
    /// </summary>
    public NamesakeSeparation Separate(IReadOnlyList<NormalisedRecord> citizenRecords, NormalisedRecord namesake, ITermFrequencies frequencies)
    {
        ArgumentNullException.ThrowIfNull(citizenRecords);
        ArgumentNullException.ThrowIfNull(namesake);
        Span<byte> levels = stackalloc byte[MatchFields.Count];
        var exact = scorer.ExactWeights(namesake, frequencies);
        // What the citizen keeps whatever the namesake is: the records vetoing the namesake, those that do not fit it,
        // and (found below) those tied to either. A record fitting the namesake is weighed against all of these.
        var kept = new List<NormalisedRecord>();
        var fitting = new List<(NormalisedRecord Record, double Weight, ExactNameWeights Exact)>();
        var vetoed = false;
        foreach (var held in citizenRecords)
        {
            var score = scorer.Score(namesake, held, exact, levels);
            vetoed |= score.Facts.Veto != Veto.None;
            if (score.Facts.Veto == Veto.None && score.Band == MatchBand.Link)
            {
                fitting.Add((held, score.Weight, scorer.ExactWeights(held, frequencies)));
            }
            else
            {
                kept.Add(held);
            }
        }

        // Tied by something personal, or fitting a kept record far better than the namesake: a namesake who lives
        // elsewhere leaves the records at the citizen's own address where they are. A record tied so is kept too, and
        // may tie others (a claim sharing the kept record's date of birth keeps the account at the claim's address).
        for (var tying = vetoed; tying;)
        {
            tying = false;
            for (var i = fitting.Count - 1; i >= 0; i--)
            {
                var (candidate, namesakeWeight, candidateExact) = fitting[i];
                foreach (var k in kept)
                {
                    var score = scorer.Score(candidate, k, candidateExact, levels);
                    if (score.Facts.PersonalAgreement || score.Weight >= namesakeWeight + AmbiguityMargin)
                    {
                        kept.Add(candidate);
                        fitting.RemoveAt(i);
                        tying = true;
                        break;
                    }
                }
            }
        }

        var ambiguous = new List<NormalisedRecord>();
        var namesakes = new List<NormalisedRecord>();
        foreach (var (candidate, namesakeWeight, candidateExact) in fitting)
        {
            var bestKept = double.NegativeInfinity;
            foreach (var k in kept)
            {
                bestKept = Math.Max(bestKept, scorer.Score(candidate, k, candidateExact, levels).Weight);
            }

            (vetoed && namesakeWeight >= bestKept + AmbiguityMargin ? namesakes : ambiguous).Add(candidate);
        }

        return new NamesakeSeparation(ambiguous, TiedGroups(ambiguous, frequencies), namesakes);
    }

    /// <summary>
    /// Records in groups joined by something personal they share (a date of birth, identifier, e-mail or phone, on a
    /// pair that links): ambiguous records leave a citizen in these, so a claim and an account of one date of birth
    /// stay one person while which person they are waits for a steward.
    /// </summary>
    private IReadOnlyList<IReadOnlyList<NormalisedRecord>> TiedGroups(List<NormalisedRecord> records, ITermFrequencies frequencies) =>
        Connected(records, frequencies, score => score.Facts.PersonalAgreement && score.Facts.Veto == Veto.None && score.Band == MatchBand.Link);

    /// <summary>Scores and explains a pair for a steward or a link's record.</summary>
    public PairEvidence Explain(NormalisedRecord record, string citizenId, NormalisedRecord other, ITermFrequencies frequencies)
    {
        ArgumentNullException.ThrowIfNull(record);
        return Evidence(record, citizenId, other, scorer.ExactWeights(record, frequencies));
    }

    /// <summary>
    /// The people a set of records describes: groups connected by pairs that link. Used when a citizen's record
    /// changes or goes, to find whether what remains is still one person. Groups come in the order of their
    /// first record.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<NormalisedRecord>> Components(IReadOnlyList<NormalisedRecord> records, ITermFrequencies frequencies)
    {
        ArgumentNullException.ThrowIfNull(records);
        return Connected(records, frequencies, score => score.Band == MatchBand.Link);
    }

    /// <summary>The groups a set of records falls into when every pair that <paramref name="joins"/> is joined, in the order of their first record.</summary>
    private List<IReadOnlyList<NormalisedRecord>> Connected(IReadOnlyList<NormalisedRecord> records, ITermFrequencies frequencies, Func<PairScore, bool> joins)
    {
        var parent = Enumerable.Range(0, records.Count).ToArray();
        Span<byte> levels = stackalloc byte[MatchFields.Count];
        for (var i = 0; i < records.Count; i++)
        {
            var exact = scorer.ExactWeights(records[i], frequencies);
            for (var j = i + 1; j < records.Count; j++)
            {
                if (joins(scorer.Score(records[i], records[j], exact, levels)))
                {
                    parent[Find(parent, j)] = Find(parent, i);
                }
            }
        }

        return [.. records.Select((r, i) => (Root: Find(parent, i), Record: r, Index: i))
            .GroupBy(x => x.Root)
            .OrderBy(g => g.Min(x => x.Index))
            .Select(g => (IReadOnlyList<NormalisedRecord>)[.. g.Select(x => x.Record)])];
    }

    private Assessment Assess(NormalisedRecord record, CandidateCitizen candidate, ExactNameWeights exact, int order)
    {
        Span<byte> levels = stackalloc byte[MatchFields.Count];
        var best = default(PairScore);
        NormalisedRecord? bestRecord = null;
        var bestLevels = 0UL;
        var hardVeto = false;
        var softVeto = false;
        var sameIdentifier = false;
        var liftsSoftVetoes = false;
        var unvetoedLink = false;
        foreach (var held in candidate.Records)
        {
            var score = scorer.Score(record, held, exact, levels);
            hardVeto |= score.Facts.HardVeto;
            softVeto |= score.Facts.Veto != Veto.None;
            sameIdentifier |= score.Facts.SameIdentifier;
            liftsSoftVetoes |= score.Facts.LiftsSoftVetoes;
            unvetoedLink |= score.Facts.Veto == Veto.None && score.Band == MatchBand.Link;
            if (bestRecord is null || score.Weight > best.Weight)
            {
                best = score;
                bestRecord = held;
                bestLevels = Pack(levels);
            }
        }

        // One vetoing record blocks the citizen: an agreeing identifier lifts only the soft vetoes.
        var blocked = hardVeto || (softVeto && !liftsSoftVetoes);
        var band = blocked || bestRecord is null ? MatchBand.Distinct
            : sameIdentifier ? MatchBand.Link
            : best.Band;
        // Blocked by a veto while another of the citizen's records would link: a namesake (the citizen's records
        // that agree with both on name and address alone may belong to either person). A hard veto counts too:
        // a Jr arriving at a citizen that holds a Sr is the plainest namesake there is.
        var namesakeOnly = blocked && !liftsSoftVetoes && unvetoedLink;
        return new Assessment(candidate, order, best, bestRecord, bestLevels, band, sameIdentifier, blocked, namesakeOnly);
    }

    /// <summary>Whether two citizens may be one: no record of one vetoes a record of the other.</summary>
    private bool CanMerge(CandidateCitizen a, CandidateCitizen b, bool byIdentifiers)
    {
        Span<byte> levels = stackalloc byte[MatchFields.Count];
        var liftsSoftVetoes = false;
        var softVeto = false;
        foreach (var x in a.Records)
        {
            var exact = scorer.ExactWeights(x, NoTermFrequencies.Instance);
            foreach (var y in b.Records)
            {
                var facts = scorer.Score(x, y, exact, levels).Facts;
                if (facts.HardVeto)
                {
                    return false;
                }

                softVeto |= facts.Veto != Veto.None;
                liftsSoftVetoes |= facts.LiftsSoftVetoes;
            }
        }

        return !softVeto || liftsSoftVetoes || byIdentifiers;
    }

    /// <summary>The evidence of an assessment's best pair, from the levels kept when it was scored.</summary>
    private PairEvidence Evidence(NormalisedRecord record, Assessment assessment, ExactNameWeights exact)
    {
        Span<byte> levels = stackalloc byte[MatchFields.Count];
        Unpack(assessment.BestLevels, levels);
        return new(assessment.Candidate.CitizenId, assessment.BestRecord!.SourceSystem, assessment.BestRecord.SourceKey, scorer.Explain(record, assessment.BestRecord, assessment.Best, levels, exact));
    }

    // A comparison vector in one number, four bits a level: kept for the best pair of every candidate without allocating.
    private static ulong Pack(ReadOnlySpan<byte> levels)
    {
        var packed = 0UL;
        for (var i = 0; i < levels.Length; i++)
        {
            packed |= (ulong)levels[i] << (4 * i);
        }

        return packed;
    }

    private static void Unpack(ulong packed, Span<byte> levels)
    {
        for (var i = 0; i < levels.Length; i++)
        {
            levels[i] = (byte)((packed >> (4 * i)) & 0xF);
        }
    }

    private PairEvidence Evidence(NormalisedRecord record, string citizenId, NormalisedRecord other, ExactNameWeights exact) =>
        new(citizenId, other.SourceSystem, other.SourceKey, scorer.Explain(record, other, exact));

    private static int Find(int[] parent, int i)
    {
        while (parent[i] != i)
        {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }

        return i;
    }

    private sealed record Assessment(
        CandidateCitizen Candidate,
        int Order,
        PairScore Best,
        NormalisedRecord? BestRecord,
        ulong BestLevels,
        MatchBand Band,
        bool SameIdentifier,
        bool Blocked,
        bool NamesakeOnly);
}
