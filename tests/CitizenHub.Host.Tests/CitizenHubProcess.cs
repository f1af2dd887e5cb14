using System.Diagnostics;

namespace CitizenHub.Host.Tests;

/// <summary>The built <c>citizenhub</c> executable as its own process, as an operator or a scheduler starts it.</summary>
internal static class CitizenHubProcess
{
    /// <summary>Starts <c>citizenhub</c> with the arguments, output and errors redirected for the test to read.</summary>
    public static Process Start(params string[] args) => Start(new Dictionary<string, string>(), args);

    /// <summary>Starts <c>citizenhub</c> with these environment variables besides the test's own (a process's, so tests running beside it do not see them).</summary>
    public static Process Start(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "citizenhub"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("citizenhub did not start");
    }
}
