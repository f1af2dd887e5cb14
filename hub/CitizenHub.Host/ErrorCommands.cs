using System.Globalization;
using CitizenHub.Hub;
using CitizenHub.Store;

namespace CitizenHub.Host;

/// <summary><c>citizenhub errors list</c> and <c>errors replay</c>: the messages the hub could not apply.</summary>
internal static class ErrorCommands
{
    public static async Task<int> ListAsync(string configPath, bool all, TextWriter output, CancellationToken cancellationToken)
    {
        using var opened = await HubComposition.OpenStoreAsync(configPath, cancellationToken).ConfigureAwait(false);
        var failures = await opened.Store.GetFailedMessagesAsync(includeApplied: all, cancellationToken).ConfigureAwait(false);
        if (failures.Count == 0)
        {
            await output.WriteLineAsync(all ? "no message has failed" : "no failed messages waiting (--all shows those applied since)").ConfigureAwait(false);
            return CitizenHubCli.Succeeded;
        }

        await output.WriteLineAsync("id\tfailed at (UTC)\tsource\trun\tmessage\tstatus\treason").ConfigureAwait(false);
        foreach (var failure in failures)
        {
            await output.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"{failure.FailureId}\t{failure.FailedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}\t{failure.SourceSystem ?? "?"}\t{failure.Message.RunId:N}\t{failure.Message.Kind} {failure.Message.Sequence}\t{Status(failure)}\t{failure.Reason}")).ConfigureAwait(false);
        }

        return CitizenHubCli.Succeeded;
    }

    public static async Task<int> ReplayAsync(string configPath, long[] ids, bool all, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (all == (ids.Length > 0))
        {
            throw new CliException("errors replay: name the failures to replay (their ids, from 'errors list') or give --all, not both");
        }

        var hub = HubComposition.Load(configPath);
        await HubComposition.RequireStoreAsync(hub, configPath, cancellationToken).ConfigureAwait(false);
        using var host = HubComposition.BuildWorker(hub);
        // The host is a hub instance: with the embedded bus it applies what it replays; on a broker any instance may.
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        var store = host.Services.GetRequiredService<ICitizenStore>();
        var replay = host.Services.GetRequiredService<FailedMessageReplay>();
        if (all)
        {
            ids = [.. (await store.GetFailedMessagesAsync(includeApplied: false, cancellationToken).ConfigureAwait(false)).Select(f => f.FailureId)];
            if (ids.Length == 0)
            {
                await output.WriteLineAsync("no failed messages waiting").ConfigureAwait(false);
            }
        }

        var succeeded = true;
        foreach (var id in ids)
        {
            var (outcome, failure) = await replay.ReplayAsync(id, cancellationToken).ConfigureAwait(false);
            var line = outcome switch
            {
                ReplayOutcome.Applied => $"{id}: applied",
                ReplayOutcome.AlreadyApplied => $"{id}: already applied; nothing sent",
                ReplayOutcome.FailedAgain => $"{id}: failed again: {failure!.Reason}",
                ReplayOutcome.TimedOut => $"{id}: sent, but not applied within Sync.CompletionTimeout (is a hub instance running?)",
                ReplayOutcome.NotFound => $"{id}: no failed message has this id",
                _ => $"{id}: the message was not kept (it failed before messages were); run the sync again instead",
            };
            var ok = outcome is ReplayOutcome.Applied or ReplayOutcome.AlreadyApplied;
            succeeded &= ok;
            await (ok ? output : error).WriteLineAsync(ok ? line : $"citizenhub: errors replay: {line}").ConfigureAwait(false);
        }

        await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
        return succeeded ? CitizenHubCli.Succeeded : CitizenHubCli.Failed;
    }

    private static string Status(FailedMessage failure) =>
        failure.Applied ? "applied" : failure.ReplayedAt is { } replayed && replayed > failure.FailedAt ? "replayed" : "failed";
}
