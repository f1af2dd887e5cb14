using System.Globalization;

namespace CitizenHub.Matching.Linking;

/// <summary>
/// The keys under which a record is indexed and by which its candidates are found. Only records that share
/// a key are ever scored, so each key must be narrow (a few records at a million) and the set of keys wide
/// enough that a true match with one field wrong still shares another.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>nhs:</c>, <c>ni:</c>, <c>email:</c>, <c>phone:</c>, <c>uprn:</c>: each valid identifier.</item>
/// <item><c>dob:</c> whole date of birth with the initial of either name (survives a moved home, a typo in
/// one name, a nickname, a married name and swapped given and family names).</item>
/// <item><c>pc:</c> postcode with the given initial (survives a missing or mistyped date of birth). Not with the
/// family initial too: a household shares it, so that key brought every neighbour of that name and doubled the
/// candidates for a quarter of a percent of recall.</item>
/// <item><c>fy:</c> family name's phonetic code, birth year and given initial (survives a day/month swap or a
/// typo in the date together with a moved home).</item>
/// <item><c>nm:</c> family and first given name in either order (finds a moved resident whose records have no date of
/// birth, and given and family names swapped; common names exceed the block size and are skipped, which is right: a
/// common name alone links no one).</item>
/// </list>
/// A key shared by too many records (a switchboard phone number, a care home's postcode) is skipped at
/// lookup: see <see cref="DefaultMaximumBlockSize"/>.
/// </remarks>
public static class BlockingKeys
{
    /// <summary>Keys held by more records than this are skipped when finding candidates: they would tell little and cost much.</summary>
    public const int DefaultMaximumBlockSize = 200;

    /// <summary>
    /// The name-only key (<c>nm:</c>) is kept to a much smaller block: a pair found by name alone can link only
    /// when the name is rare (term-frequency weights), so a name shared by more records than this links no one.
    /// </summary>
    public const int NameOnlyMaximumBlockSize = 20;

    /// <summary>The prefix of the name-only key.</summary>
    public const string NameOnlyPrefix = "nm:";

    /// <summary>The most records a block may hold and still be used to find candidates.</summary>
    public static int MaximumBlockSize(string key, int maximum)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.StartsWith(NameOnlyPrefix, StringComparison.Ordinal) ? Math.Min(maximum, NameOnlyMaximumBlockSize) : maximum;
    }

    public static IReadOnlyList<string> For(NormalisedRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var keys = new List<string>(10);
        Add(keys, "nhs:", record.NhsNumber);
        Add(keys, "ni:", record.NiNumber);
        Add(keys, "uprn:", record.Address?.Uprn);
        foreach (var email in record.Emails)
        {
            Add(keys, "email:", email);
        }

        foreach (var phone in record.Phones)
        {
            Add(keys, "phone:", phone);
        }

        var givenInitial = record.GivenKey?[0];
        var familyInitial = record.FamilyKey?[0];
        if (record.DateOfBirthKey is { } dob)
        {
            AddWithInitials(keys, "dob:" + dob, givenInitial, familyInitial);
        }

        if (record.Address?.Postcode is { } postcode && givenInitial is { } gi)
        {
            keys.Add($"pc:{postcode}|{gi}");
        }

        if (record.FamilyPhonetic is { } phonetic && record.DateOfBirth is { } date && givenInitial is { } g)
        {
            keys.Add(string.Create(CultureInfo.InvariantCulture, $"fy:{phonetic}|{date.Year}|{g}"));
        }

        if (record.FamilyKey is { } family && record.GivenKey is { } given)
        {
            // The whole name, exactly: the one key left to a record with no date of birth whose holder moved. Exact
            // rather than by sound, because such a pair can link on an exact name only, and sound-alike blocks grow
            // to hundreds of records at a million. The two names in order of spelling, not of field, so a record
            // with given and family names swapped (and no date of birth or UPRN) still finds its match.
            keys.Add(string.CompareOrdinal(family, given) <= 0 ? $"{NameOnlyPrefix}{family}|{given}" : $"{NameOnlyPrefix}{given}|{family}");
        }

        return keys;
    }

    private static void Add(List<string> keys, string prefix, string? value)
    {
        if (value is not null)
        {
            keys.Add(prefix + value);
        }
    }

    private static void AddWithInitials(List<string> keys, string stem, char? first, char? second)
    {
        if (first is { } f)
        {
            keys.Add($"{stem}|{f}");
        }

        if (second is { } s && s != first)
        {
            keys.Add($"{stem}|{s}");
        }
    }
}
