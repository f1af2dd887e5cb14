using System.Text.Json.Nodes;
using CitizenHub.Adapters.Testing;

namespace CitizenHub.TestKit;

/// <summary>
/// A small council in three files, made so that every figure of the hub's report is known by construction: which resident
/// each record is, which values are missing or invalid, who is in which system, one duplicate, two uncertain pairs.
/// </summary>
/// <remarks>
/// Residents (by NI number unless said): Hughes (all three systems), Adeyemi (all three; council tax's postcode invalid),
/// Shah (council tax twice, the second with 31 February for a birth date, and the electoral register), Bello (council tax and
/// the register), Kelly (benefits and the register), Nowak (benefits only: no given name, an NI number that cannot exist),
/// Patel (the register only: a UPRN that is not one), and two pairs a steward must decide (Castellano and Whitfield: one name
/// at two house numbers of one street, in council tax and benefits, nothing else to go on). Synced in the order
/// <see cref="Sources"/> lists them.
/// </remarks>
public static class ReportCouncil
{
    public static readonly string[] Sources = ["council-tax", "housing-benefits", "electoral-register"];

    /// <summary>Every family name and identifier in the files: none may appear in a report.</summary>
    public static readonly string[] Identifying =
    [
        "Hughes", "Adeyemi", "Shah", "Bello", "Castellano", "Whitfield", "Nowak", "Kelly", "Patel", "Margaret", "Tunde", "Priya",
        "JG103792A", "CE123456B", "AB123456C", "JK654321D", "QQ123456Z", "WX778899C", "ST445566B", "9434765919", "1234567890",
        "100031234567", "ST16 2AB", "ST15 8BB", "Weston Road", "Mill Lane", "priya@example.org", "ewa@example.org", "01785 619000",
        "1950", "31/02/1990",
    ];

    private const string Header = "key,title,forenames,surname,dob,address,town,postcode,uprn,ni,nhs,email,phone\n";

    public const string CouncilTax = Header + """
        CT1,Mrs,Margaret,Hughes,04/03/1950,14 Weston Road,Stafford,ST16 2AB,100031234567,JG103792A,,,01785 619000
        CT2,Mr,Tunde,Adeyemi,12/07/1982,7 Park Road,Stafford,12345,,CE123456B,,,
        CT3,Ms,Priya,Shah,20/01/1990,2 Mill Lane,Stone,ST15 8BB,,AB123456C,,priya@example.org,
        CT4,Ms,Priya,Shah,31/02/1990,2 Mill Lane,Stone,ST15 8BB,,AB123456C,,,
        CT5,Mr,Olu,Bello,05/05/1975,9 Oak Close,Stafford,ST16 1XY,,JK654321D,,,
        CT6,Ms,Imogen,Castellano,,3 Mill Lane,Stafford,ST16 2AB,,,,,
        CT7,Mrs,Rosalind,Whitfield,,12 Church Street,Stone,ST15 8AP,,,,,

        """;

    public const string HousingBenefits = Header + """
        HB1,,Margaret,Hughes,1950-03-04,14 Weston Road,Stafford,ST16 2AB,,JG103792A,1234567890,,
        HB2,,Tunde,Adeyemi,1982-07-12,7 Park Road,Stafford,ST16 3HQ,,CE123456B,9434765919,,
        HB3,,,Nowak,1968-11-30,1 Lime Grove,Stafford,ST17 9ZZ,,QQ123456Z,,ewa@example.org,07700 900123
        HB4,,Siobhan,Kelly,1955-09-09,4 Elm Way,Stone,ST15 0AA,,WX778899C,,,
        HB5,,Imogen,Castellano,,5 Mill Lane,Stafford,ST16 2AB,,,,,
        HB6,,Rosalind,Whitfield,,14 Church Street,Stone,ST15 8AP,,,,,

        """;

    public const string ElectoralRegister = Header + """
        ER1,,Margaret,Hughes,04/03/1950,14 Weston Road,Stafford,ST16 2AB,100031234567,JG103792A,,,12
        ER2,,Priya,Shah,20/01/1990,2 Mill Lane,Stone,ST15 8BB,,AB123456C,,,
        ER3,,Ravi,Patel,14/02/2001,8 Ash Road,Stone,ST15 8AP,ABC,ST445566B,,,
        ER4,,Siobhan,Kelly,09/09/1955,4 Elm Way,Stone,ST15 0AA,,WX778899C,,,
        ER5,,Olu,Bello,05/05/1975,9 Oak Close,Stafford,ST16 1XY,,JK654321D,,,
        ER6,,Tunde,Adeyemi,12/07/1982,7 Park Road,Stafford,ST16 3HQ,,CE123456B,,,

        """;

    /// <summary>The three sources' configuration (a file each, in the folder), with the test callers' keys.</summary>
    public static JsonArray SourcesConfig() => [Source(Sources[0], "dd/MM/yyyy", 1), Source(Sources[1], "yyyy-MM-dd", 2), Source(Sources[2], "dd/MM/yyyy", 3)];

    /// <summary>Writes the configuration and the three files into a folder; returns the configuration file's path.</summary>
    public static string WriteTo(TempDirectory folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        WriteFiles(folder);
        var root = JsonNode.Parse(ApiCallers.WithApi("""{ "Store": { "ConnectionString": "Data Source=hub.db" } }"""))!.AsObject();
        root["Sources"] = SourcesConfig();
        return folder.Write("citizenhub.json", root.ToJsonString());
    }

    public static void WriteFiles(TempDirectory folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        folder.Write(Sources[0] + ".csv", CouncilTax);
        folder.Write(Sources[1] + ".csv", HousingBenefits);
        folder.Write(Sources[2] + ".csv", ElectoralRegister);
    }

    private static JsonObject Source(string name, string dateFormat, int priority) => new()
    {
        ["Name"] = name,
        ["Kind"] = "Csv",
        ["Priority"] = priority,
        ["Csv"] = new JsonObject { ["Path"] = name + ".csv" },
        ["Mapping"] = new JsonObject
        {
            ["Key"] = "key", ["Title"] = "title", ["GivenNames"] = "forenames", ["FamilyName"] = "surname",
            ["DateOfBirth"] = "dob", ["DateFormats"] = new JsonArray(dateFormat),
            ["AddressLines"] = new JsonArray("address"), ["Town"] = "town", ["Postcode"] = "postcode", ["Uprn"] = "uprn",
            ["NiNumber"] = "ni", ["NhsNumber"] = "nhs", ["Emails"] = new JsonArray("email"), ["Phones"] = new JsonArray("phone"),
        },
    };
}
