using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CitizenHub.TestKit;

namespace CitizenHub.Api.Tests;

/// <summary>Behind the golden record: history, explanations, source records, sources, export, restriction.</summary>
public sealed class CitizenDetailsTests : IClassFixture<AccessControlTests.Council>
{
    private readonly EmbeddedHub _hub;

    public CitizenDetailsTests(AccessControlTests.Council council) => _hub = council.Hub;

    [Fact]
    public async Task History_ListsEachChangeWithItsCauseAndSourceRecord()
    {
        var id = await FindAsync("hughes");

        var history = await _hub.Client.GetFromJsonAsync<JsonElement>($"/citizens/{id}/history");

        var entries = history.GetProperty("entries").EnumerateArray()
            .Select(e => (e.GetProperty("cause").GetString(), e.GetProperty("sourceSystem").GetString(), e.GetProperty("sourceKey").GetString()))
            .ToList();
        Assert.Contains(("Created", "council-tax", "CT001"), entries);
        Assert.Contains(("RecordAdded", "housing-benefits", "HB-1"), entries);
    }

    [Fact]
    public async Task Explanation_LinkedRecord_GivesThePairAndEachFieldsWeight_TheFirstRecordStartedTheCitizen()
    {
        var id = await FindAsync("hughes");

        var linked = await _hub.Client.GetFromJsonAsync<JsonElement>($"/citizens/{id}/links/housing-benefits/HB-1/explanation");
        var first = await _hub.Client.GetFromJsonAsync<JsonElement>($"/citizens/{id}/links/council-tax/CT001/explanation");
        using var elsewhere = await _hub.Client.GetAsync(new Uri($"/citizens/{id}/links/housing-benefits/HB-3/explanation", UriKind.Relative));

        var evidence = linked.GetProperty("evidence");
        Assert.Equal(("council-tax", "CT001"), (evidence.GetProperty("sourceSystem").GetString(), evidence.GetProperty("sourceKey").GetString()));
        var fields = evidence.GetProperty("explanation").GetProperty("fields").EnumerateArray().ToDictionary(f => f.GetProperty("comparison").GetString()!, f => f.GetProperty("level").GetString());
        Assert.Equal("exact", fields["ni_number"]);
        Assert.Equal("nickname", fields["given_name"]);
        Assert.True(first.GetProperty("startedCitizen").GetBoolean());
        Assert.Equal(HttpStatusCode.NotFound, elsewhere.StatusCode);
    }

