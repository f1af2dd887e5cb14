using CitizenHub.Contracts;
using CitizenHub.Matching.Scoring;

namespace CitizenHub.Matching;

/// <summary>Turns a <see cref="SourceRecord"/> into the forms the hub compares and shows.</summary>
public static class RecordNormaliser
{
    /// <summary>The earliest birth year taken as real; earlier ones are typing errors or placeholders (1800-01-01).</summary>
    public const int EarliestBirthYear = 1880;

    public static NormalisedRecord Normalise(SourceRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        // What the adapter could not read comes first; the record's own checks follow.
        var problems = new List<string>(record.Problems);

        var name = PersonNames.Parse(record.Name?.Title, record.Name?.GivenNames, record.Name?.FamilyName, record.Name?.Suffix);
        var givenKeys = GivenKeys(name.GivenNames);
        var familyKey = PersonNames.FamilyKey(name.FamilyName);
        var dateOfBirth = CheckDateOfBirth(record.DateOfBirth, record.ObservedAt, problems);
        var dateOfDeath = CheckDate(record.DateOfDeath, record.ObservedAt, "date of death", problems);
        var (bornOnOrAfter, bornOnOrBefore) = BirthWindow(record.AgeAtObservation, record.ObservedAt, dateOfBirth, problems);
        bornOnOrBefore = BornBeforeDeath(bornOnOrBefore, dateOfBirth, dateOfDeath, problems);

        return new NormalisedRecord
        {
            SourceSystem = record.SourceSystem,
            SourceKey = record.SourceKey,
            ObservedAt = record.ObservedAt,
            Title = name.Title,
            GivenNames = name.GivenNames,
            FamilyName = name.FamilyName,
            Suffix = name.Suffix,
            GivenKey = givenKeys.FirstOrDefault(),
            GivenKeys = givenKeys,
            FamilyKey = familyKey,
            PreviousFamilyKeys = [.. (record.Name?.PreviousFamilyNames ?? []).Select(PersonNames.FamilyKey).OfType<string>().Distinct(StringComparer.Ordinal)],
            FamilyPhonetic = Phonetic(familyKey),
            GivenPhonetic = Phonetic(givenKeys.FirstOrDefault()),
            DateOfBirth = dateOfBirth,
            DateOfDeath = dateOfDeath,
            BornOnOrAfter = bornOnOrAfter,
            BornOnOrBefore = bornOnOrBefore,
            Address = NormaliseAddress(record, problems),
            NiNumber = Check(record, IdentifierScheme.NiNumber, Identifiers.NiNumber, "NI number", problems),
            NhsNumber = Check(record, IdentifierScheme.NhsNumber, Identifiers.NhsNumber, "NHS number", problems),
            Emails = [.. record.Emails.Select(NormaliseEmail).OfType<string>().Distinct(StringComparer.Ordinal)],
            SchemeIdentifiers = SchemeIdentifiers(record),
            Phones = [.. record.Phones.Select(p => Checked(p, Identifiers.UkPhone, "phone", problems)).OfType<string>().Distinct(StringComparer.Ordinal)],
            Problems = problems,
        };
    }

    /// <summary>
    /// The days the person can have been born between, by what the source says of everyone's age on the day it was
    /// read: 16 or over means born on or before that day 16 years earlier; under 25, born after that day 25 years
    /// earlier. A record's own date of birth outside it is kept and flagged: one of the two is wrong, and a steward
    /// should see which.
    /// </summary>
    public static (DateOnly? BornOnOrAfter, DateOnly? BornOnOrBefore) BirthWindow(AgeRange? age, DateTimeOffset observedAt, PartialDate? dateOfBirth, ICollection<string> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        if (age is null)
        {
            return (null, null);
        }

        var observed = DateOnly.FromDateTime(observedAt.Date);
        DateOnly? after = age.Under is { } under && under > 0 && observed.Year - under >= 1 ? observed.AddYears(-under).AddDays(1) : null;
        DateOnly? before = age.AtLeast is { } least && least >= 0 && observed.Year - least >= 1 ? observed.AddYears(-least) : null;
        if (dateOfBirth is not null)
        {
            var (earliest, latest) = ComparisonProfile.Days(ComparisonProfile.PackDate(dateOfBirth));
            if ((after is { } a && latest < a.DayNumber) || (before is { } b && earliest > b.DayNumber))
            {
                problems.Add("date of birth: not an age the source says everyone it holds is; both kept");
            }
        }

        return (after, before);
    }

    /// <summary>
    /// The latest the person can have been born, once a date of death is known: on or before its last day. A record
    /// whose own date of birth is after its date of death is kept and flagged: one of the two is wrong.
    /// </summary>
    private static DateOnly? BornBeforeDeath(DateOnly? bornOnOrBefore, PartialDate? dateOfBirth, PartialDate? dateOfDeath, List<string> problems)
    {
        if (dateOfDeath is null)
        {
            return bornOnOrBefore;
        }

        var (_, diedBy) = ComparisonProfile.Days(ComparisonProfile.PackDate(dateOfDeath));
        if (dateOfBirth is not null && ComparisonProfile.Days(ComparisonProfile.PackDate(dateOfBirth)).Earliest > diedBy)
        {
            problems.Add("date of death: before the date of birth; both kept");
        }

        return bornOnOrBefore is { } before && before.DayNumber <= diedBy ? before : DateOnly.FromDayNumber(diedBy);
    }

