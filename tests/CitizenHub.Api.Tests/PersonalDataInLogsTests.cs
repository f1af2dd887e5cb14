using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using CitizenHub.TestKit;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using Serilog.Events;

namespace CitizenHub.Api.Tests;

/// <summary>Nothing the hub logs names a resident: every event of a busy session is read back and searched.</summary>
public sealed class PersonalDataInLogsTests
{
    // Every name, date of birth, address, postcode and identifier in the two sources, as written and as normalised.
    private static readonly string[] PersonalData =
    [
        "Margaret", "Hughes", "Peggy", "John Andrew", "Okafor", "Chidi", "Patel", "Amy",
        "04/03/1950", "1950-03-04", "01/05/1960", "1960-05-01", "09/09/1988", "31/02/1975", "12/02/1975", "1991-12-12",
        "14 Weston Road", "Castle House", "Moved Street", "Mill Lane", "New Road",
        "ST16 2AB", "st162ab", "ST17 4AA", "ST174AA", "ST17 9ZZ", "ST15 8BB", "ST4 1AA",
        "JG103792A", "JG 10 37 92 A", "CE123456B", "CE 12 34 56 B",
    ];

    [Fact]
    public async Task SyncsReadsSearchesMistakesAndStewardsWork_LogNoPersonalData()
    {
        var sink = new CapturingSink();
        await using var hub = new EmbeddedHub();
        await hub.StartAsync(TwoSources.CouncilTax, TwoSources.HousingBenefits, services: s => s.AddSingleton<ILogEventSink>(sink));

        // Syncs, with the bad date row rejected.
        await hub.SyncAsync("council-tax");
        await hub.SyncAsync("housing-benefits");
        // Reads and searches, good and bad.
        var id = (await hub.Client.GetFromJsonAsync<JsonElement>("/citizens?family=hughes&dob=1950-03-04")).GetProperty("results")[0].GetProperty("citizenId").GetString();
        await hub.Client.GetAsync(new Uri($"/citizens/{id}", UriKind.Relative));
        await hub.Client.GetAsync(new Uri("/citizens?family=Okafor&dob=31/02/1975", UriKind.Relative));
        await hub.Client.GetAsync(new Uri("/citizens?postcode=ST99%20NOPE&given=Margaret", UriKind.Relative));
        await hub.ClientFor(null).GetAsync(new Uri("/citizens?family=hughes", UriKind.Relative));
        using var wrongKey = hub.ClientFor(null);
        wrongKey.DefaultRequestHeaders.Add("X-Api-Key", "JG103792A");
        await wrongKey.GetAsync(new Uri("/citizens?family=hughes", UriKind.Relative));
        // Stewards' and admins' work.
        await hub.ClientFor("steward").PostAsJsonAsync($"/citizens/{id}/split", new { sourceSystem = "housing-benefits", sourceKey = "HB-1", note = "not her" });
        await hub.ClientFor("admin").PostAsJsonAsync($"/citizens/{id}/restriction", new { restricted = true, reason = "objection" });
        await hub.ClientFor("admin").GetAsync(new Uri($"/citizens/{id}/export", UriKind.Relative));
        // A changed extract: updates, a removal, a re-evaluation.
        hub.Replace("housing-benefits.csv", TwoSources.HousingBenefits.Replace("HB-2|SMITH|JOHN|1960-05-01|FLAT 3, CASTLE HOUSE|STAFFORD|ST174AA||\n", "", StringComparison.Ordinal));
        await hub.SyncAsync("housing-benefits");

        var logged = sink.Rendered();
        Assert.NotEmpty(logged);
        foreach (var value in PersonalData)
        {
            Assert.DoesNotContain(logged, line => line.Contains(value, StringComparison.OrdinalIgnoreCase));
        }
    }

    private sealed class CapturingSink : ILogEventSink
    {
        private readonly ConcurrentQueue<LogEvent> _events = new();

        public void Emit(LogEvent logEvent) => _events.Enqueue(logEvent);

        /// <summary>Each event as a reader of any sink could see it: the message, every property, the exception.</summary>
        public List<string> Rendered() =>
        [
            .. _events.Select(e => string.Join(
                " | ",
                e.RenderMessage(System.Globalization.CultureInfo.InvariantCulture),
                string.Join(", ", e.Properties.Select(p => $"{p.Key}={p.Value}")),
                e.Exception?.ToString() ?? "")),
        ];
    }
}
