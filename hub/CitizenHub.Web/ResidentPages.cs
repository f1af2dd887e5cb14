using CitizenHub.Api;
using CitizenHub.Api.Access;
using CitizenHub.Matching.Linking;
using CitizenHub.Store;
using CitizenHub.Web.Pages;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using static CitizenHub.Web.CitizenHubWeb;

namespace CitizenHub.Web;

/// <summary>Finding a resident and seeing their single view: through the API's search, citizen, history and explanation handlers.</summary>
internal static class ResidentPages
{
    public static async Task<IResult> SearchAsync(
        HttpContext http, [AsParameters] SearchForm form, ICitizenReadModel store, Linker linker, IOptions<ApiAccessOptions> access,
        SourceVisibility visibility, TimeProvider time, CancellationToken cancellationToken)
    {
        if (RequirePurpose(http) is { } askFirst)
        {
            return askFirst;
        }

        // A form sends every field, the empty ones too: the address is tidied to what was asked, to bookmark or share.
        if (http.Request.Query.Any(q => string.IsNullOrWhiteSpace(q.Value)) || (http.Request.Query.ContainsKey("kind") && string.IsNullOrWhiteSpace(form.Identifier)))
        {
            return Results.Redirect(form.Url(form.PageNumber));
        }

        var systems = await VisibleSystemsAsync(http, store, access.Value, visibility, cancellationToken).ConfigureAwait(false);
        var schemes = visibility.SchemesVisible(visibility.HiddenFrom(Caller.From(http, access.Value).Classes));
        Dictionary<string, object?> Parameters(IReadOnlyList<FieldError> errors, SearchResponse? results) => new()
        {
            ["Frame"] = PageFrame.For(http), ["Form"] = form, ["Errors"] = errors, ["Results"] = results, ["Systems"] = systems, ["Schemes"] = schemes,
        };

        if (form.IsEmpty)
        {
            return Render<SearchPage>(Parameters([], null));
        }

        var (dob, dateProblem) = form.DateOfBirth();
        if (dateProblem is not null)
        {
            return Render<SearchPage>(Parameters([new FieldError("dob-day", dateProblem)], null), StatusCodes.Status400BadRequest);
        }

        var identifier = string.IsNullOrWhiteSpace(form.Identifier) ? null : form.Identifier.Trim();
        var kind = form.Kind ?? "ni";
        var scheme = identifier is not null ? SearchForm.SchemeOf(kind) : null;
        var sourceSystem = identifier is not null && scheme is null && kind is not ("ni" or "nhs" or "uprn") ? kind : null;
        var answer = await ApiAnswer<SearchResponse>.FromAsync(http, CitizenViewApi.SearchAsync(
            form.Family, form.Given, dob, form.Postcode,
            kind == "ni" ? identifier : null, kind == "nhs" ? identifier : null, kind == "uprn" ? identifier : null,
            scheme, scheme is null ? null : identifier,
            sourceSystem, sourceSystem is null ? null : identifier,
            SearchForm.PageSize, (form.PageNumber - 1) * SearchForm.PageSize,
            http, store, linker, access, visibility, time, cancellationToken)).ConfigureAwait(false);
        if (answer.Succeeded)
        {
            return Render<SearchPage>(Parameters([], answer.Value));
        }

        // A criterion the API refused is shown against the field it came from, in the API's own words.
        if (answer.Problem?.Extensions.TryGetValue("field", out var field) == true && field is string name && FormField(name) is { } formField)
        {
            return Render<SearchPage>(Parameters([new FieldError(formField, answer.Problem.Detail ?? "Check this detail")], null), answer.Status);
        }

        return Problem(http, answer);
    }

