using System.CommandLine;
using System.Globalization;
using CitizenHub.Adapters;
using CitizenHub.Api.Access;
using CitizenHub.Hub;
using CitizenHub.Hub.Logging;
using CitizenHub.Store;
using CsvHelper;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace CitizenHub.Host;

/// <summary>
/// The <c>citizenhub</c> command line. Exit codes: 0 done, 1 a sync failed, 2 a usage or configuration error,
/// 3 a sync refused by a safeguard (a mass removal).
/// </summary>
internal static class CitizenHubCli
{
    public const int Succeeded = 0;
    public const int Failed = 1;
    public const int UsageError = 2;
    public const int Refused = 3;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var configOption = new Option<string>("--config") { Description = "The configuration file (JSON).", Required = true };
        var sourceOption = new Option<string[]>("--source") { Description = "Run only this source; repeat for several. Default: all." };
        var urlsOption = new Option<string?>("--urls") { Description = "Where the API listens, e.g. http://127.0.0.1:5080." };
        var outOption = new Option<string>("--out") { Description = "The file to write.", Required = true };
        var fullOption = new Option<bool>("--full") { Description = "Read each source whole, whatever its Mode, and remove what it no longer holds." };
        var allowMassRemovalOption = new Option<bool>("--allow-mass-removal")
        {
            Description = "Remove what a full extract lacks even when that is more than Sync.MaxRemovalFraction of the source.",
        };

        var dryRunOption = new Option<bool>("--dry-run")
        {
            Description = "Read and match as a sync would, and say what would change; change nothing (no record, run, cursor or source file).",
        };
        var summaryOption = new Option<string?>("--summary") { Description = "Also write the run's summary to this file, as JSON (replaced whole, whatever the outcome)." };
        var sync = new Command("sync", "Run each configured source once and wait until the hub has applied everything.")
        {
            configOption, sourceOption, fullOption, allowMassRemovalOption, dryRunOption, summaryOption,
        };
        sync.SetAction((parse, ct) => Guarded(error, () => SyncAsync(
            parse.GetValue(configOption)!,
            parse.GetValue(sourceOption) ?? [],
            new SyncRunRequest(parse.GetValue(fullOption) ? SyncMode.Full : null, parse.GetValue(allowMassRemovalOption), parse.GetValue(dryRunOption)),
            parse.GetValue(summaryOption),
            output,
            error,
            ct)));

        var serve = new Command("serve", "Run the hub and the Customer View API until stopped.") { configOption, urlsOption };
        serve.SetAction((parse, ct) => Guarded(error, () => ServeAsync(parse.GetValue(configOption)!, parse.GetValue(urlsOption), output, error, ct)));

        var exportLinks = new Command("links", "Write citizen_id,source_system,source_key for every source record held.") { configOption, outOption };
        exportLinks.SetAction((parse, ct) => Guarded(error, () => ExportLinksAsync(parse.GetValue(configOption)!, parse.GetValue(outOption)!, output, ct)));
        var export = new Command("export", "Write what the hub holds to a file.") { exportLinks };

        var report = new Command("report", "Write the hub's report (data quality, overlap between sources, review backlog, sync trends, use) as one self-contained HTML file.")
        {
            configOption, outOption,
        };
        report.SetAction((parse, ct) => Guarded(error, () => ReportCommands.WriteAsync(parse.GetValue(configOption)!, parse.GetValue(outOption)!, output, ct)));

        var validate = new Command("validate", "Check a configuration file against the schema and the adapters' rules, reading no source.") { configOption };
        validate.SetAction((parse, ct) => Guarded(error, () => ValidateAsync(parse.GetValue(configOption)!, output, error)));
        var config = new Command("config", "Work with configuration files.") { validate };

        var demo = new Command("demo", "Sync the sample council sources into a fresh store and serve the API.") { urlsOption };
        demo.SetAction((parse, ct) => Guarded(error, () => Demo.RunAsync(parse.GetValue(urlsOption) ?? Demo.DefaultUrls, output, ct)));

