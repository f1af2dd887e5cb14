using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using CitizenHub.Api.Access;
using CitizenHub.Hub;
using CitizenHub.Matching;
using CitizenHub.Matching.Identity;
using CitizenHub.Samples.Demo;
using CitizenHub.Samples.LegacyHousing;
using CitizenHub.Store;

namespace CitizenHub.Host;

/// <summary>
/// <c>citizenhub demo</c>: four legacy council systems of the 2003–2013 kind — a council tax CSV drop, a benefits
/// mainframe's fixed-width extract, a housing system's SOAP service and the electoral register's database — made from
/// one seeded population (<see cref="DemoCouncil"/>), synced into a fresh embedded store, then the API served.
/// Each run starts from a new folder, so it shows the same thing every time.
/// </summary>
internal static class Demo
{
    public const string DefaultUrls = "http://127.0.0.1:5080";

    /// <summary>The user the housing service admits; its password is made afresh at each start.</summary>
    public const string HousingUser = "citizenhub-feed";

    public static async Task<int> RunAsync(string urls, TextWriter output, CancellationToken cancellationToken)
    {
        var workspace = Path.Combine(Path.GetTempPath(), $"citizenhub-demo-{Guid.NewGuid():N}"[..28]);
        Directory.CreateDirectory(workspace);
        var council = DemoCouncil.Generate();
        council.WriteCouncilTax(Path.Combine(workspace, DemoCouncil.CouncilTaxFile));
        council.WriteBenefits(Path.Combine(workspace, DemoCouncil.BenefitsFile));
        council.CreateElectoralRegister(Path.Combine(workspace, DemoCouncil.ElectoralRegisterFile));

        // The housing system runs beside the hub, on a port the system picks, and admits only the feed's user.
        var housingPassword = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        await using var housing = LegacyHousingService.Build("http://127.0.0.1:0", new TenancyBook(council.Tenancies), HousingUser, housingPassword);
        await housing.StartAsync(cancellationToken).ConfigureAwait(false);
        // Kestrel writes the port it was given into the bound addresses.
        var housingUrl = housing.Urls.First().TrimEnd('/');

        var keys = ApiRoles.All.ToDictionary(role => role, _ => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), StringComparer.Ordinal);
        var configPath = Path.Combine(workspace, "citizenhub.json");
        await File.WriteAllTextAsync(configPath, Configure(keys, housingUrl + LegacyHousingService.Path, housingPassword), cancellationToken).ConfigureAwait(false);

