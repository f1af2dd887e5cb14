using System.Text.RegularExpressions;
using CitizenHub.TestKit;

namespace CitizenHub.Host.Tests;

/// <summary><c>citizenhub report</c> as an operator runs it: one HTML file that opens anywhere and names no one.</summary>
public sealed class ReportCommandTests : CommandLineTest
{
    [Fact]
    public async Task Report_AfterASync_WritesOneSelfContainedFile_AndSaysWhereWithTheHeadlineFigures()
    {
        var config = ReportCouncil.WriteTo(Folder);
        Assert.Equal(0, await RunAsync("sync", "--config", config));
        var path = Folder.File("out/report.html");

        var code = await RunAsync("report", "--config", config, "--out", path);

        Assert.Equal(0, code);
        var lines = Output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries)[^2..];
        Assert.Equal($"report written to {path}", lines[0]);
        // 7 + 6 + 6 records; Castellano and Whitfield each two residents until a steward decides.
        Assert.Equal("19 records from 3 systems, 11 residents, 5 joined up across systems, 2 pairs waiting for a steward", lines[1]);
        var html = await File.ReadAllTextAsync(path);
        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.Contains("<style>", html, StringComparison.Ordinal);
        Assert.Contains("<svg role=\"img\"", html, StringComparison.Ordinal);
        // Nothing fetched from anywhere: no address in a src or href, no script, no linked stylesheet, no CSS import.
        Assert.DoesNotMatch(new Regex("""(src|href)\s*=\s*["']?\s*(https?:)?//""", RegexOptions.IgnoreCase), html);
        Assert.DoesNotMatch(new Regex("<script|<link|@import|url\\(", RegexOptions.IgnoreCase), html);
        Assert.All(ReportCouncil.Identifying, value => Assert.DoesNotContain(value, html, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Report_NeverSynced_ExitsTwoSayingToSyncFirst_AndWritesNothing()
    {
        var config = ReportCouncil.WriteTo(Folder);

        var code = await RunAsync("report", "--config", config, "--out", Folder.File("report.html"));

        Assert.Equal(2, code);
        Assert.Equal($"citizenhub: no store at {Folder.File("hub.db")}: run `citizenhub sync --config {config}` first", Error.ToString().TrimEnd());
        Assert.False(File.Exists(Folder.File("report.html")));
    }
}
