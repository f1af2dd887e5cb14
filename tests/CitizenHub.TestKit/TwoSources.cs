using CitizenHub.Adapters.Testing;

namespace CitizenHub.TestKit;

/// <summary>
/// A small council in files: council tax (CSV, priority 1) and housing benefits (pipe-delimited, priority 2),
/// with one person in both by NI number, one by name and birth date, a father and son, and one row with a quote out of place.
/// </summary>
public static class TwoSources
{
    public const string Config = """
        {
          "Store": { "ConnectionString": "Data Source=hub.db" },
          "Sync": { "BatchSize": 2 },
          "Sources": [
            { "Name": "council-tax", "Kind": "Csv", "Priority": 1,
              "Csv": { "Path": "council-tax.csv" },
              "Mapping": { "Key": "account_ref", "Title": "title", "GivenNames": "forenames", "FamilyName": "surname",
                           "DateOfBirth": "date_of_birth", "DateFormats": [ "dd/MM/yyyy" ],
                           "AddressLines": [ "address_1" ], "Town": "town", "Postcode": "postcode", "NiNumber": "ni_number" } },
            { "Name": "housing-benefits", "Kind": "Csv", "Priority": 2,
              "Csv": { "Path": "housing-benefits.csv", "Delimiter": "|" },
              "Mapping": { "Key": "CLAIM_REF", "GivenNames": "FORENAMES", "FamilyName": "SURNAME",
                           "DateOfBirth": "DOB", "DateFormats": [ "yyyy-MM-dd" ],
                           "AddressLines": [ "ADDR_LINE_1" ], "Town": "TOWN", "Postcode": "POSTCODE", "NiNumber": "NINO",
                           "NhsNumber": "NHS" } }
          ]
        }
        """;

    public const string CouncilTax = """
        account_ref,title,forenames,surname,date_of_birth,address_1,town,postcode,ni_number
        CT001,Mrs,Margaret,Hughes,04/03/1950,14 Weston Road,Stafford,st162ab,JG103792A
        CT002,Mr,John Andrew,SMITH,01/05/1960,"Flat 3, Castle House",Stafford,ST17 4AA,
        CT003,Mr,John,Smith,09/09/1988,"Flat 3, Castle House",Stafford,ST17 4AA,
        CT004,Ms,Amy,Pat"el,12/02/1975,2 Mill Lane,Stone,ST15 8BB,

        """;

    public const string HousingBenefits = """
        CLAIM_REF|SURNAME|FORENAMES|DOB|ADDR_LINE_1|TOWN|POSTCODE|NINO|NHS
        HB-1|HUGHES|PEGGY|1950-03-04|22 Moved Street|Stafford|ST17 9ZZ|JG 10 37 92 A|
        HB-2|SMITH|JOHN|1960-05-01|FLAT 3, CASTLE HOUSE|STAFFORD|ST174AA||
        HB-3|OKAFOR|CHIDI|1991-12-12|5 New Road|Stoke-on-Trent|ST4 1AA|CE 12 34 56 B|

        """;

    /// <summary>Writes the configuration and both files into a folder; returns the configuration file's path.</summary>
    public static string WriteTo(TempDirectory folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        folder.Write("council-tax.csv", CouncilTax);
        folder.Write("housing-benefits.csv", HousingBenefits);
        return folder.Write("citizenhub.json", Config);
    }
}
