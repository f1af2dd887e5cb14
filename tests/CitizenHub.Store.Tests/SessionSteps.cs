using CitizenHub.Contracts;
using CitizenHub.Matching;
using CitizenHub.Matching.Identity;
using CitizenHub.Matching.Linking;
using CitizenHub.Matching.Scoring;

namespace CitizenHub.Store.Tests;

/// <summary>
/// One change or one question at a time, through a session's own API: each step applies a change set of one change
/// (<see cref="IResolutionSession.ApplyAsync"/>), or asks the session's reads, as the resolver's snapshot reader and the
/// engine do; so the contract tests can set a store up and look at it a step at a time.
/// </summary>
internal static class SessionSteps
{
    // Each step's tally is recorded against no message: only the test that records a tally names its message.
    private static readonly MessageIdentity NoMessage = new(Guid.Empty, "step", 0);

    public static Task ApplyAsync(this IResolutionSession session, params IdentityChange[] changes) =>
        session.ApplyAsync(NoMessage, new ChangeSet(changes, [], RunTally.None));

    public static async Task<string> CreateCitizenAsync(this IResolutionSession session, DateTimeOffset at)
    {
        var citizenId = Guid.CreateVersion7(at).ToString("N");
        await session.ApplyAsync(new IdentityChange.CitizenStarted(citizenId, at));
        return citizenId;
    }

    public static async Task SaveRecordAsync(
        this IResolutionSession session,
        string citizenId,
        SourceRecord record,
        NormalisedRecord normalised,
        string contentHash,
        IReadOnlyList<string> matchKeys,
        PairEvidence? evidence,
        DateTimeOffset at)
    {
        var wasHeld = await session.FindRecordAsync(record.SourceSystem, record.SourceKey) is not null;
        await session.ApplyAsync(new IdentityChange.RecordSaved(citizenId, record, normalised, contentHash, matchKeys, evidence, wasHeld, null, at));
    }

    public static Task MoveRecordAsync(this IResolutionSession session, string sourceSystem, string sourceKey, string citizenId, DateTimeOffset at) =>
        session.ApplyAsync(new IdentityChange.RecordMoved(new SourceRecordRef(sourceSystem, sourceKey), citizenId, at));

    /// <summary>Removes a record if it is held; nothing otherwise.</summary>
    public static async Task RemoveRecordAsync(this IResolutionSession session, string sourceSystem, string sourceKey)
    {
        if (await session.FindRecordAsync(sourceSystem, sourceKey) is { } held)
        {
            await session.ApplyAsync(new IdentityChange.RecordRemoved(new SourceRecordRef(sourceSystem, sourceKey), held.CitizenId, null));
        }
    }

    public static Task MergeAsync(this IResolutionSession session, string survivorId, string absorbedId, DateTimeOffset at) =>
        session.ApplyAsync(new IdentityChange.CitizenAbsorbed(survivorId, absorbedId, at));

    /// <summary>Rebuilds a golden record from what the store holds of it, as the engine would: the diff, the version moved on when anything is written.</summary>
    public static async Task<GoldenRecordChange> SetGoldenRecordAsync(this IResolutionSession session, string citizenId, IReadOnlyList<GoldenField> fields, DateTimeOffset at)
    {
        var before = Assert.Single(await session.GetCitizensAsync([citizenId]));
        var diff = GoldenRecordDiff.Between(before.Golden, fields);
        var version = before.Version + (diff.Rewritten ? 1 : 0);
        await session.ApplyAsync(new IdentityChange.GoldenRecordWritten(citizenId, fields, version, diff.Rewritten, at));
        return new GoldenRecordChange(version, diff.Changed);
    }

    /// <summary>Places or lifts restriction; whether the citizen's state changed, as read from the store before and after.</summary>
    public static async Task<bool> SetRestrictionAsync(this IResolutionSession session, string citizenId, bool restricted, DateTimeOffset at)
    {
        var before = (await session.GetCitizensAsync([citizenId])).SingleOrDefault()?.Restricted ?? false;
        await session.ApplyAsync(new IdentityChange.RestrictionSet(citizenId, restricted, at));
        var after = (await session.GetCitizensAsync([citizenId])).SingleOrDefault()?.Restricted ?? false;
        return before != after;
    }

    public static Task EraseCitizenAsync(this IResolutionSession session, string citizenId, IReadOnlyList<SuppressedRecord> records, DateTimeOffset at) =>
        session.ApplyAsync(new IdentityChange.CitizenErased(citizenId, records, at));

