using System.CommandLine;
using CitizenHub.Bench.Commands;
using CitizenHub.Host;
using CitizenHub.Hub.Logging;
using Microsoft.Extensions.Options;

namespace CitizenHub.Bench;

/// <summary>
/// The <c>citizenhub-bench</c> command line: the hub measured on generated data, kept out of the shipped executable.
/// Exit codes as <c>citizenhub</c>'s: 0 done, 1 a benchmark's sync failed, 2 a usage error.
/// </summary>
internal static class BenchCli
{
    public const int Succeeded = CitizenHubCli.Succeeded;
    public const int Failed = CitizenHubCli.Failed;
    public const int UsageError = CitizenHubCli.UsageError;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var personsOption = new Option<int>("--persons") { Description = "How many people to generate.", DefaultValueFactory = _ => AccuracyBench.DefaultPersons };
        var seedOption = new Option<int>("--seed") { Description = "The generator's seed: the same seed gives the same data.", DefaultValueFactory = _ => AccuracyBench.DefaultSeed };
        var keepOption = new Option<string?>("--keep") { Description = "Keep the generated sources, truth and store in this (new or empty) folder." };
        var accuracy = new Command("accuracy", "Generate labelled council data, sync it through the hub, and score the links: precision, recall, F1, false merges.")
        {
            personsOption, seedOption, keepOption,
        };
        accuracy.SetAction((parse, ct) => Guarded(error, () => AccuracyBench.RunAsync(
            parse.GetValue(personsOption), parse.GetValue(seedOption), parse.GetValue(keepOption), output, error, ct)));
        var showOption = new Option<int>("--show") { Description = "How many kinds of mistake to list.", DefaultValueFactory = _ => 15 };
        var linkThresholdOption = new Option<double?>("--link-threshold") { Description = "Try another link threshold (bits)." };
        var reviewThresholdOption = new Option<double?>("--review-threshold") { Description = "Try another review threshold (bits)." };
        var estimateOption = new Option<bool>("--estimate") { Description = "Estimate m and u from the generated records by EM first." };
        var strictOption = new Option<bool>("--require-personal-evidence") { Description = "Link only pairs that agree on something personal (Matching.RequirePersonalEvidence)." };
        var namesakesOption = new Option<double?>("--name-alone-namesakes") { Description = "Try another Matching.NameAloneMaximumNamesakes." };
        var linkage = new Command("linkage", "Link generated data with the matching core in memory; print the metrics and the commonest mistakes, explained.")
        {
            personsOption, seedOption, showOption, linkThresholdOption, reviewThresholdOption, estimateOption, strictOption, namesakesOption,
        };
        linkage.SetAction((parse, ct) => Guarded(error, () => MatchingBenches.LinkageAsync(
            parse.GetValue(personsOption), parse.GetValue(seedOption), parse.GetValue(showOption),
            parse.GetValue(linkThresholdOption), parse.GetValue(reviewThresholdOption), parse.GetValue(estimateOption), parse.GetValue(strictOption),
            parse.GetValue(namesakesOption), output)));
        var goldenOption = new Option<int>("--golden") { Description = "Golden records in the index.", DefaultValueFactory = _ => 1_000_000 };
        var linkedOption = new Option<int>("--records") { Description = "Records to link, timed.", DefaultValueFactory = _ => 200_000 };
        var speed = new Command("speed", "Scoring and linking speed on one thread against an in-memory index of golden records.")
        {
            goldenOption, linkedOption, seedOption,
        };
        speed.SetAction((parse, ct) => Guarded(error, () => MatchingBenches.SpeedAsync(
            parse.GetValue(goldenOption), parse.GetValue(linkedOption), parse.GetValue(seedOption), output)));
        var requestsOption = new Option<int>("--requests") { Description = "Lookups to time.", DefaultValueFactory = _ => 20_000 };
        var concurrencyOption = new Option<int>("--concurrency") { Description = "Lookups in flight at once.", DefaultValueFactory = _ => 1 };
        var apiGoldenOption = new Option<int>("--golden") { Description = "Golden records in the store.", DefaultValueFactory = _ => 1_000_000 };
        var api = new Command("api", "Latency of GET /citizens/{id} over HTTP against a store of many golden records (each read audited).")
        {
            apiGoldenOption, requestsOption, concurrencyOption,
        };
        api.SetAction((parse, ct) => Guarded(error, () => ApiBench.RunAsync(
            parse.GetValue(apiGoldenOption), parse.GetValue(requestsOption), parse.GetValue(concurrencyOption), output, ct)));
        var ingestPersonsOption = new Option<int>("--persons") { Description = "How many people to generate (about 2.4 source records each).", DefaultValueFactory = _ => IngestBench.DefaultPersons };
        var hubSettingsOption = new Option<string?>("--hub") { Description = "A configuration file whose Transport, RabbitMq and Store to use (its sources are ignored); default: embedded." };
        var instancesOption = new Option<int>("--instances") { Description = "Hub instances sharing the work (this one and serve processes); above 1 needs RabbitMq and Postgres.", DefaultValueFactory = _ => 1 };
        var deltaOption = new Option<int>("--delta") { Description = "Then change, add or remove this many records across the extracts, as a night does, and time syncing every source again; 0: no delta.", DefaultValueFactory = _ => 0 };
        var ingest = new Command("ingest", "End-to-end ingest of generated council sources: records/s and peak memory, embedded or scaled out; with --delta, a nightly delta too.")
        {
            ingestPersonsOption, seedOption, hubSettingsOption, instancesOption, deltaOption,
        };
        ingest.SetAction((parse, ct) => Guarded(error, () => IngestBench.RunAsync(
            parse.GetValue(ingestPersonsOption), parse.GetValue(seedOption), parse.GetValue(hubSettingsOption), parse.GetValue(instancesOption),
            parse.GetValue(deltaOption), output, error, ct)));
        var keptStoreOption = new Option<string>("--store") { Description = "A store kept by citizenhub-bench accuracy --keep DIR (DIR/citizenhub.db).", Required = true };
        var copiesOption = new Option<int>("--copies") { Description = "How many times to write its rows.", DefaultValueFactory = _ => StoreFloorBench.DefaultCopies };
        var indexesAfterOption = new Option<bool>("--indexes-after") { Description = "Drop the tables' secondary indexes first and build them once at the end, as a first load into an empty store could." };
        var intoOption = new Option<string?>("--into") { Description = "Keep the new store in this (new) file; default: a temporary file, deleted." };
        var storeFloor = new Command("store-floor", "How long SQLite takes only to write the store's rows for many records: a kept store's rows copied K times, nothing else.")
        {
            keptStoreOption, copiesOption, indexesAfterOption, intoOption,
        };
        storeFloor.SetAction((parse, ct) => Guarded(error, () => StoreFloorBench.RunAsync(
            parse.GetValue(keptStoreOption)!, parse.GetValue(copiesOption), parse.GetValue(indexesAfterOption), parse.GetValue(intoOption), output, ct)));

