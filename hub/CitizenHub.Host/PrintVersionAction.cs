using System.CommandLine;
using System.CommandLine.Invocation;
using System.Reflection;

namespace CitizenHub.Host;

/// <summary>
/// <c>citizenhub --version</c>: the program's name and its informational version (the version, then the commit it was
/// built from), read from this assembly. System.CommandLine's own action reads the entry assembly's, which is a test
/// host's when the command line runs in-process.
/// </summary>
internal sealed class PrintVersionAction : SynchronousCommandLineAction
{
    public static string Text { get; } =
        $"citizenhub {typeof(PrintVersionAction).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown"}";

    public override int Invoke(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        parseResult.InvocationConfiguration.Output.WriteLine(Text);
        return CitizenHubCli.Succeeded;
    }
}
