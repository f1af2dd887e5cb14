using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace CitizenHub.Api.Tests;

public sealed class MergeRedirectTests
{
    [Fact]
    public async Task Get_IdMergedAway_RedirectsPermanentlyToSurvivor()
    {
        await using var hub = new EmbeddedHub();
        // Two people as far as the hub knows (different spellings and addresses, one NI and one NHS number)...
        await hub.StartAsync(
            """
            account_ref,title,forenames,surname,date_of_birth,address_1,town,postcode,ni_number
            CT1,Ms,Ann,Lee,,1 High Street,Stafford,ST16 1AA,AB123456C

            """,
            """
            CLAIM_REF|SURNAME|FORENAMES|DOB|ADDR_LINE_1|TOWN|POSTCODE|NINO|NHS
            HB1|LEIGH|ANNE||9 MILL LANE|STONE|ST15 8BB||9434765919

            """);
        await hub.SyncAsync("council-tax");
        await hub.SyncAsync("housing-benefits");
        var survivor = await IdOfAsync(hub, "council-tax", "CT1");
        var absorbed = await IdOfAsync(hub, "housing-benefits", "HB1");
        Assert.NotEqual(survivor, absorbed);

        // ...until the benefits office records both numbers on one claim.
        hub.Replace("housing-benefits.csv", """
            CLAIM_REF|SURNAME|FORENAMES|DOB|ADDR_LINE_1|TOWN|POSTCODE|NINO|NHS
            HB1|LEIGH|ANNE||9 MILL LANE|STONE|ST15 8BB|AB123456C|9434765919

            """);
        await hub.SyncAsync("housing-benefits");

        using var response = await hub.Client.GetAsync(new Uri($"/citizens/{absorbed}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.PermanentRedirect, response.StatusCode);
        Assert.Equal($"/citizens/{survivor}", response.Headers.Location?.ToString());
        Assert.Equal(survivor, await IdOfAsync(hub, "housing-benefits", "HB1"));
    }

    /// <summary>The citizen holding a source record, found by its key.</summary>
    private static async Task<string> IdOfAsync(EmbeddedHub hub, string system, string key)
    {
        var found = await hub.Client.GetFromJsonAsync<JsonElement>($"/citizens?sourceSystem={system}&sourceKey={key}");
        return Assert.Single(found.GetProperty("results").EnumerateArray().ToList()).GetProperty("citizenId").GetString()!;
    }
}