        var dataOption = new Option<string>("--data") { Description = "The folder holding the FEBRL files.", DefaultValueFactory = _ => Path.Combine("..", "shared", "data") };
        var setOption = new Option<string>("--set") { Description = "4: link febrl_dataset4a with 4b; 3: deduplicate febrl_dataset3.", DefaultValueFactory = _ => "4" };
        var febrl = new Command("febrl", "Sync a public FEBRL linkage set through the hub with the configuration in bench/febrl/ and score the links.")
        {
            dataOption, setOption, keepOption,
        };
        febrl.SetAction((parse, ct) => Guarded(error, () => FebrlBench.RunAsync(
            parse.GetValue(dataOption)!, parse.GetValue(setOption)!, parse.GetValue(keepOption), output, error, ct)));

        var reorderOption = new Option<string>("--reorder") { Description = "What the second sync changes: both (rows shuffled and sources reversed), rows, or sources.", DefaultValueFactory = _ => "both" };
        var order = new Command("order", "Sync the same generated records twice, as generated and shuffled with the sources reversed, and say how far the two agree.")
        {
            personsOption, seedOption, reorderOption, keepOption,
        };
        order.SetAction((parse, ct) => Guarded(error, () => OrderBench.RunAsync(
            parse.GetValue(personsOption), parse.GetValue(seedOption), parse.GetValue(reorderOption)!, parse.GetValue(keepOption), output, error, ct)));

        var root = new RootCommand("citizenhub-bench: measure CitizenHub on generated data and on public linkage sets (accuracy, linkage, speed, api, ingest, store-floor, febrl, order).")
        {
            accuracy, linkage, speed, api, ingest, storeFloor, febrl, order,
        };
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
            foreach (var line in ex.Lines)
            {
                await error.WriteLineAsync($"citizenhub-bench: {line}").ConfigureAwait(false);
            }

            return UsageError;
        }
        catch (OptionsValidationException ex)
        {
            // A --hub file's settings are checked as the hub checks its own.
            foreach (var failure in ex.Failures)
            {
                await error.WriteLineAsync($"citizenhub-bench: configuration: {failure}").ConfigureAwait(false);
            }

            return UsageError;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // As citizenhub's: a driver's message may quote a resident, and generated residents are residents' names too.
            await error.WriteLineAsync($"citizenhub-bench: {ExceptionFacts.OperatorText(ex, "stopped by an unexpected error")}").ConfigureAwait(false);
            return Failed;
        }
    }
}
