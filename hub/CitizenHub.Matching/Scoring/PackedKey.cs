namespace CitizenHub.Matching.Scoring;

/// <summary>
/// A short comparison key (a folded name, a postcode, an NI or NHS number, a house number) written exactly into
/// 64 bits, so two keys compare as numbers held inside their records instead of as strings each a pointer away.
/// </summary>
/// <remarks>
/// Against a million golden records, reading the strings of the candidates' records cost more than comparing them:
/// each is a cache miss. Packing is exact, never a hash: two packed keys are equal exactly when their strings are.
/// Up to ten characters of <c>A–Z</c>, <c>0–9</c>, space and <c>-/'.</c> take six bits each; up to fifteen digits
/// (a UPRN) are held as their number and length. Anything else is <see cref="Unpacked"/> and compared as a string.
/// </remarks>
internal static class PackedKey
{
    /// <summary>No value.</summary>
    public const ulong None = 0;

    /// <summary>A value that doesn't fit: compare the strings.</summary>
    public const ulong Unpacked = ulong.MaxValue;

    private const int MaxCharacters = 10;
    private const int MaxDigits = 15;
    private const int DigitsFlag = 63;
    private const int DigitsLengthShift = 50;
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -/'.";

    public static ulong Of(string? value)
    {
        if (value is null)
        {
            return None;
        }

        if (value.Length is > 0 and <= MaxCharacters && TryPackCharacters(value, out var packed))
        {
            return packed;
        }

        return value.Length is > 0 and <= MaxDigits && TryPackDigits(value, out packed) ? packed : Unpacked;
    }

    /// <summary>Whether two keys are equal, from their packed forms when both have one (the strings are read only when not).</summary>
    public static bool Equal(ulong x, ulong y, string? xValue, string? yValue) =>
        x == Unpacked || y == Unpacked ? string.Equals(xValue, yValue, StringComparison.Ordinal) : x == y;

    /// <summary>
    /// The characters of a key packed as characters, written to <paramref name="buffer"/> (at least ten long); or the
    /// key's string when it was not packed that way.
    /// </summary>
    public static ReadOnlySpan<char> Text(ulong packed, string? value, Span<char> buffer)
    {
        if (packed == None || packed == Unpacked || (packed >> DigitsFlag) != 0)
        {
            return value.AsSpan();
        }

        var length = 0;
        for (var shift = 6 * (MaxCharacters - 1); shift >= 0; shift -= 6)
        {
            var code = (int)((packed >> shift) & 0x3F);
            if (code == 0)
            {
                break;
            }

            buffer[length++] = Alphabet[code - 1];
        }

        return buffer[..length];
    }

    /// <summary>
    /// Whether the key packed as characters starts with the first <paramref name="length"/> characters of another
    /// so packed: a postcode's outward code, for one.
    /// </summary>
    public static bool SamePrefix(ulong x, ulong y, int length)
    {
        var shift = 6 * (MaxCharacters - length);
        return length is > 0 and <= MaxCharacters && (x >> shift) == (y >> shift);
    }

    private static bool TryPackCharacters(string value, out ulong packed)
    {
        packed = 0;
        for (var i = 0; i < MaxCharacters; i++)
        {
            var code = 0;
            if (i < value.Length)
            {
                code = Alphabet.IndexOf(value[i], StringComparison.Ordinal) + 1;
                if (code == 0)
                {
                    return false;
                }
            }

            // First character highest, so a prefix of the key is a prefix of the bits.
            packed = (packed << 6) | (uint)code;
        }

        return true;
    }

    private static bool TryPackDigits(string value, out ulong packed)
    {
        packed = 0;
        ulong number = 0;
        foreach (var c in value)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            number = (number * 10) + (ulong)(c - '0');
        }

        // The length too, so 0123 and 123 stay two keys.
        packed = (1UL << DigitsFlag) | ((ulong)value.Length << DigitsLengthShift) | number;
        return true;
    }
}
