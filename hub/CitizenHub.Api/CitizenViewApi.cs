using System.Globalization;
using System.Text.Json.Serialization;
using CitizenHub.Api.Access;
using CitizenHub.Matching;
using CitizenHub.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace CitizenHub.Api;

/// <summary>The Customer View API's endpoints.</summary>
public static class CitizenViewApi
{
    /// <summary><value>The default search page size is 20.</value></summary>
    public const int DefaultSearchLimit = 20;

    /// <summary>The most results one search returns.</summary>
    public const int MaxSearchLimit = 100;

    /// <summary>The most audit rows one request returns.</summary>
    public const int MaxAuditLimit = 500;

    /// <summary>
    /// Adds what the endpoints need: callers' authentication and roles, the rate limit, problem details with a
    /// stable code, JSON with enum names, OpenAPI, the store health check.
    /// </summary>
    public static IServiceCollection AddCitizenViewApi(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddApiAccess(configuration);
        services.AddProblemDetails(problems => problems.CustomizeProblemDetails = context =>
        {
            // Errors the framework answers (no credentials, wrong role, too many requests) get a code too.
            if (!context.ProblemDetails.Extensions.ContainsKey("code"))
            {
                context.ProblemDetails.Extensions["code"] = context.ProblemDetails.Status switch
                {
                    StatusCodes.Status401Unauthorized => "unauthenticated",
                    StatusCodes.Status403Forbidden => "forbidden",
                    StatusCodes.Status404NotFound => "not-found",
                    StatusCodes.Status405MethodNotAllowed => "method-not-allowed",
                    StatusCodes.Status429TooManyRequests => "rate-limited",
                    >= 500 => "internal-error",
                    _ => "bad-request",
                };
            }
        });
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        services.AddOpenApi();
        services.AddHealthChecks().AddCheck<StoreHealthCheck>("store");
        return services;
    }

    /// <summary>The middleware the endpoints rely on, in order: who is calling, how often, and may they.</summary>
    public static IApplicationBuilder UseCitizenViewApi(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
        return app;
    }

