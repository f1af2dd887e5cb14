namespace CitizenHub.Web;

/// <summary>
/// The page's addresses. None is an API route: the page and the API share one host, and a page is never answered with
/// JSON nor an API call with a page.
/// </summary>
internal static class WebPaths
{
    public const string Home = "/";
    public const string SignIn = "/sign-in";
    public const string SignOut = "/sign-out";
    public const string Purpose = "/purpose";
    public const string Search = "/search";
    public const string Residents = "/residents";
    public const string Queue = "/steward/queue";
    public const string Sources = "/manage/sources";
    public const string Audit = "/manage/audit";
    public const string Report = "/manage/report";
    public const string ReportFile = "/manage/report/file";
    public const string Assets = "/assets";

    public static string Resident(string citizenId) => $"{Residents}/{citizenId}";

    public static string Review(long reviewId) => $"{Queue}/{reviewId.ToString(System.Globalization.CultureInfo.InvariantCulture)}";

    /// <summary>A return address to go back to after signing in: only a path on this site (no open redirect).</summary>
    public static string LocalOrHome(string? returnUrl) =>
        returnUrl is { Length: > 1 } url && url[0] == '/' && url[1] is not '/' and not '\\' && !url.Contains("://", StringComparison.Ordinal) ? url : Home;
}
