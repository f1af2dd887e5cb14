using System.Text;
using System.Text.RegularExpressions;

namespace CitizenHub.Matching;

/// <summary>UK postcodes: validation and the canonical written form.</summary>
public static partial class Postcodes
{
    // Outward code: A9, A99, AA9, AA99, A9A, AA9A; inward code: 9AA. GIR 0AA is the one exception.
    [GeneratedRegex("^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")]
    private static partial Regex PostcodePattern();

    /// <summary>The postcode upper case with one space before the inward code (<c>ST16 2AB</c>), or null if it is not a postcode.</summary>
    public static string? Canonical(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var compact = new string([.. value.Where(c => !char.IsWhiteSpace(c))]).ToUpperInvariant();
        if (compact == "GIR0AA")
        {
            return "GIR 0AA";
        }

        var match = PostcodePattern().Match(compact);
        return match.Success ? $"{match.Groups[1].Value} {match.Groups[2].Value}" : null;
    }

    /// <summary>
    /// Any country's postal code as the hub compares it: a UK postcode written the UK way, anything else upper case with
    /// every character but letters and digits removed (<c>d02 x285</c> → <c>D02X285</c>); null when nothing is left.
    /// </summary>
    public static string? AnyCountry(string? value)
    {
        if (Canonical(value) is { } uk)
        {
            return uk;
        }

        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var folded = new StringBuilder(value.Length);
        foreach (var c in value.Normalize(NormalizationForm.FormD))
        {
            if (char.IsLetterOrDigit(c))
            {
                folded.Append(char.ToUpperInvariant(c));
            }
        }

        return folded.Length == 0 ? null : folded.ToString();
    }

    /// <summary>The outward code of a canonical postcode (<c>ST16</c>), for blocking.</summary>
    public static string Outward(string canonical)
    {
        ArgumentNullException.ThrowIfNull(canonical);
        return canonical[..canonical.IndexOf(' ', StringComparison.Ordinal)];
    }
}
