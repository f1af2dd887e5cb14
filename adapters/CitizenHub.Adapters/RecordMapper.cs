using System.Globalization;
using System.Text.RegularExpressions;
using CitizenHub.Contracts;

namespace CitizenHub.Adapters;

/// <summary>
/// Turns one row of named source fields into a <see cref="SourceRecord"/> by a <see cref="FieldMapping"/>.
/// Shared by every adapter whose source yields named fields (files, SQL rows, XML nodes).
/// </summary>
/// <remarks>
/// Only a row without a key is refused. A value that cannot be read as what it should be (a date that is not a date)
/// keeps its record: it stays raw in <see cref="SourceRecord.RawFields"/>, a line in <see cref="SourceRecord.Problems"/>
/// names the field, and it is not used as evidence. Checks of meaning (is this NI number valid?) belong to the hub's
/// normalisation, which likewise keeps the raw value and does not use it.
/// </remarks>
public sealed partial class RecordMapper
{
    private readonly FieldMapping _mapping;
    private readonly string _sourceSystem;
    private readonly string[] _dateFormats;
    private readonly List<(IdentifierMapping Mapping, Regex? Pattern)> _identifiers;
    private readonly AgeRange? _ageAtObservation;

    // Older than anyone living: an age past it is a mistake in the configuration, not a fact about a source.
    private const int MaximumAge = 130;

