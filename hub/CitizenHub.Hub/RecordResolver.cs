using System.Security.Cryptography;
using System.Text.Json;
using CitizenHub.Contracts;
using CitizenHub.Matching;
using CitizenHub.Matching.Linking;
using CitizenHub.Matching.Scoring;
using CitizenHub.Store;

namespace CitizenHub.Hub;

/// <summary>
/// Resolve on arrival: matches each incoming record against the golden records already held and
/// links it, merges the citizens it shows to be one person, or starts a new citizen; then rebuilds
/// the shown values of every citizen it touched. One message is one transaction.
/// </summary>
public sealed class RecordResolver(ICitizenStore store, SourceCatalog catalog, TimeProvider timeProvider, Linker linker)
{
    /// <summary>Applies a batch; returns the outbound events to publish once it is committed (none if it was applied before).</summary>
    public Task<IReadOnlyList<object>> ApplyAsync(SourceRecordBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return InOneTransactionAsync(
            HubMessages.Identify(batch),
            (session, events) => ResolveBatchAsync(session, batch, events, cancellationToken),
            cancellationToken);
    }

    /// <summary>
    /// Resolves a batch in a session the caller holds and will not commit (a dry run), saying what applying it would do.
    /// Later batches in the same session see what earlier ones would have done, as they would in a real run.
    /// </summary>
    public async Task<RunTally> TryAsync(IResolutionSession session, SourceRecordBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(batch);
        var collector = new ChangeCollector(timeProvider);
        await ResolveBatchAsync(session, batch, collector, cancellationToken).ConfigureAwait(false);
        return collector.Tally;
    }

    /// <summary>Removes records in a session the caller holds and will not commit (a dry run), saying what removing them would do.</summary>
    public async Task<RunTally> TryAsync(IResolutionSession session, SourceRecordsRemoved removed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(removed);
        var collector = new ChangeCollector(timeProvider);
        await RemoveAllAsync(session, removed, collector).ConfigureAwait(false);
        return collector.Tally;
    }

