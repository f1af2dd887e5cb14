using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CitizenHub.Api.Tests;

/// <summary>
/// A council's own reference and a postcode from outside the UK, found through the search: council tax and housing
/// benefits both hold the council-tax account (a named scheme), and benefits holds a resident's Dublin address.
/// </summary>
public sealed class SchemeAndPostcodeSearchTests : IClassFixture<SchemeAndPostcodeSearchTests.SyncedHub>
{
    private const string CouncilTax = """
        account_ref,title,forenames,surname,date_of_birth,address_1,town,postcode,ni_number
        CT-000-12,Mrs,Margaret,Hughes,04/03/1950,14 Weston Road,Stafford,ST16 2AB,
        CT-000-13,Mr,Idris,Pugh,11/11/1971,3 Mill Lane,Stone,ST15 8BB,

        """;

    // Margaret Hughes, moved, under her pet name, her account written in lower case.
    private const string HousingBenefits = """
        CLAIM_REF|SURNAME|FORENAMES|DOB|ADDR_LINE_1|TOWN|POSTCODE|NINO|NHS|CT_ACCOUNT
        HB-1|HUGHES|PEGGY|1950-03-04|22 Moved Street|Stafford|ST17 9ZZ|||ct-000-12
        HB-2|BYRNE|SIOBHAN|1983-06-02|9 Pembroke Road|Dublin|d02 x285|||

        """;

    private readonly SyncedHub _hub;

    public SchemeAndPostcodeSearchTests(SyncedHub hub) => _hub = hub;

    [Fact]
    public async Task Search_ByANamedSchemesIdentifier_HoweverWritten_FindsTheCitizenHoldingIt_AndSaysItMatched()
    {
        var found = await GetJsonAsync("/citizens?scheme=council-tax-account&identifier=ct-000-12");
        var housing = await GetJsonAsync("/citizens?scheme=council-tax-account&identifier=%20CT-000-12%20");

        var result = Assert.Single(found.GetProperty("results").EnumerateArray().ToList());
        var citizen = await GetJsonAsync(result.GetProperty("href").GetString()!);
        Assert.Equal(["CT-000-12", "HB-1"], citizen.GetProperty("sourceRecords").EnumerateArray().Select(r => r.GetProperty("sourceKey").GetString()!).Order().ToList());
        Assert.Equal("Hughes", result.GetProperty("fields").GetProperty("family_name").GetProperty("value").GetString());
        var matched = result.GetProperty("matched").EnumerateArray().ToDictionary(m => m.GetProperty("comparison").GetString()!, m => m.GetProperty("level").GetString());
        Assert.Equal("exact", matched["identifier:council-tax-account"]);
        Assert.Equal(result.GetProperty("citizenId").GetString(), Assert.Single(housing.GetProperty("results").EnumerateArray().ToList()).GetProperty("citizenId").GetString());
    }

    [Fact]
    public async Task Search_ByANamedSchemesIdentifier_HeldOnlyByTheOtherCitizen_OrUnderAnotherScheme_FindsNoOneElse()
    {
        var pugh = await GetJsonAsync("/citizens?scheme=council-tax-account&identifier=CT-000-13");
        var otherScheme = await GetJsonAsync("/citizens?scheme=housing-reference&identifier=CT-000-12");
        var nobody = await GetJsonAsync("/citizens?scheme=council-tax-account&identifier=CT-999-99");

        Assert.Equal("Pugh", Assert.Single(pugh.GetProperty("results").EnumerateArray().ToList()).GetProperty("fields").GetProperty("family_name").GetProperty("value").GetString());
        Assert.Empty(otherScheme.GetProperty("results").EnumerateArray());
        Assert.Empty(nobody.GetProperty("results").EnumerateArray());
    }

    [Fact]
    public async Task Search_ByAPostcodeFromOutsideTheUk_InAnyCaseAndSpacing_FindsTheResidentThere()
    {
        var found = await GetJsonAsync("/citizens?postcode=D02X285");

        var result = Assert.Single(found.GetProperty("results").EnumerateArray().ToList());
        Assert.Equal("Byrne", result.GetProperty("fields").GetProperty("family_name").GetProperty("value").GetString());
        Assert.Contains(result.GetProperty("matched").EnumerateArray(), m => m.GetProperty("comparison").GetString() == "address" && m.GetProperty("weight").GetDouble() > 0);
    }

    [Theory]
    [InlineData("/citizens?scheme=council-tax-account", "invalid-scheme-identifier", "identifier")]
    [InlineData("/citizens?identifier=CT-000-12", "invalid-scheme-identifier", "scheme")]
    [InlineData("/citizens?scheme=Council%20Tax&identifier=CT-000-12", "invalid-scheme", "scheme")]
    [InlineData("/citizens?scheme=council-tax-account&identifier=%20%20", "invalid-scheme-identifier", "identifier")]
    [InlineData("/citizens?postcode=%20-%20", "invalid-postcode", "postcode")]
    public async Task BadSchemeOrPostcode_AnswersProblemNamingCodeAndField(string url, string code, string? field)
    {
        using var response = await _hub.Hub.Client.GetAsync(new Uri(url, UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.Equal(field, problem.TryGetProperty("field", out var f) ? f.GetString() : null);
    }

    private async Task<JsonElement> GetJsonAsync(string url) => await _hub.Hub.Client.GetFromJsonAsync<JsonElement>(url);

    public sealed class SyncedHub : IAsyncLifetime
    {
        public EmbeddedHub Hub { get; } = new();

        public async Task InitializeAsync()
        {
            await Hub.StartAsync(CouncilTax, HousingBenefits, configure: root =>
            {
                root["Sources"]![0]!["Mapping"]!["Identifiers"] = new JsonArray(new JsonObject { ["Field"] = "account_ref", ["Scheme"] = "council-tax-account" });
                var benefits = root["Sources"]![1]!["Mapping"]!.AsObject();
                benefits["Identifiers"] = new JsonArray(new JsonObject { ["Field"] = "CT_ACCOUNT", ["Scheme"] = "council-tax-account" });
                benefits["PostcodeFormat"] = "Any";
            });
            foreach (var source in new[] { "council-tax", "housing-benefits" })
            {
                var summary = await Hub.SyncAsync(source);
                Assert.True(summary.Succeeded && summary.Rejects == 0, summary.Error);
            }
        }

        public async Task DisposeAsync() => await Hub.DisposeAsync();
    }
}
