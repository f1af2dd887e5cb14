using CitizenHub.Contracts;
using CitizenHub.Matching.Scoring;

namespace CitizenHub.Matching;

/// <summary>
/// A source record in the forms the hub compares and shows: display values tidied, comparison
/// keys folded, identifiers checked. A value that failed its check is absent here (the raw value
/// stays on the <see cref="SourceRecord"/>) and a line in <see cref="Problems"/> says why.
/// </summary>
public sealed record NormalisedRecord
{
    // Kept up to date by the setters of the properties it packs, so a record made by `with` has its own.
    private ComparisonProfile _profile;

    public required string SourceSystem { get; init { field = value; _profile.SourceHash = StringComparer.Ordinal.GetHashCode(value ?? string.Empty); } }

    public required string SourceKey { get; init; }

    public required DateTimeOffset ObservedAt { get; init; }

    public string? Title { get; init; }

    /// <summary>Given names for display, e.g. <c>John Andrew</c>.</summary>
    public string? GivenNames { get; init; }

    /// <summary>Family name for display, e.g. <c>O'Brien</c>.</summary>
    public string? FamilyName { get; init; }

    /// <summary>A generational suffix split out of the name for display and comparison, e.g. <c>Jr</c>, <c>III</c>.</summary>
    public string? Suffix { get; init { field = value; _profile.HasSuffix = value is not null; } }

    /// <summary>The first given name folded for comparison, e.g. <c>JOHN</c>.</summary>
    public string? GivenKey { get; init { field = value; _profile.Given = PackedKey.Of(value); } }

    /// <summary>Every given name folded for comparison, in order (<c>[JOHN, ANDREW]</c>); the first is <see cref="GivenKey"/>.</summary>
    public IReadOnlyList<string> GivenKeys { get; init { field = value; _profile.GivenNameCount = ComparisonProfile.Count(value); } } = [];

    /// <summary>The family name folded for comparison, e.g. <c>OBRIEN</c>.</summary>
    public string? FamilyKey { get; init { field = value; _profile.Family = PackedKey.Of(value); } }

    /// <summary>Earlier family names (maiden names) folded for comparison.</summary>
    public IReadOnlyList<string> PreviousFamilyKeys { get; init { field = value; _profile.PreviousFamilyCount = ComparisonProfile.Count(value); } } = [];

    /// <summary>The Double Metaphone primary code of the family name, for blocking (<c>SM0</c> for <c>SMITH</c>).</summary>
    public string? FamilyPhonetic { get; init { field = value; _profile.FamilyPhonetic = PackedKey.Of(value); } }

    /// <summary>The Double Metaphone primary code of the first given name.</summary>
    public string? GivenPhonetic { get; init; }

    public PartialDate? DateOfBirth { get; init { field = value; _profile.DateOfBirth = ComparisonProfile.PackDate(value); } }

    public NormalisedAddress? Address { get; init { field = value; _profile.SetAddress(value); } }

    public string? NiNumber { get; init { field = value; _profile.Ni = PackedKey.Of(value); } }

    public string? NhsNumber { get; init { field = value; _profile.Nhs = PackedKey.Of(value); } }

    public IReadOnlyList<string> Emails { get; init { field = value; (_profile.EmailCount, _profile.EmailBits) = (ComparisonProfile.Count(value), ComparisonProfile.Bits(value)); } } = [];

    /// <summary>Phone numbers in E.164 form, e.g. <c>+447700900123</c>.</summary>
    public IReadOnlyList<string> Phones { get; init { field = value; (_profile.PhoneCount, _profile.PhoneBits) = (ComparisonProfile.Count(value), ComparisonProfile.Bits(value)); } } = [];

    /// <summary>
    /// Identifiers of schemes the sources' mappings name, each <c>scheme|VALUE</c> (upper case, without spaces):
    /// <c>soc-sec-id|5304218</c>. Two records compare on the schemes both have.
    /// </summary>
    public IReadOnlyList<string> SchemeIdentifiers { get; init { field = value; (_profile.SchemeIdentifierCount, _profile.SchemeIdentifierBits) = (ComparisonProfile.Count(value), ComparisonProfile.Bits(value)); } } = [];

    /// <summary>When the source records the person died; the person was born on or before it (<see cref="BornOnOrBefore"/>).</summary>
    public PartialDate? DateOfDeath { get; init; }

    /// <summary>
    /// The earliest the person can have been born, by what the source says of everyone's age when it was read
    /// (<see cref="SourceRecord.AgeAtObservation"/>: under 25 in children's services); null when it says nothing.
    /// </summary>
    public DateOnly? BornOnOrAfter { get; init { field = value; _profile.BornFrom = value?.DayNumber ?? 0; _profile.HasBirthWindow |= value is not null; } }

    /// <summary>
    /// The latest the person can have been born, as <see cref="BornOnOrAfter"/> (16 or over on the electoral register),
    /// or by the date of death the source records, whichever is earlier.
    /// </summary>
    public DateOnly? BornOnOrBefore { get; init { field = value; _profile.BornTo = value?.DayNumber ?? 0; _profile.HasBirthWindow |= value is not null; } }

    /// <summary>What could not be used and why, naming the field but never quoting its value.</summary>
    public IReadOnlyList<string> Problems { get; init; } = [];

    /// <summary>The values the comparer reads first, packed into this object: see <see cref="ComparisonProfile"/>.</summary>
    internal ref readonly ComparisonProfile Profile => ref _profile;

    /// <summary>The date of birth as <c>yyyy-MM-dd</c> when the whole date is known.</summary>
    public string? DateOfBirthKey => DateOfBirth is { Month: { } m, Day: { } d } dob
        ? $"{dob.Year:D4}-{m:D2}-{d:D2}"
        : null;
}

/// <summary>An address tidied for display, with its postcode in canonical form (<c>ST16 2AB</c>) when valid.</summary>
public sealed record NormalisedAddress(IReadOnlyList<string> Lines, string? Town, string? Postcode, string? Uprn)
{
    /// <summary>The flat or unit number, upper case (<c>14A</c> from <c>Flat 14a</c>), so two flats of one building never compare as equal.</summary>
    public string? Flat { get; init; }

    /// <summary>The house number on the street, upper case (<c>3</c>, <c>12B</c>), or null when the address has none.</summary>
    public string? HouseNumber { get; init; }

    /// <summary>The building's name folded for comparison (<c>ROSECOTTAGE</c>), when it has one.</summary>
    public string? BuildingKey { get; init; }

    /// <summary>The first street line folded for comparison, house number and flat removed (<c>HIGHSTREET</c>).</summary>
    public string? StreetKey { get; init; }

    /// <summary>The address on one line, as a contact centre reads it out.</summary>
    public string OneLine => string.Join(", ", Lines.Append(Town).Append(Postcode).Where(p => !string.IsNullOrEmpty(p)));
}
