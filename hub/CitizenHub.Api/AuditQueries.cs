using System.Buffers.Text;
using System.Globalization;
using System.Text;
using CitizenHub.Store;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using static CitizenHub.Api.CitizenViewApi;

namespace CitizenHub.Api;

/// <summary>The query string of <c>GET /audit</c> read into a store query, and the cursor that continues it.</summary>
internal static class AuditQueries
{
    public const string Newest = "newest";
    public const string Oldest = "oldest";

    /// <summary>Longer than any caller name or action the hub writes: a longer value can only be a mistake.</summary>
    private const int MaxCriterionLength = 200;

    /// <returns>The query, or null with the 400 to answer.</returns>
    public static AuditQuery? Parse(
        string? caller, string? citizen, string? action, string? from, string? to, string? order, string? cursor, int limit, int maxLimit,
        out ProblemHttpResult? problem)
    {
        problem = null;
        if (limit < 1 || limit > maxLimit)
        {
            problem = Problem(StatusCodes.Status400BadRequest, "invalid-limit", $"limit must be from 1 to {maxLimit}.", "limit");
            return null;
        }

        citizen = Given(citizen);
        if (citizen is not null && !IsCitizenId(citizen))
        {
            problem = Problem(StatusCodes.Status400BadRequest, "invalid-citizen-id", "citizen must be a citizen id.", "citizen");
            return null;
        }

        caller = Given(caller);
        action = Given(action);
        foreach (var (value, field) in new[] { (caller, "caller"), (action, "action") })
        {
            if (value is { Length: > MaxCriterionLength })
            {
                problem = Problem(StatusCodes.Status400BadRequest, $"invalid-{field}", $"{field} is at most {MaxCriterionLength} characters.", field);
                return null;
            }
        }

        DateTimeOffset? since = null, until = null;
        foreach (var (value, field) in new[] { (from, "from"), (to, "to") })
        {
            if (Given(value) is not { } text)
            {
                continue;
            }

            if (!TryParseInstant(text, out var instant))
            {
                problem = Problem(StatusCodes.Status400BadRequest, "invalid-time", $"{field} must be an ISO 8601 date or time (2026-11-23 or 2026-11-23T09:00:00Z).", field);
                return null;
            }

            if (field == "from")
            {
                since = instant;
            }
            else
            {
                until = instant;
            }
        }

        if (since > until)
        {
            problem = Problem(StatusCodes.Status400BadRequest, "invalid-time", "to must not be before from.", "to");
            return null;
        }

        var newestFirst = (Given(order) ?? Oldest) switch
        {
            Oldest => false,
            Newest => true,
            _ => (bool?)null,
        };
        if (newestFirst is null)
        {
            problem = Problem(StatusCodes.Status400BadRequest, "invalid-order", $"order must be {Newest} or {Oldest}.", "order");
            return null;
        }

        long? after = null;
        if (Given(cursor) is { } token)
        {
            if (!TryReadCursor(token, newestFirst.Value, out var position))
            {
                problem = Problem(StatusCodes.Status400BadRequest, "invalid-cursor", "cursor is not one this endpoint gave for this order.", "cursor");
                return null;
            }

            after = position;
        }

        return new AuditQuery(limit)
        {
            Caller = caller, CitizenId = citizen, Action = action, From = since, To = until, NewestFirst = newestFirst.Value, After = after,
        };
    }

    /// <summary>
    /// The cursor after a row, in an order. Opaque to callers (base64url) so that they pass it back rather than build one;
    /// it names its order, so a cursor of one order is refused with the other rather than silently skipping rows.
    /// </summary>
    public static string Cursor(bool newestFirst, long sequence) =>
        Base64Url.EncodeToString(Encoding.ASCII.GetBytes((newestFirst ? "n" : "o") + sequence.ToString(CultureInfo.InvariantCulture)));

    private static bool TryReadCursor(string token, bool newestFirst, out long sequence)
    {
        sequence = 0;
        if (token.Length > 40 || !Base64Url.IsValid(token))
        {
            return false;
        }

        var text = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(token));
        return text.Length > 1
            && text[0] == (newestFirst ? 'n' : 'o')
            && long.TryParse(text.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out sequence);
    }

    /// <summary>A date (midnight UTC) or a date and time; a time without an offset is UTC.</summary>
    private static bool TryParseInstant(string text, out DateTimeOffset instant)
    {
        string[] formats = ["yyyy-MM-dd", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd'T'HH:mm"];
        return DateTimeOffset.TryParseExact(
            text, formats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out instant);
    }

    private static string? Given(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
