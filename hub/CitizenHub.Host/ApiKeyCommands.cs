using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using CitizenHub.Api.Access;

namespace CitizenHub.Host;

/// <summary><c>citizenhub keys add</c>: a new API key, and the configuration entry that admits it.</summary>
internal static class ApiKeyCommands
{
    public static async Task<int> AddAsync(string role, string? name, TextWriter output)
    {
        if (!ApiRoles.All.Contains(role, StringComparer.Ordinal))
        {
            throw new CliException($"unknown role '{role}'; allowed: {string.Join(", ", ApiRoles.All)}");
        }

        if (name is not null && string.IsNullOrWhiteSpace(name))
        {
            throw new CliException("--name is blank; give the name the audit trail should show for this key's caller, or leave it out");
        }

        // 256 bits from the system's generator: a key is a password no one has to remember.
        var key = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var hash = ApiKeys.Hash(key);
        var entry = new JsonObject { ["Name"] = name?.Trim() ?? $"{role}-{hash[..8]}", ["Sha256"] = hash, ["Roles"] = new JsonArray(role) };
        await output.WriteLineAsync($"""
            A new {role} key. It is shown only now: the configuration keeps its hash, from which the key cannot be found again.

              {key}

            Add this entry to Api.Keys in the configuration file, then restart the hub:

              {entry.ToJsonString(new JsonSerializerOptions { WriteIndented = false })}

            Callers send the key as the X-Api-Key header, or sign in with it on the web page.
            """).ConfigureAwait(false);
        return CitizenHubCli.Succeeded;
    }
}
