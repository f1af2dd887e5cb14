using System.Globalization;
using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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

    /// <summary>The 64-bit hash a key is held by in memory (never 0, which an open-addressed table can keep for an empty slot).</summary>
    public static ulong Hash(ReadOnlySpan<char> key)
    {
        var hash = XxHash3.HashToUInt64(MemoryMarshal.AsBytes(key));
        return hash == 0 ? 1 : hash;
    }

    /// <summary>Whether a key is one of a record's identifiers (<c>nhs:</c>, <c>ni:</c>, <c>uprn:</c>, <c>id:</c> of a named scheme), by which the search finds records.</summary>
    public static bool IsIdentifier(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.StartsWith(Nhs, StringComparison.Ordinal) || key.StartsWith(Ni, StringComparison.Ordinal)
            || key.StartsWith(Uprn, StringComparison.Ordinal) || key.StartsWith(SchemeIdentifier, StringComparison.Ordinal);
    }

    /// <summary>The key of an identifier of a named scheme, as <see cref="RecordNormaliser.SchemeIdentifier"/> writes it.</summary>
    public static string OfSchemeIdentifier(string schemeIdentifier)
    {
        ArgumentNullException.ThrowIfNull(schemeIdentifier);
        return SchemeIdentifier + schemeIdentifier;
    }

    public static IReadOnlyList<string> For(NormalisedRecord record)
    {
        var keys = new KeyList();
        Write(record, keys);
        return keys;
    }

    /// <summary>
    /// Hands the record's keys to <paramref name="sink"/> one by one, each written into a buffer on the stack that
    /// the next reuses: the candidate index only hashes a key, and making every key a string was a sixth of what
    /// linking allocated.
    /// </summary>
    public static void Write<TSink>(NormalisedRecord record, TSink sink)
        where TSink : IBlockingKeySink
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(sink);
        var invariant = CultureInfo.InvariantCulture;
        // Longer keys (a very long e-mail address) are written to a buffer rented from the pool instead.
        Span<char> buffer = stackalloc char[128];
        if (record.NhsNumber is { } nhs)
        {
            Emit(sink, Nhs, invariant, buffer, $"{Nhs}{nhs}");
        }

        if (record.NiNumber is { } ni)
        {
            Emit(sink, Ni, invariant, buffer, $"{Ni}{ni}");
        }

        if (record.Address?.Uprn is { } uprn)
        {
            Emit(sink, Uprn, invariant, buffer, $"{Uprn}{uprn}");
        }

        foreach (var identifier in record.SchemeIdentifiers)
        {
            Emit(sink, SchemeIdentifier, invariant, buffer, $"{SchemeIdentifier}{identifier}");
        }

        foreach (var email in record.Emails)
        {
            Emit(sink, Email, invariant, buffer, $"{Email}{email}");
        }

        foreach (var phone in record.Phones)
        {
            Emit(sink, Phone, invariant, buffer, $"{Phone}{phone}");
        }

        var givenInitial = record.GivenKey?[0];
        var familyInitial = record.FamilyKey?[0];
        if (record.DateOfBirth is { Month: { } month, Day: { } day } dob)
        {
            // The whole date (as NormalisedRecord.DateOfBirthKey writes it) with the initial of either name; one key
            // when both initials are the same.
            if (givenInitial is { } first)
            {
                Emit(sink, DateOfBirth, invariant, buffer, $"{DateOfBirth}{dob.Year:D4}-{month:D2}-{day:D2}|{first}");
            }

            if (familyInitial is { } second && second != givenInitial)
            {
                Emit(sink, DateOfBirth, invariant, buffer, $"{DateOfBirth}{dob.Year:D4}-{month:D2}-{day:D2}|{second}");
            }
        }

        if (record.Address?.Postcode is { } postcode && givenInitial is { } gi)
        {
            Emit(sink, Postcode, invariant, buffer, $"{Postcode}{postcode}|{gi}");
        }

        if (record.FamilyPhonetic is { } phonetic && record.DateOfBirth is { } date && givenInitial is { } g)
        {
            Emit(sink, FamilySoundAndYear, invariant, buffer, $"{FamilySoundAndYear}{phonetic}|{date.Year}|{g}");
        }

        if (record.FamilyKey is { } family && record.GivenKey is { } given)
        {
            // The whole name, exactly: the one key left to a record with no date of birth whose holder moved. Exact
            // rather than by sound, because such a pair can link on an exact name only, and sound-alike blocks grow
            // to hundreds of records at a million. The two names in order of spelling, not of field, so a record
            // with given and family names swapped (and no date of birth or UPRN) still finds its match.
            var (first, second) = string.CompareOrdinal(family, given) <= 0 ? (family, given) : (given, family);
            Emit(sink, NameOnlyPrefix, invariant, buffer, $"{NameOnlyPrefix}{first}|{second}");
        }
    }

    private const string Nhs = "nhs:";
    private const string Ni = "ni:";
    private const string Uprn = "uprn:";
    private const string Email = "email:";
    private const string SchemeIdentifier = "id:";
    private const string Phone = "phone:";
    private const string DateOfBirth = "dob:";
    private const string Postcode = "pc:";
    private const string FamilySoundAndYear = "fy:";

    // The key is written into the buffer by the time this runs: the compiler builds the interpolated string there.
    private static void Emit<TSink>(
        TSink sink,
        string kind,
        IFormatProvider provider,
        Span<char> buffer,
        [InterpolatedStringHandlerArgument(nameof(provider), nameof(buffer))] ref DefaultInterpolatedStringHandler key)
        where TSink : IBlockingKeySink
    {
        sink.Key(kind, key.Text);
        // Gives back the pooled buffer when the key outgrew the one on the stack.
        key.Clear();
    }

    private sealed class KeyList : List<string>, IBlockingKeySink
    {
        public KeyList()
            : base(10)
        {
        }

        public void Key(string kind, ReadOnlySpan<char> key) => Add(key.ToString());
    }
}

/// <summary>Receives a record's blocking keys from <see cref="BlockingKeys.Write"/>.</summary>
public interface IBlockingKeySink
{
    /// <param name="kind">The key's prefix (<c>dob:</c>, <c>nm:</c>, …), one of a few constant strings.</param>
    /// <param name="key">The whole key, prefix included; valid only during the call.</param>
    void Key(string kind, ReadOnlySpan<char> key);
}
