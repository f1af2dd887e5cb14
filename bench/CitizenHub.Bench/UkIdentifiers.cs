using Bogus;

namespace CitizenHub.Bench;

/// <summary>National Insurance and NHS numbers: made valid by the published rules, and checked by them.</summary>
public static class UkIdentifiers
{
    // HMRC: the first letter is not D, F, I, Q, U or V; the second not D, F, I, O, Q, U or V; some prefixes are never issued.
    private const string FirstLetters = "ABCEGHJKLMNOPRSTWXYZ";
    private const string SecondLetters = "ABCEGHJKLMNPRSTWXYZ";
    private static readonly string[] UnusedPrefixes = ["BG", "GB", "NK", "KN", "TN", "NT", "ZZ"];

    /// <summary>True for an NI number that keeps HMRC's rules (two letters, six digits, a suffix A–D), spaces ignored.</summary>
    public static bool IsValidNiNumber(string? value)
    {
        if (value is null)
        {
            return false;
        }

        var s = value.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
        return s.Length == 9
            && FirstLetters.Contains(s[0], StringComparison.Ordinal)
            && SecondLetters.Contains(s[1], StringComparison.Ordinal)
            && !UnusedPrefixes.Contains(s[..2], StringComparer.Ordinal)
            && s[2..8].All(char.IsAsciiDigit)
            && s[8] is >= 'A' and <= 'D';
    }

    /// <summary>True for ten digits (spaces ignored) whose last is the modulus-11 check digit of the first nine.</summary>
    public static bool IsValidNhsNumber(string? value)
    {
        if (value is null)
        {
            return false;
        }

        var s = value.Replace(" ", "", StringComparison.Ordinal);
        return s.Length == 10 && s.All(char.IsAsciiDigit) && NhsCheckDigit(s.AsSpan(0, 9)) == s[9] - '0';
    }

    /// <summary>The modulus-11 check digit of nine digits, or -1 when there is none (such numbers are never issued).</summary>
    public static int NhsCheckDigit(ReadOnlySpan<char> nineDigits)
    {
        var sum = 0;
        for (var i = 0; i < 9; i++)
        {
            sum += (nineDigits[i] - '0') * (10 - i);
        }

        var check = 11 - (sum % 11);
        return check switch
        {
            11 => 0,
            10 => -1,
            _ => check,
        };
    }

    internal static string NewNiNumber(Randomizer random)
    {
        while (true)
        {
            var prefix = string.Concat(random.ArrayElement(FirstLetters.ToCharArray()), random.ArrayElement(SecondLetters.ToCharArray()));
            if (UnusedPrefixes.Contains(prefix, StringComparer.Ordinal))
            {
                continue;
            }

            return $"{prefix}{random.Int(0, 999_999):000000}{(char)('A' + random.Int(0, 3))}";
        }
    }

    internal static string NewNhsNumber(Randomizer random)
    {
        while (true)
        {
            // Numbers issued in England and Wales start 4 to 7 (Scotland's CHI numbers are dates, 9s are test numbers).
            var nine = $"{random.Int(4, 7)}{random.Int(0, 99_999_999):00000000}";
            var check = NhsCheckDigit(nine);
            if (check >= 0)
            {
                return nine + check.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
        }
    }

    /// <summary>The same number broken: an unissued prefix or a first letter HMRC never uses.</summary>
    internal static string BreakNiNumber(string valid, Randomizer random) => random.Bool()
        ? random.ArrayElement(UnusedPrefixes) + valid[2..]
        : random.ArrayElement(new[] { 'D', 'F', 'I', 'Q', 'U', 'V' }) + valid[1..];

    /// <summary>The same number with a wrong check digit.</summary>
    internal static string BreakNhsNumber(string valid, Randomizer random)
    {
        var right = valid[9] - '0';
        var wrong = (right + random.Int(1, 9)) % 10;
        return valid[..9] + (char)('0' + wrong);
    }

    /// <summary><c>JG103792A</c> as <c>JG 10 37 92 A</c>.</summary>
    internal static string SpaceNiNumber(string ni) => $"{ni[..2]} {ni[2..4]} {ni[4..6]} {ni[6..8]} {ni[8..]}";
}
