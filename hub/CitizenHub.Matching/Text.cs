using System.Globalization;
using System.Text;

namespace CitizenHub.Matching;

/// <summary>Text tidying shared by the normalisers.</summary>
public static class Text
{
    /// <summary>Trims and collapses runs of white space to one space; blank becomes null.</summary>
    public static string? Tidy(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var builder = new StringBuilder(value.Length);
        var pendingSpace = false;
        foreach (var c in value.Trim())
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = true;
                continue;
            }

            if (pendingSpace)
            {
                builder.Append(' ');
                pendingSpace = false;
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    /// <summary>
    /// A comparison key: diacritics removed, upper case, letters only
    /// (so <c>O'Brien</c>, <c>OBRIEN</c> and <c>o brien</c> agree, as do <c>Zoë</c> and <c>ZOE</c>).
    /// </summary>
    public static string? FoldKey(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var decomposed = value.Normalize(NormalizationForm.FormD);
        var builder = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (char.IsLetter(c) && CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
            {
                builder.Append(char.ToUpperInvariant(c));
            }
        }

        return builder.Length == 0 ? null : builder.ToString();
    }

    /// <summary>
    /// Display case for a name the source shouted or whispered (<c>SMITH</c>, <c>smith</c>):
    /// capital after a space, hyphen or apostrophe and after <c>Mc</c>. A name already in mixed
    /// case is the source's own spelling (<c>de Souza</c>, <c>MacLeod</c>) and is left alone.
    /// </summary>
    public static string? NameCase(string? value)
    {
        var tidy = Tidy(value);
        if (tidy is null || (tidy.Any(char.IsUpper) && tidy.Any(char.IsLower)))
        {
            return tidy;
        }

        var chars = tidy.ToLowerInvariant().ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            var startsWord = i == 0 || chars[i - 1] is ' ' or '-' or '\'' or '’';
            var afterMc = i >= 2 && chars[i - 2] == 'M' && chars[i - 1] == 'c' && (i == 2 || chars[i - 3] is ' ' or '-');
            if (startsWord || afterMc)
            {
                chars[i] = char.ToUpperInvariant(chars[i]);
            }
        }

        return new string(chars);
    }
}