        var hub = HubComposition.Load(configPath);
        await using var app = HubComposition.BuildWebApplication(hub, urls);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);

        await output.WriteLineAsync($"Demo workspace: {workspace}").ConfigureAwait(false);
        await output.WriteLineAsync($"Housing SOAP service (WS-Security UsernameToken required): {housingUrl}{LegacyHousingService.Path} (WSDL: ?wsdl)").ConfigureAwait(false);
        var runner = app.Services.GetRequiredService<SyncRunner>();
        var failed = false;
        await runner.RunEachAsync(
            hub.Catalog.Sources,
            async summary =>
            {
                failed |= summary.Failed;
                await SyncReport.WriteSummaryAsync(summary, output, output).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);

        var baseUrl = urls.Split(';')[0].TrimEnd('/');
        var store = app.Services.GetRequiredService<ICitizenStore>();
        var reviews = await store.GetReviewsAsync(new ReviewQuery(ReviewStatus.Open, 1000), cancellationToken).ConfigureAwait(false);
        var asAgent = $"curl -H 'X-Api-Key: {keys[ApiRoles.Agent]}' -H 'X-Purpose: trying the demo'";
        await output.WriteLineAsync($"""

            {council.Residents.Count} residents of a fictional Stafford, as four systems know them; {reviews.Count} uncertain pairs wait for a steward.
            Open {baseUrl}/ in a browser and sign in with a key below (Ctrl+C to stop).
            A key for each role (for the API, send it as X-Api-Key; reads of a citizen also say why, in X-Purpose):
            {string.Join(Environment.NewLine, keys.Select(k => $"  {k.Key,-8} {k.Value}"))}
            Try:
              curl {baseUrl}/health
            """).ConfigureAwait(false);
        if (await FindMostJoinedCitizenAsync(store, cancellationToken).ConfigureAwait(false) is { } joined)
        {
            var family = joined.Fields.FirstOrDefault(f => f.Field == GoldenFields.FamilyName)?.Value;
            var postcode = joined.Fields.FirstOrDefault(f => f.Field == GoldenFields.Postcode)?.Value;
            await output.WriteLineAsync($"""
                  {asAgent} {baseUrl}/citizens/{joined.CitizenId}
                  {asAgent} '{baseUrl}/citizens?family={Uri.EscapeDataString(family ?? "")}&postcode={Uri.EscapeDataString(postcode ?? "")}'
                  curl -H 'X-Api-Key: {keys[ApiRoles.Steward]}' {baseUrl}/reviews
                  curl -H 'X-Api-Key: {keys[ApiRoles.Auditor]}' '{baseUrl}/audit?citizen={joined.CitizenId}'
                (a citizen joined from {string.Join(", ", joined.SourceRecords.Select(r => r.SourceSystem).Distinct())};
                 signed in to the page, see them at {baseUrl}/residents/{joined.CitizenId})
                """).ConfigureAwait(false);
        }

        await output.WriteLineAsync($"  curl {baseUrl}/openapi/v1.json   (browsable at {baseUrl}/docs/)").ConfigureAwait(false);
        if (failed)
        {
            await output.WriteLineAsync("A source failed to sync (above): the API serves what the others gave.").ConfigureAwait(false);
        }

        await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        await housing.StopAsync(CancellationToken.None).ConfigureAwait(false);
        return CitizenHubCli.Succeeded;
    }

    /// <summary>The demo's configuration with this run's housing address and password, store, and a fresh key per role.</summary>
    private static string Configure(IReadOnlyDictionary<string, string> keys, string housingEndpoint, string housingPassword)
    {
        var config = JsonNode.Parse(
            DemoCouncil.Configuration(),
            documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })!.AsObject();
        // The schema's path is relative to the samples folder, which the workspace is not beside.
        config.Remove("$schema");
        var housing = (config["Sources"]!.AsArray().Single(s => (string?)s!["Name"] == "housing")!["Soap"] as JsonObject)!;
        housing["Endpoint"] = housingEndpoint;
        housing["Username"] = HousingUser;
        housing["Password"] = housingPassword;

        // The workspace's configuration holds only each key's hash; the keys themselves are printed once.
        config["Api"] = new JsonObject
        {
            ["Keys"] = new JsonArray([.. keys.Select(k => (JsonNode)new JsonObject
            {
                ["Name"] = $"demo-{k.Key}", ["Sha256"] = ApiKeys.Hash(k.Value), ["Roles"] = new JsonArray(k.Key),
            })]),
            // Stewards and administrators see the housing vulnerability flag and the benefit awards; agents do not.
            ["Grants"] = new JsonObject { [ApiRoles.Steward] = new JsonArray("social-care", "benefits"), [ApiRoles.Admin] = new JsonArray("social-care", "benefits") },
        };
        return config.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>The first citizen whose golden record joins records from the most sources (all four, in the demo's data).</summary>
    private static async Task<CitizenView?> FindMostJoinedCitizenAsync(ICitizenStore store, CancellationToken cancellationToken)
    {
        string? current = null, best = null;
        var most = 1;
        var systems = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var link in store.ReadLinksAsync(cancellationToken).ConfigureAwait(false))
        {
            if (link.CitizenId != current)
            {
                current = link.CitizenId;
                systems.Clear();
            }

            if (systems.Add(link.SourceSystem) && systems.Count > most)
            {
                (best, most) = (current, systems.Count);
            }
        }

        return best is null ? null : await store.GetCitizenAsync(best, cancellationToken).ConfigureAwait(false);
    }
}
