using System.Globalization;
using CitizenHub.Store;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CitizenHub.Api.Access;

/// <summary>
/// Keeps refused requests (401, 403, 429) in the audit trail: when, the caller if known, the status, why, the method
/// and the route template (never the URL, which may hold a citizen's id or a name searched for).
/// </summary>
/// <remarks>
/// A refusal costs the refused caller nothing, so an unbounded record of them would let anyone without a key fill the
/// store and hold up its single writer. At most <see cref="ApiAccessOptions.RefusalsAuditedPerMinute"/> refusals are
/// written each minute (a fixed window shared by all callers); beyond that they are only counted, and the count of the
/// window, by reason, is written as one <c>refusals-suppressed</c> row with the first refusal recorded after it.
/// A failure to write is logged (its type only) and the request is refused all the same.
/// </remarks>
internal sealed partial class RefusalAudit(ICitizenReadModel store, TimeProvider time, IOptions<ApiAccessOptions> access, ILogger<RefusalAudit> logger)
{
    public const string RefusedAction = "refused";
    public const string SuppressedAction = "refusals-suppressed";

    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private readonly Lock _gate = new();
    private DateTimeOffset _windowStart = DateTimeOffset.MinValue;
    private int _recordedInWindow;
    private Dictionary<string, int> _suppressedInWindow = new(StringComparer.Ordinal);
    private (DateTimeOffset From, DateTimeOffset To, Dictionary<string, int> ByReason)? _unwrittenSummary;

    public async Task RecordAsync(HttpContext http, int status, string reason)
    {
        ArgumentNullException.ThrowIfNull(http);
        var now = time.GetUtcNow();
        List<AuditEntry> rows;
        lock (_gate)
        {
            if (now - _windowStart >= Window)
            {
                if (_suppressedInWindow.Count > 0)
                {
                    _unwrittenSummary = (_windowStart, _windowStart + Window, _suppressedInWindow);
                }

                _windowStart = now;
                _recordedInWindow = 0;
                _suppressedInWindow = new(StringComparer.Ordinal);
            }

            if (_recordedInWindow >= Math.Max(1, access.Value.RefusalsAuditedPerMinute))
            {
                _suppressedInWindow[reason] = _suppressedInWindow.GetValueOrDefault(reason) + 1;
                return;
            }

            _recordedInWindow++;
            rows = new List<AuditEntry>(2);
            if (_unwrittenSummary is { } summary)
            {
                rows.Add(Suppressed(summary.From, summary.To, summary.ByReason, now));
                _unwrittenSummary = null;
            }
        }

        rows.Add(Refused(http, status, reason, now));
        try
        {
            await store.AppendAuditAsync(rows, http.RequestAborted).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The request is refused whatever the store says; a failure to record must not make it a 500.
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            LogNotRecorded(logger, status, ex.GetType().Name);
        }
    }

    private static AuditEntry Refused(HttpContext http, int status, string reason, DateTimeOffset now)
    {
        var authenticated = http.User.Identity is { IsAuthenticated: true };
        var details = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["status"] = status.ToString(CultureInfo.InvariantCulture),
            ["reason"] = reason,
            ["method"] = http.Request.Method,
            // The template, not the path: /citizens/{id}, never the id itself.
            ["route"] = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(no route)",
        };
        if (http.Connection.RemoteIpAddress is { } address)
        {
            // The calling system's address: with no credentials it is all that says where a probe came from.
            details["address"] = address.ToString();
        }

        return new AuditEntry(
            0, now,
            authenticated ? http.User.Identity!.Name ?? "(unnamed)" : "(anonymous)",
            authenticated ? string.Join(',', ApiRoles.All.Where(http.User.IsInRole)) : "",
            RefusedAction, null, null, [])
        {
            Details = details,
        };
    }

    private static AuditEntry Suppressed(DateTimeOffset from, DateTimeOffset to, Dictionary<string, int> byReason, DateTimeOffset now)
    {
        var details = byReason.ToDictionary(r => r.Key, r => r.Value.ToString(CultureInfo.InvariantCulture), StringComparer.Ordinal);
        details["from"] = from.ToString("O", CultureInfo.InvariantCulture);
        details["to"] = to.ToString("O", CultureInfo.InvariantCulture);
        details["count"] = byReason.Values.Sum().ToString(CultureInfo.InvariantCulture);
        return new AuditEntry(0, now, "(hub)", "", SuppressedAction, null, null, [.. byReason.Keys.Order(StringComparer.Ordinal)]) { Details = details };
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A refused request ({Status}) could not be recorded in the audit trail: {ExceptionType}")]
    private static partial void LogNotRecorded(ILogger logger, int status, string exceptionType);
}
