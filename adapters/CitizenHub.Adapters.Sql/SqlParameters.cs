using System.Text.RegularExpressions;

namespace CitizenHub.Adapters.Sql;

/// <summary>The query's three parameters, for providers that bind by name and for those that bind by position.</summary>
internal static partial class SqlParameters
{
    public const string Watermark = "@watermark";
    public const string LastKey = "@lastKey";
    public const string PageSize = "@pageSize";

    /// <summary>
    /// The query with each <c>@watermark</c>, <c>@lastKey</c> and <c>@pageSize</c> written as <c>?</c>, and the
    /// parameters in the order the markers now stand, for a provider that binds by position (ODBC). Quoted text
    /// and comments are left as they are, so a literal that happens to read <c>@watermark</c> is not a parameter.
    /// </summary>
    public static (string Query, IReadOnlyList<string> Order) ToPositional(string query)
    {
        var order = new List<string>();
        var rewritten = Markers().Replace(query, match =>
        {
            if (!match.Groups["name"].Success)
            {
                return match.Value;
            }

            order.Add("@" + match.Groups["name"].Value);
            return "?";
        });
        return (rewritten, order);
    }

    [GeneratedRegex("""'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|/\*.*?\*/|@(?<name>watermark|lastKey|pageSize)\b""", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex Markers();
}
