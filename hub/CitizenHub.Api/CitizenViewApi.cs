using System.Globalization;
using System.Text.Json.Serialization;
using CitizenHub.Matching;
using CitizenHub.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CitizenHub.Api;

/// <summary>The Customer View API's endpoints.</summary>
public static class CitizenViewApi
{
    /// <summary><value>The default search page size is 20.</value></summary>
    public const int DefaultSearchLimit = 20;

    /// <summary>The most results one search returns.</summary>
    public const int MaxSearchLimit = 100;

    /// <summary>Adds what the endpoints need: problem details, JSON with enum names, OpenAPI, the store health check.</summary>
    public static IServiceCollection AddCitizenViewApi(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddProblemDetails();
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        services.AddOpenApi();
        services.AddHealthChecks().AddCheck<StoreHealthCheck>("store");
        return services;
    }

    public static IEndpointRouteBuilder MapCitizenViewApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapOpenApi();
        endpoints.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = WriteHealthAsync });

        var citizens = endpoints.MapGroup("/citizens").WithTags("Citizens");
        citizens.MapGet("/{id}", GetCitizenAsync)
            .WithName("GetCitizen")
            .WithSummary("The golden record, each value with its lineage, and its linked source records.");
        citizens.MapGet("/", SearchAsync)
            .WithName("SearchCitizens")
            .WithSummary("Citizens with a linked source record matching every given criterion (exact, after normalisation).");
        return endpoints;
    }

    internal static async Task<IResult> GetCitizenAsync(string id, HttpContext http, ICitizenStore store, CancellationToken cancellationToken)
    {
        if (!IsCitizenId(id))
        {
            return Problem(StatusCodes.Status400BadRequest, "invalid-citizen-id", "The citizen id is not in the form of one.", "id");
        }

        var view = await store.GetCitizenAsync(id, cancellationToken).ConfigureAwait(false);
        switch (view)
        {
            case null:
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

        return TypedResults.Ok(CitizenResponse.From(view));
    }

    internal static async Task<IResult> SearchAsync(
        string? family,
        string? given,
        string? dob,
        string? postcode,
        int? limit,
        ICitizenStore store,
        CancellationToken cancellationToken)
    {
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

        var search = new CitizenSearch(Text.FoldKey(family), Text.FoldKey(given?.Trim().Split(' ')[0]), dateOfBirth, canonicalPostcode);
        if (search.IsEmpty)
        {
            return Problem(StatusCodes.Status400BadRequest, "no-criteria", "Give at least one of family, given, dob, postcode.");
        }

        var found = await store.SearchAsync(search, pageSize, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new SearchResponse(
            [.. found.Select(c => new SearchResult(c.CitizenId, $"/citizens/{c.CitizenId}", FieldValue.Map(c.Fields)))],
            pageSize));
    }

    /// <summary>Citizen ids are 32 lower-case hex digits; anything else is refused before the store is asked.</summary>
    private static bool IsCitizenId(string id) =>
        id.Length == 32 && id.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');

    private static ProblemHttpResult Problem(int status, string code, string detail, string? field = null)
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
