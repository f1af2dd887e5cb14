using System.Reflection;

namespace CitizenHub.Host.Tests;

/// <summary>
/// Adapter plug-ins: the template's Example adapter, built as a plug-in (its output folder, .deps.json and all), loaded
/// from the configured folder by the real command line; the hub itself knows nothing of the Example kind.
/// </summary>
public sealed class AdapterPluginTests : CommandLineTest
{
    /// <summary>The Example adapter's build output (this project builds it first; see the .csproj).</summary>
    private static readonly string ExampleOutput = typeof(AdapterPluginTests).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ExamplePluginOutput").Value!;

    [Fact]
    public async Task Sync_SourceOfAKindOnlyAPluginAdds_ReadThroughThePluginWithItsReject()
    {
        CopyFolder(ExampleOutput, Folder.File(Path.Combine("plugins", "example")));
        Folder.Write("export.jsonl", """
            {"id":"EX1","surname":"Family1","dob":"1950-03-04"}
            {"id":"EX2","surname":"Family2","dob":"1951-03-04"}
            {"id":"EX3","surname":{"nested":true}}
            {"id":"EX4","surname":"Family4","dob":"1952-03-04"}
            """);
        var config = WriteConfig();

        var code = await RunAsync("sync", "--config", config);

        Assert.True(code == 0, Error.ToString());
        Assert.Contains("example: 3 records, 1 rejected, 0 removed", Output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sync_TwoPluginsAddingOneKind_ExitsTwoNamingBoth()
    {
        CopyFolder(ExampleOutput, Folder.File(Path.Combine("plugins", "first")));
        CopyFolder(ExampleOutput, Folder.File(Path.Combine("plugins", "second")));
        Folder.Write("export.jsonl", """{"id":"EX1","surname":"Family1"}""");
        var config = WriteConfig();

        var code = await RunAsync("sync", "--config", config);

        Assert.Equal(2, code);
        var assembly = "CitizenHub.Adapters.Example.dll";
        Assert.Contains(
            $"$.Plugins.Folder: the adapter kind 'Example' is added more than once (plug-in '{Folder.File(Path.Combine("plugins", "first", assembly))}', plug-in '{Folder.File(Path.Combine("plugins", "second", assembly))}')",
            Error.ToString(),
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sync_PluginThatIsNotAnAssembly_ExitsTwoNamingTheFile()
    {
        var plugin = Folder.File(Path.Combine("plugins", "broken"));
        Directory.CreateDirectory(plugin);
        File.WriteAllText(Path.Combine(plugin, "Broken.dll"), "not an assembly");
        File.Copy(Path.Combine(ExampleOutput, "CitizenHub.Adapters.Example.deps.json"), Path.Combine(plugin, "Broken.deps.json"));
        var config = WriteConfig();

        var code = await RunAsync("sync", "--config", config);

        Assert.Equal(2, code);
        Assert.Contains("$.Plugins.Folder: plug-in '" + Path.Combine(plugin, "Broken.dll") + "': not a .NET assembly", Error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sync_PluginWithAMalformedDepsFile_ExitsTwoNamingTheFileRatherThanCrashing()
    {
        var plugin = Folder.File(Path.Combine("plugins", "broken"));
        Directory.CreateDirectory(plugin);
        File.Copy(Path.Combine(ExampleOutput, "CitizenHub.Adapters.Example.dll"), Path.Combine(plugin, "Broken.dll"));
        File.WriteAllText(Path.Combine(plugin, "Broken.deps.json"), "{}");
        var config = WriteConfig();

        var code = await RunAsync("sync", "--config", config);

        Assert.Equal(2, code);
        Assert.Contains("$.Plugins.Folder: plug-in '" + Path.Combine(plugin, "Broken.deps.json") + "': not a build's .deps.json", Error.ToString(), StringComparison.Ordinal);
    }

    /// <summary>One source of the kind the Example plug-in adds, reading export.jsonl; plug-ins in plugins/.</summary>
    private string WriteConfig() => Folder.Write("citizenhub.json", """
        {
          "Plugins": { "Folder": "plugins" },
          "Sources": [
            {
              "Name": "example",
              "Kind": "Example",
              "Example": { "Path": "export.jsonl" },
              "Mapping": { "Key": "id", "FamilyName": "surname", "DateOfBirth": "dob", "DateFormats": [ "yyyy-MM-dd" ] }
            }
          ]
        }
        """);

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }
}
