using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Scalar.AspNetCore;

namespace CitizenHub.Api.Access;

/// <summary>The headers every response carries, whatever answered it (an endpoint, a refusal, an error page).</summary>
internal static class ResponseHeaders
{
    /// <summary>
    /// For the server-rendered GOV.UK Design System page to come: its scripts, styles, fonts and images from this host
    /// only, no inline script, no plugins, forms posting only here, and no framing (clickjacking).
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; connect-src 'self'; "
        + "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>
    /// The API docs page (Scalar) boots from an inline script and styles its elements inline: the script is let in by
    /// this response's own nonce (no other inline script runs), and inline styles on that page only. Its bundle, the
    /// OpenAPI document and "try it" requests are all this host's.
    /// </summary>
    public static string ApiDocsContentSecurityPolicy(string nonce) =>
        $"default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; "
        + "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private const string CacheableItem = "citizenhub:cacheable";

    /// <summary>
    /// Lets a response served to anyone before authentication (the web page's stylesheet and scripts) be cached as
    /// <paramref name="cacheControl"/> says, rather than with no-store.
    /// </summary>
    public static void AllowCaching(HttpContext http, string cacheControl)
    {
        ArgumentNullException.ThrowIfNull(http);
        http.Items[CacheableItem] = true;
        http.Response.Headers.CacheControl = cacheControl;
    }

    public static IApplicationBuilder UseResponseHeaders(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        // Set as the response starts, so that answers written later (status code pages, the exception handler, which
        // clears headers before it writes) carry them too.
        http.Response.OnStarting(() =>
        {
            var headers = http.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers.ContentSecurityPolicy = http.Items[ScalarOptions.NonceHttpContextItemKey] is string nonce
                ? ApiDocsContentSecurityPolicy(nonce)
                : ContentSecurityPolicy;
            headers.XFrameOptions = "DENY";
            // Whatever answers a caller who must authenticate may carry a citizen's data: no cache (a browser's, a proxy's)
            // keeps it. Only the endpoints open to all (health, the API description) may be cached.
            if (http.GetEndpoint()?.Metadata.GetMetadata<IAllowAnonymous>() is null && !http.Items.ContainsKey(CacheableItem))
            {
                headers.CacheControl = "no-store";
            }

            return Task.CompletedTask;
        });
        return next(http);
    });
}
