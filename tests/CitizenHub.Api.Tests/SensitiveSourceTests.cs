using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using CitizenHub.TestKit;

namespace CitizenHub.Api.Tests;

/// <summary>
/// That a person has a social-care record is itself special-category data: a caller without the grant for the source's
/// class sees nothing of it — no value, name, link, history entry, change or search hit — and a golden value only it gave
/// is absent; a caller with the grant sees it all.
/// </summary>
public sealed class SensitiveSourceTests : IAsyncLifetime
{
    // Margaret Hughes is in council tax and benefits, and social care knows her too (same NI number), with an email
    // address no other source has. Ruth Adebayo is known to social care only.
    private const string SocialCare = """
        person_id,given,family,dob,ni,email
        SC-1,Margaret,Hughes,1950-03-04,JG103792A,peggy.h@example.org
        SC-2,Ruth,Adebayo,1944-07-21,,
        """;

    private readonly EmbeddedHub _hub = new();
    private string _hughes = "";
    private string _adebayo = "";

    public async Task InitializeAsync()
    {
        _hub.Replace("social-care.csv", SocialCare);
        await _hub.StartAsync(
            TwoSources.CouncilTax,
            TwoSources.HousingBenefits,
            api => api["Grants"] = new JsonObject { ["steward"] = new JsonArray("benefits", "social-care") },
            configure: root => root["Sources"]!.AsArray().Add(JsonNode.Parse("""
                { "Name": "social-care", "Kind": "Csv", "Priority": 3, "Sensitivity": "social-care",
                  "Csv": { "Path": "social-care.csv" },
                  "Mapping": { "Key": "person_id", "GivenNames": "given", "FamilyName": "family", "DateOfBirth": "dob",
                               "DateFormats": [ "yyyy-MM-dd" ], "NiNumber": "ni", "Emails": [ "email" ] } }
                """)));
        await _hub.SyncAsync("council-tax");
        await _hub.SyncAsync("housing-benefits");
        await _hub.SyncAsync("social-care");
        using var steward = _hub.ClientFor("steward");
        _hughes = await FirstAsync(steward, "/citizens?family=hughes&dob=1950-03-04");
        _adebayo = await FirstAsync(steward, "/citizens?family=adebayo");
    }

    public async Task DisposeAsync() => await _hub.DisposeAsync();

