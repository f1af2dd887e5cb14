using System.Globalization;

namespace CitizenHub.Adapters.Sql;

/// <summary>Times kept as ISO 8601 text (as SQLite keeps them), read in the exact format they are written in.</summary>
internal static class IsoTime
{
    // Longest first, so a time with fractions is not read as one without.
    private static readonly string[] Formats =
    [
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd HH:mm:ssK",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm:ss",
        "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd HH:mm",
    ];

    /// <summary>Reads <paramref name="text"/> as a time and says which format writes it back the same way.</summary>
    public static bool TryParse(string text, out DateTime time, out string format)
    {
        foreach (var candidate in Formats)
        {
            if (DateTime.TryParseExact(text, candidate, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out time)
                && time.ToString(candidate, CultureInfo.InvariantCulture) == text)
            {
                format = candidate;
                return true;
            }
        }

        time = default;
        format = "";
        return false;
    }
}
