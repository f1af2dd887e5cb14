using CitizenHub.Contracts;

namespace CitizenHub.Adapters;

/// <summary>
/// Which source field feeds which part of the canonical record. Field names are matched
/// without regard to case; a name starting with <c>=</c> is a constant (<c>"Town": "=Stafford"</c>).
/// Bound from a source's <c>Mapping</c> section:
/// <code>
/// "Mapping": {
///   "Key": "account_ref",
///   "Title": "title", "GivenNames": "forenames", "FamilyName": "surname",
///   "DateOfBirth": "date_of_birth", "DateFormats": [ "dd/MM/yyyy" ],
///   "AddressLines": [ "address_1", "address_2" ], "Town": "town", "Postcode": "postcode", "PostcodeFormat": "UK",
///   "NiNumber": "ni_number", "Emails": [ "email" ], "Phones": [ "phone" ],
///   "Attributes": [ { "Field": "band", "Name": "council-tax-band", "Sensitivity": "general" } ]
/// }
/// </code>
/// </summary>
public sealed class FieldMapping
{
    /// <summary>The field holding the record's key in its source. Required.</summary>
    public string Key { get; set; } = "";

    public string? Title { get; set; }

    public string? GivenNames { get; set; }

    public string? FamilyName { get; set; }

    /// <summary>Middle names in a field of their own; they follow the given names.</summary>
    public string? MiddleNames { get; set; }

    /// <summary>A whole name in one field (<c>SMITH, John A Mr</c>), split by <see cref="NameOrder"/>. Parts mapped separately win.</summary>
    public string? FullName { get; set; }

    /// <summary><value>The default is <see cref="Adapters.NameOrder.GivenFirst"/>.</value></summary>
    public NameOrder NameOrder { get; set; } = NameOrder.GivenFirst;

    public string? DateOfBirth { get; set; }

    /// <summary>
    /// Formats tried in order for dates (.NET custom format strings).
    /// <value>The default is <c>dd/MM/yyyy</c>, <c>yyyy-MM-dd</c>.</value>
    /// </summary>
    public List<string> DateFormats { get; set; } = [];

    /// <summary>
    /// The latest year a two-digit year (<c>yy</c>) may mean, e.g. 2010 reads <c>15</c> as 1915.
    /// <value>The default is the year the record was observed: nobody is born in the future.</value>
    /// </summary>
    public int? TwoDigitYearMax { get; set; }

    public List<string> AddressLines { get; set; } = [];

    /// <summary>A whole address on one line with the town and postcode inside it (<c>14 Weston Road, Stafford, ST16 3RZ</c>).</summary>
    public string? AddressOneLine { get; set; }

    public string? Town { get; set; }

    public string? Postcode { get; set; }

    /// <summary>
    /// <c>"UK"</c> or <c>"Any"</c>: whether <see cref="Postcode"/> holds UK postcodes, or any country's postal codes (a
    /// source of addresses abroad), which are compared exactly rather than rejected for not being UK ones.
    /// <value>The default is <see cref="Contracts.PostcodeFormat.Uk"/>.</value>
    /// </summary>
    public PostcodeFormat PostcodeFormat { get; set; } = PostcodeFormat.Uk;

    public string? Uprn { get; set; }

    public string? NiNumber { get; set; }

    public string? NhsNumber { get; set; }

    /// <summary>
    /// Identifiers of any scheme, each from a field:
    /// <c>"Identifiers": [ { "Field": "soc_sec_id", "Scheme": "soc-sec-id", "Pattern": "^[0-9]{7}$" } ]</c>.
    /// Scheme <c>ni-number</c> or <c>nhs-number</c> is the same as <see cref="NiNumber"/> or <see cref="NhsNumber"/>.
    /// </summary>
    public List<IdentifierMapping> Identifiers { get; set; } = [];

    public List<string> Emails { get; set; } = [];

    public List<string> Phones { get; set; } = [];

    public List<AttributeMapping> Attributes { get; set; } = [];

    /// <summary>
    /// How the source marks a record it has deleted (a tombstone), for incremental sources that cannot leave deleted
    /// records out: <c>"Deleted": { "Field": "status", "Values": [ "D" ] }</c>. A marked record leaves its citizen.
    /// </summary>
    public DeletionMarker? Deleted { get; set; }

