using System.Security.Claims;
using CitizenHub.Api.Access;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace CitizenHub.Web;

/// <summary>What every page shows around its content: who is signed in, in which roles, for what purpose, and the form token.</summary>
public sealed record PageFrame(string? UserName, IReadOnlyList<string> Roles, string? Purpose, string AntiforgeryField, string? AntiforgeryToken, string Path)
{
    public bool SignedIn => UserName is not null;

    public bool MayReadResidents => InPolicy(ApiPolicies.ReadCitizens);

    public bool MayWorkQueue => InPolicy(ApiPolicies.Steward);

    public bool MayAdminister => InPolicy(ApiPolicies.Admin);

    public bool MayAudit => InPolicy(ApiPolicies.Audit);

    public string RolesText => string.Join(", ", Roles);

    /// <summary>The frame of this request: its session (if any) and a form token bound to it.</summary>
    public static PageFrame For(HttpContext http)
    {
        var user = http.User.IsPageSession() ? http.User : null;
        var tokens = http.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(http);
        return new PageFrame(
            user?.Identity?.Name,
            user is null ? [] : [.. ApiRoles.All.Where(user.IsInRole)],
            user is null ? null : PageSession.Purpose(user),
            tokens.FormFieldName,
            tokens.RequestToken,
            http.Request.Path.Value ?? "/");
    }

    private bool InPolicy(string policy) => Roles.Any(ApiPolicies.Roles[policy].Contains);
}

internal static class PrincipalExtensions
{
    public static bool IsPageSession(this ClaimsPrincipal user) =>
        user.Identity is { IsAuthenticated: true, AuthenticationType: PageSession.Scheme };
}
