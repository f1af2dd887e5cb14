using CitizenHub.Contracts;
using CitizenHub.Matching.Identity;
using CitizenHub.Store;

namespace CitizenHub.Hub;

/// <summary>Stewards' decisions, carried out by the resolver and announced on the bus once committed.</summary>
public sealed class Stewardship(RecordResolver resolver, ChangePublisher publisher) : IStewardship
{
    public async Task<StewardOutcome> DecideAsync(long reviewId, bool samePerson, string steward, string? note, CancellationToken cancellationToken)
    {
        var (outcome, _) = await resolver.DecideAsync(reviewId, samePerson, steward, note, cancellationToken).ConfigureAwait(false);
        // From the outbox after the commit, as for syncs: a subscriber never hears of a change the store does not hold.
        await publisher.PublishAfterCommitAsync(cancellationToken).ConfigureAwait(false);
        return outcome;
    }

    public async Task<StewardOutcome> MergeAsync(string citizenId, string otherId, string steward, string? note, CancellationToken cancellationToken)
    {
        var (outcome, _) = await resolver.MergeByStewardAsync(citizenId, otherId, steward, note, cancellationToken).ConfigureAwait(false);
        await publisher.PublishAfterCommitAsync(cancellationToken).ConfigureAwait(false);
        return outcome;
    }

    public async Task<StewardOutcome> SplitAsync(string citizenId, SourceRecordRef record, string steward, string? note, CancellationToken cancellationToken)
    {
        var (outcome, _) = await resolver.SplitByStewardAsync(citizenId, record, steward, note, cancellationToken).ConfigureAwait(false);
        await publisher.PublishAfterCommitAsync(cancellationToken).ConfigureAwait(false);
        return outcome;
    }

    public async Task<StewardOutcome> SetRestrictionAsync(string citizenId, bool restricted, CancellationToken cancellationToken)
    {
        var (outcome, _) = await resolver.SetRestrictionAsync(citizenId, restricted, cancellationToken).ConfigureAwait(false);
        await publisher.PublishAfterCommitAsync(cancellationToken).ConfigureAwait(false);
        return outcome;
    }

    public async Task<StewardOutcome> EraseAsync(string citizenId, CancellationToken cancellationToken)
    {
        var (outcome, _) = await resolver.EraseAsync(citizenId, cancellationToken).ConfigureAwait(false);
        await publisher.PublishAfterCommitAsync(cancellationToken).ConfigureAwait(false);
        return outcome;
    }
}
