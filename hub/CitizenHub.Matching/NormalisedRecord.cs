using CitizenHub.Contracts;

namespace CitizenHub.Matching;

/// <summary>
/// A source record in the forms the hub compares and shows: display values tidied, comparison
/// keys folded, identifiers checked. A value that failed its check is absent here (the raw value
/// stays on the <see cref="SourceRecord"/>) and a line in <see cref="Problems"/> says why.
/// </summary>
public sealed record NormalisedRecord
{
    public required string SourceSystem { get; init; }

    public required string SourceKey { get; init; }

    public required DateTimeOffset ObservedAt { get; init; }

    public string? Title { get; init; }

    /// <summary>Given names for display, e.g. <c>John Andrew</c>.</summary>
    public string? GivenNames { get; init; }

    /// <summary>Family name for display, e.g. <c>O'Brien</c>.</summary>
    public string? FamilyName { get; init; }

    /// <summary>The first given name folded for comparison, e.g. <c>JOHN</c>.</summary>
    public string? GivenKey { get; init; }

    /// <summary>The family name folded for comparison, e.g. <c>OBRIEN</c>.</summary>
    public string? FamilyKey { get; init; }

    public PartialDate? DateOfBirth { get; init; }

    public NormalisedAddress? Address { get; init; }

    public string? NiNumber { get; init; }

    public string? NhsNumber { get; init; }

    public IReadOnlyList<string> Emails { get; init; } = [];

    /// <summary>Phone numbers in E.164 form, e.g. <c>+447700900123</c>.</summary>
    public IReadOnlyList<string> Phones { get; init; } = [];

    /// <summary>What could not be used and why, naming the field but never quoting its value.</summary>
    public IReadOnlyList<string> Problems { get; init; } = [];

    /// <summary>The date of birth as <c>yyyy-MM-dd</c> when the whole date is known.</summary>
    public string? DateOfBirthKey => DateOfBirth is { Month: { } m, Day: { } d } dob
        ? $"{dob.Year:D4}-{m:D2}-{d:D2}"
        : null;
}

/// <summary>An address tidied for display, with its postcode in canonical form (<c>ST16 2AB</c>) when valid.</summary>
public sealed record NormalisedAddress(IReadOnlyList<string> Lines, string? Town, string? Postcode, string? Uprn)
{
    /// <summary>The address on one line, as a contact centre reads it out.</summary>
    public string OneLine => string.Join(", ", Lines.Append(Town).Append(Postcode).Where(p => !string.IsNullOrEmpty(p)));
}