        var roleOption = new Option<string>("--role") { Description = $"The key's role: {string.Join(", ", ApiRoles.All)}.", Required = true };
        var nameOption = new Option<string?>("--name") { Description = "The key's name, which the audit trail shows as the caller. Default: the role and the start of the key's hash." };
        var keysAdd = new Command("add", "Make a new API key: print it once, and the entry (with its hash) to add to Api.Keys.") { roleOption, nameOption };
        keysAdd.SetAction((parse, ct) => Guarded(error, () => ApiKeyCommands.AddAsync(parse.GetValue(roleOption)!, parse.GetValue(nameOption), output)));
        var keys = new Command("keys", "Work with the API's keys.") { keysAdd };

        var estimate = new Command("estimate", "Estimate the match model's m and u from the records the store holds (EM), and write them for Matching.ParametersFile.")
        {
            configOption, outOption,
        };
        estimate.SetAction((parse, ct) => Guarded(error, () => MatchingCommands.EstimateAsync(parse.GetValue(configOption)!, parse.GetValue(outOption)!, output, ct)));
        var settle = new Command("settle", "Decide every record held again with the names' counts and citizens held now, as a first load does once all of it is in (for sources first loaded on different nights).")
        {
            configOption,
        };
        settle.SetAction((parse, ct) => Guarded(error, () => MatchingCommands.SettleAsync(parse.GetValue(configOption)!, output, ct)));
        var matching = new Command("matching", "Work with the match model.") { estimate, settle };

        var allFailuresOption = new Option<bool>("--all") { Description = "Every failure, also those applied since." };
        var errorsList = new Command("list", "List the messages the hub could not apply, with why.") { configOption, allFailuresOption };
        errorsList.SetAction((parse, ct) => Guarded(error, () => ErrorCommands.ListAsync(parse.GetValue(configOption)!, parse.GetValue(allFailuresOption), output, ct)));
        var failureIdsArgument = new Argument<long[]>("id") { Description = "The failures to replay, by id (from 'errors list').", Arity = ArgumentArity.ZeroOrMore };
        var replayAllOption = new Option<bool>("--all") { Description = "Replay every failed message not applied since." };
        var errorsReplay = new Command("replay", "Send failed messages to the hub again and wait until each is applied.") { configOption, failureIdsArgument, replayAllOption };
        errorsReplay.SetAction((parse, ct) => Guarded(error, () => ErrorCommands.ReplayAsync(
            parse.GetValue(configOption)!, parse.GetValue(failureIdsArgument) ?? [], parse.GetValue(replayAllOption), output, error, ct)));
        var errors = new Command("errors", "The messages the hub could not apply: list them, replay them.") { errorsList, errorsReplay };

