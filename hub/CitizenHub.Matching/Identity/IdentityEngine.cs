using System.Security.Cryptography;
using System.Text.Json;
using CitizenHub.Contracts;
using CitizenHub.Matching.Linking;
using CitizenHub.Matching.Scoring;

namespace CitizenHub.Matching.Identity;

/// <summary>A record of a message with its content hash and, when it says something the store does not hold yet, its normalised form.</summary>
/// <param name="Hash">Null for a record reported deleted.</param>
/// <param name="Suppressed">An erased record its source sent again unchanged: it stays out.</param>
/// <param name="LiftsSuppression">An erased record its source removed, or that says something new: the erasure was of what it said then.</param>
public sealed record Arrival(SourceRecord Record, string? Hash, NormalisedRecord? Normalised, bool Suppressed = false, bool LiftsSuppression = false)
{
    /// <summary>
    /// Whether resolving it may touch its citizen or others: it is news, reported deleted, or ends a suppression. The rest
    /// (unchanged, older than held, kept out) need no more of the store than what is held of them.
    /// </summary>
    public bool IsNews => !Suppressed && (Normalised is not null || Record.Deleted || LiftsSuppression);
}

/// <summary>What came of a steward's or administrator's command, and the changes that carry it out (none when it applied nothing).</summary>
public sealed record StewardResult(StewardOutcome Outcome, ChangeSet Changes);

/// <summary>
/// Resolve on arrival, as one pure step per message: given a snapshot of what the message can touch, decides how each
/// record is linked — to a citizen held, to a new one, merging the citizens it shows to be one person, splitting off
/// what no longer links, asking a steward — rebuilds the golden records it touched, and returns the store's changes
/// in order with the events to publish. It reads and writes nothing; the caller reads the snapshot and applies the
/// changes in one transaction.
/// </summary>
/// <param name="newCitizenId">Mints a citizen id for a time; by default a version 7 GUID (unique without coordination, sorting by creation time).</param>
public sealed class IdentityEngine(Linker linker, SurvivorshipRanks survivorship, Func<DateTimeOffset, string>? newCitizenId = null)
{
    private readonly Func<DateTimeOffset, string> _newCitizenId = newCitizenId ?? (at => Guid.CreateVersion7(at).ToString("N"));
    private readonly SurvivorshipRanks _survivorship = survivorship;

    public Linker Linker => linker;

    /// <summary>A digest of what a record says, leaving out when it was observed: an unchanged re-extract changes nothing.</summary>
    public static string ContentHash(SourceRecord record) => Convert.ToHexString(ContentDigest(record));

