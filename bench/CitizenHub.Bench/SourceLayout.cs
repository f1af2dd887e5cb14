using System.Globalization;
using System.Text.Json.Nodes;
using Bogus;

namespace CitizenHub.Bench;

/// <summary>What one generated source record says about its person, errors included, before a source writes it in its own way.</summary>
internal sealed class Draft
{
    public required string? Title { get; set; }
    public required string GivenName { get; set; }
    public required string? MiddleNames { get; set; }
    public required string FamilyName { get; set; }
    public required string? Suffix { get; set; }
    public required DateOnly? DateOfBirth { get; set; }
    public required Property Address { get; set; }
    public required string Postcode { get; set; }
    public required string NiNumber { get; set; }
    public required string NhsNumber { get; set; }
    public required string? Email { get; set; }
    public required string? Phone { get; set; }
    public required Sex Sex { get; set; }
    public InjectedErrors Errors { get; set; }

    /// <summary>A copy to change, leaving this draft as the record it made.</summary>
    public Draft Copy() => (Draft)MemberwiseClone();
}

/// <summary>
/// One council system: its file, its columns and conventions, and which people it holds.
/// Each writes names, dates and identifiers its own way, as real back-office systems do.
/// </summary>
public sealed class SourceLayout
{
    private readonly Func<Draft, Randomizer, Dictionary<string, string?>> _render;

    private SourceLayout(
        string name, string fileName, string delimiter, string dateFormat, string[] columns, double dateOfBirthMissing, bool stale,
        Func<Draft, Randomizer, Dictionary<string, string?>> render, JsonObject mapping)
    {
        Name = name;
        FileName = fileName;
        Delimiter = delimiter;
        DateFormat = dateFormat;
        Columns = columns;
        DateOfBirthMissing = dateOfBirthMissing;
        Stale = stale;
        _render = render;
        Mapping = mapping;
    }

    /// <summary>The source system's name, as configured and as it appears in links.</summary>
    public string Name { get; }

    public string FileName { get; }

    public string Delimiter { get; }

    /// <summary>How the source writes a date of birth (.NET custom format).</summary>
    public string DateFormat { get; }

    public IReadOnlyList<string> Columns { get; }

    /// <summary>The share of this source's records with no date of birth.</summary>
    public double DateOfBirthMissing { get; }

    /// <summary>Whether the source goes stale: holds old addresses and maiden names.</summary>
    public bool Stale { get; }

    /// <summary>The <c>Mapping</c> section of the source's configuration entry.</summary>
    internal JsonObject Mapping { get; }

    internal Dictionary<string, string?> Render(Draft draft, Randomizer random) => _render(draft, random);

    private string? Date(DateOnly? date) => date?.ToString(DateFormat, CultureInfo.InvariantCulture).ToUpperInvariant();

    /// <summary>The youngest age on the electoral register (attainers register at 16), as its mapping tells the hub; the generated people are all adults.</summary>
    public const int ElectorsAtLeast = 16;

    /// <summary>The four council systems, in the order they are synced.</summary>
    public static IReadOnlyList<SourceLayout> All { get; } = [CouncilTax(), HousingBenefits(), ElectoralRegister(), SocialCare()];

    /// <summary>Council tax: the liable adults. Title and names in their own fields, dates of birth often missing, NI and e-mail sometimes.</summary>
    private static SourceLayout CouncilTax()
    {
        SourceLayout? self = null;
        self = new SourceLayout(
            "council-tax", "council-tax.csv", ",", "dd/MM/yyyy",
            ["account_ref", "title", "forenames", "surname", "date_of_birth", "address_1", "address_2", "town", "postcode", "uprn", "ni_number", "email", "band"],
            dateOfBirthMissing: 0.6, stale: false,
            (d, r) => new()
            {
                ["title"] = d.Title,
                ["forenames"] = d.MiddleNames is not null && r.Bool(0.3f) ? $"{d.GivenName} {d.MiddleNames}" : d.GivenName,
                ["surname"] = d.FamilyName,
                ["date_of_birth"] = self!.Date(d.DateOfBirth),
                ["address_1"] = d.Address.Lines[0],
                ["address_2"] = d.Address.Lines.Count > 1 ? d.Address.Lines[1] : null,
                ["town"] = d.Address.Town,
                ["postcode"] = d.Postcode,
                ["uprn"] = d.Address.Uprn,
                ["ni_number"] = r.Bool(0.4f) ? d.NiNumber : null,
                ["email"] = d.Email is not null && r.Bool(0.6f) ? d.Email : null,
                ["band"] = r.ArrayElement(new[] { "A", "B", "C", "D", "E", "F", "G", "H" }),
            },
            new JsonObject
            {
                ["Key"] = "account_ref", ["Title"] = "title", ["GivenNames"] = "forenames", ["FamilyName"] = "surname",
                ["DateOfBirth"] = "date_of_birth", ["DateFormats"] = new JsonArray("dd/MM/yyyy"),
                ["AddressLines"] = new JsonArray("address_1", "address_2"), ["Town"] = "town", ["Postcode"] = "postcode", ["Uprn"] = "uprn",
                ["NiNumber"] = "ni_number", ["Emails"] = new JsonArray("email"),
                ["Attributes"] = new JsonArray(new JsonObject { ["Field"] = "band", ["Name"] = "council-tax-band" }),
            });
        return self;
    }

