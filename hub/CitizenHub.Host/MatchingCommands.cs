using System.Globalization;
using CitizenHub.Hub;
using CitizenHub.Matching;
using CitizenHub.Matching.Scoring;

namespace CitizenHub.Host;

/// <summary>
/// <c>citizenhub matching estimate</c>: m and u estimated from the records a store holds, written for
/// <c>Matching.ParametersFile</c>; <c>citizenhub matching settle</c>: every record held decided again with what is held now.
/// </summary>
internal static class MatchingCommands
{
    /// <summary>
    /// Decides every record again with the names' counts and the citizens the store holds now, as a first load does once
    /// its last source is in: for a council whose sources came in on different nights, whose early pairs were weighed by
    /// the counts of the few records in by then.
    /// </summary>
    public static async Task<int> SettleAsync(string configPath, TextWriter output, CancellationToken cancellationToken)
    {
        var hub = HubComposition.Load(configPath);
        await HubComposition.RequireStoreAsync(hub, configPath, cancellationToken).ConfigureAwait(false);
        using var host = HubComposition.BuildWorker(hub);
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        var started = TimeProvider.System.GetTimestamp();
        SettledLoad settled;
        try
        {
            settled = await host.Services.GetRequiredService<RecordResolver>().SettleAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (StoreFailures.IsLocked(ex))
        {
            // What it committed stands (each page is a transaction of its own); a run again decides the rest.
            throw new CliException("the store is locked by another process (a sync?); run `citizenhub matching settle` again when it is free");
        }

        // From the outbox, as a sync's changes are: the change feed's subscribers hear of the records moved.
        await host.Services.GetRequiredService<ChangePublisher>().PublishAfterCommitAsync(cancellationToken).ConfigureAwait(false);
        await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
        var changed = settled.Changed;
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"decided again: {settled.Records} records, {settled.Joined} of {settled.Reviews} open reviews now linked; {changed.Merged} citizens merged, {changed.Split} split, {changed.Reviews} pairs sent for review; {TimeProvider.System.GetElapsedTime(started).TotalSeconds:0.0} s")).ConfigureAwait(false);
        return CitizenHubCli.Succeeded;
    }

    public static async Task<int> EstimateAsync(string configPath, string outPath, TextWriter output, CancellationToken cancellationToken)
    {
        using var opened = await HubComposition.OpenStoreAsync(configPath, cancellationToken).ConfigureAwait(false);
        var store = opened.Store;
        var records = new List<NormalisedRecord>();
        await foreach (var record in store.ReadNormalisedRecordsAsync(cancellationToken).ConfigureAwait(false))
        {
            records.Add(record);
        }

        if (records.Count < 1000)
        {
            throw new CliException($"the store holds {records.Count} source records; estimating needs at least 1000 (sync first)");
        }

        var model = opened.Services.GetRequiredService<MatchModel>();
        EstimationResult result;
        try
        {
            result = ParameterEstimation.Estimate(records, model);
        }
        catch (ArgumentException error)
        {
            throw new CliException($"cannot estimate from this store: {error.Message}");
        }

        var fullPath = Path.GetFullPath(outPath);
        await MatchModels.WriteParametersAsync(fullPath, result.Parameters, cancellationToken).ConfigureAwait(false);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"estimated from {records.Count} records: u over {result.RandomPairs} random pairs, m by EM over {result.CandidatePairs} candidate pairs ({result.Iterations} iterations{(result.Converged ? "" : ", NOT converged")})")).ConfigureAwait(false);
        foreach (var comparison in result.Parameters)
        {
            await output.WriteLineAsync($"  {comparison.Comparison}: " + string.Join(", ", comparison.Levels.Skip(1).Select(l =>
                string.Create(CultureInfo.InvariantCulture, $"{l.Level} {l.Weight:+0.0;-0.0}")))).ConfigureAwait(false);
        }

        foreach (var missing in result.NotEstimated)
        {
            await output.WriteLineAsync($"  not estimated: {missing}").ConfigureAwait(false);
        }

        await output.WriteLineAsync($"written to {fullPath}; use it with \"Matching\": {{ \"ParametersFile\": \"...\" }}").ConfigureAwait(false);
        return CitizenHubCli.Succeeded;
    }
}