    /// <summary>The SHA-256 digest <see cref="ContentHash"/> gives in hex, as its 32 bytes.</summary>
    public static byte[] ContentDigest(SourceRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(record with { ObservedAt = default }));
    }

    /// <summary>
    /// A message's records, each hashed, and normalised when it is news (not held, or changed and not older than what is
    /// held). Unchanged records are not normalised: a nightly full extract is mostly them. The normalised ones are those
    /// whose candidates the snapshot must hold.
    /// </summary>
    /// <param name="held">What the store holds of the message's records.</param>
    /// <param name="suppressed">The message's records an erasure keeps out, with what they said when erased.</param>
    public static IReadOnlyList<Arrival> Arrivals(
        IReadOnlyList<SourceRecord> records, IReadOnlyDictionary<SourceRecordRef, HeldRecord> held, IReadOnlyDictionary<SourceRecordRef, string> suppressed)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(held);
        ArgumentNullException.ThrowIfNull(suppressed);
        var arrivals = new List<Arrival>(records.Count);
        foreach (var record in records)
        {
            var key = new SourceRecordRef(record.SourceSystem, record.SourceKey);
            var hash = record.Deleted ? null : ContentHash(record);
            var lifts = false;
            if (suppressed.TryGetValue(key, out var erasedHash))
            {
                if (hash == erasedHash)
                {
                    arrivals.Add(new Arrival(record, hash, null, Suppressed: true));
                    continue;
                }

                lifts = true;
            }

            arrivals.Add(record.Deleted
                ? new Arrival(record, null, null, LiftsSuppression: lifts)
                : new Arrival(record, hash, IsNews(held.GetValueOrDefault(key), record, hash!) ? RecordNormaliser.Normalise(record) : null, LiftsSuppression: lifts));
        }

        return arrivals;
    }

    /// <summary>Resolves a message's records, in order: each sees what the earlier ones did.</summary>
    public ChangeSet Resolve(IdentitySnapshot snapshot, IReadOnlyList<Arrival> arrivals, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(arrivals);
        var run = new Run(this, snapshot, now);
        // Lifted before any record is resolved, as each was found while the message's records were read.
        foreach (var arrival in arrivals.Where(a => a.LiftsSuppression))
        {
            run.Store.LiftSuppression(new SourceRecordRef(arrival.Record.SourceSystem, arrival.Record.SourceKey));
        }

        foreach (var arrival in arrivals)
        {
            run.Resolve(arrival);
        }

        return run.ToChangeSet();
    }

    /// <summary>
    /// Weighs open reviews again with the names' counts as they are now, once more records are in than when each was
    /// asked. A name's weight grows as the records holding it become a smaller share of those held, so a pair asked about
    /// early in a first load may link once every source is in, as it would have had its records come last. Each review's
    /// record is decided again with the citizens its keys find, as on arrival (<see cref="CanonicalGroups"/>), records in
    /// the order given; a review whose two records come to be one citizen no longer stands.
    /// </summary>
    /// <param name="reviews">The reviews as read; the snapshot holds their records and every citizen their records' keys find.</param>
    public ChangeSet Reweigh(IdentitySnapshot snapshot, IReadOnlyList<ReviewItem> reviews, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(reviews);
        var run = new Run(this, snapshot, now);
        run.Reweigh(reviews);
        return run.ToChangeSet();
    }

    /// <summary>Decides held records again, in the order given, each with the citizens its keys find (see <see cref="Reweigh"/>).</summary>
    public ChangeSet DecideAgain(IdentitySnapshot snapshot, IReadOnlyList<SourceRecordRef> records, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(records);
        var run = new Run(this, snapshot, now);
        foreach (var record in records)
        {
            run.DecideAgain(record);
        }

        return run.ToChangeSet();
    }

    /// <summary>Removes records their source no longer holds (each unless what is held is newer) and re-evaluates their citizens.</summary>
    public ChangeSet Remove(IdentitySnapshot snapshot, SourceRecordsRemoved removed, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(removed);
        var run = new Run(this, snapshot, now);
        // An erased record its source no longer holds is no longer kept out: nothing of it is left to come back.
        foreach (var suppressed in snapshot.Suppressed.Keys.ToList())
        {
            run.Store.LiftSuppression(suppressed);
        }

        foreach (var key in removed.SourceKeys)
        {
            var record = new SourceRecordRef(removed.SourceSystem, key);
            if (run.Store.FindRecord(record) is { } held && held.ObservedAt <= removed.ObservedAt)
            {
                run.RemoveHeld(record, held);
            }
        }

        return run.ToChangeSet();
    }

    /// <summary>
    /// A steward's answer to a review: the decision kept, the review closed, and the citizens merged (same person: the
    /// candidate's citizen survives) or the record split off (two people in one citizen).
    /// </summary>
    /// <param name="review">The review as read (null: there is none of that id); the snapshot holds its two records and their citizens.</param>
    public StewardResult Decide(IdentitySnapshot snapshot, ReviewItem? review, bool samePerson, string steward, string? note, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (review is null)
        {
            return new StewardResult(new StewardOutcome(StewardOutcomeKind.ReviewNotFound), ChangeSet.Empty);
        }

        var run = new Run(this, snapshot, now);
        var store = run.Store;
        var other = new SourceRecordRef(review.Candidate.SourceSystem, review.Candidate.SourceKey);
        var mine = store.FindRecord(review.Record);
        var theirs = store.FindRecord(other);
        if (review.Status != ReviewStatus.Open || mine is null || theirs is null)
        {
            return new StewardResult(new StewardOutcome(StewardOutcomeKind.ReviewClosed, mine?.CitizenId, theirs?.CitizenId), ChangeSet.Empty);
        }

        store.AddStewardDecision(new StewardDecision(review.ReviewId, review.Record, other, samePerson, steward, note, now));
        store.CloseReview(review.ReviewId, samePerson ? ReviewStatus.Same : ReviewStatus.Different, now);
        var (citizen, otherCitizen) = (mine.CitizenId, theirs.CitizenId);
        if (samePerson && citizen != otherCitizen)
        {
            run.Merge(otherCitizen, citizen, review.Record);
            citizen = otherCitizen;
        }
        else if (!samePerson && citizen == otherCitizen)
        {
            // Two people in one citizen: the record goes, as a steward's split does.
            var record = store.LinkedRecords(citizen).Single(r => r.SourceSystem == review.Record.SourceSystem && r.SourceKey == review.Record.SourceKey);
            var newId = run.SplitOff(citizen, [record], review.Record, HistoryCause.StewardDecision);
            run.Rebuild(citizen, review.Record);
            return run.Outcome(new StewardOutcome(StewardOutcomeKind.Applied, newId, citizen));
        }

        store.AddHistory(new CitizenHistoryEntry(citizen, HistoryCause.StewardDecision, review.Record, otherCitizen == citizen ? null : otherCitizen, now));
        if (otherCitizen != citizen)
        {
            store.AddHistory(new CitizenHistoryEntry(otherCitizen, HistoryCause.StewardDecision, other, citizen, now));
            run.Rebuild(otherCitizen, review.Record);
        }

        run.Rebuild(citizen, review.Record);
        return run.Outcome(new StewardOutcome(StewardOutcomeKind.Applied, citizen, otherCitizen));
    }

    /// <summary>A steward's merge: <paramref name="otherId"/>'s records join <paramref name="citizenId"/>, whose id survives.</summary>
    public StewardResult Merge(IdentitySnapshot snapshot, string citizenId, string otherId, string steward, string? note, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (citizenId == otherId)
        {
            return new StewardResult(new StewardOutcome(StewardOutcomeKind.Refused, citizenId, otherId), ChangeSet.Empty);
        }

        var run = new Run(this, snapshot, now);
        var mine = run.ActiveRecords(citizenId);
        var theirs = run.ActiveRecords(otherId);
        if (mine.Count == 0 || theirs.Count == 0)
        {
            return new StewardResult(new StewardOutcome(StewardOutcomeKind.CitizenNotFound), ChangeSet.Empty);
        }

        var cause = IdentityWorkspace.Ref(theirs[0]);
        run.Store.AddStewardDecision(new StewardDecision(null, IdentityWorkspace.Ref(mine[0]), cause, true, steward, note, now));
        run.Merge(citizenId, otherId, cause);
        run.Store.AddHistory(new CitizenHistoryEntry(citizenId, HistoryCause.StewardDecision, cause, otherId, now));
        run.Rebuild(citizenId, cause);
        return run.Outcome(new StewardOutcome(StewardOutcomeKind.Applied, citizenId, citizenId));
    }

    /// <summary>A steward's split: one record out to a new citizen, kept apart from every record it leaves.</summary>
    public StewardResult Split(IdentitySnapshot snapshot, string citizenId, SourceRecordRef record, string steward, string? note, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(record);
        var run = new Run(this, snapshot, now);
        var linked = run.ActiveRecords(citizenId);
        var moving = linked.FirstOrDefault(r => r.SourceSystem == record.SourceSystem && r.SourceKey == record.SourceKey);
        if (moving is null)
        {
            return new StewardResult(new StewardOutcome(StewardOutcomeKind.CitizenNotFound), ChangeSet.Empty);
        }

        if (linked.Count == 1)
        {
            return new StewardResult(new StewardOutcome(StewardOutcomeKind.Refused, citizenId), ChangeSet.Empty);
        }

        foreach (var staying in linked.Where(r => r != moving))
        {
            run.Store.AddStewardDecision(new StewardDecision(null, record, IdentityWorkspace.Ref(staying), false, steward, note, now));
        }

        var newId = run.SplitOff(citizenId, [moving], record, HistoryCause.StewardDecision);
        run.Rebuild(citizenId, record);
        return run.Outcome(new StewardOutcome(StewardOutcomeKind.Applied, citizenId, newId));
    }

    /// <summary>
    /// Places restriction of processing on a citizen or lifts it: on every record it holds (the store spreads it to each
    /// record that joins later), with a history row and a change event when its state changes.
    /// </summary>
    public StewardResult SetRestriction(IdentitySnapshot snapshot, string citizenId, bool restricted, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var run = new Run(this, snapshot, now);
        var linked = run.ActiveRecords(citizenId);
        if (linked.Count == 0)
        {
            return new StewardResult(new StewardOutcome(StewardOutcomeKind.CitizenNotFound), ChangeSet.Empty);
        }

        if (run.Store.SetRestriction(citizenId, restricted, now))
        {
            var cause = IdentityWorkspace.Ref(linked[0]);
            run.Store.AddHistory(new CitizenHistoryEntry(citizenId, restricted ? HistoryCause.Restricted : HistoryCause.Unrestricted, cause, null, now));
            run.Events.RestrictionChanged(citizenId, restricted, cause);
        }

        return run.Outcome(new StewardOutcome(StewardOutcomeKind.Applied, citizenId, citizenId));
    }

    /// <summary>
    /// Erases a citizen's data from the hub: its records are removed (as their sources' removals would remove them, with
    /// their keys and names), then the rest is erased and the records suppressed, so that the next sync does not bring them
    /// back while their sources send them unchanged.
    /// </summary>
    public StewardResult Erase(IdentitySnapshot snapshot, string citizenId, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var run = new Run(this, snapshot, now);
        var linked = run.ActiveRecords(citizenId);
        if (linked.Count == 0)
        {
            return new StewardResult(new StewardOutcome(StewardOutcomeKind.CitizenNotFound), ChangeSet.Empty);
        }

        var suppressed = new List<SuppressedRecord>(linked.Count);
        foreach (var record in linked)
        {
            var held = IdentityWorkspace.Ref(record);
            suppressed.Add(new SuppressedRecord(held, run.Store.FindRecord(held)!.ContentHash));
            run.Store.RemoveRecord(held);
        }

        run.Store.SetGoldenRecord(citizenId, [], now);
        run.Store.EraseCitizen(citizenId, suppressed, now);
        run.Events.Erased(citizenId);
        return run.Outcome(new StewardOutcome(StewardOutcomeKind.Applied, citizenId, citizenId));
    }

    /// <summary>Whether a record says something the store does not hold yet: not unchanged, nor older than what is held (a late redelivery).</summary>
    private static bool IsNews(HeldRecord? held, SourceRecord record, string hash) =>
        held is null || (held.ContentHash != hash && record.ObservedAt >= held.ObservedAt);

    private static bool IsSame(NormalisedRecord held, SourceRecord record) =>
        held.SourceSystem == record.SourceSystem && held.SourceKey == record.SourceKey;

    /// <summary>One message's decisions over its workspace.</summary>
    private sealed class Run(IdentityEngine engine, IdentitySnapshot snapshot, DateTimeOffset now)
    {
        private readonly Linker _linker = engine.Linker;

        public IdentityWorkspace Store { get; } = new(snapshot, engine._newCitizenId);

        public ChangeCollector Events { get; } = new(now);

        public ChangeSet ToChangeSet() => new(Store.Changes, Events.ToEvents(), Events.Tally);

        public StewardResult Outcome(StewardOutcome outcome) => new(outcome, ToChangeSet());

        /// <summary>An active citizen's records; none for a citizen that is not active or not known.</summary>
        public IReadOnlyList<NormalisedRecord> ActiveRecords(string citizenId) =>
            snapshot.Citizens.Any(c => c.CitizenId == citizenId) ? Store.LinkedRecords(citizenId) : [];

        public void Resolve(Arrival arrival)
        {
            if (arrival.Suppressed)
            {
                Events.Unchanged();
                return;
            }

            var record = arrival.Record;
            var cause = new SourceRecordRef(record.SourceSystem, record.SourceKey);
            var held = Store.FindRecord(cause);
            if (record.Deleted)
            {
                if (held is not null && held.ObservedAt <= record.ObservedAt)
                {
                    RemoveHeld(cause, held);
                }
                else
                {
                    Events.Unchanged();
                }

                return;
            }

            // Asked again: an earlier record of the message may have been this one (a source that sent a key twice).
            var hash = arrival.Hash!;
            if (!IsNews(held, record, hash))
            {
                Events.Unchanged();
                return;
            }

            var normalised = arrival.Normalised ?? RecordNormaliser.Normalise(record);
            var blockingKeys = BlockingKeys.For(normalised);
            var candidateIds = Store.FindCitizens(blockingKeys, cause, BlockingKeys.DefaultMaximumBlockSize);
            var candidates = new List<CandidateCitizen>(candidateIds.Count);
            // A steward said this record is not the same person as these: a citizen holding one is no candidate.
            var declared = Store.GetDeclared(cause);
            foreach (var id in candidateIds)
            {
                var others = Store.LinkedRecords(id).Where(r => !IsSame(r, record)).ToList();
                if (others.Count > 0 && !others.Any(o => declared.Different.Contains(IdentityWorkspace.Ref(o))))
                {
                    candidates.Add(new CandidateCitizen(id, others));
                }
            }

            var frequencies = Store.Frequencies([normalised]);
            var decision = _linker.Decide(normalised, candidates, frequencies);
            // A steward said this record is the same person as one a candidate holds: that is where it belongs,
            // whatever the weights now say.
            if (declared.Same.Count > 0
                && candidates.FirstOrDefault(c => c.Records.Any(r => declared.Same.Contains(IdentityWorkspace.Ref(r)))) is { } stewarded
                && decision.CitizenId != stewarded.CitizenId)
            {
                var same = stewarded.Records.First(r => declared.Same.Contains(IdentityWorkspace.Ref(r)));
                decision = new LinkDecision(stewarded.CitizenId, [], _linker.Explain(normalised, stewarded.CitizenId, same, frequencies), decision.Reviews);
            }

            string citizenId;
            if (decision.CitizenId is not null)
            {
                citizenId = decision.CitizenId;
            }
            else if (held is not null && IsAloneOn(held.CitizenId, record))
            {
                // An update that matches no one else keeps the id it already had.
                citizenId = held.CitizenId;
            }
            else if (held is null && Store.FindFormerCitizen(cause) is { } former)
            {
                // A record the source removed and now brings back under the same key is the person it was: the id that
                // answered as removed meanwhile lives again, rather than a CRM holding it finding a stranger's id instead.
                citizenId = former;
                Store.AddHistory(new CitizenHistoryEntry(citizenId, HistoryCause.Restored, cause, null, now));
            }
            else
            {
                citizenId = Store.CreateCitizen(now);
                Events.Created(citizenId, cause);
                Store.AddHistory(new CitizenHistoryEntry(citizenId, HistoryCause.Created, cause, null, now));
            }

            var merged = new List<NormalisedRecord>(candidates.FirstOrDefault(c => c.CitizenId == citizenId)?.Records ?? []);
            foreach (var absorbed in decision.Absorbed)
            {
                // A bridge never joins what a steward kept apart.
                var joining = candidates.First(c => c.CitizenId == absorbed).Records;
                if (CanonicalGroups.AnyDeclaredDifferent(joining, merged, Store.GetDeclared))
                {
                    continue;
                }

                Merge(citizenId, absorbed, cause);
                merged.AddRange(joining);
            }

            var movedFrom = held is not null && held.CitizenId != citizenId && !decision.Absorbed.Contains(held.CitizenId)
                ? held.CitizenId
                : null;
            var leftEmpty = movedFrom is not null && IsAloneOn(movedFrom, record);

            Store.SaveRecord(citizenId, record, normalised, hash, blockingKeys, decision.Evidence, now);
            Events.Saved(added: held is null, linked: decision.CitizenId is not null);
            Store.AddHistory(new CitizenHistoryEntry(
                citizenId, held?.CitizenId == citizenId ? HistoryCause.RecordUpdated : HistoryCause.RecordAdded, cause, null, now));

            // What was asked about this record's earlier content no longer stands; ask afresh. A record not held has
            // nothing asked about it (removing a record supersedes every review naming it), so a first load asks nothing.
            if (held is not null)
            {
                Store.SupersedeReviews(cause, now);
            }

            foreach (var review in decision.Reviews)
            {
                Store.AddReview(cause, review, now);
                Events.ReviewAsked();
            }

            foreach (var namesake in decision.Namesakes ?? [])
            {
                SeparateAmbiguous(namesake, normalised, citizenId, frequencies, cause);
            }

            if (leftEmpty)
            {
                // The record was all its old citizen knew, and it is now known to be this person:
                // the old id forwards here rather than vanishing, so anyone holding it still finds them.
                Merge(citizenId, movedFrom!, cause);
            }

            if (held is not null && held.CitizenId == citizenId)
            {
                // The record changed in place: the citizen's other records may no longer be one person with it.
                Reevaluate(citizenId, cause);
            }
            else
            {
                Rebuild(citizenId, cause);
            }

            if (movedFrom is not null && !leftEmpty)
            {
                // The record moved to another citizen: what it left may be one person, or several.
                Store.AddHistory(new CitizenHistoryEntry(movedFrom, HistoryCause.RecordRemoved, cause, citizenId, now));
                Reevaluate(movedFrom, cause);
            }

            if (candidates.Count > 1 || decision.Reviews.Count > 0 || decision.Absorbed.Count > 0 || decision.Namesakes is { Count: > 0 })
            {
                // A decision that weighed one citizen against another, or joined or parted them, is one whose outcome
                // the order of arrival could have settled: the records it touched are decided again as if they had
                // come in one fixed order.
                Reconsider([normalised, .. candidates.SelectMany(c => c.Records)], cause);
            }
        }

        public void Reweigh(IReadOnlyList<ReviewItem> reviews)
        {
            static SourceRecordRef CandidateOf(ReviewItem review) => new(review.Candidate.SourceSystem, review.Candidate.SourceKey);
            bool Apart(ReviewItem review) =>
                Store.FindRecord(review.Record) is { } mine && Store.FindRecord(CandidateOf(review)) is { } theirs
                && Store.IsActive(mine.CitizenId) && Store.IsActive(theirs.CitizenId) && mine.CitizenId != theirs.CitizenId;

            var open = reviews.Where(r => r.Status == ReviewStatus.Open && Apart(r)).ToList();
            foreach (var record in open.Select(r => r.Record).Distinct())
            {
                if (open.Any(r => r.Record == record && Apart(r)))
                {
                    DecideAgain(record);
                }
            }

            foreach (var review in open.Where(r => !Apart(r) && Store.FindRecord(r.Record)!.CitizenId == Store.FindRecord(CandidateOf(r))!.CitizenId))
            {
                Store.CloseReview(review.ReviewId, ReviewStatus.Superseded, now);
            }
        }

        /// <summary>A held record decided again with the citizens its keys find, as if it had just arrived.</summary>
        public void DecideAgain(SourceRecordRef record)
        {
            if (Store.FindRecord(record) is not { } held || !Store.IsActive(held.CitizenId))
            {
                return;
            }

            var normalised = Store.LinkedRecords(held.CitizenId).First(r => IdentityWorkspace.Ref(r) == record);
            var candidates = Store.FindCitizens(BlockingKeys.For(normalised), record, BlockingKeys.DefaultMaximumBlockSize);
            Reconsider([.. Store.LinkedRecords(held.CitizenId), .. candidates.SelectMany(Store.LinkedRecords)], record);
        }

        /// <summary>
        /// Puts the records of the citizens holding <paramref name="seeds"/> into the people <see cref="CanonicalGroups"/>
        /// finds among them, joining records only to the arriving record's person. Each group keeps the id of the citizen
        /// that held most of it (the older on a tie); a group none is left for is split off as a new citizen, and a
        /// citizen left with no records forwards to where most of them went, so an id a CRM holds still finds its
        /// person. Pairs a steward should see about moved records are asked.
        /// </summary>
        private void Reconsider(IEnumerable<NormalisedRecord> seeds, SourceRecordRef cause)
        {
            var citizenIds = seeds.Select(r => Store.FindRecord(IdentityWorkspace.Ref(r))?.CitizenId).OfType<string>()
                .Distinct(StringComparer.Ordinal).Where(Store.IsActive).OrderBy(Store.OrderOf).ToList();
            var records = citizenIds.SelectMany(Store.LinkedRecords).ToList();
            if (records.Count < 2)
            {
                return;
            }

            var frequencies = Store.Frequencies(records);
            var found = CanonicalGroups.Find(_linker, records, frequencies, Store.GetDeclared);
            var citizenOf = records.ToDictionary(IdentityWorkspace.Ref, r => Store.FindRecord(IdentityWorkspace.Ref(r))!.CitizenId);
            string CitizenOf(NormalisedRecord record) => citizenOf[IdentityWorkspace.Ref(record)];
            // Only the record that arrived is new evidence: the fixed order may bring other records to its person, and
            // part a neighbour's records that no longer link, but not join records the hub keeps apart elsewhere (seen
            // here without all that was weighed when they were placed).
            IReadOnlyList<IReadOnlyList<NormalisedRecord>> groups = [.. found.Groups.SelectMany(g => g.Any(r => IdentityWorkspace.Ref(r) == cause)
                ? [g]
                : g.GroupBy(CitizenOf, StringComparer.Ordinal).Select(apart => (IReadOnlyList<NormalisedRecord>)[.. apart]))];
            if (groups.Count == citizenIds.Count && groups.All(g => g.All(r => CitizenOf(r) == CitizenOf(g[0]))))
            {
                // As many people as citizens, each within one: the citizens are the people already.
                return;
            }

            var kept = new HashSet<string>(StringComparer.Ordinal);
            var placed = new List<(IReadOnlyList<NormalisedRecord> Group, string? CitizenId)>(groups.Count);
            foreach (var group in groups.OrderByDescending(g => g.Count))
            {
                var keeps = group.GroupBy(CitizenOf, StringComparer.Ordinal)
                    .Where(g => !kept.Contains(g.Key))
                    .OrderByDescending(g => g.Count()).ThenBy(g => Store.OrderOf(g.Key))
                    .Select(g => g.Key).FirstOrDefault();
                if (keeps is not null)
                {
                    kept.Add(keeps);
                }

                placed.Add((group, keeps));
            }

            var moved = new HashSet<SourceRecordRef>();
            var changed = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (group, keeps) in placed)
            {
                if (keeps is null)
                {
                    SplitOff(group.GroupBy(CitizenOf, StringComparer.Ordinal).MaxBy(g => g.Count())!.Key, group, cause);
                    changed.UnionWith(group.Select(CitizenOf));
                    moved.UnionWith(group.Select(IdentityWorkspace.Ref));
                    continue;
                }

                foreach (var record in group.Where(r => CitizenOf(r) != keeps))
                {
                    var from = CitizenOf(record);
                    MoveTo(record, from, keeps);
                    changed.Add(from);
                    changed.Add(keeps);
                    moved.Add(IdentityWorkspace.Ref(record));
                }
            }

            foreach (var emptied in citizenIds.Where(id => !kept.Contains(id)))
            {
                var to = records.Where(r => CitizenOf(r) == emptied)
                    .GroupBy(r => Store.FindRecord(IdentityWorkspace.Ref(r))!.CitizenId, StringComparer.Ordinal)
                    .MaxBy(g => g.Count())!.Key;
                Merge(to, emptied, cause);
                changed.Remove(emptied);
            }

            foreach (var citizenId in citizenIds.Where(changed.Contains))
            {
                Rebuild(citizenId, cause);
            }

            foreach (var (record, candidate) in found.Asked)
            {
                var recordRef = IdentityWorkspace.Ref(record);
                var candidateRef = new SourceRecordRef(candidate.SourceSystem, candidate.SourceKey);
                var candidateCitizen = Store.FindRecord(candidateRef)!.CitizenId;
                if ((moved.Contains(recordRef) || moved.Contains(candidateRef)) && Store.FindRecord(recordRef)!.CitizenId != candidateCitizen)
                {
                    Store.AddReview(recordRef, candidate with { CitizenId = candidateCitizen }, now);
                    Events.ReviewAsked();
                }
            }
        }

        public void RemoveHeld(SourceRecordRef record, HeldRecord held)
        {
            Store.RemoveRecord(record);
            Events.Removed();
            Store.SupersedeReviews(record, now);
            Store.AddHistory(new CitizenHistoryEntry(held.CitizenId, HistoryCause.RecordRemoved, record, null, now));
            // The removed record may have been what held the others together.
            Reevaluate(held.CitizenId, record);
        }

        /// <summary>
        /// A namesake of a citizen arrived (see <see cref="LinkDecision.Namesakes"/>): the citizen's records that could
        /// as well be the namesake's each move to a citizen of their own, and a steward is asked about both pairings.
        /// </summary>
        private void SeparateAmbiguous(string citizenId, NormalisedRecord namesake, string namesakeCitizenId, ITermFrequencies frequencies, SourceRecordRef cause)
        {
            var held = Store.LinkedRecords(citizenId);
            var (ambiguous, groups, namesakes) = _linker.Separate(held, namesake, frequencies);
            if (ambiguous.Count == 0 && namesakes.Count == 0)
            {
                return;
            }

            foreach (var record in namesakes)
            {
                // Joined on a name alone before the person it fits far better arrived: it is theirs.
                MoveTo(record, citizenId, namesakeCitizenId);
            }

            foreach (var group in groups)
            {
                SplitOff(citizenId, group, cause);
            }

            foreach (var record in ambiguous)
            {
                var recordRef = IdentityWorkspace.Ref(record);
                Store.AddReview(recordRef, _linker.Explain(record, namesakeCitizenId, namesake, frequencies), now);
                Events.ReviewAsked();
                foreach (var other in held.Where(h => !ambiguous.Contains(h) && !namesakes.Contains(h)).Take(1))
                {
                    Store.AddReview(recordRef, _linker.Explain(record, citizenId, other, frequencies), now);
                    Events.ReviewAsked();
                }
            }

            Rebuild(citizenId, cause);
        }

        /// <summary>Moves one record to another citizen held, with the history on both (the caller rebuilds their golden records).</summary>
        private void MoveTo(NormalisedRecord record, string from, string to)
        {
            var recordRef = IdentityWorkspace.Ref(record);
            Store.MoveRecord(recordRef, to, now);
            Store.AddHistory(new CitizenHistoryEntry(from, HistoryCause.RecordRemoved, recordRef, to, now));
            Store.AddHistory(new CitizenHistoryEntry(to, HistoryCause.RecordAdded, recordRef, from, now));
        }

        /// <summary>Moves records of a citizen to a new citizen (a split): history on both, the event, and the new golden record.</summary>
        /// <param name="historyCause"><see cref="HistoryCause.Split"/> when the records no longer link; a steward's split says so.</param>
        /// <returns>The new citizen's id.</returns>
        public string SplitOff(string citizenId, IReadOnlyList<NormalisedRecord> records, SourceRecordRef cause, HistoryCause historyCause = HistoryCause.Split)
        {
            var newId = Store.CreateCitizen(now);
            foreach (var moved in records)
            {
                Store.MoveRecord(IdentityWorkspace.Ref(moved), newId, now);
            }

            Store.AddHistory(new CitizenHistoryEntry(citizenId, historyCause, cause, newId, now));
            Store.AddHistory(new CitizenHistoryEntry(newId, historyCause, cause, citizenId, now));
            Events.Split(citizenId, newId, cause);
            Rebuild(newId, cause, records);
            return newId;
        }

        public void Merge(string survivorId, string absorbedId, SourceRecordRef cause)
        {
            Store.Merge(survivorId, absorbedId, now);
            Store.AddHistory(new CitizenHistoryEntry(survivorId, HistoryCause.Merged, cause, absorbedId, now));
            Store.AddHistory(new CitizenHistoryEntry(absorbedId, HistoryCause.MergedInto, cause, survivorId, now));
            Events.Merged(survivorId, absorbedId, cause);
        }

        /// <summary>
        /// Re-evaluates a citizen whose records changed: when what remains no longer links up into one person,
        /// the group with the most records keeps the id and each other group becomes a new citizen (a split);
        /// then every affected golden record is rebuilt.
        /// </summary>
        private void Reevaluate(string citizenId, SourceRecordRef cause)
        {
            var kept = Store.LinkedRecords(citizenId);
            if (kept.Count > 1)
            {
                var groups = JoinStewardsSame(_linker.Components(kept, Store.Frequencies(kept)));
                if (groups.Count > 1)
                {
                    kept = groups.OrderByDescending(g => g.Count).First();
                    foreach (var group in groups.Where(g => g != kept))
                    {
                        SplitOff(citizenId, group, cause);
                    }
                }
            }

            Rebuild(citizenId, cause, kept);
        }

        /// <summary>Groups a steward said are one person stay one, whatever the weights between them now say.</summary>
        private IReadOnlyList<IReadOnlyList<NormalisedRecord>> JoinStewardsSame(IReadOnlyList<IReadOnlyList<NormalisedRecord>> groups)
        {
            if (groups.Count < 2)
            {
                return groups;
            }

            var joined = groups.Select(g => g.ToList()).ToList();
            for (var i = 0; i < joined.Count; i++)
            {
                foreach (var record in joined[i].ToList())
                {
                    var same = Store.GetDeclared(IdentityWorkspace.Ref(record)).Same;
                    for (var j = joined.Count - 1; j > i && same.Count > 0; j--)
                    {
                        if (joined[j].Any(r => same.Contains(IdentityWorkspace.Ref(r))))
                        {
                            joined[i].AddRange(joined[j]);
                            joined.RemoveAt(j);
                        }
                    }
                }
            }

            return joined;
        }

        /// <param name="linked">The citizen's records when the caller has just read (or placed) them; read here otherwise.</param>
        public void Rebuild(string citizenId, SourceRecordRef cause, IReadOnlyList<NormalisedRecord>? linked = null)
        {
            linked ??= Store.LinkedRecords(citizenId);
            var change = Store.SetGoldenRecord(citizenId, GoldenRecordBuilder.Build(linked, engine._survivorship), now);
            Events.Changed(citizenId, change, cause);
        }

        private bool IsAloneOn(string citizenId, SourceRecord record) => Store.LinkedRecords(citizenId).All(r => IsSame(r, record));
    }
}