    /// <summary>
    /// What the source says of everyone's age when it is read: <c>"AgeAtObservation": { "AtLeast": 16 }</c> for the
    /// electoral register, <c>{ "Under": 25 }</c> for children's services. A link to a record whose date of birth, or
    /// whose source, says otherwise is refused. <value>The default is none: the source says nothing of age.</value>
    /// </summary>
    public AgeMapping? AgeAtObservation { get; set; }

    /// <summary>
    /// The field holding the date the person died, read with <see cref="DateFormats"/>: the person was born on or
    /// before it, so a link to a record of someone born after is refused, and the golden record shows it. A value that
    /// is not a date is kept raw and flagged. <value>The default is none.</value>
    /// </summary>
    public string? DateOfDeath { get; set; }

    /// <summary>The formats used when <see cref="DateFormats"/> is empty.</summary>
    public static IReadOnlyList<string> DefaultDateFormats { get; } = ["dd/MM/yyyy", "yyyy-MM-dd"];

    /// <summary>Every source field the mapping reads, so an adapter can check its input has them.</summary>
    public IEnumerable<string> ReferencedFields()
    {
        string?[] singles = [Key, Title, GivenNames, FamilyName, MiddleNames, FullName, DateOfBirth, DateOfDeath, AddressOneLine, Town, Postcode, Uprn, NiNumber, NhsNumber, Deleted?.Field];
        return singles.Concat(AddressLines).Concat(Identifiers.Select(i => i.Field)).Concat(Emails).Concat(Phones).Concat(Attributes.Select(a => a.Field))
            .Where(f => !string.IsNullOrWhiteSpace(f) && !f.StartsWith('='))
            .Select(f => f!)
            .Distinct(StringComparer.OrdinalIgnoreCase);
    }
}

/// <summary>An age in whole years a source's people are all of, as <see cref="FieldMapping.AgeAtObservation"/> says.</summary>
public sealed class AgeMapping
{
    /// <summary>The youngest anyone the source holds can be, in whole years (16 on the electoral register).</summary>
    public int? AtLeast { get; set; }

    /// <summary>The age everyone the source holds is younger than, in whole years (25 in children's services).</summary>
    public int? Under { get; set; }
}

/// <summary>A field holding an identifier of a named scheme.</summary>
public sealed class IdentifierMapping
{
    /// <summary>The scheme name of an NI number: the same as mapping <see cref="FieldMapping.NiNumber"/>.</summary>
    public const string NiNumberScheme = "ni-number";

    /// <summary>The scheme name of an NHS number: the same as mapping <see cref="FieldMapping.NhsNumber"/>.</summary>
    public const string NhsNumberScheme = "nhs-number";

    /// <summary>The field. Required.</summary>
    public string Field { get; set; } = "";

    /// <summary>
    /// The scheme's name, lower case, digits and hyphens (<c>council-tax-account</c>); the same name in two sources'
    /// mappings means the same numbering. Required.
    /// </summary>
    public string Scheme { get; set; } = "";

    /// <summary>
    /// A regular expression a value must match, whole, once trimmed (<c>^[0-9]{7}$</c>). A value that does not is kept
    /// raw and flagged, and not used as evidence. <value>The default is none: any value.</value>
    /// </summary>
    public string? Pattern { get; set; }
}

/// <summary>A source field kept as an attribute of the record, with its sensitivity class.</summary>
public sealed class AttributeMapping
{
    public string Field { get; set; } = "";

    /// <summary>The attribute's name in the canonical record; the field name when empty.</summary>
    public string? Name { get; set; }

    /// <summary><value>The default is <c>general</c>.</value></summary>
    public string Sensitivity { get; set; } = SourceAttribute.General;
}

/// <summary>A field whose value says the source deleted the record.</summary>
public sealed class DeletionMarker
{
    /// <summary>The field to look at. Required.</summary>
    public string Field { get; set; } = "";

    /// <summary>
    /// The values (without regard to case) that mean deleted. When empty, any value does: a <c>deleted_at</c> column
    /// that is blank until the record is deleted.
    /// </summary>
    public List<string> Values { get; set; } = [];
}
