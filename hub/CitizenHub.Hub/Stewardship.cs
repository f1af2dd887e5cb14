using CitizenHub.Contracts;
using CitizenHub.Store;
using MassTransit;

namespace CitizenHub.Hub;

/// <summary>Stewards' decisions, carried out by the resolver and announced on the bus once committed.</summary>
public sealed class Stewardship(RecordResolver resolver, IBus bus) : IStewardship
{
    public async Task<StewardOutcome> DecideAsync(long reviewId, bool samePerson, string steward, string? note, CancellationToken cancellationToken)
    {
        var (outcome, events) = await resolver.DecideAsync(reviewId, samePerson, steward, note, cancellationToken).ConfigureAwait(false);
        // Published after the commit, as for syncs: a subscriber never hears of a change the store does not hold.
        await bus.PublishBatch(events, cancellationToken).ConfigureAwait(false);
        return outcome;
    }

    public async Task<StewardOutcome> MergeAsync(string citizenId, string otherId, string steward, string? note, CancellationToken cancellationToken)
    {
        var (outcome, events) = await resolver.MergeByStewardAsync(citizenId, otherId, steward, note, cancellationToken).ConfigureAwait(false);
        await bus.PublishBatch(events, cancellationToken).ConfigureAwait(false);
        return outcome;
    }

    public async Task<StewardOutcome> SplitAsync(string citizenId, SourceRecordRef record, string steward, string? note, CancellationToken cancellationToken)
    {
        var (outcome, events) = await resolver.SplitByStewardAsync(citizenId, record, steward, note, cancellationToken).ConfigureAwait(false);
        await bus.PublishBatch(events, cancellationToken).ConfigureAwait(false);
        return outcome;
    }
}
