using System.Globalization;
using Microsoft.AspNetCore.Mvc;

namespace CitizenHub.Web;

/// <summary>
/// The search form as the URL carries it, so a result can be bookmarked and shared with a colleague: the query only,
/// nothing else about anyone.
/// </summary>
public sealed class SearchForm
{
    [FromQuery(Name = "family")] public string? Family { get; set; }

    [FromQuery(Name = "given")] public string? Given { get; set; }

    [FromQuery(Name = "dob-day")] public string? Day { get; set; }

    [FromQuery(Name = "dob-month")] public string? Month { get; set; }

    [FromQuery(Name = "dob-year")] public string? Year { get; set; }

    [FromQuery(Name = "postcode")] public string? Postcode { get; set; }

    /// <summary>An NI or NHS number, a UPRN, or a system's own reference (see <see cref="Kind"/>).</summary>
    [FromQuery(Name = "identifier")] public string? Identifier { get; set; }

    /// <summary>
    /// <c>ni</c>, <c>nhs</c>, <c>uprn</c>, a named scheme as <c>scheme:council-tax-account</c> (kept apart from the systems'
    /// names, which a scheme's may equal), or the name of the system whose reference <see cref="Identifier"/> is.
    /// </summary>
    [FromQuery(Name = "kind")] public string? Kind { get; set; }

    [FromQuery(Name = "page")] public int? Page { get; set; }

    public const int PageSize = 20;

    /// <summary>The prefix of a <see cref="Kind"/> that names a scheme.</summary>
    public const string SchemeKind = "scheme:";

    /// <summary>The scheme a kind of reference names, or null when it is not one.</summary>
    public static string? SchemeOf(string kind)
    {
        ArgumentNullException.ThrowIfNull(kind);
        return kind.StartsWith(SchemeKind, StringComparison.Ordinal) ? kind[SchemeKind.Length..] : null;
    }

    public bool IsEmpty =>
        new[] { Family, Given, Day, Month, Year, Postcode, Identifier }.All(string.IsNullOrWhiteSpace);

    public bool HasDate => !string.IsNullOrWhiteSpace(Day) || !string.IsNullOrWhiteSpace(Month) || !string.IsNullOrWhiteSpace(Year);

    public int PageNumber => Math.Max(1, Page ?? 1);

    /// <summary>The date of birth as the API takes it (<c>yyyy-MM-dd</c>), or the problem with what was entered.</summary>
    public (string? Iso, string? Problem) DateOfBirth()
    {
        if (!HasDate)
        {
            return (null, null);
        }

        if (!int.TryParse(Day, NumberStyles.None, CultureInfo.InvariantCulture, out var day)
            || !int.TryParse(Month, NumberStyles.None, CultureInfo.InvariantCulture, out var month)
            || !int.TryParse(Year, NumberStyles.None, CultureInfo.InvariantCulture, out var year))
        {
            return (null, "Date of birth must include a day, month and year, in numbers");
        }

        if (year < 1000 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return (null, "Date of birth must be a real date, for example 27 3 1985");
        }

        return (new DateOnly(year, month, day).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), null);
    }

    /// <summary>This search at another page of results.</summary>
    public string Url(int page) => new PageQuery(WebPaths.Search)
        .Add("family", Family).Add("given", Given).Add("dob-day", Day).Add("dob-month", Month).Add("dob-year", Year)
        .Add("postcode", Postcode).Add("identifier", Identifier).Add("kind", string.IsNullOrWhiteSpace(Identifier) ? null : Kind)
        .Add("page", page > 1 ? page.ToString(CultureInfo.InvariantCulture) : null)
        .ToString();
}