    [Fact]
    public async Task Citizen_AnAgentWithoutTheGrant_SeesNeitherTheRecordNorTheSourceName_NorTheValueOnlyItGave()
    {
        var asAgent = await _hub.Client.GetStringAsync(new Uri($"/citizens/{_hughes}", UriKind.Relative));
        var asSteward = await _hub.ClientFor("steward").GetStringAsync(new Uri($"/citizens/{_hughes}", UriKind.Relative));

        Assert.DoesNotContain("social-care", asAgent, StringComparison.Ordinal);
        Assert.DoesNotContain("SC-1", asAgent, StringComparison.Ordinal);
        Assert.DoesNotContain("peggy.h@example.org", asAgent, StringComparison.Ordinal);
        var fields = JsonDocument.Parse(asAgent).RootElement.GetProperty("fields");
        Assert.False(fields.TryGetProperty("email", out _));
        Assert.Equal("council-tax", fields.GetProperty("given_names").GetProperty("source").GetProperty("system").GetString());
        Assert.Contains("social-care", asSteward, StringComparison.Ordinal);
        Assert.Contains("peggy.h@example.org", asSteward, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_ACitizenKnownOnlyToTheSensitiveSource_IsNotThereForAnAgent_NorIsAHitByItsRecord()
    {
        var byName = await _hub.Client.GetFromJsonAsync<JsonElement>("/citizens?family=adebayo");
        var byRecord = await _hub.Client.GetFromJsonAsync<JsonElement>("/citizens?sourceSystem=social-care&sourceKey=SC-1");
        using var read = await _hub.Client.GetAsync(new Uri($"/citizens/{_adebayo}", UriKind.Relative));
        using var history = await _hub.Client.GetAsync(new Uri($"/citizens/{_adebayo}/history", UriKind.Relative));
        var asSteward = await _hub.ClientFor("steward").GetFromJsonAsync<JsonElement>("/citizens?family=adebayo");

        Assert.Empty(byName.GetProperty("results").EnumerateArray());
        Assert.Empty(byRecord.GetProperty("results").EnumerateArray());
        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, history.StatusCode);
        Assert.Single(asSteward.GetProperty("results").EnumerateArray());
    }

    [Fact]
    public async Task Search_AnAgentFindingHerThroughOtherSources_GetsNoValueOnlyTheSensitiveSourceGave()
    {
        var found = await _hub.Client.GetFromJsonAsync<JsonElement>("/citizens?family=hughes&dob=1950-03-04");

        var text = found.GetRawText();
        Assert.Equal(_hughes, found.GetProperty("results")[0].GetProperty("citizenId").GetString());
        Assert.DoesNotContain("social-care", text, StringComparison.Ordinal);
        Assert.DoesNotContain("peggy.h@example.org", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LinksHistoryAndSourceRecord_OfTheSensitiveSource_AreNotThereForAnAgent()
    {
        using var explanation = await _hub.Client.GetAsync(new Uri($"/citizens/{_hughes}/links/social-care/SC-1/explanation", UriKind.Relative));
        using var record = await _hub.Client.GetAsync(new Uri("/sources/social-care/records/SC-1", UriKind.Relative));
        var history = await _hub.Client.GetStringAsync(new Uri($"/citizens/{_hughes}/history", UriKind.Relative));
        var stewardsHistory = await _hub.ClientFor("steward").GetStringAsync(new Uri($"/citizens/{_hughes}/history", UriKind.Relative));
        using var stewardsRecord = await _hub.ClientFor("steward").GetAsync(new Uri("/sources/social-care/records/SC-1", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, explanation.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, record.StatusCode);
        Assert.DoesNotContain("social-care", history, StringComparison.Ordinal);
        Assert.Contains("social-care", stewardsHistory, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, stewardsRecord.StatusCode);
    }

    [Fact]
    public async Task ChangeFeed_AnAgentGetsNoChangeTheSensitiveSourceCaused()
    {
        var asAgent = await _hub.Client.GetStringAsync(new Uri("/changes?after=0&limit=500", UriKind.Relative));
        var asSteward = await _hub.ClientFor("steward").GetStringAsync(new Uri("/changes?after=0&limit=500", UriKind.Relative));

        Assert.DoesNotContain("social-care", asAgent, StringComparison.Ordinal);
        Assert.DoesNotContain(_adebayo, asAgent, StringComparison.Ordinal);
        Assert.Contains("social-care", asSteward, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_ASubjectAccessRequest_HoldsTheSensitiveSourceToo()
    {
        var export = await _hub.ClientFor("admin").GetStringAsync(new Uri($"/citizens/{_hughes}/export", UriKind.Relative));

        Assert.Contains("SC-1", export, StringComparison.Ordinal);
        Assert.Contains("peggy.h@example.org", export, StringComparison.Ordinal);
    }

    private static async Task<string> FirstAsync(HttpClient client, string query) =>
        (await client.GetFromJsonAsync<JsonElement>(query)).GetProperty("results")[0].GetProperty("citizenId").GetString()!;
}

/// <summary>Where a role's purposes are configured, a read for any other purpose is refused, saying which are allowed.</summary>
public sealed class PurposeListTests
{
    [Fact]
    public async Task Read_APurposeNotOnTheRolesList_RefusedWith403_OneOnItWithAReference_Allowed()
    {
        await using var hub = new EmbeddedHub();
        await hub.StartAsync(
            TwoSources.CouncilTax,
            TwoSources.HousingBenefits,
            api => api["Purposes"] = new JsonObject { ["agent"] = new JsonArray("council tax enquiry", "benefits enquiry") });
        await hub.SyncAsync("council-tax");

        using var curious = hub.ClientFor("agent", purpose: "just looking");
        using var refused = await curious.GetAsync(new Uri("/citizens?family=hughes", UriKind.Relative));
        using var onDuty = hub.ClientFor("agent", purpose: "Council Tax enquiry: call 20261202-17");
        using var allowed = await onDuty.GetAsync(new Uri("/citizens?family=hughes", UriKind.Relative));
        using var steward = hub.ClientFor("steward", purpose: "just looking");
        using var unlisted = await steward.GetAsync(new Uri("/citizens?family=hughes", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("purpose-not-allowed", "X-Purpose"), (problem.GetProperty("code").GetString(), problem.GetProperty("field").GetString()));
        Assert.Contains("council tax enquiry", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, unlisted.StatusCode);
    }
}
