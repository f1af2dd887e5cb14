using CitizenHub.Adapters.Testing;
using CitizenHub.Host;
using Microsoft.Data.Sqlite;

namespace CitizenHub.Bench.Tests;

/// <summary>A test of <c>citizenhub-bench</c> as an operator uses it: arguments in, text and an exit code out, files in a temporary folder.</summary>
public abstract class CommandLineTest : IDisposable
{
    protected TempDirectory Folder { get; } = new();

    protected StringWriter Output { get; } = new();

    protected StringWriter Error { get; } = new();

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            // Pooled connections would keep the stores' files open, and the folder could not be deleted.
            SqliteConnection.ClearAllPools();
            Folder.Dispose();
            Output.Dispose();
            Error.Dispose();
        }
    }

    protected Task<int> RunAsync(params string[] args) => BenchCli.RunAsync(args, Output, Error, CancellationToken.None);

    /// <summary>The shipped <c>citizenhub</c> command line, for what a benchmark leaves behind (its generated configuration).</summary>
    protected Task<int> RunCitizenHubAsync(params string[] args) => CitizenHubCli.RunAsync(args, Output, Error, CancellationToken.None);

    /// <summary>The report's "measure  value" lines, by measure (the sync summaries above have no double space).</summary>
    protected static Dictionary<string, string> Table(string output) => output
        .Split('\n', StringSplitOptions.RemoveEmptyEntries)
        .Select(line => line.TrimEnd('\r').Split("  ", 2, StringSplitOptions.None))
        .Where(parts => parts.Length == 2)
        .GroupBy(parts => parts[0].Trim())
        .ToDictionary(g => g.Key, g => g.Last()[1].Trim());
}
