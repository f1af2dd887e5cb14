using System.Globalization;
using System.Security.Claims;
using CitizenHub.Api.Access;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace CitizenHub.Web;

/// <summary>
/// A member of staff signed in to the web page: an API key or a JWT, checked once by the API's own rules, exchanged for
/// an HTTP-only, same-site cookie that ends after <see cref="WebOptions.IdleTimeout"/> without use, after
/// <see cref="WebOptions.SessionLifetime"/> in any case, at a token's expiry, and as soon as its key is no longer configured.
/// The key or token itself is never kept, and never in a URL.
/// </summary>
internal static class PageSession
{
    public const string Scheme = "Page";
    public const string CookieName = "citizenhub-session";

    /// <summary>Why the member of staff is reading residents' data now (the call they are on): each read states it.</summary>
    public const string PurposeClaim = "citizenhub:purpose";

    /// <summary>The SHA-256 (as configured) of the key signed in with, so that removing the key ends its sessions.</summary>
    private const string KeyClaim = "citizenhub:key";

    private const string SignedInAtClaim = "citizenhub:signed-in-at";

    public static void Configure(CookieAuthenticationOptions cookie, WebOptions web)
    {
        cookie.Cookie.Name = CookieName;
        cookie.Cookie.HttpOnly = true;
        cookie.Cookie.SameSite = SameSiteMode.Strict;
        // Secure whenever the page is served over HTTPS; the demo's loopback HTTP still works.
        cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        cookie.Cookie.IsEssential = true;
        cookie.ExpireTimeSpan = web.IdleTimeout;
        cookie.SlidingExpiration = true;
        cookie.LoginPath = WebPaths.SignIn;
        cookie.LogoutPath = WebPaths.SignOut;
        cookie.ReturnUrlParameter = "returnUrl";
        cookie.Events = new CookieAuthenticationEvents
        {
            // Not a redirect: the page asked for says, with its status, that this role may not see it.
            OnRedirectToAccessDenied = context =>
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return Task.CompletedTask;
            },
            OnValidatePrincipal = ValidateAsync,
        };
    }

    /// <summary>A session for the holder of a configured API key, or null when the key is not one.</summary>
    public static ClaimsPrincipal? ForKey(string presented, ApiAccessOptions access, TimeProvider time)
    {
        if (ApiKeyAuthenticationHandler.Find(access.Keys, presented.Trim()) is not { } key)
        {
            return null;
        }

        return Principal(key.Name, key.Roles, time, [new Claim(KeyClaim, key.Sha256)]);
    }

    /// <summary>
    /// A session for the subject of a valid token (issuer, audience, signature, lifetime, subject), or null. The session
    /// ends when the token expires.
    /// </summary>
    public static async Task<ClaimsPrincipal?> ForTokenAsync(string presented, IServiceProvider services, ApiAccessOptions access, TimeProvider time)
    {
        if (access.Jwt is not { } jwt)
        {
            return null;
        }

        // The bearer scheme's own validation parameters: the same issuer, audience, key, algorithms and clock skew as the API.
        var bearer = services.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(JwtBearerDefaults.AuthenticationScheme);
        var validated = await new JsonWebTokenHandler().ValidateTokenAsync(presented.Trim(), bearer.TokenValidationParameters).ConfigureAwait(false);
        if (!validated.IsValid || validated.SecurityToken is not JsonWebToken token
            || validated.ClaimsIdentity.FindFirst("sub")?.Value is not { Length: > 0 } subject)
        {
            return null;
        }

        var roles = validated.ClaimsIdentity.FindAll(jwt.RoleClaim).Select(c => c.Value).ToList();
        return Principal(subject, roles, time, [new Claim(ClaimTypes.Expiration, token.ValidTo.ToString("O", CultureInfo.InvariantCulture))]);
    }

    /// <summary>The same session, now for another purpose.</summary>
    public static ClaimsPrincipal WithPurpose(ClaimsPrincipal session, string purpose)
    {
        var identity = new ClaimsIdentity(session.Claims.Where(c => c.Type != PurposeClaim), Scheme, ClaimTypes.Name, ClaimTypes.Role);
        identity.AddClaim(new Claim(PurposeClaim, purpose));
        return new ClaimsPrincipal(identity);
    }

    public static string? Purpose(ClaimsPrincipal user) => user.FindFirst(PurposeClaim)?.Value;

    private static ClaimsPrincipal Principal(string name, IEnumerable<string> roles, TimeProvider time, IEnumerable<Claim> more)
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.Name, name),
            new(SignedInAtClaim, time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture)),
        };
        // Only the roles the hub knows: a token may carry others, which mean nothing here.
        claims.AddRange(roles.Where(ApiRoles.All.Contains).Distinct(StringComparer.Ordinal).Select(r => new Claim(ClaimTypes.Role, r)));
        claims.AddRange(more);
        return new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme, ClaimTypes.Name, ClaimTypes.Role));
    }

    /// <summary>On each request: a session whose key was removed, whose token expired, or that is older than its lifetime, ends.</summary>
    private static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var services = context.HttpContext.RequestServices;
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var access = services.GetRequiredService<IOptions<ApiAccessOptions>>().Value;
        var web = services.GetRequiredService<IOptions<WebOptions>>().Value;
        var principal = context.Principal!;
        var signedInAt = DateTimeOffset.TryParse(principal.FindFirst(SignedInAtClaim)?.Value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at) ? at : DateTimeOffset.MinValue;
        var keyRemoved = principal.FindFirst(KeyClaim)?.Value is { } hash && !access.Keys.Any(k => string.Equals(k.Sha256, hash, StringComparison.OrdinalIgnoreCase));
        var tokenExpired = DateTimeOffset.TryParse(principal.FindFirst(ClaimTypes.Expiration)?.Value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var expires) && expires <= now;
        if (keyRemoved || tokenExpired || now - signedInAt > web.SessionLifetime)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(Scheme).ConfigureAwait(false);
        }
    }
}
