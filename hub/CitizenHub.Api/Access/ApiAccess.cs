using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;

namespace CitizenHub.Api.Access;

/// <summary>Authentication (API key or JWT bearer), the role policies, and the per-caller rate limit.</summary>
internal static class ApiAccess
{
    /// <summary>The default scheme: picks the API key or the bearer token, whichever the request carries.</summary>
    public const string CallerScheme = "Caller";

    public static IServiceCollection AddApiAccess(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(ApiAccessOptions.Section);
        var access = section.Get<ApiAccessOptions>() ?? new ApiAccessOptions();
        services.Configure<ApiAccessOptions>(section);

        var authentication = services.AddAuthentication(CallerScheme)
            .AddPolicyScheme(CallerScheme, "API key or bearer token", scheme => scheme.ForwardDefaultSelector = http =>
                access.Jwt is not null && http.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? JwtBearerDefaults.AuthenticationScheme
                    : ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        if (access.Jwt is { } jwt)
        {
            authentication.AddJwtBearer(bearer =>
            {
                bearer.MapInboundClaims = false;
                bearer.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = jwt.Issuer,
                    ValidAudience = jwt.Audience,
                    IssuerSigningKey = new SymmetricSecurityKey(Convert.FromBase64String(jwt.SigningKey)),
                    ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                    RoleClaimType = jwt.RoleClaim,
                    NameClaimType = "sub",
                };
            });
        }

        var authorization = services.AddAuthorizationBuilder()
            // An endpoint that states no policy is closed to everyone, signed in or not.
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAssertion(_ => false).Build());
        foreach (var (policy, roles) in ApiPolicies.Roles)
        {
            authorization.AddPolicy(policy, p => p.RequireAuthenticatedUser().RequireRole(roles));
        }

        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            // Per caller once authenticated (the key's or token's name), else per address.
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http => RateLimitPartition.GetFixedWindowLimiter(
                http.User.Identity?.IsAuthenticated == true ? "caller:" + http.User.Identity.Name : "address:" + http.Connection.RemoteIpAddress,
                _ => new FixedWindowRateLimiterOptions { PermitLimit = Math.Max(1, access.RequestsPerMinute), Window = TimeSpan.FromMinutes(1) }));
        });
        return services;
    }
}
