using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using CitizenHub.Contracts;

namespace CitizenHub.Adapters;

/// <summary>How a name written in one field is ordered.</summary>
public enum NameOrder
{
    /// <summary><c>Mr John Andrew Smith</c>.</summary>
    GivenFirst,

    /// <summary><c>SMITH, John A Mr</c> or <c>SMITH John</c>, as many council systems print them.</summary>
    FamilyFirst,
}

/// <summary>Splits a whole name written in one field into its parts. Splitting only: no case or spelling is changed.</summary>
public static class NameParser
{
    private static readonly HashSet<string> Titles = new(StringComparer.OrdinalIgnoreCase)
    {
        "Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Rev", "Revd", "Prof", "Sir", "Dame", "Lady", "Lord", "Fr", "Capt", "Cllr",
    };

    private static readonly HashSet<string> Suffixes = new(StringComparer.OrdinalIgnoreCase) { "Jr", "Jnr", "Sr", "Snr", "II", "III", "IV" };

    // Words that belong to the family name after them (de Souza, van der Berg, St John, Ní Bhriain, Mac Donald,
    // ap Rhys), in any case and with or without accents or a full stop. A bare "O" is left out: in a whole name it
    // is as often a middle initial as the Irish prefix, which is written Ó or O' when it is one.
    private static readonly HashSet<string> Particles = new(StringComparer.Ordinal)
    {
        "de", "da", "di", "du", "del", "della", "dos", "das", "van", "von", "der", "den", "ten", "ter", "le", "la",
        "st", "mac", "mc", "ni", "nic", "ui", "ap", "ab", "o'", "o\u2019", "\u00f3",
    };

    public static PersonName? Parse(string? raw, NameOrder order)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }

        string? family;
        List<string> rest;
        var comma = raw.IndexOf(',', StringComparison.Ordinal);
        if (order == NameOrder.FamilyFirst && comma >= 0)
        {
            family = Clean(raw[..comma]);
            rest = Tokens(raw[(comma + 1)..]);
        }
        else
        {
            var tokens = Tokens(raw);
            if (order == NameOrder.FamilyFirst)
            {
                // Without a comma only the first word can be taken for the family name, with the particles before it.
                var familyEnd = 0;
                while (familyEnd < tokens.Count - 2 && IsParticle(tokens[familyEnd]))
                {
                    familyEnd++;
                }

                family = tokens.Count > 0 ? string.Join(' ', tokens.Take(familyEnd + 1)) : null;
                rest = tokens.Skip(familyEnd + 1).ToList();
            }
            else
            {
                var title = tokens.Count > 1 && IsTitle(tokens[0]) ? tokens[0] : null;
                if (title is not null)
                {
                    tokens.RemoveAt(0);
                }

                var suffix = tokens.Count > 1 && IsSuffix(tokens[^1]) ? tokens[^1] : null;
                if (suffix is not null)
                {
                    tokens.RemoveAt(tokens.Count - 1);
                }

                var familyStart = tokens.Count - 1;
                while (familyStart > 1 && IsParticle(tokens[familyStart - 1]))
                {
                    familyStart--;
                }

                family = familyStart >= 0 ? string.Join(' ', tokens.Skip(familyStart)) : null;
                var given = familyStart > 0 ? string.Join(' ', tokens.Take(familyStart)) : null;
                return new PersonName(Strip(title), given, family, Strip(suffix), Raw: raw);
            }
        }

        string? foundTitle = null, foundSuffix = null;
        var givenParts = new List<string>();
        foreach (var token in rest)
        {
            if (foundTitle is null && IsTitle(token))
            {
                foundTitle = token;
            }
            else if (foundSuffix is null && IsSuffix(token))
            {
                foundSuffix = token;
            }
            else
            {
                givenParts.Add(token);
            }
        }

        return new PersonName(Strip(foundTitle), givenParts.Count > 0 ? string.Join(' ', givenParts) : null, family, Strip(foundSuffix), Raw: raw);
    }

    private static bool IsParticle(string token)
    {
        var word = token.TrimEnd('.').Normalize(NormalizationForm.FormC).ToLowerInvariant();
        if (Particles.Contains(word))
        {
            return true;
        }

        // Ní, Uí: the accent is optional in the particle, as councils' systems often drop it; a bare o is not one.
        var unaccented = new string([.. word.Normalize(NormalizationForm.FormD).Where(c => CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)]);
        return unaccented != "o" && Particles.Contains(unaccented);
    }

    private static bool IsTitle(string token) => Titles.Contains(token.TrimEnd('.'));

    private static bool IsSuffix(string token) => Suffixes.Contains(token.TrimEnd('.'));

    private static string? Strip(string? token) => token?.TrimEnd('.');

    private static List<string> Tokens(string text) =>
        [.. text.Split([' ', '\t', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    private static string? Clean(string text) => string.IsNullOrWhiteSpace(text) ? null : string.Join(' ', Tokens(text));
}

/// <summary>Splits an address written on one line (<c>14 Weston Road, Stafford, ST16 3RZ</c>) into lines, town and postcode.</summary>
public static partial class OneLineAddress
{
    // Finds a postcode-shaped ending; whether it is a real postcode is the hub's to judge.
    [GeneratedRegex(@"[,\s]*\b([A-Za-z]{1,2}[0-9][A-Za-z0-9]?\s*[0-9][A-Za-z]{2})\s*$")]
    private static partial Regex TrailingPostcode();

    /// <param name="hasTown">Whether the last part before the postcode is the town (true in most extracts).</param>
    public static PostalAddress? Parse(string? raw, bool hasTown = true)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }

        var text = raw.Trim();
        string? postcode = null;
        var match = TrailingPostcode().Match(text);
        if (match.Success)
        {
            postcode = match.Groups[1].Value;
            text = text[..match.Index];
        }

        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        string? town = null;
        if (hasTown && parts.Count > 1)
        {
            town = parts[^1];
            parts.RemoveAt(parts.Count - 1);
        }

        return new PostalAddress(parts, town, postcode, Raw: raw);
    }
}
