using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace CitizenHub.Api.Access;

/// <summary>
/// Says in the OpenAPI document how a caller signs in (the API key header, a bearer JWT) and, on each operation, which
/// roles it serves — read from the same policies the endpoints require, so the document cannot drift from what is enforced.
/// </summary>
internal static class OpenApiSecurity
{
    public const string ApiKeyScheme = "ApiKey";
    public const string BearerScheme = "Bearer";

    /// <summary>The extension on each operation that lists the roles it serves.</summary>
    public const string RolesExtension = "x-roles";

    public static void Describe(OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info ??= new OpenApiInfo();
            document.Info.Title = "CitizenHub Customer View API";
            document.Info.Description =
                "One view of each resident across the council's systems: golden records with the source of each value, search, "
                + "why records are linked, the steward queue, the change feed and the audit trail. Send an API key in "
                + $"`{ApiKeyAuthenticationHandler.Header}` (or a bearer JWT); every read of a citizen's data also says why, in `{Caller.PurposeHeader}`.";
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[ApiKeyScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = ApiKeyAuthenticationHandler.Header,
                Description = "A key configured (as its SHA-256) under Api.Keys, with its roles.",
            };
            document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "An HMAC-SHA256 token of the configured issuer and audience (Api.Jwt), naming its subject, roles in the roles claim.",
            };
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            var metadata = context.Description.ActionDescriptor.EndpointMetadata;
            if (metadata.OfType<IAllowAnonymous>().Any())
            {
                return Task.CompletedTask;
            }

            var roles = metadata.OfType<IAuthorizeData>()
                .Select(a => a.Policy)
                .OfType<string>()
                .SelectMany(policy => ApiPolicies.Roles.GetValueOrDefault(policy, []))
                .Distinct(StringComparer.Ordinal)
                .ToList();
            operation.Security =
            [
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyScheme, context.Document)] = [] },
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] },
            ];
            operation.Extensions ??= new Dictionary<string, IOpenApiExtension>();
            operation.Extensions[RolesExtension] = new JsonNodeExtension(new JsonArray([.. roles.Select(r => (JsonNode)r)]));
            var served = roles.Count == 0 ? "no role (closed to everyone)" : string.Join(", ", roles);
            operation.Description = string.IsNullOrEmpty(operation.Description) ? $"Roles: {served}." : $"{operation.Description} Roles: {served}.";
            return Task.CompletedTask;
        });
    }
}
