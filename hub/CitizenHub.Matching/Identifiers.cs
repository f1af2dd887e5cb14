using System.Text.RegularExpressions;

namespace CitizenHub.Matching;

/// <summary>Checks and canonical forms for UK identifiers. Each returns null for a value that fails its check.</summary>
public static partial class Identifiers
{
    // HMRC's rules: first letter not D F I Q U V; second not D F I O Q U V; suffix A–D.
    [GeneratedRegex("^[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z][0-9]{6}[A-D]$")]
    private static partial Regex NiNumberPattern();

    // Prefixes never issued, or used only for temporary and administrative numbers.
    private static readonly HashSet<string> InvalidNiPrefixes = ["BG", "GB", "NK", "KN", "TN", "NT", "ZZ"];

    /// <summary>A National Insurance number without spaces, upper case (<c>AB123456C</c>), or null.</summary>
    public static string? NiNumber(string? value)
    {
        var compact = Compact(value)?.ToUpperInvariant();
        return compact is not null && NiNumberPattern().IsMatch(compact) && !InvalidNiPrefixes.Contains(compact[..2])
            ? compact
            : null;
    }

    /// <summary>An NHS number as ten digits whose modulus-11 check digit holds, or null.</summary>
    public static string? NhsNumber(string? value)
    {
        var digits = Compact(value);
        if (digits is not { Length: 10 } || !digits.All(char.IsAsciiDigit) || digits.Distinct().Count() == 1)
        {
            // All-same-digit numbers (0000000000) pass the check but are placeholders, never issued.
            return null;
        }

        var sum = 0;
        for (var i = 0; i < 9; i++)
        {
            sum += (digits[i] - '0') * (10 - i);
        }

        var check = 11 - (sum % 11);
        if (check == 11)
        {
            check = 0;
        }

        return check != 10 && check == digits[9] - '0' ? digits : null;
    }

    /// <summary>A UPRN as its digits without leading zeros (at most twelve digits; extracts often zero-pad it), or null.</summary>
    public static string? Uprn(string? value)
    {
        var digits = Compact(value);
        if (digits is null || !digits.All(char.IsAsciiDigit))
        {
            return null;
        }

        var trimmed = digits.TrimStart('0');
        return trimmed.Length is > 0 and <= 12 ? trimmed : null;
    }

    /// <summary>A UK phone number in E.164 form (<c>+447700900123</c>), or null when it is not one.</summary>
    public static string? UkPhone(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        // "+44 (0)1785 …" writes the trunk zero in brackets: drop it before reading digits.
        var text = value.Replace("(0)", "", StringComparison.Ordinal);
        var digits = new string([.. text.Where(char.IsAsciiDigit)]);
        string national;
        if (text.TrimStart().StartsWith('+'))
        {
            if (!digits.StartsWith("44", StringComparison.Ordinal))
            {
                return null;
            }

            national = digits[2..];
        }
        else if (digits.StartsWith("0044", StringComparison.Ordinal))
        {
            national = digits[4..];
        }
        else if (digits.StartsWith('0'))
        {
            national = digits[1..];
        }
        else
        {
            return null;
        }

        // UK national significant numbers are ten digits (nine for a few old area codes; never for mobiles, 07…).
        var plausible = national.Length == 10 || (national.Length == 9 && national[0] != '7');
        return plausible && national[0] != '0' ? "+44" + national : null;
    }

    private static string? Compact(string? value) =>
        string.IsNullOrWhiteSpace(value) ? null : new string([.. value.Where(c => !char.IsWhiteSpace(c) && c != '-')]);
}
