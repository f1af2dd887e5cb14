using CitizenHub.Contracts;
using CitizenHub.Hub.Telemetry;
using CitizenHub.Matching;
using CitizenHub.Matching.Identity;
using CitizenHub.Matching.Linking;
using CitizenHub.Store;

namespace CitizenHub.Hub;

/// <summary>
/// Resolve on arrival, as load, decide, apply: for each message, reads a snapshot of what it can touch
/// (<see cref="SnapshotReader"/>), lets the identity engine decide everything with no I/O
/// (<see cref="IdentityEngine"/>), and applies the change set it returns. One message is one transaction.
/// </summary>
public sealed class RecordResolver(ICitizenStore store, SourceCatalog catalog, TimeProvider timeProvider, Linker linker)
{
    private readonly IdentityEngine _engine = new(linker, catalog.Survivorship);

    /// <summary>Applies a batch; returns the outbound events to publish once it is committed (none if it was applied before).</summary>
    public Task<IReadOnlyList<object>> ApplyAsync(SourceRecordBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return InOneTransactionAsync(HubMessages.Identify(batch), session => ResolveBatchAsync(session, batch, cancellationToken), cancellationToken);
    }

    /// <summary>Removes records the source no longer holds and rebuilds their citizens.</summary>
    public Task<IReadOnlyList<object>> RemoveAsync(SourceRecordsRemoved removed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(removed);
        return InOneTransactionAsync(HubMessages.Identify(removed), session => RemoveAllAsync(session, removed), cancellationToken);
    }

