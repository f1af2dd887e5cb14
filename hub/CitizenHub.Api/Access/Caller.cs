using Microsoft.AspNetCore.Http;

namespace CitizenHub.Api.Access;

/// <summary>Who is calling, in which roles, what they may see, and why they say they are asking.</summary>
/// <param name="Name">The API key's or token subject's name: it names the caller in the audit trail.</param>
/// <param name="Classes">The sensitivity classes the caller's roles are granted.</param>
/// <param name="Purpose">The <c>X-Purpose</c> header: why the caller reads this citizen's data.</param>
internal sealed record Caller(string Name, IReadOnlyList<string> Roles, IReadOnlySet<string> Classes, string? Purpose)
{
    public const string PurposeHeader = "X-Purpose";

    /// <summary>The longest purpose kept: a reason, not a case file.</summary>
    public const int MaxPurposeLength = 200;

    public string RolesText => string.Join(',', Roles);

    /// <summary>Stewards and administrators see citizens under restriction of processing; agents do not.</summary>
    public bool MaySeeRestricted => Roles.Contains(ApiRoles.Steward) || Roles.Contains(ApiRoles.Admin);

    public static Caller From(HttpContext http, ApiAccessOptions access)
    {
        var roles = ApiRoles.All.Where(http.User.IsInRole).ToList();
        // An API caller says why in the header; a person on the web page says it once for the call they are on, and the
        // page states it for each read it makes (StatedPurpose), so both meet the same checks and the same audit.
        var purpose = (http.Features.Get<StatedPurpose>()?.Purpose ?? http.Request.Headers[PurposeHeader].ToString()).Trim();
        return new Caller(
            // Authentication admits no one without a name (a token without a subject is refused), so none is made up here.
            http.User.Identity?.Name ?? throw new InvalidOperationException("An authenticated caller has no name."),
            roles,
            access.ClassesFor(roles),
            purpose.Length == 0 ? null : purpose);
    }
}

/// <summary>The purpose a caller that sends no header (the web page) gives for the reads of this request.</summary>
internal sealed record StatedPurpose(string Purpose);
