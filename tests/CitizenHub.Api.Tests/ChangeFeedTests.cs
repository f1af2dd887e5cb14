using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CitizenHub.TestKit;

namespace CitizenHub.Api.Tests;

/// <summary>The change feed: in order, resumable from its cursor, long-polled, ids only.</summary>
public sealed class ChangeFeedTests
{
    [Fact]
    public async Task Feed_FromTheStart_ThenResumedFromItsCursor_GivesEachChangeOnceInOrder()
    {
        await using var hub = await StartAsync();

        var first = await hub.Client.GetFromJsonAsync<JsonElement>("/changes?after=0");
        var next = first.GetProperty("next").GetInt64();
        var caughtUp = await hub.Client.GetFromJsonAsync<JsonElement>($"/changes?after={next}");
        hub.Replace("housing-benefits.csv", TwoSources.HousingBenefits.Replace("HB-3|OKAFOR|CHIDI|1991-12-12|5 New Road", "HB-3|OKAFOR|CHIDI|1991-12-12|7 New Road", StringComparison.Ordinal));
        await hub.SyncAsync("housing-benefits");
        var later = await hub.Client.GetFromJsonAsync<JsonElement>($"/changes?after={next}");

        var sequences = first.GetProperty("changes").EnumerateArray().Select(c => c.GetProperty("sequence").GetInt64()).ToList();
        Assert.Equal(sequences.Order(), sequences);
        Assert.Equal(sequences[^1], next);
        Assert.Contains(first.GetProperty("changes").EnumerateArray(), c => c.GetProperty("kind").GetString() == "Created");
        Assert.Empty(caughtUp.GetProperty("changes").EnumerateArray());
        Assert.Equal(next, caughtUp.GetProperty("next").GetInt64());
        var change = Assert.Single(later.GetProperty("changes").EnumerateArray().ToList());
        Assert.Equal("Changed", change.GetProperty("kind").GetString());
        Assert.Contains("address", change.GetProperty("changedFields").EnumerateArray().Select(f => f.GetString()));
        // Ids and field names, never the values.
        Assert.DoesNotContain("New Road", later.GetRawText(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Feed_Waiting_AnswersAsSoonAsAChangeIsCommitted()
    {
        await using var hub = await StartAsync();
        var next = (await hub.Client.GetFromJsonAsync<JsonElement>("/changes?after=0")).GetProperty("next").GetInt64();

        var waiting = hub.Client.GetFromJsonAsync<JsonElement>($"/changes?after={next}&wait=20");
        await Task.Delay(300);
        Assert.False(waiting.IsCompleted);
        hub.Replace("council-tax.csv", TwoSources.CouncilTax.Replace("14 Weston Road", "15 Weston Road", StringComparison.Ordinal));
        await hub.SyncAsync("council-tax");

        var answer = await waiting.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.NotEmpty(answer.GetProperty("changes").EnumerateArray());
    }

    [Fact]
    public async Task Feed_RestrictedCitizen_NotInAnAgentsFeed_InAStewards()
    {
        await using var hub = await StartAsync();
        var id = (await hub.Client.GetFromJsonAsync<JsonElement>("/citizens?family=okafor")).GetProperty("results")[0].GetProperty("citizenId").GetString();
        (await hub.ClientFor("admin").PostAsJsonAsync($"/citizens/{id}/restriction", new { restricted = true, reason = "objection, case 7" })).EnsureSuccessStatusCode();

        var agents = await hub.Client.GetFromJsonAsync<JsonElement>("/changes?after=0");
        var stewards = await hub.ClientFor("steward").GetFromJsonAsync<JsonElement>("/changes?after=0");

        Assert.DoesNotContain(id!, agents.GetRawText(), StringComparison.Ordinal);
        Assert.Contains(id!, stewards.GetRawText(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/changes?after=-1", "invalid-cursor", "after")]
    [InlineData("/changes?limit=5000", "invalid-limit", "limit")]
    [InlineData("/changes?wait=600", "invalid-wait", "wait")]
    public async Task Feed_BadQuery_ProblemNamingTheField(string url, string code, string field)
    {
        await using var hub = await StartAsync();

        using var response = await hub.Client.GetAsync(new Uri(url, UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((code, field), (problem.GetProperty("code").GetString(), problem.GetProperty("field").GetString()));
    }

    private static async Task<EmbeddedHub> StartAsync()
    {
        var hub = new EmbeddedHub();
        await hub.StartAsync(TwoSources.CouncilTax, TwoSources.HousingBenefits);
        await hub.SyncAsync("council-tax");
        await hub.SyncAsync("housing-benefits");
        return hub;
    }
}