    /// <summary>
    /// Resolves a batch in a session the caller holds and will not commit (a dry run), saying what applying it would do.
    /// Later batches in the same session see what earlier ones would have done, as they would in a real run.
    /// </summary>
    public async Task<RunTally> TryAsync(IResolutionSession session, SourceRecordBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(batch);
        return await TryAppliedAsync(session, await ResolveBatchAsync(session, batch, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
    }

    /// <summary>Removes records in a session the caller holds and will not commit (a dry run), saying what removing them would do.</summary>
    public async Task<RunTally> TryAsync(IResolutionSession session, SourceRecordsRemoved removed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(removed);
        return await TryAppliedAsync(session, await RemoveAllAsync(session, removed).ConfigureAwait(false)).ConfigureAwait(false);
    }

    /// <summary>A steward's answer to a review: see <see cref="IdentityEngine.Decide"/>.</summary>
    public Task<(StewardOutcome Outcome, IReadOnlyList<object> Events)> DecideAsync(
        long reviewId, bool samePerson, string steward, string? note, CancellationToken cancellationToken) =>
        AsStewardAsync(
            async session =>
            {
                var review = await session.GetReviewAsync(reviewId).ConfigureAwait(false);
                var snapshot = review is null
                    ? await SnapshotReader.ReadAsync(session, [], []).ConfigureAwait(false)
                    : await SnapshotReader.ReadAsync(session, [review.Record, new SourceRecordRef(review.Candidate.SourceSystem, review.Candidate.SourceKey)], []).ConfigureAwait(false);
                return _engine.Decide(snapshot, review, samePerson, steward, note, timeProvider.GetUtcNow());
            },
            cancellationToken);

    /// <summary>A steward's merge: <paramref name="otherId"/>'s records join <paramref name="citizenId"/>, whose id survives.</summary>
    public Task<(StewardOutcome Outcome, IReadOnlyList<object> Events)> MergeByStewardAsync(
        string citizenId, string otherId, string steward, string? note, CancellationToken cancellationToken) =>
        AsStewardAsync(
            async session => _engine.Merge(
                await SnapshotReader.ReadAsync(session, [], [citizenId, otherId]).ConfigureAwait(false), citizenId, otherId, steward, note, timeProvider.GetUtcNow()),
            cancellationToken);

    /// <summary>A steward's split: one record out to a new citizen, kept apart from every record it leaves.</summary>
    public Task<(StewardOutcome Outcome, IReadOnlyList<object> Events)> SplitByStewardAsync(
        string citizenId, SourceRecordRef record, string steward, string? note, CancellationToken cancellationToken) =>
        AsStewardAsync(
            async session => _engine.Split(
                await SnapshotReader.ReadAsync(session, [], [citizenId]).ConfigureAwait(false), citizenId, record, steward, note, timeProvider.GetUtcNow()),
            cancellationToken);

    /// <summary>An administrator places restriction of processing on a citizen or lifts it: see <see cref="IdentityEngine.SetRestriction"/>.</summary>
    public Task<(StewardOutcome Outcome, IReadOnlyList<object> Events)> SetRestrictionAsync(
        string citizenId, bool restricted, CancellationToken cancellationToken) =>
        AsStewardAsync(
            async session => _engine.SetRestriction(
                await SnapshotReader.ReadAsync(session, [], [citizenId]).ConfigureAwait(false), citizenId, restricted, timeProvider.GetUtcNow()),
            cancellationToken);

    /// <summary>An administrator erases a citizen's data from the hub: see <see cref="IdentityEngine.Erase"/>.</summary>
    public Task<(StewardOutcome Outcome, IReadOnlyList<object> Events)> EraseAsync(string citizenId, CancellationToken cancellationToken) =>
        AsStewardAsync(
            async session => _engine.Erase(await SnapshotReader.ReadAsync(session, [], [citizenId]).ConfigureAwait(false), citizenId, timeProvider.GetUtcNow()),
            cancellationToken);

    /// <summary>
    /// Decides again what a load decided before all of it was in (a first load, when its last source is in; any store, by
    /// <c>citizenhub matching settle</c>): first each open review (<see cref="IdentityEngine.Reweigh"/>), then every record
    /// held (<see cref="IdentityEngine.DecideAgain"/>), in the order of source and key, a page of records to a transaction.
    /// Reviews asked on the way (about records it moved) are left for a steward.
    /// </summary>
    public async Task<SettledLoad> SettleAsync(CancellationToken cancellationToken)
    {
        var open = new List<ReviewItem>();
        for (IReadOnlyList<ReviewItem> reviews; (reviews = await store.GetReviewsAsync(
            new ReviewQuery(ReviewStatus.Open, 500) { After = open.Count == 0 ? null : open[^1].ReviewId }, cancellationToken).ConfigureAwait(false)).Count > 0;)
        {
            open.AddRange(reviews);
        }

        var joined = 0;
        var changed = RunTally.None;
        foreach (var page in open.GroupBy(r => r.Record).OrderBy(g => g.Key, RecordOrder).Chunk(SettlePage))
        {
            var asked = page.SelectMany(g => g).ToList();
            await DecideAgainAsync(
                [.. page.Select(g => g.Key)],
                asked.Select(r => new SourceRecordRef(r.Candidate.SourceSystem, r.Candidate.SourceKey)),
                async (session, snapshot) =>
                {
                    // Read again in the transaction: a steward may have answered one since.
                    var current = new List<ReviewItem>(asked.Count);
                    foreach (var review in asked)
                    {
                        if (await session.GetReviewAsync(review.ReviewId).ConfigureAwait(false) is { } read)
                        {
                            current.Add(read);
                        }
                    }

                    var changes = _engine.Reweigh(snapshot, current, timeProvider.GetUtcNow());
                    joined += changes.Changes.OfType<IdentityChange.ReviewClosed>().Count();
                    changed += changes.Tally;
                    return changes;
                },
                cancellationToken).ConfigureAwait(false);
        }

        var records = new List<SourceRecordRef>();
        foreach (var source in catalog.Sources.Select(s => s.Name))
        {
            await foreach (var key in store.ReadSourceKeysAsync(source, cancellationToken).ConfigureAwait(false))
            {
                records.Add(new SourceRecordRef(source, key));
            }
        }

        records.Sort(RecordOrder);
        foreach (var page in records.Chunk(SettlePage))
        {
            await DecideAgainAsync(
                page,
                [],
                (_, snapshot) =>
                {
                    var changes = _engine.DecideAgain(snapshot, page, timeProvider.GetUtcNow());
                    changed += changes.Tally;
                    return Task.FromResult(changes);
                },
                cancellationToken).ConfigureAwait(false);
        }

        return new SettledLoad(records.Count, open.Count, joined, changed);
    }

    /// <summary>A digest of what a record says, leaving out when it was observed: an unchanged re-extract changes nothing.</summary>
    public static string ContentHash(SourceRecord record) => IdentityEngine.ContentHash(record);

    private async Task<ChangeSet> ResolveBatchAsync(IResolutionSession session, SourceRecordBatch batch, CancellationToken cancellationToken)
    {
        var started = timeProvider.GetTimestamp();
        var records = batch.Records.Select(r => new SourceRecordRef(r.SourceSystem, r.SourceKey)).Distinct().ToList();
        var held = await session.GetHeldAsync(records).ConfigureAwait(false);
        var suppressed = await session.GetSuppressedAsync(records).ConfigureAwait(false);
        var arrivals = IdentityEngine.Arrivals(batch.Records, held, suppressed);
        cancellationToken.ThrowIfCancellationRequested();
        // Only the records that are news touch their citizens: an unchanged record of the message needs no more than what is held of it.
        var touching = arrivals.Where(a => a.IsNews).Select(a => new SourceRecordRef(a.Record.SourceSystem, a.Record.SourceKey)).Distinct().ToList();
        if (touching.Count == 0)
        {
            // Nothing in the message is news (a nightly full extract is mostly such batches): nothing more is read.
            return Decide(started, () => _engine.Resolve(SnapshotReader.HeldOnly(held, suppressed), arrivals, timeProvider.GetUtcNow()));
        }

        var snapshot = await SnapshotReader.ReadAsync(
            session, touching, [], held, suppressed, [.. arrivals.Select(a => a.Normalised).OfType<NormalisedRecord>()]).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return Decide(started, () => _engine.Resolve(snapshot, arrivals, timeProvider.GetUtcNow()));
    }

    private async Task<ChangeSet> RemoveAllAsync(IResolutionSession session, SourceRecordsRemoved removed)
    {
        var started = timeProvider.GetTimestamp();
        var records = removed.SourceKeys.Select(key => new SourceRecordRef(removed.SourceSystem, key)).Distinct().ToList();
        var suppressed = await session.GetSuppressedAsync(records).ConfigureAwait(false);
        var snapshot = await SnapshotReader.ReadAsync(session, records, [], suppressed: suppressed).ConfigureAwait(false);
        return Decide(started, () => _engine.Remove(snapshot, removed, timeProvider.GetUtcNow()));
    }

    private const int SettlePage = 100;

    private static readonly Comparer<SourceRecordRef> RecordOrder = Comparer<SourceRecordRef>.Create((a, b) =>
        a.SourceSystem == b.SourceSystem ? string.CompareOrdinal(a.SourceKey, b.SourceKey) : string.CompareOrdinal(a.SourceSystem, b.SourceSystem));

    /// <summary>
    /// One transaction deciding held records again: its snapshot holds the records and the others named, their
    /// citizens, and every citizen the records' keys find, as an arriving record's would.
    /// </summary>
    private Task<IReadOnlyList<object>> DecideAgainAsync(
        IReadOnlyList<SourceRecordRef> records,
        IEnumerable<SourceRecordRef> others,
        Func<IResolutionSession, IdentitySnapshot, Task<ChangeSet>> decide,
        CancellationToken cancellationToken) =>
        InOneTransactionAsync(
            new MessageIdentity(Guid.NewGuid(), "settle", 1),
            async session =>
            {
                // The records' own citizens first, for the records as normalised, whose keys the snapshot searches by.
                var named = records.Concat(others).Distinct().ToList();
                var wanted = records.ToHashSet();
                var held = await session.GetHeldAsync(named).ConfigureAwait(false);
                var theirs = await session.GetCitizensAsync([.. records.Select(r => held.GetValueOrDefault(r)?.CitizenId).OfType<string>().Distinct(StringComparer.Ordinal)]).ConfigureAwait(false);
                var searching = theirs.SelectMany(c => c.Records).Where(r => wanted.Contains(new SourceRecordRef(r.SourceSystem, r.SourceKey))).ToList();
                return await decide(session, await SnapshotReader.ReadAsync(session, named, [], held, searching: searching).ConfigureAwait(false)).ConfigureAwait(false);
            },
            cancellationToken);

    // Counts the reading done since it started, then the deciding.
    private ChangeSet Decide(long readStarted, Func<ChangeSet> decide)
    {
        var decideStarted = timeProvider.GetTimestamp();
        HubTelemetry.RecordResolvePhase(HubTelemetry.ResolvePhase.Read, timeProvider.GetElapsedTime(readStarted, decideStarted));
        var changes = decide();
        HubTelemetry.RecordResolvePhase(HubTelemetry.ResolvePhase.Decide, timeProvider.GetElapsedTime(decideStarted));
        return changes;
    }

    // A dry run applies what it decided in the session it holds, so that the batches after it see it; the tally it
    // records matches no message (the dry run's is never committed).
    private static async Task<RunTally> TryAppliedAsync(IResolutionSession session, ChangeSet changes)
    {
        await session.ApplyAsync(new MessageIdentity(Guid.Empty, DryRunSession.Kind, 0), changes).ConfigureAwait(false);
        return changes.Tally;
    }

    /// <summary>A steward's command in a transaction of its own.</summary>
    private async Task<(StewardOutcome Outcome, IReadOnlyList<object> Events)> AsStewardAsync(
        Func<IResolutionSession, Task<StewardResult>> decide, CancellationToken cancellationToken)
    {
        StewardOutcome? outcome = null;
        var events = await InOneTransactionAsync(
            new MessageIdentity(Guid.NewGuid(), "steward", 1),
            async session =>
            {
                var result = await decide(session).ConfigureAwait(false);
                outcome = result.Outcome;
                return result.Changes;
            },
            cancellationToken).ConfigureAwait(false);
        return (outcome ?? throw new InvalidOperationException("A steward's command was taken for one applied before."), events);
    }

    /// <summary>One message, one transaction: either all its records are resolved or none are.</summary>
    private async Task<IReadOnlyList<object>> InOneTransactionAsync(
        MessageIdentity message, Func<IResolutionSession, Task<ChangeSet>> decide, CancellationToken cancellationToken)
    {
        await using var session = await store.BeginMessageAsync(message, cancellationToken).ConfigureAwait(false);
        if (session is null)
        {
            return [];
        }

        var changes = await decide(session).ConfigureAwait(false);
        // The change feed is written with the changes: a reader of the feed never sees a change the store lost.
        var writeStarted = timeProvider.GetTimestamp();
        await session.ApplyAsync(message, changes).ConfigureAwait(false);
        var commitStarted = timeProvider.GetTimestamp();
        await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        HubTelemetry.RecordResolvePhase(HubTelemetry.ResolvePhase.Write, timeProvider.GetElapsedTime(writeStarted, commitStarted));
        HubTelemetry.RecordResolvePhase(HubTelemetry.ResolvePhase.Commit, timeProvider.GetElapsedTime(commitStarted));
        return changes.Events;
    }
}

/// <summary>What deciding a first load again came to.</summary>
/// <param name="Records">How many records were decided again.</param>
/// <param name="Reviews">How many open reviews were weighed again.</param>
/// <param name="Joined">How many of those no longer stand: their two records are now one citizen.</param>
/// <param name="Changed">What deciding again changed: citizens merged, split off or started, and pairs newly sent to a steward.</param>
public sealed record SettledLoad(int Records, int Reviews, int Joined, RunTally Changed);