    private async Task ResolveBatchAsync(IResolutionSession session, SourceRecordBatch batch, ChangeCollector events, CancellationToken cancellationToken)
    {
        foreach (var arrival in await ArrivalsAsync(session, batch.Records).ConfigureAwait(false))
        {
            cancellationToken.ThrowIfCancellationRequested();
            await ResolveAsync(session, arrival, events).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A steward's answer to a review, in one transaction: the decision kept, the review closed, and the citizens
    /// merged (same person: the candidate's citizen survives) or the record split off (two people in one citizen).
    /// </summary>
    public Task<(StewardOutcome Outcome, IReadOnlyList<object> Events)> DecideAsync(
        long reviewId, bool samePerson, string steward, string? note, CancellationToken cancellationToken)
    {
        return AsStewardAsync(
            new StewardOutcome(StewardOutcomeKind.ReviewNotFound),
            async (session, events) =>
            {
                var review = await session.GetReviewAsync(reviewId).ConfigureAwait(false);
                if (review is null)
                {
                    return null;
                }

                var other = new SourceRecordRef(review.Candidate.SourceSystem, review.Candidate.SourceKey);
                var mine = await session.FindRecordAsync(review.Record.SourceSystem, review.Record.SourceKey).ConfigureAwait(false);
                var theirs = await session.FindRecordAsync(other.SourceSystem, other.SourceKey).ConfigureAwait(false);
                if (review.Status != ReviewStatus.Open || mine is null || theirs is null)
                {
                    return new StewardOutcome(StewardOutcomeKind.ReviewClosed, mine?.CitizenId, theirs?.CitizenId);
                }

                var now = timeProvider.GetUtcNow();
                await session.AddStewardDecisionAsync(new StewardDecision(reviewId, review.Record, other, samePerson, steward, note, now)).ConfigureAwait(false);
                await session.CloseReviewAsync(reviewId, samePerson ? ReviewStatus.Same : ReviewStatus.Different, now).ConfigureAwait(false);
                var (citizen, otherCitizen) = (mine.CitizenId, theirs.CitizenId);
                if (samePerson && citizen != otherCitizen)
                {
                    await MergeAsync(session, otherCitizen, citizen, review.Record, events, now).ConfigureAwait(false);
                    citizen = otherCitizen;
                }
                else if (!samePerson && citizen == otherCitizen)
                {
                    // Two people in one citizen: the record goes, as a steward's split does.
                    var record = (await session.GetLinkedRecordsAsync(citizen).ConfigureAwait(false))
                        .Single(r => r.SourceSystem == review.Record.SourceSystem && r.SourceKey == review.Record.SourceKey);
                    var newId = await SplitOffAsync(session, citizen, [record], review.Record, events, now, HistoryCause.StewardDecision).ConfigureAwait(false);
                    await RebuildAsync(session, citizen, review.Record, events).ConfigureAwait(false);
                    return new StewardOutcome(StewardOutcomeKind.Applied, newId, citizen);
                }

                await session.AddHistoryAsync(new CitizenHistoryEntry(citizen, HistoryCause.StewardDecision, review.Record, otherCitizen == citizen ? null : otherCitizen, now)).ConfigureAwait(false);
                if (otherCitizen != citizen)
                {
                    await session.AddHistoryAsync(new CitizenHistoryEntry(otherCitizen, HistoryCause.StewardDecision, other, citizen, now)).ConfigureAwait(false);
                    await RebuildAsync(session, otherCitizen, review.Record, events).ConfigureAwait(false);
                }

                await RebuildAsync(session, citizen, review.Record, events).ConfigureAwait(false);
                return new StewardOutcome(StewardOutcomeKind.Applied, citizen, otherCitizen);
            },
            cancellationToken);
    }

    /// <summary>A steward's merge: <paramref name="otherId"/>'s records join <paramref name="citizenId"/>, whose id survives.</summary>
    public Task<(StewardOutcome Outcome, IReadOnlyList<object> Events)> MergeByStewardAsync(
        string citizenId, string otherId, string steward, string? note, CancellationToken cancellationToken)
    {
        return AsStewardAsync(
            new StewardOutcome(StewardOutcomeKind.CitizenNotFound),
            async (session, events) =>
            {
                if (citizenId == otherId)
                {
                    return new StewardOutcome(StewardOutcomeKind.Refused, citizenId, otherId);
                }

                var mine = await session.GetLinkedRecordsAsync(citizenId).ConfigureAwait(false);
                var theirs = await session.GetLinkedRecordsAsync(otherId).ConfigureAwait(false);
                if (mine.Count == 0 || theirs.Count == 0)
                {
                    return null;
                }

                var now = timeProvider.GetUtcNow();
                var cause = new SourceRecordRef(theirs[0].SourceSystem, theirs[0].SourceKey);
                await session.AddStewardDecisionAsync(new StewardDecision(
                    null, new SourceRecordRef(mine[0].SourceSystem, mine[0].SourceKey), cause, true, steward, note, now)).ConfigureAwait(false);
                await MergeAsync(session, citizenId, otherId, cause, events, now).ConfigureAwait(false);
                await session.AddHistoryAsync(new CitizenHistoryEntry(citizenId, HistoryCause.StewardDecision, cause, otherId, now)).ConfigureAwait(false);
                await RebuildAsync(session, citizenId, cause, events).ConfigureAwait(false);
                return new StewardOutcome(StewardOutcomeKind.Applied, citizenId, citizenId);
            },
            cancellationToken);
    }

    /// <summary>A steward's split: one record out to a new citizen, kept apart from every record it leaves.</summary>
    public Task<(StewardOutcome Outcome, IReadOnlyList<object> Events)> SplitByStewardAsync(
        string citizenId, SourceRecordRef record, string steward, string? note, CancellationToken cancellationToken)
    {
        return AsStewardAsync(
            new StewardOutcome(StewardOutcomeKind.CitizenNotFound),
            async (session, events) =>
            {
                var linked = await session.GetLinkedRecordsAsync(citizenId).ConfigureAwait(false);
                var moving = linked.FirstOrDefault(r => r.SourceSystem == record.SourceSystem && r.SourceKey == record.SourceKey);
                if (moving is null)
                {
                    return null;
                }

                if (linked.Count == 1)
                {
                    return new StewardOutcome(StewardOutcomeKind.Refused, citizenId);
                }

                var now = timeProvider.GetUtcNow();
                foreach (var staying in linked.Where(r => r != moving))
                {
                    await session.AddStewardDecisionAsync(new StewardDecision(
                        null, record, new SourceRecordRef(staying.SourceSystem, staying.SourceKey), false, steward, note, now)).ConfigureAwait(false);
                }

                var newId = await SplitOffAsync(session, citizenId, [moving], record, events, now, HistoryCause.StewardDecision).ConfigureAwait(false);
                await RebuildAsync(session, citizenId, record, events).ConfigureAwait(false);
                return new StewardOutcome(StewardOutcomeKind.Applied, citizenId, newId);
            },
            cancellationToken);
    }

    /// <summary>
    /// An administrator places restriction of processing on a citizen or lifts it: on every record it holds (the store
    /// spreads it to each record that joins later), with a history row and a change event when its state changes.
    /// </summary>
    public Task<(StewardOutcome Outcome, IReadOnlyList<object> Events)> SetRestrictionAsync(
        string citizenId, bool restricted, CancellationToken cancellationToken)
    {
        return OnActiveCitizenAsync(
            citizenId,
            async (session, events, linked, now) =>
            {
                if (await session.SetRestrictionAsync(citizenId, restricted, now).ConfigureAwait(false))
                {
                    var cause = new SourceRecordRef(linked[0].SourceSystem, linked[0].SourceKey);
                    await session.AddHistoryAsync(new CitizenHistoryEntry(
                        citizenId, restricted ? HistoryCause.Restricted : HistoryCause.Unrestricted, cause, null, now)).ConfigureAwait(false);
                    events.RestrictionChanged(citizenId, restricted, cause);
                }
            },
            cancellationToken);
    }

    /// <summary>
    /// An administrator erases a citizen's data from the hub: its records are removed (as their sources' removals would
    /// remove them, with their keys and names), then the session erases the rest and suppresses the records, so that the
    /// next sync does not bring them back while their sources send them unchanged.
    /// </summary>
    public Task<(StewardOutcome Outcome, IReadOnlyList<object> Events)> EraseAsync(string citizenId, CancellationToken cancellationToken)
    {
        return OnActiveCitizenAsync(
            citizenId,
            async (session, events, linked, now) =>
            {
                var suppressed = new List<SuppressedRecord>(linked.Count);
                foreach (var record in linked)
                {
                    var held = await session.FindRecordAsync(record.SourceSystem, record.SourceKey).ConfigureAwait(false);
                    suppressed.Add(new SuppressedRecord(new SourceRecordRef(record.SourceSystem, record.SourceKey), held!.ContentHash));
                    await session.RemoveRecordAsync(record.SourceSystem, record.SourceKey).ConfigureAwait(false);
                }

                await session.SetGoldenRecordAsync(citizenId, [], now).ConfigureAwait(false);
                await session.EraseCitizenAsync(citizenId, suppressed, now).ConfigureAwait(false);
                events.Erased(citizenId);
            },
            cancellationToken);
    }

    /// <summary>An administrator's command on one active citizen (one holding records), given them; not found otherwise.</summary>
    private Task<(StewardOutcome Outcome, IReadOnlyList<object> Events)> OnActiveCitizenAsync(
        string citizenId,
        Func<IResolutionSession, ChangeCollector, IReadOnlyList<NormalisedRecord>, DateTimeOffset, Task> work,
        CancellationToken cancellationToken)
    {
        return AsStewardAsync(
            new StewardOutcome(StewardOutcomeKind.CitizenNotFound),
            async (session, events) =>
            {
                var linked = await session.GetLinkedRecordsAsync(citizenId).ConfigureAwait(false);
                if (linked.Count == 0)
                {
                    return null;
                }

                await work(session, events, linked, timeProvider.GetUtcNow()).ConfigureAwait(false);
                return new StewardOutcome(StewardOutcomeKind.Applied, citizenId, citizenId);
            },
            cancellationToken);
    }

    /// <summary>A steward's command in a transaction of its own; the work says what came of it (null when it applied nothing).</summary>
    private async Task<(StewardOutcome Outcome, IReadOnlyList<object> Events)> AsStewardAsync(
        StewardOutcome ifNothingApplied, Func<IResolutionSession, ChangeCollector, Task<StewardOutcome?>> work, CancellationToken cancellationToken)
    {
        StewardOutcome? outcome = null;
        var events = await InOneTransactionAsync(
            new MessageIdentity(Guid.NewGuid(), "steward", 1),
            async (session, events) => outcome = await work(session, events).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);
        return (outcome ?? ifNothingApplied, events);
    }

    /// <summary>Removes records the source no longer holds and rebuilds their citizens.</summary>
    public Task<IReadOnlyList<object>> RemoveAsync(SourceRecordsRemoved removed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(removed);
        return InOneTransactionAsync(HubMessages.Identify(removed), (session, events) => RemoveAllAsync(session, removed, events), cancellationToken);
    }

    private async Task RemoveAllAsync(IResolutionSession session, SourceRecordsRemoved removed, ChangeCollector events)
    {
        var refs = removed.SourceKeys.Select(key => new SourceRecordRef(removed.SourceSystem, key)).ToList();
        await session.ExpectAsync(refs).ConfigureAwait(false);
        // An erased record its source no longer holds is no longer kept out: nothing of it is left to come back.
        foreach (var suppressed in (await session.GetSuppressedAsync(refs).ConfigureAwait(false)).Keys)
        {
            await session.LiftSuppressionAsync(suppressed).ConfigureAwait(false);
        }

        foreach (var key in removed.SourceKeys)
        {
            if (await session.FindRecordAsync(removed.SourceSystem, key).ConfigureAwait(false) is { } held
                && held.ObservedAt <= removed.ObservedAt)
            {
                await RemoveAsync(session, new SourceRecordRef(removed.SourceSystem, key), held, events).ConfigureAwait(false);
            }
        }
    }

    /// <summary>A digest of what a record says, leaving out when it was observed: an unchanged re-extract changes nothing.</summary>
    public static string ContentHash(SourceRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(record with { ObservedAt = default });
        return Convert.ToHexString(SHA256.HashData(bytes));
    }

    /// <summary>A record of a batch with its content hash and, when it differs from what is held, its normalised form.</summary>
    /// <param name="Suppressed">An erased record its source sent again unchanged: it stays out.</param>
    private sealed record Arrival(SourceRecord Record, string? Hash, NormalisedRecord? Normalised, bool Suppressed = false);

    /// <summary>
    /// Tells the session what the batch is about before any record is resolved: which records (so a store across a
    /// network reads what it holds of them in one go) and those that changed (likewise their names' counts and the
    /// records of the citizens they may match).
    /// Unchanged records are not normalised: a nightly full extract is mostly them.
    /// </summary>
    private static async Task<IReadOnlyList<Arrival>> ArrivalsAsync(IResolutionSession session, IReadOnlyList<SourceRecord> records)
    {
        var refs = records.Select(r => new SourceRecordRef(r.SourceSystem, r.SourceKey)).ToList();
        await session.ExpectAsync(refs).ConfigureAwait(false);
        var suppressed = await session.GetSuppressedAsync(refs).ConfigureAwait(false);
        var arrivals = new List<Arrival>(records.Count);
        foreach (var record in records)
        {
            var hash = record.Deleted ? null : ContentHash(record);
            if (suppressed.TryGetValue(new SourceRecordRef(record.SourceSystem, record.SourceKey), out var erasedHash))
            {
                if (hash == erasedHash)
                {
                    arrivals.Add(new Arrival(record, hash, null, Suppressed: true));
                    continue;
                }

                // The source removed the erased record, or says something new under its key: the erasure was of what it said then.
                await session.LiftSuppressionAsync(new SourceRecordRef(record.SourceSystem, record.SourceKey)).ConfigureAwait(false);
            }

            if (record.Deleted)
            {
                arrivals.Add(new Arrival(record, null, null));
                continue;
            }

            var held = await session.FindRecordAsync(record.SourceSystem, record.SourceKey).ConfigureAwait(false);
            arrivals.Add(new Arrival(record, hash, IsNews(held, record, hash!) ? RecordNormaliser.Normalise(record) : null));
        }

        await session.ExpectChangedAsync([.. arrivals.Select(a => a.Normalised).OfType<NormalisedRecord>()]).ConfigureAwait(false);
        return arrivals;
    }

    /// <summary>Whether a record says something the store does not hold yet: not unchanged, nor older than what is held (a late redelivery).</summary>
    private static bool IsNews(HeldRecord? held, SourceRecord record, string hash) =>
        held is null || (held.ContentHash != hash && record.ObservedAt >= held.ObservedAt);

    private async Task ResolveAsync(IResolutionSession session, Arrival arrival, ChangeCollector events)
    {
        if (arrival.Suppressed)
        {
            events.Unchanged();
            return;
        }

        var record = arrival.Record;
        var cause = new SourceRecordRef(record.SourceSystem, record.SourceKey);
        var held = await session.FindRecordAsync(record.SourceSystem, record.SourceKey).ConfigureAwait(false);
        if (record.Deleted)
        {
            if (held is not null && held.ObservedAt <= record.ObservedAt)
            {
                await RemoveAsync(session, cause, held, events).ConfigureAwait(false);
            }
            else
            {
                events.Unchanged();
            }

            return;
        }

        // Asked again: an earlier record of the batch may have been this one (a source that sent a key twice).
        var hash = arrival.Hash!;
        if (!IsNews(held, record, hash))
        {
            events.Unchanged();
            return;
        }

        var normalised = arrival.Normalised ?? RecordNormaliser.Normalise(record);
        var blockingKeys = BlockingKeys.For(normalised);
        var candidateIds = await session.FindCitizensAsync(blockingKeys, record.SourceSystem, record.SourceKey, BlockingKeys.DefaultMaximumBlockSize)
            .ConfigureAwait(false);
        var candidates = new List<CandidateCitizen>(candidateIds.Count);
        // A steward said this record is not the same person as these: a citizen holding one is no candidate.
        var declared = await session.GetDeclaredAsync(cause).ConfigureAwait(false);
        foreach (var id in candidateIds)
        {
            var linked = await session.GetLinkedRecordsAsync(id).ConfigureAwait(false);
            var others = linked.Where(r => !IsSame(r, record)).ToList();
            if (others.Count > 0 && !others.Any(o => declared.Different.Contains(new SourceRecordRef(o.SourceSystem, o.SourceKey))))
            {
                candidates.Add(new CandidateCitizen(id, others));
            }
        }

        var frequencies = await session.GetTermFrequenciesAsync([normalised]).ConfigureAwait(false);
        var decision = linker.Decide(normalised, candidates, frequencies);
        // A steward said this record is the same person as one a candidate holds: that is where it belongs,
        // whatever the weights now say.
        if (declared.Same.Count > 0
            && candidates.FirstOrDefault(c => c.Records.Any(r => declared.Same.Contains(new SourceRecordRef(r.SourceSystem, r.SourceKey)))) is { } stewarded
            && decision.CitizenId != stewarded.CitizenId)
        {
            var same = stewarded.Records.First(r => declared.Same.Contains(new SourceRecordRef(r.SourceSystem, r.SourceKey)));
            decision = new LinkDecision(stewarded.CitizenId, [], linker.Explain(normalised, stewarded.CitizenId, same, frequencies), decision.Reviews);
        }
        var now = timeProvider.GetUtcNow();
        string citizenId;
        if (decision.CitizenId is not null)
        {
            citizenId = decision.CitizenId;
        }
        else if (held is not null && await IsAloneOnAsync(session, held.CitizenId, record).ConfigureAwait(false))
        {
            // An update that matches no one else keeps the id it already had.
            citizenId = held.CitizenId;
        }
        else if (held is null && await session.FindFormerCitizenAsync(cause).ConfigureAwait(false) is { } former)
        {
            // A record the source removed and now brings back under the same key is the person it was: the id that
            // answered as removed meanwhile lives again, rather than a CRM holding it finding a stranger's id instead.
            citizenId = former;
            await session.AddHistoryAsync(new CitizenHistoryEntry(citizenId, HistoryCause.Restored, cause, null, now)).ConfigureAwait(false);
        }
        else
        {
            citizenId = await session.CreateCitizenAsync(now).ConfigureAwait(false);
            events.Created(citizenId, cause);
            await session.AddHistoryAsync(new CitizenHistoryEntry(citizenId, HistoryCause.Created, cause, null, now)).ConfigureAwait(false);
        }

        var merged = new List<NormalisedRecord>(candidates.FirstOrDefault(c => c.CitizenId == citizenId)?.Records ?? []);
        foreach (var absorbed in decision.Absorbed)
        {
            // A bridge never joins what a steward kept apart.
            var joining = candidates.First(c => c.CitizenId == absorbed).Records;
            if (await AnyDeclaredDifferentAsync(session, joining, merged).ConfigureAwait(false))
            {
                continue;
            }

            await MergeAsync(session, citizenId, absorbed, cause, events, now).ConfigureAwait(false);
            merged.AddRange(joining);
        }

        var movedFrom = held is not null && held.CitizenId != citizenId && !decision.Absorbed.Contains(held.CitizenId)
            ? held.CitizenId
            : null;
        var leftEmpty = movedFrom is not null && await IsAloneOnAsync(session, movedFrom, record).ConfigureAwait(false);

        await session.SaveRecordAsync(citizenId, record, normalised, hash, blockingKeys, decision.Evidence, now).ConfigureAwait(false);
        events.Saved(added: held is null, linked: decision.CitizenId is not null);
        await session.AddHistoryAsync(new CitizenHistoryEntry(
            citizenId, held?.CitizenId == citizenId ? HistoryCause.RecordUpdated : HistoryCause.RecordAdded, cause, null, now)).ConfigureAwait(false);

        // What was asked about this record's earlier content no longer stands; ask afresh.
        await session.SupersedeReviewsAsync(cause, now).ConfigureAwait(false);
        foreach (var review in decision.Reviews)
        {
            await session.AddReviewAsync(cause, review, now).ConfigureAwait(false);
            events.ReviewAsked();
        }

        foreach (var namesake in decision.Namesakes ?? [])
        {
            await SeparateAmbiguousAsync(session, namesake, normalised, citizenId, frequencies, cause, events, now).ConfigureAwait(false);
        }

        if (leftEmpty)
        {
            // The record was all its old citizen knew, and it is now known to be this person:
            // the old id forwards here rather than vanishing, so anyone holding it still finds them.
            await MergeAsync(session, citizenId, movedFrom!, cause, events, now).ConfigureAwait(false);
        }

        if (held is not null && held.CitizenId == citizenId)
        {
            // The record changed in place: the citizen's other records may no longer be one person with it.
            await ReevaluateAsync(session, citizenId, cause, events).ConfigureAwait(false);
        }
        else
        {
            await RebuildAsync(session, citizenId, cause, events).ConfigureAwait(false);
        }

        if (movedFrom is not null && !leftEmpty)
        {
            // The record moved to another citizen: what it left may be one person, or several.
            await session.AddHistoryAsync(new CitizenHistoryEntry(movedFrom, HistoryCause.RecordRemoved, cause, citizenId, now)).ConfigureAwait(false);
            await ReevaluateAsync(session, movedFrom, cause, events).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A namesake of a citizen arrived (see <see cref="LinkDecision.Namesakes"/>): the citizen's records that could
    /// as well be the namesake's each move to a citizen of their own, and a steward is asked about both pairings.
    /// </summary>
    private async Task SeparateAmbiguousAsync(
        IResolutionSession session,
        string citizenId,
        NormalisedRecord namesake,
        string namesakeCitizenId,
        ITermFrequencies frequencies,
        SourceRecordRef cause,
        ChangeCollector events,
        DateTimeOffset now)
    {
        var held = await session.GetLinkedRecordsAsync(citizenId).ConfigureAwait(false);
        var ambiguous = linker.Ambiguous(held, namesake, frequencies);
        if (ambiguous.Count == 0)
        {
            return;
        }

        foreach (var record in ambiguous)
        {
            await SplitOffAsync(session, citizenId, [record], cause, events, now).ConfigureAwait(false);
            var recordRef = new SourceRecordRef(record.SourceSystem, record.SourceKey);
            await session.AddReviewAsync(recordRef, linker.Explain(record, namesakeCitizenId, namesake, frequencies), now).ConfigureAwait(false);
            events.ReviewAsked();
            foreach (var other in held.Where(h => !ambiguous.Contains(h)).Take(1))
            {
                await session.AddReviewAsync(recordRef, linker.Explain(record, citizenId, other, frequencies), now).ConfigureAwait(false);
                events.ReviewAsked();
            }
        }

        await RebuildAsync(session, citizenId, cause, events).ConfigureAwait(false);
    }

    /// <summary>Moves records of a citizen to a new citizen (a split): history on both, the event, and the new golden record.</summary>
    /// <param name="historyCause"><see cref="HistoryCause.Split"/> when the records no longer link; a steward's split says so.</param>
    /// <returns>The new citizen's id.</returns>
    private async Task<string> SplitOffAsync(
        IResolutionSession session,
        string citizenId,
        IReadOnlyList<NormalisedRecord> records,
        SourceRecordRef cause,
        ChangeCollector events,
        DateTimeOffset now,
        HistoryCause historyCause = HistoryCause.Split)
    {
        var newId = await session.CreateCitizenAsync(now).ConfigureAwait(false);
        foreach (var moved in records)
        {
            await session.MoveRecordAsync(moved.SourceSystem, moved.SourceKey, newId, now).ConfigureAwait(false);
        }

        await session.AddHistoryAsync(new CitizenHistoryEntry(citizenId, historyCause, cause, newId, now)).ConfigureAwait(false);
        await session.AddHistoryAsync(new CitizenHistoryEntry(newId, historyCause, cause, citizenId, now)).ConfigureAwait(false);
        events.Split(citizenId, newId, cause);
        await RebuildAsync(session, newId, cause, events, records).ConfigureAwait(false);
        return newId;
    }

    private async Task MergeAsync(
        IResolutionSession session, string survivorId, string absorbedId, SourceRecordRef cause, ChangeCollector events, DateTimeOffset now)
    {
        await session.MergeAsync(survivorId, absorbedId, now).ConfigureAwait(false);
        await session.AddHistoryAsync(new CitizenHistoryEntry(survivorId, HistoryCause.Merged, cause, absorbedId, now)).ConfigureAwait(false);
        await session.AddHistoryAsync(new CitizenHistoryEntry(absorbedId, HistoryCause.MergedInto, cause, survivorId, now)).ConfigureAwait(false);
        events.Merged(survivorId, absorbedId, cause);
    }

    /// <summary>
    /// Re-evaluates a citizen whose records changed: when what remains no longer links up into one person,
    /// the group with the most records keeps the id and each other group becomes a new citizen (a split);
    /// then every affected golden record is rebuilt.
    /// </summary>
    private async Task ReevaluateAsync(IResolutionSession session, string citizenId, SourceRecordRef cause, ChangeCollector events)
    {
        IReadOnlyList<NormalisedRecord> kept = await session.GetLinkedRecordsAsync(citizenId).ConfigureAwait(false);
        if (kept.Count > 1)
        {
            var frequencies = await session.GetTermFrequenciesAsync(kept).ConfigureAwait(false);
            var groups = await JoinStewardsSameAsync(session, linker.Components(kept, frequencies)).ConfigureAwait(false);
            if (groups.Count > 1)
            {
                var now = timeProvider.GetUtcNow();
                kept = groups.OrderByDescending(g => g.Count).First();
                foreach (var group in groups.Where(g => g != kept))
                {
                    await SplitOffAsync(session, citizenId, group, cause, events, now).ConfigureAwait(false);
                }
            }
        }

        await RebuildAsync(session, citizenId, cause, events, kept).ConfigureAwait(false);
    }

    private static async Task<bool> AnyDeclaredDifferentAsync(IResolutionSession session, IReadOnlyList<NormalisedRecord> joining, IReadOnlyList<NormalisedRecord> held)
    {
        foreach (var record in joining)
        {
            var different = (await session.GetDeclaredAsync(new SourceRecordRef(record.SourceSystem, record.SourceKey)).ConfigureAwait(false)).Different;
            if (different.Count > 0 && held.Any(h => different.Contains(new SourceRecordRef(h.SourceSystem, h.SourceKey))))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Groups a steward said are one person stay one, whatever the weights between them now say.</summary>
    private static async Task<IReadOnlyList<IReadOnlyList<NormalisedRecord>>> JoinStewardsSameAsync(
        IResolutionSession session, IReadOnlyList<IReadOnlyList<NormalisedRecord>> groups)
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
                var same = (await session.GetDeclaredAsync(new SourceRecordRef(record.SourceSystem, record.SourceKey)).ConfigureAwait(false)).Same;
                for (var j = joined.Count - 1; j > i && same.Count > 0; j--)
                {
                    if (joined[j].Any(r => same.Contains(new SourceRecordRef(r.SourceSystem, r.SourceKey))))
                    {
                        joined[i].AddRange(joined[j]);
                        joined.RemoveAt(j);
                    }
                }
            }
        }

        return joined;
    }

    /// <summary>One message, one transaction: either all its records are resolved or none are.</summary>
    private async Task<IReadOnlyList<object>> InOneTransactionAsync(
        MessageIdentity message,
        Func<IResolutionSession, ChangeCollector, Task> work,
        CancellationToken cancellationToken)
    {
        await using var session = await store.BeginMessageAsync(message, cancellationToken).ConfigureAwait(false);
        if (session is null)
        {
            return [];
        }

        var collector = new ChangeCollector(timeProvider);
        await work(session, collector).ConfigureAwait(false);
        var events = collector.ToEvents();
        // The change feed is written with the changes: a reader of the feed never sees a change the store lost.
        await session.AppendChangesAsync(events).ConfigureAwait(false);
        await session.RecordTallyAsync(message, collector.Tally).ConfigureAwait(false);
        await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        return events;
    }

    private async Task RemoveAsync(IResolutionSession session, SourceRecordRef record, HeldRecord held, ChangeCollector events)
    {
        var now = timeProvider.GetUtcNow();
        await session.RemoveRecordAsync(record.SourceSystem, record.SourceKey).ConfigureAwait(false);
        events.Removed();
        await session.SupersedeReviewsAsync(record, now).ConfigureAwait(false);
        await session.AddHistoryAsync(new CitizenHistoryEntry(held.CitizenId, HistoryCause.RecordRemoved, record, null, now)).ConfigureAwait(false);
        // The removed record may have been what held the others together.
        await ReevaluateAsync(session, held.CitizenId, record, events).ConfigureAwait(false);
    }

    /// <param name="linked">The citizen's records when the caller has just read (or placed) them; read here otherwise.</param>
    private async Task RebuildAsync(
        IResolutionSession session, string citizenId, SourceRecordRef cause, ChangeCollector events, IReadOnlyList<NormalisedRecord>? linked = null)
    {
        linked ??= await session.GetLinkedRecordsAsync(citizenId).ConfigureAwait(false);
        var fields = GoldenRecordBuilder.Build(linked, catalog.Survivorship);
        var change = await session.SetGoldenRecordAsync(citizenId, fields, timeProvider.GetUtcNow()).ConfigureAwait(false);
        events.Changed(citizenId, change, cause);
    }

    private static async Task<bool> IsAloneOnAsync(IResolutionSession session, string citizenId, SourceRecord record) =>
        (await session.GetLinkedRecordsAsync(citizenId).ConfigureAwait(false)).All(r => IsSame(r, record));

    private static bool IsSame(NormalisedRecord held, SourceRecord record) =>
        held.SourceSystem == record.SourceSystem && held.SourceKey == record.SourceKey;

    /// <summary>Gathers one message's changes into one event per citizen, and counts what it did for its run's summary.</summary>
    private sealed class ChangeCollector(TimeProvider timeProvider)
    {
        private int _unchanged, _added, _updated, _removed, _citizensCreated, _linked, _reviews;
        private readonly Dictionary<string, SourceRecordRef> _created = new(StringComparer.Ordinal);
        private readonly Dictionary<string, (long Version, SortedSet<string> Fields, SourceRecordRef Cause)> _changed = new(StringComparer.Ordinal);
        private readonly List<CitizensMerged> _merged = [];
        private readonly List<CitizenSplit> _split = [];
        private readonly List<CitizenRestrictionChanged> _restrictions = [];
        private readonly List<CitizenErased> _erased = [];

        public RunTally Tally => new(_unchanged, _added, _updated, _removed, _citizensCreated, _linked, _merged.Count, _split.Count, _reviews);

        public void Unchanged() => _unchanged++;

        public void Saved(bool added, bool linked)
        {
            if (added)
            {
                _added++;
            }
            else
            {
                _updated++;
            }

            if (linked)
            {
                _linked++;
            }
        }

        public void Removed() => _removed++;

        public void ReviewAsked() => _reviews++;

        public void Created(string citizenId, SourceRecordRef cause)
        {
            _created[citizenId] = cause;
            _citizensCreated++;
        }

        public void Merged(string survivorId, string absorbedId, SourceRecordRef cause)
        {
            _merged.Add(new CitizensMerged(survivorId, absorbedId, cause, timeProvider.GetUtcNow()));
            _changed.Remove(absorbedId);
        }

        public void Split(string originalId, string newId, SourceRecordRef cause)
        {
            _split.Add(new CitizenSplit(originalId, newId, cause, timeProvider.GetUtcNow()));
            _created[newId] = cause;
        }

        public void Erased(string citizenId) => _erased.Add(new CitizenErased(citizenId, timeProvider.GetUtcNow()));

        public void RestrictionChanged(string citizenId, bool restricted, SourceRecordRef cause) =>
            _restrictions.Add(new CitizenRestrictionChanged(citizenId, restricted, cause, timeProvider.GetUtcNow()));

        public void Changed(string citizenId, GoldenRecordChange change, SourceRecordRef cause)
        {
            if (!_changed.TryGetValue(citizenId, out var entry))
            {
                entry = (change.Version, new SortedSet<string>(StringComparer.Ordinal), cause);
            }

            entry.Fields.UnionWith(change.ChangedFields);
            _changed[citizenId] = (change.Version, entry.Fields, entry.Cause);
        }

        public IReadOnlyList<object> ToEvents()
        {
            var at = timeProvider.GetUtcNow();
            var events = new List<object>();
            foreach (var (id, cause) in _created)
            {
                events.Add(new CitizenCreated(id, _changed.TryGetValue(id, out var c) ? c.Version : 0, cause, at));
            }

            events.AddRange(_merged);
            events.AddRange(_split);
            events.AddRange(_restrictions);
            events.AddRange(_erased);
            foreach (var (id, change) in _changed)
            {
                if (!_created.ContainsKey(id) && change.Fields.Count > 0)
                {
                    events.Add(new CitizenChanged(id, change.Version, [.. change.Fields], change.Cause, at));
                }
            }

            return events;
        }
    }
}
