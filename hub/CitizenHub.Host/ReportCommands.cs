using CitizenHub.Api.Reporting;
using CitizenHub.Web.Reporting;

namespace CitizenHub.Host;

/// <summary><c>citizenhub report</c>: the hub's report, as the admin page shows it, written as one self-contained HTML file.</summary>
internal static class ReportCommands
{
    public static async Task<int> WriteAsync(string configPath, string outPath, TextWriter output, CancellationToken cancellationToken)
    {
        using var opened = await HubComposition.OpenStoreAsync(configPath, cancellationToken).ConfigureAwait(false);
        var time = opened.Services.GetService<TimeProvider>() ?? TimeProvider.System;
        var report = await new HubReportBuilder(opened.Store, time).BuildAsync(cancellationToken).ConfigureAwait(false);
        var fullPath = Path.GetFullPath(outPath);
        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        await File.WriteAllTextAsync(fullPath, HubReportHtml.Document(report), new System.Text.UTF8Encoding(false), cancellationToken).ConfigureAwait(false);
        await output.WriteLineAsync($"report written to {fullPath}").ConfigureAwait(false);
        await output.WriteLineAsync(HubReportHtml.Summary(report)).ConfigureAwait(false);
        return CitizenHubCli.Succeeded;
    }
}