    public static async Task<IResult> ResidentAsync(
        string id, HttpContext http, ICitizenReadModel store, IOptions<ApiAccessOptions> access, SourceVisibility visibility, TimeProvider time,
        string? notice, CancellationToken cancellationToken)
    {
        if (RequirePurpose(http) is { } askFirst)
        {
            return askFirst;
        }

        var citizen = await ApiAnswer<CitizenResponse>.FromAsync(http, CitizenViewApi.GetCitizenAsync(id, http, store, access, visibility, time, cancellationToken)).ConfigureAwait(false);
        if (citizen.RedirectedTo is { } forwarded)
        {
            // A merged reference leads, as in the API, to the resident it was merged into.
            return Results.Redirect(WebPaths.Resident(forwarded.Split('/')[^1]), permanent: true);
        }

        if (!citizen.Succeeded)
        {
            return Problem(http, citizen);
        }

        var history = await ApiAnswer<HistoryResponse>.FromAsync(http, CitizenDetailsApi.GetHistoryAsync(id, http, store, access, visibility, time, cancellationToken)).ConfigureAwait(false);
        var explanations = new List<ExplanationResponse>(citizen.Value!.SourceRecords.Count);
        foreach (var record in citizen.Value.SourceRecords)
        {
            var explained = await ApiAnswer<ExplanationResponse>.FromAsync(http, CitizenDetailsApi.GetExplanationAsync(
                id, record.SourceSystem, record.SourceKey, http, store, access, visibility, time, cancellationToken)).ConfigureAwait(false);
            if (explained.Value is { } explanation)
            {
                explanations.Add(explanation);
            }
        }

        return Render<ResidentPage>(new()
        {
            ["Frame"] = PageFrame.For(http), ["Citizen"] = citizen.Value, ["History"] = history.Value, ["Explanations"] = explanations,
            ["Notice"] = notice switch { "merged" => "The records are now one resident.", "split" => "The records are now two residents.", _ => null },
        });
    }

    /// <summary>
    /// The page states the session's purpose for each read it makes, as an API caller sends X-Purpose; with none yet,
    /// it asks first and comes back.
    /// </summary>
    internal static IResult? RequirePurpose(HttpContext http)
    {
        if (PageSession.Purpose(http.User) is not { } purpose)
        {
            return Results.Redirect($"{WebPaths.Purpose}?returnUrl={Uri.EscapeDataString(http.Request.Path + http.Request.QueryString)}");
        }

        http.Features.Set(new StatedPurpose(purpose));
        return null;
    }

    /// <summary>The systems the hub holds records of that the caller may know of, for a filter or a search by reference.</summary>
    internal static async Task<IReadOnlyList<string>> VisibleSystemsAsync(
        HttpContext http, ICitizenReadModel store, ApiAccessOptions access, SourceVisibility visibility, CancellationToken cancellationToken)
    {
        var hidden = visibility.HiddenFrom(Caller.From(http, access).Classes);
        return [.. (await store.GetSourcesAsync(cancellationToken).ConfigureAwait(false))
            .Select(s => s.SourceSystem).Where(s => !hidden.Contains(s)).Order(StringComparer.Ordinal)];
    }

    /// <summary>An answer the API refused, as a page that says what happened and what to do.</summary>
    internal static IResult Problem<T>(HttpContext http, ApiAnswer<T> answer)
        where T : class
    {
        var (heading, next) = answer.Code switch
        {
            "citizen-not-found" => ("Resident not found", "The reference may be mistyped, or the resident's records are not ones you may see. Search for them instead."),
            "citizen-erased" => ("This resident's records were erased", "The council erased them at the resident's request. The audit trail says when, and by whom."),
            "citizen-removed" => ("This resident's records were removed", "Every system that held a record of them has removed it."),
            "purpose-not-allowed" => ("You cannot look at records for this reason", "Change the reason you gave to one your role allows."),
            "invalid-citizen-id" => ("Resident not found", "The reference is not in the form of one. Search for the resident instead."),
            _ => ("Sorry, there is a problem", "Go back and try again."),
        };
        return Render<ErrorPage>(new()
        {
            ["Frame"] = PageFrame.For(http), ["Heading"] = heading, ["Detail"] = answer.Problem?.Detail, ["WhatToDo"] = next,
        }, answer.Status);
    }

    /// <summary>The search form's field for an API query parameter.</summary>
    private static string? FormField(string apiField) => apiField switch
    {
        "family" or "given" or "postcode" => apiField,
        "dob" => "dob-day",
        "ni" or "nhs" or "uprn" or "sourceKey" or "sourceSystem" or "scheme" or "identifier" => "identifier",
        _ => null,
    };
}
