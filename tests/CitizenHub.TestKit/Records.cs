using CitizenHub.Contracts;

namespace CitizenHub.TestKit;

/// <summary>Builds source records for tests, with fictional people.</summary>
public static class Records
{
    public static readonly DateTimeOffset Observed = new(2026, 11, 1, 2, 0, 0, TimeSpan.Zero);

    public static SourceRecord Person(
        string system,
        string key,
        string given,
        string family,
        (int Year, int Month, int Day)? dob = null,
        string? ni = null,
        string? nhs = null,
        string? postcode = null,
        DateTimeOffset? observedAt = null) => new()
        {
            SourceSystem = system,
            SourceKey = key,
            ObservedAt = observedAt ?? Observed,
            Name = new PersonName("Mx", given, family),
            DateOfBirth = dob is { } d ? new PartialDate(d.Year, d.Month, d.Day) : null,
            Addresses = postcode is null ? [] : [new PostalAddress(["1 High Street"], "Stafford", postcode)],
            Identifiers = [.. new[] { (IdentifierScheme.NiNumber, ni), (IdentifierScheme.NhsNumber, nhs) }
                .Where(i => i.Item2 is not null)
                .Select(i => new Identifier(i.Item1, i.Item2!))],
        };
}
