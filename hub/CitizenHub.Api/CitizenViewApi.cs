using System.Globalization;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using CitizenHub.Api.Access;
using CitizenHub.Api.Reporting;
using CitizenHub.Contracts;
using CitizenHub.Matching;
using CitizenHub.Matching.Identity;
using CitizenHub.Matching.Linking;
using CitizenHub.Matching.Scoring;
using CitizenHub.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Scalar.AspNetCore;

namespace CitizenHub.Api;

/// <summary>The Customer View API's endpoints.</summary>
public static partial class CitizenViewApi
{
    /// <summary><value>The default search page size is 20.</value></summary>
    public const int DefaultSearchLimit = 20;

    /// <summary>A scheme's name as a mapping may give it (RecordMapper checks the same).</summary>
    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex SchemeName();

    /// <summary>The most results one search returns.</summary>
    public const int MaxSearchLimit = 100;

    /// <summary>The most citizens a search ranks: a query that finds more must be narrowed.</summary>
    public const int MaxSearchCandidates = 500;

    /// <summary>The most audit rows one request returns.</summary>
    public const int MaxAuditLimit = 500;

    /// <summary>The audit action of a search itself (its criteria as given); each citizen it shows has a <c>search</c> row.</summary>
    public const string SearchQueryAction = "search-query";

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
        services.AddOpenApi(OpenApiSecurity.Describe);
        services.AddHealthChecks().AddCheck<StoreHealthCheck>("store");
        // The host names the sensitive sources from its configuration; without it every source is general.
        services.TryAddSingleton(SourceVisibility.AllGeneral);
        // The host says where syncs write their rejects; without it, relative to where it runs, as a sync's default is.
        services.TryAddSingleton(new RejectsFolder(Path.GetFullPath("rejects")));
        return services;
    }

    /// <summary>The middleware the endpoints rely on, in order: the headers every answer carries, who is calling, how often, and may they.</summary>
    /// <param name="open">What is served to anyone, after the headers and before authentication (the web page's assets).</param>
    /// <param name="authorized">What runs once the caller is known and admitted (the web page's form tokens).</param>
    public static IApplicationBuilder UseCitizenViewApi(this IApplicationBuilder app, Action<IApplicationBuilder>? open = null, Action<IApplicationBuilder>? authorized = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseResponseHeaders();
        open?.Invoke(app);
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
        authorized?.Invoke(app);
        return app;
    }

    public static IEndpointRouteBuilder MapCitizenViewApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        // Open to all: the API's description and whether it is up say nothing about anyone.
        endpoints.MapOpenApi().AllowAnonymous();
        endpoints.MapScalarApiReference("/docs", DescribeDocsPage).AllowAnonymous();
        endpoints.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = WriteHealthAsync }).AllowAnonymous();

        var citizens = endpoints.MapGroup("/citizens").WithTags("Citizens").RequireAuthorization(ApiPolicies.ReadCitizens);
        citizens.MapGet("/{id}", GetCitizenAsync)
            .WithName("GetCitizen")
            .WithSummary("The golden record, each value with its lineage, and its linked source records.");
        citizens.MapGet("/", SearchAsync)
            .WithName("SearchCitizens")
            .WithSummary("Citizens with a record meeting every criterion (names also by sound and pet form), ranked by match weight, paged.");

        endpoints.MapGet("/audit", GetAuditAsync)
            .WithTags("Audit")
            .WithName("GetAudit")
            .WithSummary("The audit trail: reads of citizens' data, searches with their criteria, refused requests; filtered, paged by cursor.")
            .RequireAuthorization(ApiPolicies.Audit);
        endpoints.MapCitizenDetails();
        endpoints.MapSourceOperations();
        endpoints.MapStewardship();
        endpoints.MapChangeFeed();
        endpoints.MapHubReport();
        return endpoints;
    }

    internal static async Task<IResult> GetCitizenAsync(
        string id, HttpContext http, ICitizenReadModel store, IOptions<ApiAccessOptions> access, SourceVisibility visibility, TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (CitizenIdProblem(id) is { } idProblem)
        {
            return idProblem;
        }

        var caller = Caller.From(http, access.Value);
        if (PurposeProblem(caller, access.Value) is { } purposeProblem)
        {
            return purposeProblem;
        }

        var held = await store.GetCitizenAsync(id, cancellationToken).ConfigureAwait(false);
        // A citizen held only by sources the caller may not know of is not there for them, as a restricted one is not.
        var view = held is null ? null : visibility.Visible(held, visibility.HiddenFrom(caller.Classes));
        switch (view)
        {
            case null:
            case { Restricted: true } when !caller.MaySeeRestricted:
                // Restricted: to an agent it is as if it were not there (saying "restricted" would say it exists).
                return Problem(StatusCodes.Status404NotFound, "citizen-not-found", "No citizen has this id.");
            case { Status: CitizenStatus.Merged, MergedInto: { } survivor }:
                // A merged id forwards for ever to the citizen that absorbed it.
                return TypedResults.Redirect($"/citizens/{survivor}", permanent: true, preserveMethod: true);
            case { Status: CitizenStatus.Erased }:
                return Problem(StatusCodes.Status410Gone, "citizen-erased", "This citizen's data has been erased from the hub.");
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
        string? ni,
        string? nhs,
        string? uprn,
        string? scheme,
        string? identifier,
        string? sourceSystem,
        string? sourceKey,
        int? limit,
        int? offset,
        HttpContext http,
        ICitizenReadModel store,
        Linker linker,
        IOptions<ApiAccessOptions> access,
        SourceVisibility visibility,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var caller = Caller.From(http, access.Value);
        if (PurposeProblem(caller, access.Value) is { } purposeProblem)
        {
            return purposeProblem;
        }

        var pageSize = limit ?? DefaultSearchLimit;
        if (pageSize is < 1 or > MaxSearchLimit)
        {
            return Problem(StatusCodes.Status400BadRequest, "invalid-limit", $"limit must be from 1 to {MaxSearchLimit}.", "limit");
        }

        var skip = offset ?? 0;
        // Compared as a subtraction: skip + pageSize overflows for an offset near int.MaxValue.
        if (skip < 0 || skip > MaxSearchCandidates - pageSize)
        {
            return Problem(StatusCodes.Status400BadRequest, "invalid-offset", $"offset must be from 0, and offset + limit at most {MaxSearchCandidates}: narrow the search.", "offset");
        }

        DateOnly? dateOfBirth = null;
        if (!string.IsNullOrWhiteSpace(dob))
        {
            if (!DateOnly.TryParseExact(dob.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                return Problem(StatusCodes.Status400BadRequest, "invalid-dob", "dob must be a date written yyyy-MM-dd.", "dob");
            }

            dateOfBirth = date;
        }

        // Any country's postal code, as a source whose mapping says PostcodeFormat "Any" keeps it: a UK postcode in any
        // spacing is the UK postcode.
        string? canonicalPostcode = null;
        if (!string.IsNullOrWhiteSpace(postcode) && (canonicalPostcode = Postcodes.AnyCountry(postcode)) is null)
        {
            return Problem(StatusCodes.Status400BadRequest, "invalid-postcode", "postcode has no letters or digits.", "postcode");
        }

        var identifierKeys = new List<string>(3);
        foreach (var (value, canonical, prefix, field) in new[]
        {
            (ni, Identifiers.NiNumber(ni), "ni:", "ni"), (nhs, Identifiers.NhsNumber(nhs), "nhs:", "nhs"), (uprn, Identifiers.Uprn(uprn), "uprn:", "uprn"),
        })
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                if (canonical is null)
                {
                    return Problem(StatusCodes.Status400BadRequest, $"invalid-{field}", $"{field} is not a valid {field.ToUpperInvariant()} value.", field);
                }

                identifierKeys.Add(prefix + canonical);
            }
        }

        if (string.IsNullOrWhiteSpace(scheme) != string.IsNullOrWhiteSpace(identifier))
        {
            return Problem(StatusCodes.Status400BadRequest, "invalid-scheme-identifier", "Give scheme and identifier together.", string.IsNullOrWhiteSpace(identifier) ? "identifier" : "scheme");
        }

        Identifier? schemeIdentifier = null;
        if (scheme?.Trim() is { Length: > 0 } schemeName)
        {
            if (!SchemeName().IsMatch(schemeName) || RecordNormaliser.SchemeIdentifier(schemeName, identifier) is not { } key)
            {
                return Problem(StatusCodes.Status400BadRequest, "invalid-scheme", "scheme must be a scheme's name as a mapping gives it: lower-case letters and digits, in words joined by hyphens.", "scheme");
            }

            schemeIdentifier = Identifier.OfScheme(schemeName, identifier!);
            identifierKeys.Add(BlockingKeys.OfSchemeIdentifier(key));
        }

        if (string.IsNullOrWhiteSpace(sourceSystem) != string.IsNullOrWhiteSpace(sourceKey))
        {
            return Problem(StatusCodes.Status400BadRequest, "invalid-source-record", "Give sourceSystem and sourceKey together.", string.IsNullOrWhiteSpace(sourceKey) ? "sourceKey" : "sourceSystem");
        }

        var hidden = visibility.HiddenFrom(caller.Classes);

        // The query as a record of its own: normalised as the sources are, and then scored against each candidate.
        var probe = RecordNormaliser.Normalise(new SourceRecord
        {
            SourceSystem = "search",
            SourceKey = "query",
            ObservedAt = time.GetUtcNow(),
            Name = family is null && given is null ? null : new PersonName(null, given, family),
            DateOfBirth = dateOfBirth is { } d ? new PartialDate(d.Year, d.Month, d.Day) : null,
            Addresses = canonicalPostcode is null && uprn is null ? [] : [new PostalAddress([], null, canonicalPostcode, uprn) { PostcodeFormat = PostcodeFormat.Any }],
            Identifiers = [.. new[] { (IdentifierScheme.NiNumber, ni), (IdentifierScheme.NhsNumber, nhs) }
                .Where(i => !string.IsNullOrWhiteSpace(i.Item2)).Select(i => new Identifier(i.Item1, i.Item2!)),
                .. schemeIdentifier is null ? [] : new[] { schemeIdentifier }],
        });
        var search = new CitizenSearch(
            string.IsNullOrWhiteSpace(family) ? null : probe.FamilyKey,
            string.IsNullOrWhiteSpace(given) ? null : probe.GivenKey,
            probe.DateOfBirthKey,
            canonicalPostcode,
            IncludeRestricted: caller.MaySeeRestricted)
        {
            FamilyPhonetic = string.IsNullOrWhiteSpace(family) ? null : probe.FamilyPhonetic,
            GivenPhonetic = string.IsNullOrWhiteSpace(given) ? null : probe.GivenPhonetic,
            GivenEquivalents = probe.GivenKey is { } g && !string.IsNullOrWhiteSpace(given) ? [.. Nicknames.Equivalents(g)] : [],
            IdentifierKeys = identifierKeys,
            SourceRecord = string.IsNullOrWhiteSpace(sourceKey) ? null : new SourceRecordRef(sourceSystem!.Trim(), sourceKey.Trim()),
            HiddenSources = hidden,
        };
        if (search.IsEmpty)
        {
            return Problem(StatusCodes.Status400BadRequest, "no-criteria", "Give at least one of family, given, dob, postcode, ni, nhs, uprn, scheme and identifier, or sourceSystem and sourceKey.");
        }

        var found = await store.SearchAsync(search, MaxSearchCandidates, cancellationToken).ConfigureAwait(false);
        // Ranked by how well the best record of each citizen matches the query, as the matching engine weighs it.
        var exact = linker.Scorer.ExactWeights(probe, NoTermFrequencies.Instance);
        Span<byte> levels = stackalloc byte[MatchFields.Count];
        Span<byte> bestLevels = stackalloc byte[MatchFields.Count];
        var ranked = new List<(CitizenSummary Citizen, double Score, IReadOnlyList<FieldWeight> Matched)>(found.Count);
        foreach (var citizen in found.Select(c => visibility.Visible(c, hidden)).OfType<CitizenSummary>())
        {
            PairScore? best = null;
            NormalisedRecord? bestRecord = null;
            foreach (var record in citizen.Records ?? [])
            {
                var score = linker.Scorer.Score(probe, record, exact, levels);
                if (best is null || score.Weight > best.Value.Weight)
                {
                    (best, bestRecord) = (score, record);
                    levels.CopyTo(bestLevels);
                }
            }

            // Why it ranks where it does: each criterion's agreement with the best record, as the matching engine weighs it.
            var matched = best is { } b
                ? [.. linker.Scorer.Explain(probe, bestRecord!, b, bestLevels, exact).Fields.Where(f => f.Level != MatchModel.MissingLevel)]
                : (IReadOnlyList<FieldWeight>)[];
            ranked.Add((citizen, best?.Weight ?? double.MinValue, matched));
        }

        var page = ranked.OrderByDescending(r => r.Score).Skip(skip).Take(pageSize)
            .Select(r => new SearchResult(r.Citizen.CitizenId, $"/citizens/{r.Citizen.CitizenId}", Math.Round(r.Score, 1), FieldValue.Map(r.Citizen.Fields), r.Matched))
            .ToList();
        // The search itself is kept with its criteria as given (who looked for whom), beside a read of each citizen it shows.
        var criteria = new (string Name, string? Value)[]
        {
            ("family", family), ("given", given), ("dob", dob), ("postcode", postcode), ("ni", ni), ("nhs", nhs), ("uprn", uprn),
            ("scheme", scheme), ("identifier", identifier), ("sourceSystem", sourceSystem), ("sourceKey", sourceKey),
            ("limit", limit?.ToString(CultureInfo.InvariantCulture)), ("offset", offset?.ToString(CultureInfo.InvariantCulture)),
        }.Where(c => c.Value is not null).ToDictionary(c => c.Name, c => c.Value!, StringComparer.Ordinal);
        var searched = Audit(caller, SearchQueryAction, null, [.. criteria.Keys], time) with { Details = criteria };
        await store.AppendAuditAsync(
            [searched, .. page.Select(r => Audit(caller, "search", r.CitizenId, [.. r.Fields.Keys], time))], cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new SearchResponse(page, pageSize, skip, ranked.Count, Truncated: found.Count >= MaxSearchCandidates));
    }

    internal static async Task<IResult> GetAuditAsync(
        string? caller,
        string? citizen,
        string? action,
        string? from,
        string? to,
        string? order,
        string? cursor,
        int? limit,
        ICitizenReadModel store,
        CancellationToken cancellationToken)
    {
        var query = AuditQueries.Parse(caller, citizen, action, from, to, order, cursor, limit ?? MaxAuditLimit, MaxAuditLimit, out var problem);
        if (query is null)
        {
            return problem!;
        }

        var page = await store.QueryAuditAsync(query, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new AuditResponse(
            [.. page.Entries.Select(AuditRow.From)], query.Limit, page.Next is { } next ? AuditQueries.Cursor(query.NewestFirst, next) : null));
    }

    /// <summary>
    /// A read of citizens' data must say why: the purpose goes into the audit trail, and where the caller's roles have a
    /// list of purposes (<see cref="ApiAccessOptions.Purposes"/>) it must be one of them.
    /// </summary>
    internal static ProblemHttpResult? PurposeProblem(Caller caller, ApiAccessOptions access) => caller.Purpose switch
    {
        null => Problem(StatusCodes.Status400BadRequest, "purpose-required", $"Say why you are reading this data in the {Caller.PurposeHeader} header.", Caller.PurposeHeader),
        { Length: > Caller.MaxPurposeLength } => Problem(StatusCodes.Status400BadRequest, "purpose-too-long", $"{Caller.PurposeHeader} is at most {Caller.MaxPurposeLength} characters.", Caller.PurposeHeader),
        { } purpose when !access.AllowsPurpose(caller.Roles, purpose) => Problem(
            StatusCodes.Status403Forbidden,
            "purpose-not-allowed",
            $"Your role may read citizens' data for these purposes only: {string.Join("; ", access.PurposesFor(caller.Roles))}. Give one in {Caller.PurposeHeader}, optionally followed by ':' and a reference.",
            Caller.PurposeHeader),
        _ => null,
    };

    internal static AuditEntry Audit(Caller caller, string action, string? citizenId, IReadOnlyList<string> fields, TimeProvider time) =>
        new(0, time.GetUtcNow(), caller.Name, caller.RolesText, action, citizenId, caller.Purpose, fields);

    /// <summary>The answer to a path id that is not a citizen id; null when it is one.</summary>
    internal static ProblemHttpResult? CitizenIdProblem(string id) =>
        IsCitizenId(id) ? null : Problem(StatusCodes.Status400BadRequest, "invalid-citizen-id", "The citizen id is not in the form of one.", "id");

    /// <summary>The answer to a path id that is not a whole number (a review's, a failed message's); null when it is one.</summary>
    /// <param name="noun">What the id is of, for the problem's code and words: <c>review</c> gives <c>invalid-review-id</c>.</param>
    internal static ProblemHttpResult? NumberIdProblem(string id, string noun, out long number) =>
        long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out number)
            ? null
            : Problem(StatusCodes.Status400BadRequest, $"invalid-{noun}-id", $"The {noun} id is a whole number.", "id");

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

    /// <summary>
    /// The browsable docs over the OpenAPI document, working on a council network with no internet: the bundle is served
    /// by this host, no fonts or telemetry are fetched from outside, and its boot script carries a nonce made per request
    /// (see <see cref="ResponseHeaders.ApiDocsContentSecurityPolicy"/>).
    /// </summary>
    private static void DescribeDocsPage(ScalarOptions scalar)
    {
        scalar.WithTitle("CitizenHub Customer View API").WithNonce().WithOpenApiRoutePattern("/openapi/{documentName}.json");
        scalar.DefaultFonts = false;
        scalar.Telemetry = false;
        scalar.HideClientButton = true;
        // The toolbar and the AI chat call Scalar's own services: nothing on this page talks to anyone but this host.
        scalar.ShowDeveloperTools = DeveloperToolsVisibility.Never;
        scalar.Agent = new ScalarAgentOptions { Disabled = true };
        scalar.AddPreferredSecuritySchemes([OpenApiSecurity.ApiKeyScheme]);
    }

    private static Task WriteHealthAsync(HttpContext context, HealthReport report) =>
        context.Response.WriteAsJsonAsync(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => e.Value.Status.ToString()),
        });

    private sealed class StoreHealthCheck(ICitizenReadModel store) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            await store.PingAsync(cancellationToken).ConfigureAwait(false)
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("The store does not answer.");
    }
}