    [Fact]
    public async Task SourceRecord_AsHeld_WithItsCitizen()
    {
        var id = await FindAsync("hughes");

        var held = await _hub.Client.GetFromJsonAsync<JsonElement>("/sources/council-tax/records/CT001");
        using var unknown = await _hub.Client.GetAsync(new Uri("/sources/council-tax/records/NOPE", UriKind.Relative));

        Assert.Equal(id, held.GetProperty("citizenId").GetString());
        Assert.Equal("CT001", held.GetProperty("record").GetProperty("sourceKey").GetString());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Sources_ForAnAdmin_LastRunCountsAndStatus_NotForAnAgent()
    {
        var sources = await _hub.ClientFor("admin").GetFromJsonAsync<JsonElement>("/sources");
        using var asAgent = await _hub.Client.GetAsync(new Uri("/sources", UriKind.Relative));

        var councilTax = sources.GetProperty("sources").EnumerateArray().Single(s => s.GetProperty("sourceSystem").GetString() == "council-tax");
        Assert.Equal(3, councilTax.GetProperty("recordsHeld").GetInt64());
        Assert.Equal((3, 1), (councilTax.GetProperty("lastRunRecords").GetInt32(), councilTax.GetProperty("lastRunRejects").GetInt32()));
        Assert.Equal("Completed", councilTax.GetProperty("lastRunStatus").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, asAgent.StatusCode);
    }

    [Fact]
    public async Task Export_ForAnAdmin_EverythingHeldWithLineageHistoryAndReads()
    {
        var id = await FindAsync("hughes");

        var export = await _hub.ClientFor("admin", "subject access request SAR-1").GetFromJsonAsync<JsonElement>($"/citizens/{id}/export");
        using var asAgent = await _hub.Client.GetAsync(new Uri($"/citizens/{id}/export", UriKind.Relative));

        Assert.Equal(id, export.GetProperty("citizen").GetProperty("citizenId").GetString());
        Assert.Equal(2, export.GetProperty("citizen").GetProperty("sourceRecords").GetArrayLength());
        // Everything held, whatever the class: the benefits claim is in the export.
        Assert.Equal("HB-1", export.GetProperty("citizen").GetProperty("sourceRecords")[1].GetProperty("record").GetProperty("rawFields").GetProperty("CLAIM_REF").GetString());
        Assert.Equal(2, export.GetProperty("links").GetArrayLength());
        Assert.NotEmpty(export.GetProperty("history").EnumerateArray());
        Assert.Contains(export.GetProperty("reads").EnumerateArray(), r => r.GetProperty("action").GetString() == "search");
        Assert.Equal(HttpStatusCode.Forbidden, asAgent.StatusCode);
    }

    [Fact]
    public async Task Restriction_HidesTheCitizenFromAgentsNotStewards_IsAudited_AndCanBeLifted()
    {
        await using var hub = new EmbeddedHub();
        await hub.StartAsync(TwoSources.CouncilTax, TwoSources.HousingBenefits);
        await hub.SyncAsync("council-tax");
        await hub.SyncAsync("housing-benefits");
        var id = (await hub.Client.GetFromJsonAsync<JsonElement>("/citizens?family=okafor")).GetProperty("results")[0].GetProperty("citizenId").GetString();
        using var admin = hub.ClientFor("admin");

        (await admin.PostAsJsonAsync($"/citizens/{id}/restriction", new { restricted = true, reason = "objection received, case 42" })).EnsureSuccessStatusCode();

        Assert.Empty((await hub.Client.GetFromJsonAsync<JsonElement>("/citizens?family=okafor")).GetProperty("results").EnumerateArray());
        Assert.Equal(HttpStatusCode.NotFound, (await hub.Client.GetAsync(new Uri($"/citizens/{id}", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await hub.Client.GetAsync(new Uri("/sources/housing-benefits/records/HB-3", UriKind.Relative))).StatusCode);
        var asSteward = await hub.ClientFor("steward").GetFromJsonAsync<JsonElement>($"/citizens/{id}");
        Assert.True(asSteward.GetProperty("restricted").GetBoolean());
        var audit = await hub.ClientFor("auditor").GetFromJsonAsync<JsonElement>($"/audit?citizen={id}");
        var restrict = audit.GetProperty("entries").EnumerateArray().Single(e => e.GetProperty("action").GetString() == "restrict");
        Assert.Equal(("test-admin", "objection received, case 42"), (restrict.GetProperty("caller").GetString(), restrict.GetProperty("purpose").GetString()));

        (await admin.PostAsJsonAsync($"/citizens/{id}/restriction", new { restricted = false, reason = "objection withdrawn" })).EnsureSuccessStatusCode();

        Assert.Single((await hub.Client.GetFromJsonAsync<JsonElement>("/citizens?family=okafor")).GetProperty("results").EnumerateArray());
    }

    [Fact]
    public async Task Restriction_AStewardSplitsARecordOff_NeitherCitizenIsThereForAnAgent_AndHistorySaysWhenItWasPlaced()
    {
        await using var hub = new EmbeddedHub();
        await hub.StartAsync(TwoSources.CouncilTax, TwoSources.HousingBenefits);
        await hub.SyncAsync("council-tax");
        await hub.SyncAsync("housing-benefits");
        var id = (await hub.Client.GetFromJsonAsync<JsonElement>("/citizens?family=hughes")).GetProperty("results")[0].GetProperty("citizenId").GetString();
        (await hub.ClientFor("admin").PostAsJsonAsync($"/citizens/{id}/restriction", new { restricted = true, reason = "fleeing abuse, case 9" })).EnsureSuccessStatusCode();

        using var split = await hub.ClientFor("steward").PostAsJsonAsync($"/citizens/{id}/split", new { sourceSystem = "housing-benefits", sourceKey = "HB-1", note = "not her" });
        var newId = (await split.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("otherCitizenId").GetString();

        Assert.Equal(HttpStatusCode.OK, split.StatusCode);
        Assert.Empty((await hub.Client.GetFromJsonAsync<JsonElement>("/citizens?family=hughes")).GetProperty("results").EnumerateArray());
        Assert.Empty((await hub.Client.GetFromJsonAsync<JsonElement>("/citizens?sourceSystem=housing-benefits&sourceKey=HB-1")).GetProperty("results").EnumerateArray());
        Assert.Equal(HttpStatusCode.NotFound, (await hub.Client.GetAsync(new Uri($"/citizens/{newId}", UriKind.Relative))).StatusCode);
        Assert.True((await hub.ClientFor("steward").GetFromJsonAsync<JsonElement>($"/citizens/{newId}")).GetProperty("restricted").GetBoolean());
        var history = await hub.ClientFor("steward").GetFromJsonAsync<JsonElement>($"/citizens/{id}/history");
        Assert.Contains("Restricted", history.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("cause").GetString()));
    }

    [Fact]
    public async Task Erasure_TheCitizenAnswersErased_TheAuditSaysWhoAndWhy_AndTheNextSyncsDoNotBringItBack()
    {
        await using var hub = new EmbeddedHub();
        await hub.StartAsync(TwoSources.CouncilTax, TwoSources.HousingBenefits);
        await hub.SyncAsync("council-tax");
        await hub.SyncAsync("housing-benefits");
        var id = (await hub.Client.GetFromJsonAsync<JsonElement>("/citizens?family=hughes")).GetProperty("results")[0].GetProperty("citizenId").GetString();
        using var admin = hub.ClientFor("admin");
        using var withoutReason = await admin.PostAsJsonAsync($"/citizens/{id}/erasure", new { });

        using var erased = await admin.PostAsJsonAsync($"/citizens/{id}/erasure", new { reason = "erasure request 2026/117, UK GDPR art. 17(1)(a)" });
        await hub.SyncAsync("council-tax");
        await hub.SyncAsync("housing-benefits");

        Assert.Equal(HttpStatusCode.BadRequest, withoutReason.StatusCode);
        Assert.Equal(HttpStatusCode.OK, erased.StatusCode);
        using var read = await admin.GetAsync(new Uri($"/citizens/{id}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Gone, read.StatusCode);
        Assert.Equal("citizen-erased", (await read.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.Empty((await hub.ClientFor("steward").GetFromJsonAsync<JsonElement>("/citizens?family=hughes")).GetProperty("results").EnumerateArray());
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync(new Uri("/sources/council-tax/records/CT001", UriKind.Relative))).StatusCode);
        var audit = await hub.ClientFor("auditor").GetFromJsonAsync<JsonElement>($"/audit?citizen={id}");
        var erasure = audit.GetProperty("entries").EnumerateArray().Single(e => e.GetProperty("action").GetString() == "erase");
        Assert.Equal(("test-admin", "erasure request 2026/117, UK GDPR art. 17(1)(a)"), (erasure.GetProperty("caller").GetString(), erasure.GetProperty("purpose").GetString()));
        var feed = await hub.ClientFor("steward").GetStringAsync(new Uri("/changes?after=0&limit=500", UriKind.Relative));
        Assert.Contains("\"Erased\"", feed, StringComparison.Ordinal);
        Assert.DoesNotContain("CT001", feed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restriction_WithoutAReason_RefusedNamingTheField()
    {
        var id = await FindAsync("hughes");

        using var response = await _hub.ClientFor("admin").PostAsJsonAsync($"/citizens/{id}/restriction", new { restricted = true });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("invalid-reason", "reason"), (problem.GetProperty("code").GetString(), problem.GetProperty("field").GetString()));
    }

    private async Task<string> FindAsync(string family) =>
        (await _hub.Client.GetFromJsonAsync<JsonElement>($"/citizens?family={family}")).GetProperty("results")[0].GetProperty("citizenId").GetString()!;
}