        var root = new RootCommand("CitizenHub: one view of each resident across a council's systems.") { sync, serve, export, report, config, demo, keys, matching, errors };
        root.Options.OfType<VersionOption>().Single().Action = new PrintVersionAction();
        var invocation = new InvocationConfiguration { Output = output, Error = error };
        var exitCode = await root.Parse(args).InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
        // System.CommandLine answers a parse error with 1; ours are usage errors.
        return root.Parse(args).Errors.Count > 0 ? UsageError : exitCode;
    }

    private static async Task<int> Guarded(TextWriter error, Func<Task<int>> command)
    {
        try
        {
            return await command().ConfigureAwait(false);
        }
        catch (CliException ex)
        {
            // One problem a line, so an operator (or a script) sees each on its own.
            foreach (var line in ex.Lines)
            {
                await error.WriteLineAsync($"citizenhub: {line}").ConfigureAwait(false);
            }

            return UsageError;
        }
        catch (OptionsValidationException ex)
        {
            foreach (var failure in ex.Failures)
            {
                await error.WriteLineAsync($"citizenhub: configuration: {failure}").ConfigureAwait(false);
            }

            return UsageError;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Not left to System.CommandLine, which prints the whole exception: a driver's message, or a peer's text
            // an adapter passed on, may quote a resident. The hub's own messages are written to quote no one.
            await error.WriteLineAsync($"citizenhub: {ExceptionFacts.OperatorText(ex, "stopped by an unexpected error")}").ConfigureAwait(false);
            return Failed;
        }
    }

    private static async Task<int> SyncAsync(
        string configPath, string[] sourceNames, SyncRunRequest request, string? summaryPath, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var summaries = new List<SyncRunSummary>();
        int exitCode;
        string? reason = null;
        try
        {
            (exitCode, reason) = await SyncSourcesAsync(configPath, sourceNames, request, summaries, output, error, cancellationToken).ConfigureAwait(false);
        }
        catch (CliException ex) when (summaryPath is not null)
        {
            // The morning's reader of the summary learns the night's run never started, and why.
            await SyncReport.WriteFileAsync(summaryPath, summaries, UsageError, string.Join("; ", ex.Lines), TimeProvider.System.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            throw;
        }

        if (summaryPath is not null)
        {
            await SyncReport.WriteFileAsync(summaryPath, summaries, exitCode, reason, TimeProvider.System.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        }

        return exitCode;
    }

    private static async Task<(int ExitCode, string? Reason)> SyncSourcesAsync(
        string configPath, string[] sourceNames, SyncRunRequest request, List<SyncRunSummary> summaries, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var hub = HubComposition.Load(configPath);
        var sources = sourceNames.Length == 0
            ? hub.Catalog.Sources
            : [.. sourceNames.Select(name => hub.Catalog.Find(name)
                ?? throw new CliException($"unknown source '{name}'; configured: {string.Join(", ", hub.Catalog.Sources.Select(s => s.Name))}"))];
        if (sources.Count == 0)
        {
            throw new CliException($"config file '{configPath}' configures no sources");
        }

        if (request.DryRun)
        {
            // A dry run compares the sources with what the hub holds: with no store there is nothing to compare with, and
            // making one would be a change.
            await HubComposition.RequireStoreAsync(hub, configPath, cancellationToken).ConfigureAwait(false);
        }

        var live = SyncProgressDisplay.IsTerminal(output);
        if (live && (hub.Configuration.GetSection(nameof(CitizenHubOptions.Logging)).Get<LoggingOptions>() ?? new LoggingOptions()).ConsoleMinimumLevel < Serilog.Events.LogEventLevel.Warning)
        {
            // Information lines on standard error would land inside the live table as it redraws; warnings still show.
            hub.Configuration[$"{nameof(CitizenHubOptions.Logging)}:{nameof(LoggingOptions.ConsoleMinimumLevel)}"] = nameof(Serilog.Events.LogEventLevel.Warning);
        }

        using var host = HubComposition.BuildWorker(hub);
        try
        {
            if (request.DryRun)
            {
                // Nothing started that could write: no consumers, no publisher of the change feed. The store is only
                // brought to the current schema, which on a store the hub has run on before changes nothing.
                await host.Services.GetRequiredService<ICitizenStore>().MigrateAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await host.StartAsync(cancellationToken).ConfigureAwait(false);
            }

            var runner = host.Services.GetRequiredService<SyncRunner>();
            var interval = hub.Configuration.GetSection(nameof(CitizenHubOptions.Sync)).Get<SyncOptions>()?.ProgressInterval ?? new SyncOptions().ProgressInterval;
            if (live)
            {
                // The live table redraws itself in place: the summaries are written under it once it is done.
                using var summaryLines = new StringWriter();
                await LiveSyncProgress.ShowAsync(AnsiConsole.Console, progress => RunEachAsync(runner, progress, summaryLines)).ConfigureAwait(false);
                await output.WriteAsync(summaryLines.ToString()).ConfigureAwait(false);
            }
            else
            {
                await RunEachAsync(runner, new PlainSyncProgress(output, interval, TimeProvider.System), output).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (StoreFailures.IsLocked(ex))
        {
            // Another process (a second sync, a tool with the file open in a transaction) holds the write lock: nothing
            // of ours is wrong, and a stack trace would say it was. The message names neither the file's rows nor values.
            var why = $"the store is locked by another process (its write lock was not free within the busy timeout); {summaries.Count} of {sources.Count} sources synced; run the sync again when it is free";
            await error.WriteLineAsync($"citizenhub: {why}").ConfigureAwait(false);
            return (Failed, why);
        }

        if (!request.DryRun)
        {
            await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }

        var exitCode = summaries.Any(s => s.Failed) ? Failed
            : summaries.Any(s => s.Refused is not null) ? Refused
            : Succeeded;
        return (exitCode, null);

        async Task<bool> RunEachAsync(SyncRunner runner, IProgress<SyncProgress> progress, TextWriter summaryOutput)
        {
            await runner.RunEachAsync(
                sources,
                async summary =>
                {
                    summaries.Add(summary);
                    await SyncReport.WriteSummaryAsync(summary, summaryOutput, error).ConfigureAwait(false);
                },
                cancellationToken,
                request with { Progress = progress }).ConfigureAwait(false);
            return true;
        }
    }

    private static async Task<int> ValidateAsync(string configPath, TextWriter output, TextWriter error)
    {
        try
        {
            var hub = HubComposition.Load(configPath);
            await output.WriteLineAsync($"{configPath}: valid, {hub.Catalog.Sources.Count} sources ({string.Join(", ", hub.Catalog.Sources.Select(s => $"{s.Name}: {s.Kind}"))})").ConfigureAwait(false);
            return Succeeded;
        }
        catch (CliException ex)
        {
            foreach (var problem in ex.Problems)
            {
                await error.WriteLineAsync($"{configPath}: {problem}").ConfigureAwait(false);
            }

            return UsageError;
        }
    }

    private static async Task<int> ServeAsync(string configPath, string? urls, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var hub = HubComposition.Load(configPath);
        await using var app = HubComposition.BuildWebApplication(hub, urls);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        // Where it listens, as bound: a port of 0 in --urls is the one the system gave.
        foreach (var address in app.Urls)
        {
            await output.WriteLineAsync($"CitizenHub is serving at {address} (Ctrl+C to stop)").ConfigureAwait(false);
        }

        var access = hub.Configuration.GetSection(ApiAccessOptions.Section).Get<ApiAccessOptions>() ?? new ApiAccessOptions();
        if (access.Keys.Count == 0 && access.Jwt is null)
        {
            // Not an error: an operator may be checking the hub starts before adding keys. But silence left them
            // wondering why every call was refused.
            await error.WriteLineAsync("citizenhub: warning: no API key (Api.Keys) and no JWT (Api.Jwt) is configured, so every request will get 401 — add a key with `citizenhub keys add`").ConfigureAwait(false);
        }

        await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        return Succeeded;
    }

    private static async Task<int> ExportLinksAsync(string configPath, string outPath, TextWriter output, CancellationToken cancellationToken)
    {
        using var opened = await HubComposition.OpenStoreAsync(configPath, cancellationToken).ConfigureAwait(false);
        var store = opened.Store;

        var fullPath = Path.GetFullPath(outPath);
        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        var rows = 0;
        await using (var writer = new StreamWriter(fullPath, append: false, new System.Text.UTF8Encoding(false)))
        await using (var csv = new CsvWriter(writer, CultureInfo.InvariantCulture))
        {
            csv.WriteField("citizen_id");
            csv.WriteField("source_system");
            csv.WriteField("source_key");
            await csv.NextRecordAsync().ConfigureAwait(false);
            await foreach (var link in store.ReadLinksAsync(cancellationToken).ConfigureAwait(false))
            {
                csv.WriteField(link.CitizenId);
                csv.WriteField(link.SourceSystem);
                csv.WriteField(link.SourceKey);
                await csv.NextRecordAsync().ConfigureAwait(false);
                rows++;
            }
        }

        await output.WriteLineAsync($"{rows} links written to {fullPath}").ConfigureAwait(false);
        return Succeeded;
    }
}
