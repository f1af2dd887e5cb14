using CitizenHub.Api.Access;
using CitizenHub.Web.Pages;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using static CitizenHub.Web.CitizenHubWeb;

namespace CitizenHub.Web;

/// <summary>The start page, signing in and out, and saying why one is reading residents' data.</summary>
internal static class SignInPages
{
    public static async Task<IResult> HomeAsync(HttpContext http)
    {
        if (!await SignedInAsync(http).ConfigureAwait(false))
        {
            return Results.Redirect(WebPaths.SignIn);
        }

        return Render<HomePage>(new() { ["Frame"] = PageFrame.For(http) });
    }

    public static async Task<IResult> SignInFormAsync(HttpContext http, string? returnUrl, IOptions<ApiAccessOptions> access)
    {
        if (await SignedInAsync(http).ConfigureAwait(false))
        {
            return Results.Redirect(WebPaths.LocalOrHome(returnUrl));
        }

        // A request that carried a session cookie, and still is not signed in, had it end.
        var expired = http.Request.Cookies.ContainsKey(PageSession.CookieName);
        return Render<SignInPage>(SignInParameters(http, access.Value, [], returnUrl, expired));
    }

    public static async Task<IResult> SignInAsync(
        HttpContext http, [FromForm] string? key, [FromForm] string? purpose, [FromForm] string? returnUrl, IOptions<ApiAccessOptions> access,
        RefusalAudit refusals, TimeProvider time)
    {
        var errors = new List<FieldError>();
        if (string.IsNullOrWhiteSpace(key))
        {
            errors.Add(new FieldError("key", "Enter your key or sign-in token"));
        }

        var session = errors.Count > 0 ? null
            : PageSession.ForKey(key!, access.Value, time)
                ?? await PageSession.ForTokenAsync(key!, http.RequestServices, access.Value, time).ConfigureAwait(false);
        if (errors.Count == 0 && session is null)
        {
            // Said the same way whatever was wrong, and kept with the API's refusals.
            await refusals.RecordAsync(http, StatusCodes.Status401Unauthorized, "sign-in refused: the key or token is not one the hub accepts").ConfigureAwait(false);
            errors.Add(new FieldError("key", "The key or token was not recognised, or has expired. Check it, or ask your administrator for a new one"));
        }

        // Which purposes are allowed depends on the roles: without a session, only what does not (its length) is checked.
        if (PurposeProblem(purpose, required: false, session is null ? null : ApiRoles.All.Where(session.IsInRole), access.Value) is { } purposeProblem)
        {
            errors.Add(purposeProblem);
        }
        else if (session is not null && !string.IsNullOrWhiteSpace(purpose))
        {
            session = PageSession.WithPurpose(session, purpose.Trim());
        }

        if (errors.Count > 0)
        {
            return Render<SignInPage>(SignInParameters(http, access.Value, errors, returnUrl, expired: false), StatusCodes.Status400BadRequest);
        }

        await http.SignInAsync(PageSession.Scheme, session!).ConfigureAwait(false);
        return Results.Redirect(WebPaths.LocalOrHome(returnUrl));
    }

    public static async Task<IResult> SignOutAsync(HttpContext http)
    {
        await http.SignOutAsync(PageSession.Scheme).ConfigureAwait(false);
        return Results.Redirect(WebPaths.SignIn);
    }

    public static IResult PurposeForm(HttpContext http, string? returnUrl, IOptions<ApiAccessOptions> access) =>
        Render<PurposePage>(PurposeParameters(http, access.Value, [], returnUrl, value: null));

    public static async Task<IResult> SetPurposeAsync(
        HttpContext http, [FromForm] string? purpose, [FromForm] string? returnUrl, IOptions<ApiAccessOptions> access)
    {
        if (PurposeProblem(purpose, required: true, ApiRoles.All.Where(http.User.IsInRole), access.Value) is { } problem)
        {
            return Render<PurposePage>(PurposeParameters(http, access.Value, [problem], returnUrl, purpose), StatusCodes.Status400BadRequest);
        }

        var session = PageSession.WithPurpose(http.User, purpose!.Trim());
        await http.SignInAsync(PageSession.Scheme, session).ConfigureAwait(false);
        return Results.Redirect(WebPaths.LocalOrHome(returnUrl));
    }

    /// <summary>Whether the request carries a live page session; if so it becomes the request's user.</summary>
    public static async Task<bool> SignedInAsync(HttpContext http)
    {
        var result = await http.AuthenticateAsync(PageSession.Scheme).ConfigureAwait(false);
        if (result.Succeeded)
        {
            http.User = result.Principal;
        }

        return result.Succeeded;
    }

    /// <summary>The API's rules for a purpose (given, not too long, one the roles may give), in the page's words.</summary>
    /// <param name="roles">The caller's roles; null before they are known, when the list of allowed purposes is not checked.</param>
    private static FieldError? PurposeProblem(string? purpose, bool required, IEnumerable<string>? roles, ApiAccessOptions access) => purpose?.Trim() switch
    {
        null or "" when required => new FieldError("purpose", "Say why you are looking at residents' records"),
        null or "" => null,
        { Length: > Caller.MaxPurposeLength } => new FieldError("purpose", $"The reason must be {Caller.MaxPurposeLength} characters or fewer"),
        { } given when roles is not null && !access.AllowsPurpose(roles, given) =>
            new FieldError("purpose", $"Your role may look at residents' records for these reasons only: {string.Join("; ", access.PurposesFor(roles))}"),
        _ => null,
    };

    private static Dictionary<string, object?> SignInParameters(HttpContext http, ApiAccessOptions access, IReadOnlyList<FieldError> errors, string? returnUrl, bool expired) => new()
    {
        ["Frame"] = PageFrame.For(http),
        ["Errors"] = errors,
        ["ReturnUrl"] = WebPaths.LocalOrHome(returnUrl),
        ["Purposes"] = access.PurposesFor(ApiRoles.All),
        ["Expired"] = expired,
    };

    private static Dictionary<string, object?> PurposeParameters(HttpContext http, ApiAccessOptions access, IReadOnlyList<FieldError> errors, string? returnUrl, string? value) => new()
    {
        ["Frame"] = PageFrame.For(http),
        ["Errors"] = errors,
        ["ReturnUrl"] = WebPaths.LocalOrHome(returnUrl),
        ["Purposes"] = access.PurposesFor(ApiRoles.All.Where(http.User.IsInRole)),
        ["Value"] = value,
    };
}