    /// <summary>Housing benefits: claimants. Pipe-delimited, everything in capitals, NI number always, ISO dates, phone.</summary>
    private static SourceLayout HousingBenefits()
    {
        SourceLayout? self = null;
        self = new SourceLayout(
            "housing-benefits", "housing-benefits.csv", "|", "yyyy-MM-dd",
            ["CLAIM_REF", "SURNAME", "FORENAMES", "DOB", "ADDR_LINE_1", "ADDR_LINE_2", "TOWN", "POSTCODE", "NINO", "PHONE"],
            dateOfBirthMissing: 0.02, stale: false,
            (d, r) => new()
            {
                ["SURNAME"] = d.FamilyName.ToUpperInvariant(),
                ["FORENAMES"] = d.GivenName.ToUpperInvariant(),
                ["DOB"] = self!.Date(d.DateOfBirth),
                ["ADDR_LINE_1"] = d.Address.Lines[0].ToUpperInvariant().Replace(",", "", StringComparison.Ordinal),
                ["ADDR_LINE_2"] = d.Address.Lines.Count > 1 ? d.Address.Lines[1].ToUpperInvariant() : null,
                ["TOWN"] = d.Address.Town.ToUpperInvariant(),
                ["POSTCODE"] = d.Postcode.ToUpperInvariant(),
                ["NINO"] = d.NiNumber,
                ["PHONE"] = d.Phone is not null && r.Bool(0.8f) ? d.Phone.Replace(" ", "", StringComparison.Ordinal) : null,
            },
            new JsonObject
            {
                ["Key"] = "CLAIM_REF", ["GivenNames"] = "FORENAMES", ["FamilyName"] = "SURNAME",
                ["DateOfBirth"] = "DOB", ["DateFormats"] = new JsonArray("yyyy-MM-dd"),
                ["AddressLines"] = new JsonArray("ADDR_LINE_1", "ADDR_LINE_2"), ["Town"] = "TOWN", ["Postcode"] = "POSTCODE",
                ["NiNumber"] = "NINO", ["Phones"] = new JsonArray("PHONE"),
            });
        return self;
    }

    /// <summary>
    /// The electoral register: every adult who registered. The whole name in one field, family name first in capitals,
    /// middle names and (sometimes) Jr/Sr included; dates of birth only for a few; goes stale between canvasses.
    /// </summary>
    private static SourceLayout ElectoralRegister()
    {
        SourceLayout? self = null;
        self = new SourceLayout(
            "electoral-register", "electoral-register.csv", ",", "yyyyMMdd",
            ["elector_no", "elector_name", "property", "street", "town", "postcode", "uprn", "dob"],
            dateOfBirthMissing: 0.9, stale: true,
            (d, r) => new()
            {
                ["elector_name"] = $"{d.FamilyName.ToUpperInvariant()}, {string.Join(' ', new[] { d.GivenName, d.MiddleNames, d.Suffix }.Where(p => p is not null))}",
                ["property"] = d.Address.Lines.Count > 1 ? d.Address.Lines[0] : null,
                ["street"] = d.Address.Lines[^1],
                ["town"] = d.Address.Town,
                ["postcode"] = d.Postcode,
                ["uprn"] = d.Address.Uprn,
                ["dob"] = self!.Date(d.DateOfBirth),
            },
            new JsonObject
            {
                ["Key"] = "elector_no", ["FullName"] = "elector_name", ["NameOrder"] = "FamilyFirst",
                ["DateOfBirth"] = "dob", ["DateFormats"] = new JsonArray("yyyyMMdd"),
                ["AddressLines"] = new JsonArray("property", "street"), ["Town"] = "town", ["Postcode"] = "postcode", ["Uprn"] = "uprn",
                ["AgeAtObservation"] = new JsonObject { ["AtLeast"] = ElectorsAtLeast },
            });
        return self;
    }

    /// <summary>Social care: NHS number, dates of birth like <c>04-MAR-1950</c>, sex; contact may be years old, so it goes stale.</summary>
    private static SourceLayout SocialCare()
    {
        SourceLayout? self = null;
        self = new SourceLayout(
            "social-care", "social-care.csv", ",", "dd-MMM-yyyy",
            ["client_id", "nhs_no", "title", "first_name", "middle_name", "last_name", "sex", "birth_date", "address_1", "address_2", "town", "postcode", "phone"],
            dateOfBirthMissing: 0.01, stale: true,
            (d, r) => new()
            {
                ["nhs_no"] = r.Bool(0.95f) ? (r.Bool(0.5f) ? $"{d.NhsNumber[..3]} {d.NhsNumber[3..6]} {d.NhsNumber[6..]}" : d.NhsNumber) : null,
                ["title"] = d.Title,
                ["first_name"] = d.GivenName,
                ["middle_name"] = d.MiddleNames,
                ["last_name"] = d.FamilyName,
                ["sex"] = d.Sex == Sex.Female ? "F" : "M",
                ["birth_date"] = self!.Date(d.DateOfBirth),
                ["address_1"] = d.Address.Lines[0],
                ["address_2"] = d.Address.Lines.Count > 1 ? d.Address.Lines[1] : null,
                ["town"] = d.Address.Town,
                ["postcode"] = d.Postcode,
                ["phone"] = d.Phone,
            },
            new JsonObject
            {
                ["Key"] = "client_id", ["Title"] = "title", ["GivenNames"] = "first_name", ["MiddleNames"] = "middle_name", ["FamilyName"] = "last_name",
                ["DateOfBirth"] = "birth_date", ["DateFormats"] = new JsonArray("dd-MMM-yyyy"),
                ["AddressLines"] = new JsonArray("address_1", "address_2"), ["Town"] = "town", ["Postcode"] = "postcode",
                ["NhsNumber"] = "nhs_no", ["Phones"] = new JsonArray("phone"),
                ["Attributes"] = new JsonArray(new JsonObject { ["Field"] = "sex", ["Name"] = "sex", ["Sensitivity"] = "social-care" }),
            });
        return self;
    }
}
