using System.Text.Json;
using System.Text.RegularExpressions;
using CitizenHub.Api.Access;

namespace CitizenHub.Host.Tests;

/// <summary><c>citizenhub keys add</c>: a key shown once, and the entry that admits it.</summary>
public sealed partial class ApiKeyCommandsTests : CommandLineTest
{
    [GeneratedRegex(@"^  ([0-9a-f]{64})\r?$", RegexOptions.Multiline)]
    private static partial Regex PrintedKey();

    [GeneratedRegex(@"^  (\{.*\})\r?$", RegexOptions.Multiline)]
    private static partial Regex PrintedEntry();

    [Fact]
    public async Task KeysAdd_KnownRole_PrintsTheKeyOnceAndAnEntryHoldingOnlyItsHash()
    {
        var code = await RunAsync("keys", "add", "--role", "steward", "--name", "data-team");

        Assert.Equal(0, code);
        var printed = Output.ToString();
        var key = PrintedKey().Match(printed).Groups[1].Value;
        var entry = JsonSerializer.Deserialize<ApiKeyOptions>(PrintedEntry().Match(printed).Groups[1].Value)!;
        Assert.Equal(("data-team", ApiKeys.Hash(key)), (entry.Name, entry.Sha256));
        Assert.Equal(["steward"], entry.Roles);
        Assert.Single(Regex.Matches(printed, key));
        Assert.Empty(Error.ToString());
    }

    [Fact]
    public async Task KeysAdd_EntryPastedIntoApiKeys_IsAValidConfiguration()
    {
        await RunAsync("keys", "add", "--role", "agent");
        var entry = PrintedEntry().Match(Output.ToString()).Groups[1].Value;
        var config = Folder.Write("citizenhub.json", $$"""{ "Api": { "Keys": [ {{entry}} ] } }""");

        var code = await RunAsync("config", "validate", "--config", config);

        Assert.Equal(0, code);
        Assert.Matches(@"\{""Name"":""agent-[0-9a-f]{8}""", entry);
    }

    [Fact]
    public async Task KeysAdd_Twice_MakesTwoDifferentKeys()
    {
        await RunAsync("keys", "add", "--role", "agent");
        await RunAsync("keys", "add", "--role", "agent");

        var keys = PrintedKey().Matches(Output.ToString()).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(2, keys.Distinct().Count());
    }

    [Fact]
    public async Task KeysAdd_UnknownRole_ExitsTwoNamingTheAllowedRolesAndPrintsNoKey()
    {
        var code = await RunAsync("keys", "add", "--role", "superuser");

        Assert.Equal(2, code);
        Assert.Equal("citizenhub: unknown role 'superuser'; allowed: agent, steward, admin, auditor", Error.ToString().TrimEnd());
        Assert.DoesNotMatch(PrintedKey(), Output.ToString());
    }

    [Fact]
    public async Task KeysAdd_WithoutARole_IsAUsageError()
    {
        var code = await RunAsync("keys", "add");

        Assert.Equal(2, code);
        Assert.Contains("--role", Error.ToString(), StringComparison.Ordinal);
    }
}
