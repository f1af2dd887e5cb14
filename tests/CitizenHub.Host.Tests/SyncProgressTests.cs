using System.Text.RegularExpressions;
using CitizenHub.Adapters;
using CitizenHub.Hub;
using CitizenHub.Matching.Identity;
using CitizenHub.TestKit;
using Microsoft.Extensions.Time.Testing;
using Spectre.Console.Testing;

namespace CitizenHub.Host.Tests;

/// <summary>What <c>citizenhub sync</c> shows while it runs: plain lines for a scheduler's log, a live table on a terminal.</summary>
public sealed partial class SyncProgressTests : CommandLineTest
{
    private static readonly Guid Run = Guid.Parse("0c1f2e3d-4b5a-6978-8796-a5b4c3d2e1f0");

    [Fact]
    public async Task Sync_NotOnATerminal_WritesAPlainLineAsEachRunStarts_WithNoEscapeCodes()
    {
        var config = TwoSources.WriteTo(Folder);

        Assert.Equal(0, await RunAsync("sync", "--config", config));
        var first = Output.ToString();
        Output.GetStringBuilder().Clear();
        Assert.Equal(0, await RunAsync("sync", "--config", config));
        var second = Output.ToString();

        Assert.Matches(StartedLine("council-tax", "full"), first);
        Assert.Matches(StartedLine("housing-benefits", "full"), first);
        // The next run knows how much to expect: the last run's count.
        Assert.Matches(StartedLine("council-tax", "full; its last run read 3 records"), second);
        Assert.DoesNotContain('\u001b', first + second);
    }

    [Fact]
    public void PlainProgress_ALinePerInterval_AndOneWhenTheSourceIsRead_NoneAtTheEnd()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-02T02:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        using var output = new StringWriter();
        var progress = new PlainSyncProgress(output, TimeSpan.FromSeconds(30), time);

        progress.Report(At(SyncStage.Reading, read: 0, done: 0, seconds: 0));
        time.Advance(TimeSpan.FromSeconds(10));
        progress.Report(At(SyncStage.Reading, read: 5_000, done: 2_000, seconds: 10));
        time.Advance(TimeSpan.FromSeconds(25));
        progress.Report(At(SyncStage.Reading, read: 12_000, done: 7_000, seconds: 35));
        time.Advance(TimeSpan.FromSeconds(5));
        progress.Report(At(SyncStage.Applying, read: 13_000, done: 8_000, seconds: 40));
        time.Advance(TimeSpan.FromSeconds(1));
        progress.Report(At(SyncStage.Applying, read: 13_000, done: 8_200, seconds: 41));
        progress.Report(At(SyncStage.Finished, read: 13_000, done: 13_000, seconds: 60));

        var lines = output.ToString().TrimEnd().Split(Environment.NewLine);
        Assert.Equal(
            [
                $"02:00:00 council-tax: started run {Run} (incremental; its last run read 20000 records)",
                // 7,000 through in 35 s is 200 a second; 13,000 of the 20,000 expected are left.
                "02:00:35 council-tax: reading: 12000 read, 3 rejected, 7000 applied, 2000 linked, 4 sent for review, 200 records/s, about 1:05 left",
                // Read: now the records read are what is left to go through, 5,000 at 200 a second.
                "02:00:40 council-tax: read, waiting for the hub: 13000 read, 3 rejected, 8000 applied, 2000 linked, 4 sent for review, 200 records/s, about 0:25 left",
            ],
            lines);
    }

    [Fact]
    public async Task LiveProgress_OnATerminal_ATableRowASourceRedrawnAsTheRunGoes()
    {
        var console = new TestConsole().Interactive().EmitAnsiSequences();
        console.Profile.Width = 160;

        await LiveSyncProgress.ShowAsync(console, progress =>
        {
            progress.Report(At(SyncStage.Reading, read: 5_000, done: 2_000, seconds: 10));
            progress.Report(At(SyncStage.Finished, read: 13_000, done: 13_000, seconds: 60));
            progress.Report(At(SyncStage.Reading, read: 10, done: 0, seconds: 1) with { Source = "housing-benefits", RunId = Guid.NewGuid() });
            return Task.FromResult(true);
        });

        var shown = console.Output;
        Assert.Contains('\u001b', shown);
        foreach (var heading in new[] { "System", "Stage", "Read", "Rejects", "Applied", "Linked", "Review", "Per s", "Left" })
        {
            Assert.Contains(heading, shown, StringComparison.Ordinal);
        }

        // The last frame drawn: council-tax done with its final counts, housing benefits reading.
        var lastFrame = shown[shown.LastIndexOf("System", StringComparison.Ordinal)..];
        Assert.Matches(@"council-tax\s+│?\s*done\s+│?\s*13,000\s+│?\s*3\s+│?\s*13,000", Unstyled(lastFrame));
        Assert.Matches(@"housing-benefits\s+│?\s*reading\s+│?\s*10\s", Unstyled(lastFrame));
    }

    private static SyncProgress At(SyncStage stage, int read, int done, int seconds) =>
        new("council-tax", Run, SyncMode.Incremental, stage, read, 3, new RunTally(Added: done, Linked: 2_000, Reviews: 4), TimeSpan.FromSeconds(seconds), 20_000);

    private static Regex StartedLine(string source, string detail) =>
        new($@"(?m)^\d\d:\d\d:\d\d {Regex.Escape(source)}: started run [0-9a-f-]{{36}} \({Regex.Escape(detail)}\)\r?$");

    private static string Unstyled(string text) => AnsiEscapes().Replace(text, "");

    [GeneratedRegex(@"\u001b\[[0-9;?]*[A-Za-z]")]
    private static partial Regex AnsiEscapes();
}