    /// <summary>A date of birth that exists on the calendar, is not before 1880 and not after the record was observed; else null.</summary>
    public static PartialDate? CheckDateOfBirth(PartialDate? date, DateTimeOffset observedAt, ICollection<string> problems) =>
        CheckDate(date, observedAt, "date of birth", problems);

    /// <summary>A date of a person's life that exists on the calendar, is not before 1880 and not after the record was observed; else null.</summary>
    private static PartialDate? CheckDate(PartialDate? date, DateTimeOffset observedAt, string what, ICollection<string> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        if (date is null)
        {
            return null;
        }

        var valid = date.Year >= EarliestBirthYear
            && (date.Month is null || date.Month is >= 1 and <= 12)
            && (date.Day is null || (date.Month is { } m && date.Day >= 1 && date.Day <= DateTime.DaysInMonth(date.Year, m)));
        if (!valid)
        {
            problems.Add($"{what}: not a real date");
            return null;
        }

        var earliestPossible = new DateOnly(date.Year, date.Month ?? 1, date.Day ?? 1);
        if (earliestPossible > DateOnly.FromDateTime(observedAt.UtcDateTime))
        {
            problems.Add($"{what}: after the record was observed");
            return null;
        }

        return date;
    }

    public static string? NormaliseEmail(string? email)
    {
        var tidy = Text.Tidy(email);
        // Deliberately loose: one @ with something either side. Deliverability is not ours to judge.
        return tidy is not null && tidy.IndexOf('@', StringComparison.Ordinal) is var at && at > 0 && at < tidy.Length - 1
            && tidy.IndexOf('@', at + 1) < 0 && !tidy.Contains(' ', StringComparison.Ordinal)
            ? tidy.ToLowerInvariant()
            : null;
    }

    private static NormalisedAddress? NormaliseAddress(SourceRecord record, List<string> problems)
    {
        // The first current residential address is the one used for matching and shown on the golden record.
        var address = record.Addresses.FirstOrDefault(a => a.Kind == AddressKind.Residential && a.ValidTo is null)
            ?? record.Addresses.FirstOrDefault();
        if (address is null)
        {
            return null;
        }

        var postcode = address.PostcodeFormat == PostcodeFormat.Any
            ? Checked(address.Postcode, Postcodes.AnyCountry, "postcode", problems)
            : Checked(address.Postcode, Postcodes.Canonical, "postcode", problems);
        var uprn = Checked(address.Uprn, Identifiers.Uprn, "UPRN", problems);
        var lines = address.Lines.Select(Text.Tidy).OfType<string>().ToList();
        var premises = Premises.Parse(lines);
        return new NormalisedAddress(lines, Text.NameCase(address.Town), postcode, uprn)
        {
            Flat = premises.Flat,
            HouseNumber = premises.HouseNumber,
            BuildingKey = premises.BuildingKey,
            StreetKey = premises.StreetKey,
        };
    }

    /// <summary>
    /// Every given name folded, split at spaces only: a hyphenated name is one name
    /// (<c>Mary-Jane</c> → <c>MARYJANE</c>), and an initial is kept (<c>J</c>) as the evidence it is.
    /// </summary>
    private static List<string> GivenKeys(string? givenNames) =>
        givenNames is null ? [] : [.. givenNames.Split(' ').Select(Text.FoldKey).OfType<string>()];

    /// <summary>The Double Metaphone primary code, or null when the key has no sounded letters.</summary>
    private static string? Phonetic(string? key) =>
        key is not null && DoubleMetaphone.Encode(key).Primary is { Length: > 0 } code ? code : null;

    /// <summary>Each identifier of a named scheme as <see cref="SchemeIdentifier"/> writes it.</summary>
    private static List<string> SchemeIdentifiers(SourceRecord record)
    {
        var keys = new List<string>();
        foreach (var identifier in record.Identifiers)
        {
            if (identifier.Scheme == IdentifierScheme.Named && SchemeIdentifier(identifier.SchemeName, identifier.Value) is { } key)
            {
                keys.Add(key);
            }
        }

        return keys.Count < 2 ? keys : [.. keys.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// An identifier of a named scheme as the hub compares and finds it, <c>scheme|VALUE</c>: upper case, white space
    /// removed, as schemes seldom mean either; null when the scheme has no name or the value nothing but white space.
    /// </summary>
    public static string? SchemeIdentifier(string? schemeName, string? value)
    {
        if (string.IsNullOrWhiteSpace(schemeName) || value is null)
        {
            return null;
        }

        var folded = new string([.. value.Where(c => !char.IsWhiteSpace(c))]).ToUpperInvariant();
        return folded.Length == 0 ? null : $"{schemeName}|{folded}";
    }

    private static string? Check(
        SourceRecord record,
        IdentifierScheme scheme,
        Func<string?, string?> check,
        string what,
        List<string> problems)
    {
        var raw = record.Identifiers.FirstOrDefault(i => i.Scheme == scheme)?.Value;
        return Checked(raw, check, what, problems);
    }

    private static string? Checked(string? raw, Func<string?, string?> check, string what, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }

        var value = check(raw);
        if (value is null)
        {
            problems.Add($"{what}: not valid, kept raw and not used as evidence");
        }

        return value;
    }
}
