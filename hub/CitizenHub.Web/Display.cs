using System.Globalization;

namespace CitizenHub.Web;

/// <summary>Dates and times as the council's staff read them (“4 March 1950”, UK time), and the names of things.</summary>
internal static class Display
{
    private static readonly CultureInfo British = CultureInfo.GetCultureInfo("en-GB");

    private static readonly TimeZoneInfo UkTime = FindUkTime();

    public static string Date(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, UkTime).ToString("d MMMM yyyy", British);

    public static string DateTime(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, UkTime).ToString("d MMMM yyyy 'at' HH:mm", British);

    /// <summary>A golden record's ISO date (<c>1950-03-04</c>, or a partial <c>1950-03</c>) in words; anything else as it is.</summary>
    public static string IsoDate(string value) =>
        DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date.ToString("d MMMM yyyy", British)
        : DateOnly.TryParseExact(value + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var month) ? month.ToString("MMMM yyyy", British)
        : value;

    public static string Value(string field, string value) => field is Matching.GoldenFields.DateOfBirth or Matching.GoldenFields.DateOfDeath ? IsoDate(value) : value;

    /// <summary>A scheme's name as a mapping gives it (<c>council-tax-account</c>) in words: “Council tax account”.</summary>
    public static string SchemeName(string scheme)
    {
        ArgumentNullException.ThrowIfNull(scheme);
        var words = scheme.Replace('-', ' ');
        return words.Length == 0 ? words : char.ToUpperInvariant(words[0]) + words[1..];
    }

    private static TimeZoneInfo FindUkTime()
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById("Europe/London");
        }
        catch (TimeZoneNotFoundException)
        {
            // A machine without the time-zone database shows UTC, which is UK time half the year.
            return TimeZoneInfo.Utc;
        }
    }
}