    public static Task AddHistoryAsync(this IResolutionSession session, CitizenHistoryEntry entry) => session.ApplyAsync(new IdentityChange.HistoryAdded(entry));

    public static Task AddReviewAsync(this IResolutionSession session, SourceRecordRef record, PairEvidence candidate, DateTimeOffset at) =>
        session.ApplyAsync(new IdentityChange.ReviewAdded(record, candidate, at));

    public static Task SupersedeReviewsAsync(this IResolutionSession session, SourceRecordRef record, DateTimeOffset at) =>
        session.ApplyAsync(new IdentityChange.ReviewsSuperseded(record, at));

    public static Task CloseReviewAsync(this IResolutionSession session, long reviewId, ReviewStatus status, DateTimeOffset at) =>
        session.ApplyAsync(new IdentityChange.ReviewClosed(reviewId, status, at));

    public static Task AddStewardDecisionAsync(this IResolutionSession session, StewardDecision decision) =>
        session.ApplyAsync(new IdentityChange.StewardDecisionAdded(decision));

    public static Task LiftSuppressionAsync(this IResolutionSession session, SourceRecordRef record) =>
        session.ApplyAsync(new IdentityChange.SuppressionLifted(record));

    public static Task AppendChangesAsync(this IResolutionSession session, IReadOnlyList<object> events) =>
        session.ApplyAsync(NoMessage, new ChangeSet([], events, RunTally.None));

    public static Task RecordTallyAsync(this IResolutionSession session, MessageIdentity message, RunTally tally) =>
        session.ApplyAsync(message, new ChangeSet([], [], tally));

    public static async Task<HeldRecord?> FindRecordAsync(this IResolutionSession session, string sourceSystem, string sourceKey) =>
        (await session.GetHeldAsync([new SourceRecordRef(sourceSystem, sourceKey)])).Values.SingleOrDefault();

    /// <summary>The normalised form of every record linked to a citizen (none for a citizen the store does not have).</summary>
    public static async Task<IReadOnlyList<NormalisedRecord>> GetLinkedRecordsAsync(this IResolutionSession session, string citizenId) =>
        (await session.GetCitizensAsync([citizenId])).SingleOrDefault()?.Records ?? [];

    public static async Task<StewardDeclarations> GetDeclaredAsync(this IResolutionSession session, SourceRecordRef record) =>
        (await session.GetDeclarationsAsync([record])).GetValueOrDefault(record) ?? StewardDeclarations.None;

    public static async Task<string?> FindFormerCitizenAsync(this IResolutionSession session, SourceRecordRef record) =>
        (await session.GetFormerCitizensAsync([record])).GetValueOrDefault(record);

    public static async Task<ITermFrequencies> GetTermFrequenciesAsync(this IResolutionSession session, IReadOnlyCollection<NormalisedRecord> records)
    {
        var counts = await session.GetNameCountsAsync(
            [.. records.Select(r => r.FamilyKey).OfType<string>().Distinct()], [.. records.Select(r => r.GivenKey).OfType<string>().Distinct()]);
        return new Counted(counts);
    }

    /// <summary>
    /// The active citizens holding any record (other than the one named) with one of the keys, in the store's order,
    /// from the store's key index: each key's holders as the index gives them, a key held by more than its block's
    /// limit left out, as the engine leaves it out.
    /// </summary>
    public static async Task<IReadOnlyList<string>> FindCitizensAsync(
        this IResolutionSession session, IReadOnlyCollection<string> matchKeys, string exceptSystem, string exceptKey, int maximumBlockSize)
    {
        var keys = await session.GetKeysAsync();
        var except = new SourceRecordRef(exceptSystem, exceptKey);
        var found = new HashSet<SourceRecordRef>();
        foreach (var key in matchKeys)
        {
            var holders = keys.HoldersOf(BlockingKeys.Hash(key));
            if (holders.Count(h => h != except) <= BlockingKeys.MaximumBlockSize(key, maximumBlockSize))
            {
                found.UnionWith(holders.Where(h => h != except));
            }
        }

        var held = await session.GetHeldAsync(found);
        var citizens = await session.GetCitizensAsync([.. held.Values.Select(h => h.CitizenId).Distinct()]);
        return [.. citizens.Where(c => c.Status == CitizenStatus.Active).OrderBy(c => c.Seq).Select(c => c.CitizenId)];
    }

    private sealed class Counted(NameCounts counts) : ITermFrequencies
    {
        public long Total => counts.Total;

        public long FamilyCount(string familyKey) => counts.Families.GetValueOrDefault(familyKey);

        public long GivenCount(string givenKey) => counts.Givens.GetValueOrDefault(givenKey);
    }
}
