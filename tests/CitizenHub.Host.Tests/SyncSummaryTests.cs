using System.Diagnostics;
using System.Text.Json;
using CitizenHub.Store;
using CitizenHub.TestKit;

namespace CitizenHub.Host.Tests;

/// <summary>What <c>citizenhub sync</c> tells the operator who reads the night's run in the morning: the lines, the JSON summary, the exit code.</summary>
public sealed class SyncSummaryTests : CommandLineTest
{
    [Fact]
    public async Task Sync_WithSummary_WritesWhatEachSourceDid_AndARunThatChangedNothingReadsDifferently()
    {
        var config = TwoSources.WriteTo(Folder);
        var summaryPath = Folder.File("out/summary.json");

        var first = await RunAsync("sync", "--config", config, "--summary", summaryPath);
        var firstSummary = JsonDocument.Parse(await File.ReadAllTextAsync(summaryPath)).RootElement;
        var firstOutput = Output.ToString();
        var links = await LinksAsync(config);
        Output.GetStringBuilder().Clear();
        var again = await RunAsync("sync", "--config", config, "--summary", summaryPath);
        var againSummary = JsonDocument.Parse(await File.ReadAllTextAsync(summaryPath)).RootElement;

        Assert.Equal((0, 0), (first, again));
        Assert.Equal((0, "Succeeded"), (firstSummary.GetProperty("exitCode").GetInt32(), firstSummary.GetProperty("outcome").GetString()));
        var sources = firstSummary.GetProperty("sources").EnumerateArray().ToDictionary(s => s.GetProperty("source").GetString()!);
        Assert.Equal(["council-tax", "housing-benefits"], sources.Keys);
        var ct = sources["council-tax"];
        Assert.Equal((3, 1, 3, 3, 0, 0), (Int(ct, "read"), Int(ct, "rejected"), Int(ct, "applied"), Int(ct, "added"), Int(ct, "updated"), Int(ct, "unchanged")));
        Assert.Equal("Succeeded", ct.GetProperty("outcome").GetString());
        Assert.StartsWith(Folder.File("rejects"), ct.GetProperty("rejectsFile").GetString(), StringComparison.Ordinal);
        // Every record started a citizen or joined one: what was created and what was linked account for every record
        // the export holds, by the export's own count of citizens.
        var created = sources.Values.Sum(s => Int(s, "citizensCreated"));
        var linked = sources.Values.Sum(s => Int(s, "linked"));
        var citizens = links.Select(l => l.CitizenId).Distinct().Count();
        Assert.Equal((citizens, links.Count - citizens), (created, linked));
        Assert.True(Int(sources["housing-benefits"], "linked") > 0);
        Assert.Contains($"council-tax: 3 records, 1 rejected, 0 removed, 2 batches, 0 failed", firstOutput, StringComparison.Ordinal);
        Assert.Contains(
            $"  applied: 3 added, 0 updated, 0 unchanged, 0 removed; {Int(ct, "citizensCreated")} citizens created, {Int(ct, "linked")} linked, 0 merged, 0 split, {Int(ct, "sentForReview")} sent for review",
            firstOutput,
            StringComparison.Ordinal);

        var rerun = againSummary.GetProperty("sources").EnumerateArray().ToList();
        Assert.All(rerun, s => Assert.Equal((0, 3), (Int(s, "applied"), Int(s, "unchanged"))));
        Assert.Contains("council-tax: 3 records", Output.ToString(), StringComparison.Ordinal);
        Assert.Contains("  applied: nothing changed (3 records unchanged)", Output.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(" added, ", Output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sync_ASourceAnotherRunIsSyncing_IsRefusedWithExitThreeNamingTheHolder_AndTheOtherSourcesRun()
    {
        var config = TwoSources.WriteTo(Folder);
        Assert.Equal(0, await RunAsync("sync", "--config", config, "--source", "housing-benefits"));
        var holder = await HoldLockAsync(config, "council-tax");
        var summaryPath = Folder.File("summary.json");

        var code = await RunAsync("sync", "--config", config, "--summary", summaryPath);
        var summary = JsonDocument.Parse(await File.ReadAllTextAsync(summaryPath)).RootElement;

        Assert.Equal(3, code);
        Assert.Contains($"council-tax: REFUSED, 0 records", Output.ToString(), StringComparison.Ordinal);
        Assert.Contains($"  refused: another sync of council-tax is running: run {holder.RunId}, process {holder.ProcessId} on {holder.Machine}, since ", Output.ToString(), StringComparison.Ordinal);
        Assert.Contains("housing-benefits: 3 records", Output.ToString(), StringComparison.Ordinal);
        Assert.Equal((3, "Refused"), (summary.GetProperty("exitCode").GetInt32(), summary.GetProperty("outcome").GetString()));
        var bySource = summary.GetProperty("sources").EnumerateArray().ToDictionary(s => s.GetProperty("source").GetString()!, s => s.GetProperty("outcome").GetString());
        Assert.Equal("Refused", bySource["council-tax"]);
        Assert.Equal("Succeeded", bySource["housing-benefits"]);
        Assert.DoesNotContain(await LinksAsync(config), l => l.SourceSystem == "council-tax");
    }

    [Fact]
    public async Task Sync_UsageError_WithSummary_ExitsTwoAndTheSummarySaysWhy()
    {
        var config = TwoSources.WriteTo(Folder);
        var summaryPath = Folder.File("summary.json");

        var code = await RunAsync("sync", "--config", config, "--source", "parking", "--summary", summaryPath);
        var summary = JsonDocument.Parse(await File.ReadAllTextAsync(summaryPath)).RootElement;

        Assert.Equal(2, code);
        Assert.Equal((2, "UsageError"), (summary.GetProperty("exitCode").GetInt32(), summary.GetProperty("outcome").GetString()));
        Assert.Contains("unknown source 'parking'", summary.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Empty(summary.GetProperty("sources").EnumerateArray());
    }

    [Fact]
    public async Task Sync_DryRun_SaysWhatWouldChange_ChangesNotAByteOfTheStore_AndTheRealRunThenDoesWhatItSaid()
    {
        var config = TwoSources.WriteTo(Folder);
        Assert.Equal(0, await RunAsync("sync", "--config", config));
        var linksBefore = await LinksAsync(config);
        // One claim's postcode changes, one claim is new.
        Folder.Write("housing-benefits.csv", TwoSources.HousingBenefits
            .Replace("STAFFORD|ST174AA", "STAFFORD|ST17 4AB", StringComparison.Ordinal)
            .TrimEnd() + "\nHB-4|ADEYEMI|TOLU|1984-07-21|9 Lime Grove|Stone|ST15 0AA|NA 12 34 56 C|\n");
        var storeBefore = await StoreBytesAsync();
        Output.GetStringBuilder().Clear();

        var dryRun = await RunAsync("sync", "--config", config, "--dry-run", "--summary", Folder.File("dry.json"));
        var printed = Output.ToString();
        var storeAfter = await StoreBytesAsync();
        var linksAfter = await LinksAsync(config);
        var real = await RunAsync("sync", "--config", config, "--summary", Folder.File("real.json"));

        Assert.Equal((0, 0), (dryRun, real));
        Assert.Equal(storeBefore, storeAfter);
        Assert.Equal(linksBefore, linksAfter);
        // Of the four records, the two the hub holds as they are need not be sent: one batch for the other two.
        Assert.Contains("housing-benefits: 4 records, 0 rejected, 0 removed, 1 batches, 0 failed", printed, StringComparison.Ordinal);
        Assert.Contains("(full, dry run: nothing was changed)", printed, StringComparison.Ordinal);
        Assert.Contains("  would apply: 1 added, 1 updated, 2 unchanged, 0 removed; ", printed, StringComparison.Ordinal);
        Assert.Contains("  would apply: nothing changed (3 records unchanged)", printed, StringComparison.Ordinal);
        var predicted = Sources(Folder.File("dry.json"));
        var happened = Sources(Folder.File("real.json"));
        Assert.True(JsonDocument.Parse(await File.ReadAllTextAsync(Folder.File("dry.json"))).RootElement.GetProperty("dryRun").GetBoolean());
        foreach (var figure in new[] { "read", "rejected", "applied", "added", "updated", "unchanged", "removed", "citizensCreated", "linked", "merged", "split", "sentForReview" })
        {
            Assert.Equal(happened.Select(s => (s.GetProperty("source").GetString(), Int(s, figure))), predicted.Select(s => (s.GetProperty("source").GetString(), Int(s, figure))));
        }

        Assert.Equal(linksBefore.Count + 1, (await LinksAsync(config)).Count);
    }

    [Fact]
    public async Task Sync_DryRun_BeforeAnySync_IsAUsageErrorAndMakesNoStore()
    {
        var config = TwoSources.WriteTo(Folder);

        var code = await RunAsync("sync", "--config", config, "--dry-run");

        Assert.Equal(2, code);
        Assert.Contains("no store at", Error.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(Folder.File("hub.db")));
    }

    private static List<JsonElement> Sources(string summaryPath) =>
        [.. JsonDocument.Parse(File.ReadAllText(summaryPath)).RootElement.GetProperty("sources").EnumerateArray()];

    /// <summary>The store's files (name and SHA-256), once every connection is closed (SQLite then folds its write-ahead log in).</summary>
    private async Task<List<string>> StoreBytesAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var files = new List<string>();
        foreach (var path in Directory.GetFiles(Folder.Path, "hub.db*").Order(StringComparer.Ordinal))
        {
            files.Add($"{Path.GetFileName(path)} {Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(await File.ReadAllBytesAsync(path)))}");
        }

        return files;
    }

    private static int Int(JsonElement source, string name) => source.GetProperty(name).GetInt32();

    private static async Task<List<CitizenLink>> LinksAsync(string config)
    {
        using var opened = await HubComposition.OpenStoreAsync(config, CancellationToken.None);
        var links = new List<CitizenLink>();
        await foreach (var link in opened.Store.ReadLinksAsync(CancellationToken.None))
        {
            links.Add(link);
        }

        return links;
    }

    /// <summary>Takes a source's lock as a run of this (live) process would, holding it for an hour.</summary>
    private static async Task<SyncLockHolder> HoldLockAsync(string config, string source)
    {
        using var opened = await HubComposition.OpenStoreAsync(config, CancellationToken.None);
        using var me = Process.GetCurrentProcess();
        var now = TimeProvider.System.GetUtcNow();
        var holder = new SyncLockHolder(source, Guid.NewGuid(), Environment.MachineName, me.Id, me.StartTime.ToUniversalTime(), now, now.AddHours(1));
        Assert.Null(await opened.Store.TakeSyncLockAsync(holder, null, CancellationToken.None));
        return holder;
    }
}
