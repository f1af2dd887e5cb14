using System.Text.Json.Serialization;

namespace CitizenHub.Contracts;

/// <summary>
/// One person as one legacy system holds them, in the canonical shape every adapter produces.
/// </summary>
/// <remarks>
/// Parsed values sit beside <see cref="RawFields"/>, the fields exactly as the source gave them,
/// so nothing a legacy system said is lost even where parsing could not use it.
/// The pair (<see cref="SourceSystem"/>, <see cref="SourceKey"/>) identifies the record for ever;
/// a later observation of the same pair replaces the earlier one.
/// </remarks>
public sealed record SourceRecord
{
    /// <summary>The configured name of the system that holds the record, e.g. <c>council-tax</c>.</summary>
    public required string SourceSystem { get; init; }

    /// <summary>The record's key in that system, stable across extracts.</summary>
    public required string SourceKey { get; init; }

    /// <summary>When the source said this (the extract's time, or the record's own last-modified stamp).</summary>
    public required DateTimeOffset ObservedAt { get; init; }

    /// <summary>The source's own version or change counter, where it has one.</summary>
    public string? SourceVersion { get; init; }

    /// <summary>True when the source reports the record as deleted.</summary>
    public bool Deleted { get; init; }

    public PersonName? Name { get; init; }

    public PartialDate? DateOfBirth { get; init; }

    public IReadOnlyList<PostalAddress> Addresses { get; init; } = [];

    public IReadOnlyList<Identifier> Identifiers { get; init; } = [];

    public IReadOnlyList<string> Emails { get; init; } = [];

    public IReadOnlyList<string> Phones { get; init; } = [];

    public IReadOnlyList<SourceAttribute> Attributes { get; init; } = [];

    /// <summary>Every field exactly as the source gave it, by the source's own field name.</summary>
    public IReadOnlyDictionary<string, string?> RawFields { get; init; } = new Dictionary<string, string?>();

    /// <summary>
    /// Values the adapter could not read as what they should be (a date that is not one), each naming the field and
    /// why but never quoting the value. The record is kept; such a value stays in <see cref="RawFields"/> and is not
    /// used as evidence.
    /// </summary>
    public IReadOnlyList<string> Problems { get; init; } = [];

    /// <summary>
    /// What the source says of the age of everyone it holds on <see cref="ObservedAt"/> (the electoral register: 16 or
    /// over; children's services: under 25), so that a link with a date of birth, or a source, that cannot be so is
    /// refused. Null when the source says nothing.
    /// </summary>
    /// <remarks>Not a parameter of a constructor, so an adapter built against an earlier contract still runs.</remarks>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public AgeRange? AgeAtObservation { get; init; }

    /// <summary>
    /// When the source records the person died (a register of deaths, a Tell Us Once notification, a system's own
    /// date of death): the person was born on or before it, so a link to a record of someone born after is refused,
    /// and the golden record shows it. Null when the source records none.
    /// </summary>
    /// <remarks>Not a parameter of a constructor, so an adapter built against an earlier contract still runs.</remarks>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public PartialDate? DateOfDeath { get; init; }
}

/// <summary>An age in whole years, from <see cref="AtLeast"/> up to but not including <see cref="Under"/>; either may be open.</summary>
public sealed record AgeRange(int? AtLeast, int? Under);

/// <summary>A person's name as recorded; parts are as the source split them.</summary>
/// <param name="Raw">The name as the source wrote it, when it came as one field.</param>
public sealed record PersonName(
    string? Title,
    string? GivenNames,
    string? FamilyName,
    string? Suffix = null,
    IReadOnlyList<string>? PreviousFamilyNames = null,
    string? Raw = null);

/// <summary>A date that may be known only in part (a year, or a year and month).</summary>
/// <param name="Raw">The date as the source wrote it.</param>
public sealed record PartialDate(int Year, int? Month, int? Day, string? Raw = null);

/// <summary>A postal address as recorded.</summary>
public sealed record PostalAddress(
    IReadOnlyList<string> Lines,
    string? Town,
    string? Postcode,
    string? Uprn = null,
    AddressKind Kind = AddressKind.Residential,
    DateOnly? ValidFrom = null,
    DateOnly? ValidTo = null,
    string? Raw = null)
{
    /// <summary>How the hub reads <see cref="Postcode"/>: a UK postcode, or any code a country uses.</summary>
    /// <remarks>Not a parameter of the constructor, so an adapter built against an earlier contract still runs.</remarks>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public PostcodeFormat PostcodeFormat { get; init; }
}

/// <summary>What a source's postcodes are.</summary>
public enum PostcodeFormat
{
    /// <summary>UK postcodes: one that is not in the Royal Mail format is flagged and not used as evidence.</summary>
    Uk,

    /// <summary>
    /// Any country's postal code (a US ZIP code, an Irish Eircode, a four-digit Australian postcode): any value with a
    /// letter or digit in it, compared exactly once case, spaces and punctuation are folded away. A UK postcode among
    /// them is still written the UK way, so it matches the same postcode from a UK source.
    /// </summary>
    Any,
}

public enum AddressKind
{
    Residential,
    Correspondence,
    Previous,
    Other,
}

/// <summary>An identifier the source holds for the person, as written (spaces and all).</summary>
public sealed record Identifier(IdentifierScheme Scheme, string Value)
{
    /// <summary>
    /// For <see cref="IdentifierScheme.Named"/>, the scheme's name as the mapping gives it (<c>council-tax-account</c>,
    /// <c>mosaic-person-id</c>, <c>passport</c>): records of two sources sharing a name are compared on it.
    /// </summary>
    /// <remarks>Not a parameter of the constructor, so an adapter built against an earlier contract still runs.</remarks>
    public string? SchemeName { get; init; }

    /// <summary>An identifier of a scheme named by the source's mapping.</summary>
    public static Identifier OfScheme(string schemeName, string value) => new(IdentifierScheme.Named, value) { SchemeName = schemeName };
}

public enum IdentifierScheme
{
    /// <summary>National Insurance number.</summary>
    NiNumber,

    /// <summary>NHS number (ten digits, modulus-11 check digit).</summary>
    NhsNumber,

    /// <summary>Unique Property Reference Number of the person's home.</summary>
    Uprn,

    /// <summary>Another system's reference for the person.</summary>
    SourceReference,

    /// <summary>A scheme the source's mapping names (<see cref="Identifier.SchemeName"/>): a council's own reference, a passport, a foreign number.</summary>
    Named,
}

/// <summary>An extra fact from the source, with its sensitivity class (e.g. <c>social-care</c>).</summary>
public sealed record SourceAttribute(string Name, string? Value, string Sensitivity = SourceAttribute.General)
{
    /// <summary>The class of a fact any authorised caller may see.</summary>
    public const string General = "general";
}
