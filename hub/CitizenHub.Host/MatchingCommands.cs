using System.Globalization;
using CitizenHub.Hub;
using CitizenHub.Matching;
using CitizenHub.Matching.Scoring;

namespace CitizenHub.Host;

/// <summary><c>citizenhub matching estimate</c>: m and u estimated from the records a store holds, written for <c>Matching.ParametersFile</c>.</summary>
internal static class MatchingCommands
{
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