    public static IEndpointRouteBuilder MapCitizenViewApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        // Open to all: the API's description and whether it is up say nothing about anyone.
        endpoints.MapOpenApi().AllowAnonymous();
        endpoints.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = WriteHealthAsync }).AllowAnonymous();

        var citizens = endpoints.MapGroup("/citizens").WithTags("Citizens").RequireAuthorization(ApiPolicies.ReadCitizens);
        citizens.MapGet("/{id}", GetCitizenAsync)
            .WithName("GetCitizen")
            .WithSummary("The golden record, each value with its lineage, and its linked source records.");
        citizens.MapGet("/", SearchAsync)
            .WithName("SearchCitizens")
            .WithSummary("Citizens with a linked source record matching every given criterion (exact, after normalisation).");

        endpoints.MapGet("/audit", GetAuditAsync)
            .WithTags("Audit")
            .WithName("GetAudit")
            .WithSummary("Every recorded read of a citizen's data: who, when, why, which fields.")
            .RequireAuthorization(ApiPolicies.Audit);
        endpoints.MapCitizenDetails();
        endpoints.MapStewardship();
        endpoints.MapChangeFeed();
        return endpoints;
    }

    internal static async Task<IResult> GetCitizenAsync(
        string id, HttpContext http, ICitizenStore store, IOptions<ApiAccessOptions> access, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!IsCitizenId(id))
        {
            return Problem(StatusCodes.Status400BadRequest, "invalid-citizen-id", "The citizen id is not in the form of one.", "id");
        }

        var caller = Caller.From(http, access.Value);
        if (PurposeProblem(caller) is { } purposeProblem)
        {
            return purposeProblem;
        }

        var view = await store.GetCitizenAsync(id, cancellationToken).ConfigureAwait(false);
        switch (view)
        {
            case null:
            case { Restricted: true } when !caller.MaySeeRestricted:
                // Restricted: to an agent it is as if it were not there (saying "restricted" would say it exists).
                return Problem(StatusCodes.Status404NotFound, "citizen-not-found", "No citizen has this id.");
            case { Status: CitizenStatus.Merged, MergedInto: { } survivor }:
                // A merged id forwards for ever to the citizen that absorbed it.
                return TypedResults.Redirect($"/citizens/{survivor}", permanent: true, preserveMethod: true);
            case { Status: CitizenStatus.Removed }:
                return Problem(StatusCodes.Status410Gone, "citizen-removed", "Every source record of this citizen has been removed.");
        }

        var etag = $"\"{view.CitizenId}-{view.Version.ToString(CultureInfo.InvariantCulture)}\"";
        http.Response.Headers.ETag = etag;
        if (http.Request.Headers.IfNoneMatch.Contains(etag))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        var response = CitizenResponse.From(view, caller.Classes);
        await store.AppendAuditAsync([Audit(caller, "read", view.CitizenId, response.ReturnedFields(), time)], cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(response);
    }

    internal static async Task<IResult> SearchAsync(
        string? family,
        string? given,
        string? dob,
        string? postcode,
        int? limit,
        HttpContext http,
        ICitizenStore store,
        IOptions<ApiAccessOptions> access,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var caller = Caller.From(http, access.Value);
        if (PurposeProblem(caller) is { } purposeProblem)
        {
            return purposeProblem;
        }

        var pageSize = limit ?? DefaultSearchLimit;
        if (pageSize is < 1 or > MaxSearchLimit)
        {
            return Problem(StatusCodes.Status400BadRequest, "invalid-limit", $"limit must be from 1 to {MaxSearchLimit}.", "limit");
        }

        string? dateOfBirth = null;
        if (!string.IsNullOrWhiteSpace(dob))
        {
            if (!DateOnly.TryParseExact(dob.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                return Problem(StatusCodes.Status400BadRequest, "invalid-dob", "dob must be a date written yyyy-MM-dd.", "dob");
            }

            dateOfBirth = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        }

        string? canonicalPostcode = null;
        if (!string.IsNullOrWhiteSpace(postcode) && (canonicalPostcode = Postcodes.Canonical(postcode)) is null)
        {
            return Problem(StatusCodes.Status400BadRequest, "invalid-postcode", "postcode is not a UK postcode.", "postcode");
        }

        var search = new CitizenSearch(
            Text.FoldKey(family), Text.FoldKey(given?.Trim().Split(' ')[0]), dateOfBirth, canonicalPostcode, IncludeRestricted: caller.MaySeeRestricted);
        if (search.IsEmpty)
        {
            return Problem(StatusCodes.Status400BadRequest, "no-criteria", "Give at least one of family, given, dob, postcode.");
        }

        var found = await store.SearchAsync(search, pageSize, cancellationToken).ConfigureAwait(false);
        var results = found.Select(c => new SearchResult(c.CitizenId, $"/citizens/{c.CitizenId}", FieldValue.Map(c.Fields))).ToList();
        // Each citizen a search shows is a read of that citizen's data.
        await store.AppendAuditAsync([.. results.Select(r => Audit(caller, "search", r.CitizenId, [.. r.Fields.Keys], time))], cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new SearchResponse(results, pageSize));
    }

    internal static async Task<IResult> GetAuditAsync(string? citizen, int? limit, ICitizenStore store, CancellationToken cancellationToken)
    {
        if (citizen is null || !IsCitizenId(citizen))
        {
            return Problem(StatusCodes.Status400BadRequest, "invalid-citizen-id", "citizen must be a citizen id.", "citizen");
        }

        var pageSize = limit ?? MaxAuditLimit;
        if (pageSize is < 1 or > MaxAuditLimit)
        {
            return Problem(StatusCodes.Status400BadRequest, "invalid-limit", $"limit must be from 1 to {MaxAuditLimit}.", "limit");
        }

        var entries = await store.GetAuditAsync(citizen, pageSize, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new AuditResponse([.. entries.Select(AuditRow.From)], pageSize));
    }

    /// <summary>A read of citizens' data must say why: the purpose goes into the audit trail.</summary>
    internal static ProblemHttpResult? PurposeProblem(Caller caller) => caller.Purpose switch
    {
        null => Problem(StatusCodes.Status400BadRequest, "purpose-required", $"Say why you are reading this data in the {Caller.PurposeHeader} header.", Caller.PurposeHeader),
        { Length: > Caller.MaxPurposeLength } => Problem(StatusCodes.Status400BadRequest, "purpose-too-long", $"{Caller.PurposeHeader} is at most {Caller.MaxPurposeLength} characters.", Caller.PurposeHeader),
        _ => null,
    };

    internal static AuditEntry Audit(Caller caller, string action, string citizenId, IReadOnlyList<string> fields, TimeProvider time) =>
        new(0, time.GetUtcNow(), caller.Name, caller.RolesText, action, citizenId, caller.Purpose, fields);

    /// <summary>Citizen ids are 32 lower-case hex digits; anything else is refused before the store is asked.</summary>
    internal static bool IsCitizenId(string id) =>
        id.Length == 32 && id.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');

    internal static ProblemHttpResult Problem(int status, string code, string detail, string? field = null)
    {
        var extensions = new Dictionary<string, object?> { ["code"] = code };
        if (field is not null)
        {
            extensions["field"] = field;
        }

        return TypedResults.Problem(detail: detail, statusCode: status, extensions: extensions);
    }

    private static Task WriteHealthAsync(HttpContext context, HealthReport report) =>
        context.Response.WriteAsJsonAsync(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => e.Value.Status.ToString()),
        });

    private sealed class StoreHealthCheck(ICitizenStore store) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            await store.PingAsync(cancellationToken).ConfigureAwait(false)
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("The store does not answer.");
    }
}
