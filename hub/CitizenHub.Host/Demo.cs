using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using CitizenHub.Api.Access;
using CitizenHub.Hub;
using CitizenHub.Matching;
using CitizenHub.Store;

namespace CitizenHub.Host;

/// <summary>
/// <c>citizenhub demo</c>: the sample council sources synced into a fresh embedded store, then the API served.
/// Each run starts from a new folder holding only the sample configuration and its source files, so it shows the
/// same thing every time, whatever a sync of the samples left beside them.
/// </summary>
internal static class Demo
{
    public const string DefaultUrls = "http://127.0.0.1:5080";

    public static Task<int> RunAsync(string urls, TextWriter output, CancellationToken cancellationToken) =>
        RunAsync(urls, output, Path.Combine(AppContext.BaseDirectory, "samples", "embedded"), cancellationToken);

    /// <param name="samples">The folder holding the sample configuration and sources (a test's copy, say).</param>
    internal static async Task<int> RunAsync(string urls, TextWriter output, string samples, CancellationToken cancellationToken)
    {
        if (!File.Exists(Path.Combine(samples, "citizenhub.json")))
        {
            throw new CliException($"the sample configuration is missing from {samples}");
        }

        var workspace = Path.Combine(Path.GetTempPath(), $"citizenhub-demo-{Guid.NewGuid():N}"[..28]);
        Directory.CreateDirectory(workspace);
        var config = JsonNode.Parse(
            await File.ReadAllTextAsync(Path.Combine(samples, "citizenhub.json"), cancellationToken).ConfigureAwait(false),
            documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })!.AsObject();
        // Only the configuration and the files its sources read are copied. A sync of the sample configuration leaves
        // its store and rejects in the samples folder; copied, they would be the demo's starting point.
        foreach (var path in SourceFiles(config))
        {
            var from = Path.GetFullPath(Path.Combine(samples, path));
            var to = Path.GetFullPath(Path.Combine(workspace, path));
            if (!to.StartsWith(workspace + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                throw new CliException($"the sample source '{path}' is outside the samples folder");
            }

            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(from, to);
        }

        // The store and the rejects in the workspace, whatever the sample configuration says.
        config["Store"] = new JsonObject { ["Provider"] = "Sqlite", ["ConnectionString"] = "Data Source=citizenhub.db" };
        var sync = config["Sync"] as JsonObject ?? [];
        sync["RejectsDirectory"] = "rejects";
        config["Sync"] = sync;

        // A fresh key for each role, admitted by its hash: the workspace's configuration holds no usable key.
        var keys = ApiRoles.All.ToDictionary(role => role, _ => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), StringComparer.Ordinal);
        var configPath = Path.Combine(workspace, "citizenhub.json");
        config["Api"] = new JsonObject
        {
            ["Keys"] = new JsonArray([.. keys.Select(k => (JsonNode)new JsonObject
            {
                ["Name"] = $"demo-{k.Key}", ["Sha256"] = ApiKeys.Hash(k.Value), ["Roles"] = new JsonArray(k.Key),
            })]),
            ["Grants"] = new JsonObject { [ApiRoles.Steward] = new JsonArray("social-care", "benefits"), [ApiRoles.Admin] = new JsonArray("social-care", "benefits") },
        };
        await File.WriteAllTextAsync(configPath, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), cancellationToken).ConfigureAwait(false);
        var hub = HubComposition.Load(configPath);
        await using var app = HubComposition.BuildWebApplication(hub, urls);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);

        await output.WriteLineAsync($"Demo workspace: {workspace}").ConfigureAwait(false);
        var runner = app.Services.GetRequiredService<SyncRunner>();
        foreach (var source in hub.Catalog.Sources)
        {
            await CitizenHubCli.WriteSummaryAsync(await runner.RunAsync(source, cancellationToken).ConfigureAwait(false), output, output).ConfigureAwait(false);
        }

        var baseUrl = urls.Split(';')[0].TrimEnd('/');
        var store = app.Services.GetRequiredService<ICitizenStore>();
        var asAgent = $"curl -H 'X-Api-Key: {keys[ApiRoles.Agent]}' -H 'X-Purpose: trying the demo'";
        await output.WriteLineAsync($"""

            The Customer View API is at {baseUrl} (Ctrl+C to stop).
            A key for each role (send it as X-Api-Key; reads of a citizen also say why, in X-Purpose):
            {string.Join(Environment.NewLine, keys.Select(k => $"  {k.Key,-8} {k.Value}"))}
            Try:
              curl {baseUrl}/health
            """).ConfigureAwait(false);
        if (await FindJoinedCitizenAsync(store, cancellationToken).ConfigureAwait(false) is { } joined)
        {
            var family = joined.Fields.FirstOrDefault(f => f.Field == GoldenFields.FamilyName)?.Value;
            var dob = joined.Fields.FirstOrDefault(f => f.Field == GoldenFields.DateOfBirth)?.Value;
            await output.WriteLineAsync($"""
                  {asAgent} {baseUrl}/citizens/{joined.CitizenId}
                  {asAgent} '{baseUrl}/citizens?family={Uri.EscapeDataString(family ?? "")}&dob={dob}'
                  curl -H 'X-Api-Key: {keys[ApiRoles.Auditor]}' '{baseUrl}/audit?citizen={joined.CitizenId}'
                (a citizen joined from {string.Join(" and ", joined.SourceRecords.Select(r => r.SourceSystem).Distinct())})
                """).ConfigureAwait(false);
        }

        await output.WriteLineAsync($"  curl {baseUrl}/openapi/v1.json").ConfigureAwait(false);
        await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        return CitizenHubCli.Succeeded;
    }

    /// <summary>The files the sample sources read (a file adapter's <c>Path</c>), relative to the configuration.</summary>
    private static IEnumerable<string> SourceFiles(JsonObject config)
    {
        foreach (var source in config["Sources"] as JsonArray ?? [])
        {
            foreach (var section in new[] { "Csv", "FixedWidth" })
            {
                if (source?[section]?["Path"] is JsonValue path && path.TryGetValue(out string? file))
                {
                    yield return file;
                }
            }
        }
    }

    /// <summary>The first citizen whose golden record joins records from more than one source.</summary>
    private static async Task<CitizenView?> FindJoinedCitizenAsync(ICitizenStore store, CancellationToken cancellationToken)
    {
        string? current = null;
        var systems = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var link in store.ReadLinksAsync(cancellationToken).ConfigureAwait(false))
        {
            if (link.CitizenId != current)
            {
                current = link.CitizenId;
                systems.Clear();
            }

            if (systems.Add(link.SourceSystem) && systems.Count > 1)
            {
                return await store.GetCitizenAsync(current, cancellationToken).ConfigureAwait(false);
            }
        }

        return null;
    }
}
