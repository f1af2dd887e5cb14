using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.Tokens;

namespace CitizenHub.Api.Access;

/// <summary>Why a request was refused, as the audit trail names it.</summary>
internal static class RefusalReasons
{
    public const string NoCredentials = "no-credentials";
    public const string UnknownKey = "unknown-key";
    public const string ExpiredToken = "expired-token";
    public const string TokenWithoutSubject = "token-without-subject";
    public const string InvalidToken = "invalid-token";
    public const string RoleNotAllowed = "role-not-allowed";
    public const string RateLimited = "rate-limited";

    /// <summary>Why authentication did not admit the caller: from the failure the scheme reported.</summary>
    public static string Unauthenticated(AuthenticateResult? result) => result?.Failure switch
    {
        null => NoCredentials,
        SecurityTokenExpiredException => ExpiredToken,
        TokenWithoutSubjectException => TokenWithoutSubject,
        SecurityTokenException => InvalidToken,
        _ => UnknownKey,
    };
}

/// <summary>A bearer token that names no subject: it cannot say who is reading, so the audit trail could not either.</summary>
internal sealed class TokenWithoutSubjectException : SecurityTokenValidationException
{
    public TokenWithoutSubjectException()
        : base("The token has no subject (sub).")
    {
    }

    public TokenWithoutSubjectException(string message)
        : base(message)
    {
    }

    public TokenWithoutSubjectException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// The authorization middleware's answer, as the framework gives it, after recording a challenge (401) or a
/// forbidding (403) in the audit trail. The reason of a 401 is the one the authentication scheme gave: asking it again
/// reads the result it kept for this request, so no credential is checked a second time.
/// </summary>
internal sealed class AuditedAuthorizationResultHandler(RefusalAudit refusals) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _framework = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(authorizeResult);
        if (authorizeResult.Challenged)
        {
            var result = await context.AuthenticateAsync().ConfigureAwait(false);
            await refusals.RecordAsync(context, StatusCodes.Status401Unauthorized, RefusalReasons.Unauthenticated(result)).ConfigureAwait(false);
        }
        else if (authorizeResult.Forbidden)
        {
            await refusals.RecordAsync(context, StatusCodes.Status403Forbidden, RefusalReasons.RoleNotAllowed).ConfigureAwait(false);
        }

        await _framework.HandleAsync(next, context, policy, authorizeResult).ConfigureAwait(false);
    }
}