    public RecordMapper(string sourceSystem, FieldMapping mapping)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sourceSystem);
        ArgumentNullException.ThrowIfNull(mapping);
        if (string.IsNullOrWhiteSpace(mapping.Key))
        {
            throw new ArgumentException("The mapping names no Key field.", nameof(mapping));
        }

        _sourceSystem = sourceSystem;
        _mapping = mapping;
        _dateFormats = [.. mapping.DateFormats.Count > 0 ? mapping.DateFormats : FieldMapping.DefaultDateFormats];
        _identifiers = [.. mapping.Identifiers.Select((identifier, i) => (identifier, CheckIdentifier(identifier, i)))];
        _ageAtObservation = CheckAge(mapping.AgeAtObservation);
    }

    private static AgeRange? CheckAge(AgeMapping? age)
    {
        if (age is null)
        {
            return null;
        }

        if (age.AtLeast is null && age.Under is null)
        {
            throw new ArgumentException("Mapping.AgeAtObservation gives neither AtLeast nor Under.", nameof(age));
        }

        if (age.AtLeast is < 0 or > MaximumAge || age.Under is < 1 or > MaximumAge || (age.AtLeast is { } least && age.Under is { } under && least >= under))
        {
            throw new ArgumentException($"Mapping.AgeAtObservation must be ages from 0 to {MaximumAge}, AtLeast below Under.", nameof(age));
        }

        return new AgeRange(age.AtLeast, age.Under);
    }

    /// <summary>A scheme's name as <see cref="IdentifierMapping.Scheme"/> allows it (the schema says the same).</summary>
    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex SchemeName();

    private static Regex? CheckIdentifier(IdentifierMapping identifier, int index)
    {
        if (string.IsNullOrWhiteSpace(identifier.Field))
        {
            throw new ArgumentException($"Mapping.Identifiers[{index}] names no Field.", nameof(identifier));
        }

        if (identifier.Scheme is null || !SchemeName().IsMatch(identifier.Scheme))
        {
            throw new ArgumentException($"Mapping.Identifiers[{index}].Scheme must be a name of lower-case letters, digits and hyphens (council-tax-account).", nameof(identifier));
        }

        if (string.IsNullOrEmpty(identifier.Pattern))
        {
            return null;
        }

        try
        {
            // A pattern is the council's configuration, not a resident's input; the timeout still keeps a careless one
            // from holding a sync.
            return new Regex($"^(?:{identifier.Pattern})$", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
        }
        catch (ArgumentException)
        {
            throw new ArgumentException($"Mapping.Identifiers[{index}].Pattern is not a regular expression.", nameof(identifier));
        }
    }

    /// <summary>The row's key as the mapping reads it (trimmed; null when blank).</summary>
    public string? KeyOf(IReadOnlyDictionary<string, string?> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        return new Row(fields).Get(_mapping.Key);
    }

    /// <summary>Maps a row; on failure (no key) <paramref name="reason"/> says why, never quoting a value.</summary>
    public bool TryMap(
        IReadOnlyDictionary<string, string?> fields,
        DateTimeOffset observedAt,
        out SourceRecord? record,
        out string? reason)
    {
        ArgumentNullException.ThrowIfNull(fields);
        record = null;
        var row = new Row(fields);

        var key = row.Get(_mapping.Key);
        if (key is null)
        {
            reason = $"key field '{_mapping.Key}' is empty";
            return false;
        }

        if (IsDeletion(row))
        {
            // A tombstone says only which record went; what else the row holds is not the person any more.
            record = new SourceRecord { SourceSystem = _sourceSystem, SourceKey = key, ObservedAt = observedAt, Deleted = true };
            reason = null;
            return true;
        }

        var problems = new List<string>();
        var dateOfBirth = MapDate(row, _mapping.DateOfBirth, observedAt, problems);
        var dateOfDeath = MapDate(row, _mapping.DateOfDeath, observedAt, problems);

        record = new SourceRecord
        {
            SourceSystem = _sourceSystem,
            SourceKey = key,
            ObservedAt = observedAt,
            Name = MapName(row),
            DateOfBirth = dateOfBirth,
            Addresses = MapAddress(row),
            Identifiers = MapIdentifiers(row, problems),
            Emails = Values(row, _mapping.Emails),
            Phones = Values(row, _mapping.Phones),
            Attributes = [.. _mapping.Attributes.Select(a => new SourceAttribute(
                string.IsNullOrWhiteSpace(a.Name) ? a.Field : a.Name, row.Get(a.Field), a.Sensitivity))],
            RawFields = new Dictionary<string, string?>(fields, StringComparer.Ordinal),
            Problems = problems,
            AgeAtObservation = _ageAtObservation,
            DateOfDeath = dateOfDeath,
        };
        reason = null;
        return true;
    }

    /// <summary>Parses a whole date by the first of <paramref name="formats"/> that fits exactly (month names in any case).</summary>
    /// <param name="twoDigitYearMax">The latest year a two-digit year may stand for.</param>
    public static bool TryParseDate(string text, IReadOnlyList<string> formats, int twoDigitYearMax, out DateOnly date)
    {
        ArgumentNullException.ThrowIfNull(formats);
        var culture = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        culture.DateTimeFormat.Calendar.TwoDigitYearMax = twoDigitYearMax;
        foreach (var format in formats)
        {
            if (DateOnly.TryParseExact(text.Trim(), format, culture, DateTimeStyles.None, out date))
            {
                return true;
            }
        }

        date = default;
        return false;
    }

    private bool IsDeletion(Row row)
    {
        if (_mapping.Deleted is not { Field.Length: > 0 } marker || row.Get(marker.Field) is not { } value)
        {
            return false;
        }

        return marker.Values.Count == 0 || marker.Values.Any(v => string.Equals(v.Trim(), value, StringComparison.OrdinalIgnoreCase));
    }

    private PersonName? MapName(Row row)
    {
        var whole = NameParser.Parse(row.Get(_mapping.FullName), _mapping.NameOrder);
        var title = row.Get(_mapping.Title) ?? whole?.Title;
        var given = Join(row.Get(_mapping.GivenNames) ?? whole?.GivenNames, row.Get(_mapping.MiddleNames));
        var family = row.Get(_mapping.FamilyName) ?? whole?.FamilyName;
        return title is null && given is null && family is null
            ? null
            : new PersonName(title, given, family, whole?.Suffix, Raw: whole?.Raw);
    }

    private List<PostalAddress> MapAddress(Row row)
    {
        var oneLine = OneLineAddress.Parse(row.Get(_mapping.AddressOneLine));
        var lines = Values(row, _mapping.AddressLines);
        var town = row.Get(_mapping.Town) ?? oneLine?.Town;
        var postcode = row.Get(_mapping.Postcode) ?? oneLine?.Postcode;
        var uprn = row.Get(_mapping.Uprn);
        IReadOnlyList<string> allLines = lines.Count > 0 ? lines : oneLine?.Lines ?? [];
        return allLines.Count == 0 && town is null && postcode is null && uprn is null
            ? []
            : [new PostalAddress(allLines, town, postcode, uprn, Raw: oneLine?.Raw) { PostcodeFormat = _mapping.PostcodeFormat }];
    }

    private static string? Join(string? first, string? second) =>
        first is null ? second : second is null ? first : $"{first} {second}";

    private List<Identifier> MapIdentifiers(Row row, List<string> problems)
    {
        var identifiers = new List<Identifier>(3 + _identifiers.Count);
        Add(IdentifierScheme.NiNumber, _mapping.NiNumber);
        Add(IdentifierScheme.NhsNumber, _mapping.NhsNumber);
        Add(IdentifierScheme.Uprn, _mapping.Uprn);
        foreach (var (identifier, pattern) in _identifiers)
        {
            if (row.Get(identifier.Field) is not { } value)
            {
                continue;
            }

            if (pattern is not null && !Matches(pattern, value))
            {
                problems.Add($"field '{identifier.Field}' is not a {identifier.Scheme} (it does not match the mapping's Pattern); kept raw, not used");
                continue;
            }

            identifiers.Add(identifier.Scheme switch
            {
                IdentifierMapping.NiNumberScheme => new Identifier(IdentifierScheme.NiNumber, value),
                IdentifierMapping.NhsNumberScheme => new Identifier(IdentifierScheme.NhsNumber, value),
                _ => Identifier.OfScheme(identifier.Scheme, value),
            });
        }

        return identifiers;

        void Add(IdentifierScheme scheme, string? field)
        {
            if (row.Get(field) is { } value)
            {
                identifiers.Add(new Identifier(scheme, value));
            }
        }
    }

    /// <summary>A date field read with the mapping's formats; one that is not a date is flagged, kept raw (the row's fields), and not used.</summary>
    private PartialDate? MapDate(Row row, string? field, DateTimeOffset observedAt, List<string> problems)
    {
        var raw = row.Get(field);
        if (raw is null)
        {
            return null;
        }

        if (TryParseDate(raw, _dateFormats, _mapping.TwoDigitYearMax ?? observedAt.Year, out var parsed))
        {
            return new PartialDate(parsed.Year, parsed.Month, parsed.Day, raw);
        }

        problems.Add($"field '{field}' is not a date in the format {string.Join(" or ", _dateFormats)}; kept raw, not used");
        return null;
    }

    private static bool Matches(Regex pattern, string value)
    {
        try
        {
            return pattern.IsMatch(value);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    private static List<string> Values(Row row, IEnumerable<string> fieldNames) =>
        [.. fieldNames.Select(row.Get).OfType<string>()];

    /// <summary>Case-insensitive field access where blank means absent.</summary>
    private readonly struct Row(IReadOnlyDictionary<string, string?> fields)
    {
        public string? Get(string? name)
        {
            if (name is null)
            {
                return null;
            }

            if (name.StartsWith('='))
            {
                return name.Length > 1 ? name[1..] : null;
            }

            if (!fields.TryGetValue(name, out var value))
            {
                value = fields.FirstOrDefault(f => string.Equals(f.Key, name, StringComparison.OrdinalIgnoreCase)).Value;
            }

            return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
        }
    }
}
