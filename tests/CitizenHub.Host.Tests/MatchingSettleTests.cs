using System.Globalization;
using System.Text;

namespace CitizenHub.Host.Tests;

/// <summary>
/// <c>citizenhub matching settle</c>, as a council uses it whose sources came in on different nights: a link a first load
/// made while a name looked rare is decided again once a later night's records show the name to be common.
/// </summary>
public sealed class MatchingSettleTests : CommandLineTest
{
    [Fact]
    public async Task Settle_ALinkOnANameAloneMadeBeforeALaterNightShowedTheNameCommon_PartsItOnceAndThenChangesNothing()
    {
        var config = WriteCouncil();
        Assert.Equal(0, await RunAsync("sync", "--config", config, "--source", "tax", "--source", "roll"));
        Assert.Equal(0, await RunAsync("sync", "--config", config, "--source", "benefits"));
        // The first load linked the two on the name alone; the second night's sync, on a store not empty, left it.
        var linked = await LinksAsync(config);
        Assert.Equal(linked["tax:T1"], linked["roll:R1"]);
        Output.GetStringBuilder().Clear();

        var code = await RunAsync("matching", "settle", "--config", config);

        Assert.Equal(0, code);
        var settled = await LinksAsync(config);
        Assert.NotEqual(settled["tax:T1"], settled["roll:R1"]);
        // The citizen with the dated record keeps its id; nothing else moved.
        Assert.Equal(linked["tax:T1"], settled["tax:T1"]);
        Assert.Equal(linked.Where(l => l.Key != "roll:R1"), settled.Where(l => l.Key != "roll:R1"));
        Assert.StartsWith("decided again: 1705 records, 0 of 0 open reviews now linked; 0 citizens merged, 1 split, 0 pairs sent for review; ", Output.ToString(), StringComparison.Ordinal);

        Output.GetStringBuilder().Clear();
        Assert.Equal(0, await RunAsync("matching", "settle", "--config", config));
        Assert.Contains("; 0 citizens merged, 0 split, 0 pairs sent for review; ", Output.ToString(), StringComparison.Ordinal);
        Assert.Equal(settled, await LinksAsync(config));
    }

    /// <summary>Each record, as <c>source:key</c>, and its citizen, by <c>citizenhub export links</c>.</summary>
    private async Task<SortedDictionary<string, string>> LinksAsync(string config)
    {
        var path = Folder.File("links.csv");
        Assert.Equal(0, await RunAsync("export", "links", "--config", config, "--out", path));
        var links = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadAllLines(path).Skip(1))
        {
            var fields = line.Split(',');
            links.Add($"{fields[1]}:{fields[2]}", fields[0]);
        }

        return links;
    }

    /// <summary>
    /// Eirlys Quennell in the council tax (dated, ST16) and on the roll (undated, ST19) among 1,500 other names, all
    /// loaded the first night; the second night's benefits source holds a hundred more Eirlyses and a hundred more
    /// Quennells.
    /// </summary>
    private string WriteCouncil()
    {
        var random = new Random(5);
        var tax = new StringBuilder("ref,given,family,dob,postcode\nT1,Eirlys,Quennell,12/04/1971,ST16 2AB\n");
        for (var i = 2; i <= 5; i++)
        {
            tax.Append(CultureInfo.InvariantCulture, $"T{i},{Name(random)},{Name(random)},{Date(random)},{Postcode(random)}\n");
        }

        var roll = new StringBuilder("ref,given,family,postcode\nR1,Eirlys,Quennell,ST19 5XY\n");
        for (var i = 2; i <= 1500; i++)
        {
            roll.Append(CultureInfo.InvariantCulture, $"R{i},{Name(random)},{Name(random)},{Postcode(random)}\n");
        }

        var benefits = new StringBuilder("ref,given,family,dob,postcode\n");
        for (var i = 1; i <= 200; i++)
        {
            var (given, family) = i % 2 == 1 ? ("Eirlys", Name(random)) : (Name(random), "Quennell");
            benefits.Append(CultureInfo.InvariantCulture, $"B{i},{given},{family},{Date(random)},{Postcode(random)}\n");
        }

        Folder.Write("tax.csv", tax.ToString());
        Folder.Write("roll.csv", roll.ToString());
        Folder.Write("benefits.csv", benefits.ToString());
        return Folder.Write("citizenhub.json", """
            { "Store": { "ConnectionString": "Data Source=hub.db" },
              "Sources": [
                { "Name": "tax", "Kind": "Csv", "Csv": { "Path": "tax.csv", "StableFor": "00:00:00" },
                  "Mapping": { "Key": "ref", "GivenNames": "given", "FamilyName": "family", "DateOfBirth": "dob", "DateFormats": [ "dd/MM/yyyy" ], "Postcode": "postcode" } },
                { "Name": "roll", "Kind": "Csv", "Csv": { "Path": "roll.csv", "StableFor": "00:00:00" },
                  "Mapping": { "Key": "ref", "GivenNames": "given", "FamilyName": "family", "Postcode": "postcode" } },
                { "Name": "benefits", "Kind": "Csv", "Csv": { "Path": "benefits.csv", "StableFor": "00:00:00" },
                  "Mapping": { "Key": "ref", "GivenNames": "given", "FamilyName": "family", "DateOfBirth": "dob", "DateFormats": [ "dd/MM/yyyy" ], "Postcode": "postcode" } } ] }
            """);
    }

    // Made-up names of six to nine letters: none is another's, so each is held once.
    private static string Name(Random random) =>
        string.Create(random.Next(6, 10), random, (span, r) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = (char)((i == 0 ? 'A' : 'a') + r.Next(26));
            }
        });

    private static string Date(Random random) =>
        string.Create(CultureInfo.InvariantCulture, $"{random.Next(1, 29):00}/{random.Next(1, 13):00}/{random.Next(1930, 2001)}");

    // The letters a postcode's inward code may hold.
    private const string InwardLetters = "ABDEFGHJLNPQRSTUWXYZ";

    private static string Postcode(Random random) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{(random.Next(2) == 0 ? "ST" : "WS")}{random.Next(1, 21)} {random.Next(1, 10)}{InwardLetters[random.Next(InwardLetters.Length)]}{InwardLetters[random.Next(InwardLetters.Length)]}");
}
