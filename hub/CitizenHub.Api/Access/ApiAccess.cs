using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;

namespace CitizenHub.Api.Access;

/// <summary>Authentication (API key or JWT bearer), the role policies, the per-caller rate limit, and the audit of refusals.</summary>
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
            var clockSkew = jwt.ClockSkewValue()
                ?? throw new InvalidOperationException($"Api.Jwt.ClockSkew must be a number of seconds or a time span (00:00:30) from 0 to {JwtOptions.MaxClockSkew:c}.");
            authentication.AddJwtBearer(bearer =>
            {
                bearer.MapInboundClaims = false;
                bearer.Events = new JwtBearerEvents
                {
                    // Every read is audited under the caller's name: a token naming no one cannot be let in.
                    OnTokenValidated = context =>
                    {
                        if (string.IsNullOrWhiteSpace(context.Principal?.FindFirst("sub")?.Value))
                        {
                            context.Fail(new TokenWithoutSubjectException());
                        }

                        return Task.CompletedTask;
                    },
                };
                bearer.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = jwt.Issuer,
                    ValidAudience = jwt.Audience,
                    IssuerSigningKey = new SymmetricSecurityKey(Convert.FromBase64String(jwt.SigningKey)),
                    ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                    RoleClaimType = jwt.RoleClaim,
                    NameClaimType = "sub",
                    ClockSkew = clockSkew,
                };
            });
        }

        var authorization = services.AddAuthorizationBuilder()
            // An endpoint that states no policy is closed to everyone, signed in or not; except the router's own answer to
            // a known route asked with the wrong method, which is a 405 naming the methods it takes, and an address that
            // is no endpoint at all, which is a 404 (neither holds anyone's data).
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAssertion(context => IsNoEndpoint(context.Resource) || IsMethodNotAllowed(context.Resource)).Build());
        services.AddSingleton<RefusalAudit>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, AuditedAuthorizationResultHandler>();
        foreach (var (policy, roles) in ApiPolicies.Roles)
        {
            authorization.AddPolicy(policy, p => p.RequireAuthenticatedUser().RequireRole(roles));
        }

        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = (context, _) => new ValueTask(context.HttpContext.RequestServices.GetRequiredService<RefusalAudit>()
                .RecordAsync(context.HttpContext, StatusCodes.Status429TooManyRequests, RefusalReasons.RateLimited));
            // Per caller once authenticated (the key's or token's name), else per address.
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http => RateLimitPartition.GetFixedWindowLimiter(
                http.User.Identity?.IsAuthenticated == true ? "caller:" + http.User.Identity.Name : "address:" + http.Connection.RemoteIpAddress,
                _ => new FixedWindowRateLimiterOptions { PermitLimit = Math.Max(1, access.RequestsPerMinute), Window = TimeSpan.FromMinutes(1) }));
        });
        return services;
    }

    /// <summary>
    /// The endpoint routing makes for a known path asked with a method it does not map (it answers 405 with Allow). It
    /// has no metadata to say so, only its display name, which the framework has kept since endpoint routing began; a
    /// test asks a wrong method, so a change there shows.
    /// </summary>
    private static bool IsNoEndpoint(object? resource) => resource is HttpContext http && http.GetEndpoint() is null;

    private static bool IsMethodNotAllowed(object? resource) =>
        resource is HttpContext http
        && http.GetEndpoint() is { } endpoint and not RouteEndpoint
        && endpoint.Metadata.Count == 0
        && endpoint.DisplayName == "405 HTTP Method Not Supported";
}
