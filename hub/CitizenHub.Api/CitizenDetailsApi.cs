using CitizenHub.Api.Access;
using CitizenHub.Contracts;
using CitizenHub.Matching.Identity;
using CitizenHub.Matching.Linking;
using CitizenHub.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using static CitizenHub.Api.CitizenViewApi;

namespace CitizenHub.Api;

/// <summary>
/// Behind a golden record: its history, why each record is linked, a source record as held, the sources' state,
/// a subject access export, and restriction of processing.
/// </summary>
internal static class CitizenDetailsApi
{
    public static void MapCitizenDetails(this IEndpointRouteBuilder endpoints)
    {
        var citizens = endpoints.MapGroup("/citizens").WithTags("Citizens");
        citizens.MapGet("/{id}/history", GetHistoryAsync)
            .WithName("GetCitizenHistory")
            .WithSummary("Every change to the golden record, oldest first, with its cause.")
            .RequireAuthorization(ApiPolicies.ReadCitizens);
        citizens.MapGet("/{id}/links/{system}/{key}/explanation", GetExplanationAsync)
            .WithName("GetLinkExplanation")
            .WithSummary("Why a source record is linked to the citizen: the record it matched and each field's weight.")
            .RequireAuthorization(ApiPolicies.ReadCitizens);
        citizens.MapGet("/{id}/export", ExportAsync)
            .WithName("ExportCitizen")
            .WithSummary("Subject access: everything held about the person, with lineage, history and who read it.")
            .RequireAuthorization(ApiPolicies.Admin);
        citizens.MapPost("/{id}/restriction", SetRestrictionAsync)
            .WithName("SetRestriction")
            .WithSummary("Restrict processing (hide from agents) or lift the restriction. Audited.")
            .RequireAuthorization(ApiPolicies.Admin);

        citizens.MapPost("/{id}/erasure", EraseAsync)
            .WithName("EraseCitizen")
            .WithSummary("Erase the citizen's data from the hub (right to erasure) and keep its records out of later syncs. Audited.")
            .RequireAuthorization(ApiPolicies.Admin);

        var sources = endpoints.MapGroup("/sources").WithTags("Sources");
        sources.MapGet("/", GetSourcesAsync)
            .WithName("GetSources")
            .WithSummary("Each source's last sync run, records held, rejects and status.")
            .RequireAuthorization(ApiPolicies.Admin);
        sources.MapGet("/{system}/records/{key}", GetSourceRecordAsync)
            .WithName("GetSourceRecord")
            .WithSummary("A source record as held, and the citizen it belongs to.")
            .RequireAuthorization(ApiPolicies.ReadCitizens);
    }

    internal static async Task<IResult> GetHistoryAsync(
        string id, HttpContext http, ICitizenReadModel store, IOptions<ApiAccessOptions> access, SourceVisibility visibility, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var (caller, _, refusal) = await AdmitAsync(id, http, store, access.Value, visibility, cancellationToken).ConfigureAwait(false);
        if (refusal is not null)
        {
            return refusal;
        }

        var hidden = visibility.HiddenFrom(caller!.Classes);
        var history = (await store.GetHistoryAsync(id, cancellationToken).ConfigureAwait(false))
            .Where(entry => entry.Record is null || !hidden.Contains(entry.Record.SourceSystem))
            .ToList();
        await store.AppendAuditAsync([Audit(caller!, "history", id, ["history"], time)], cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new HistoryResponse(id, [.. history.Select(HistoryRow.From)]));
    }

    internal static async Task<IResult> GetExplanationAsync(
        string id, string system, string key, HttpContext http, ICitizenReadModel store, IOptions<ApiAccessOptions> access, SourceVisibility visibility,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var (caller, _, refusal) = await AdmitAsync(id, http, store, access.Value, visibility, cancellationToken).ConfigureAwait(false);
        if (refusal is not null)
        {
            return refusal;
        }

        var hidden = visibility.HiddenFrom(caller!.Classes);
        var held = hidden.Contains(system) ? null : await store.GetSourceRecordAsync(system, key, cancellationToken).ConfigureAwait(false);
        if (held is null || held.CitizenId != id)
        {
            return Problem(StatusCodes.Status404NotFound, "link-not-found", "No such source record is linked to this citizen.");
        }

        var evidence = await store.GetLinkEvidenceAsync(system, key, cancellationToken).ConfigureAwait(false);
        if (evidence is not null && hidden.Contains(evidence.SourceSystem))
        {
            // The pair that linked it names a record of a source the caller may not know of.
            evidence = null;
        }

        await store.AppendAuditAsync([Audit(caller!, "explanation", id, ["link-evidence"], time)], cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new ExplanationResponse(id, system, key, StartedCitizen: evidence is null, evidence));
    }

    internal static async Task<IResult> ExportAsync(
        string id, HttpContext http, ICitizenReadModel store, IOptions<ApiAccessOptions> access, TimeProvider time, CancellationToken cancellationToken)
    {
        // A subject access request is answered in full, every source included: the request is the data subject's.
        var (caller, admitted, refusal) = await AdmitAsync(id, http, store, access.Value, SourceVisibility.AllGeneral, cancellationToken).ConfigureAwait(false);
        if (refusal is not null)
        {
            return refusal;
        }

        var view = admitted!;
        var explanations = new List<ExplanationResponse>(view.SourceRecords.Count);
        foreach (var record in view.SourceRecords)
        {
            var evidence = await store.GetLinkEvidenceAsync(record.SourceSystem, record.SourceKey, cancellationToken).ConfigureAwait(false);
            explanations.Add(new ExplanationResponse(id, record.SourceSystem, record.SourceKey, evidence is null, evidence));
        }

        var history = await store.GetHistoryAsync(id, cancellationToken).ConfigureAwait(false);
        // Every row, however many, and those recorded under the ids merged into this one: they were reads of this person.
        var reads = new List<AuditEntry>();
        for (var query = new AuditQuery(MaxAuditLimit) { CitizenId = id }; ;)
        {
            var page = await store.QueryAuditAsync(query, cancellationToken).ConfigureAwait(false);
            reads.AddRange(page.Entries);
            if (page.Next is not { } next)
            {
                break;
            }

            query = query with { After = next };
        }

        // A subject access request is answered in full: every class of data held, whatever the admin's grants.
        var everything = view.SourceRecords.SelectMany(r => r.Record.Attributes).Select(a => a.Sensitivity).Append(SourceAttribute.General).ToHashSet(StringComparer.Ordinal);
        var citizen = CitizenResponse.From(view, everything);
        await store.AppendAuditAsync([Audit(caller!, "export", id, citizen.ReturnedFields(), time)], cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new ExportResponse(
            time.GetUtcNow(), citizen, explanations, [.. history.Select(HistoryRow.From)], [.. reads.Select(AuditRow.From)]));
    }

    internal static async Task<IResult> SetRestrictionAsync(
        string id, RestrictionRequest request, HttpContext http, IStewardship stewardship, ICitizenReadModel store, IOptions<ApiAccessOptions> access,
        TimeProvider time, CancellationToken cancellationToken)
    {
        if (CitizenIdProblem(id) is { } idProblem)
        {
            return idProblem;
        }

        if (request is null || request.Restricted is null)
        {
            return Problem(StatusCodes.Status400BadRequest, "invalid-body", "Send { \"restricted\": true|false, \"reason\": \"…\" }.", "restricted");
        }

        if (string.IsNullOrWhiteSpace(request.Reason) || request.Reason.Length > Caller.MaxPurposeLength)
        {
            return Problem(StatusCodes.Status400BadRequest, "invalid-reason", $"reason is required, at most {Caller.MaxPurposeLength} characters.", "reason");
        }

        var caller = Caller.From(http, access.Value) with { Purpose = request.Reason.Trim() };
        // Through the resolution path, as a steward's decision: the restriction is placed on the citizen's records, so that
        // no later merge, split or move leaves it behind.
        var outcome = await stewardship.SetRestrictionAsync(id, request.Restricted.Value, cancellationToken).ConfigureAwait(false);
        if (outcome.Kind != StewardOutcomeKind.Applied)
        {
            return Problem(StatusCodes.Status404NotFound, "citizen-not-found", "No active citizen has this id.");
        }

        await store.AppendAuditAsync([Audit(caller, request.Restricted.Value ? "restrict" : "unrestrict", id, [], time)], cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new RestrictionResponse(id, request.Restricted.Value));
    }

    internal static async Task<IResult> EraseAsync(
        string id, ErasureRequest request, HttpContext http, IStewardship stewardship, ICitizenReadModel store, IOptions<ApiAccessOptions> access,
        TimeProvider time, CancellationToken cancellationToken)
    {
        if (CitizenIdProblem(id) is { } idProblem)
        {
            return idProblem;
        }

        if (string.IsNullOrWhiteSpace(request?.Reason) || request.Reason.Length > Caller.MaxPurposeLength)
        {
            return Problem(StatusCodes.Status400BadRequest, "invalid-reason", $"reason is required (the request and the law it rests on), at most {Caller.MaxPurposeLength} characters.", "reason");
        }

        var outcome = await stewardship.EraseAsync(id, cancellationToken).ConfigureAwait(false);
        if (outcome.Kind != StewardOutcomeKind.Applied)
        {
            return Problem(StatusCodes.Status404NotFound, "citizen-not-found", "No active citizen has this id (a merged id is erased through the citizen it forwards to).");
        }

        // That it happened, by whom and why: the audit keeps no value of what was erased.
        var caller = Caller.From(http, access.Value) with { Purpose = request.Reason.Trim() };
        await store.AppendAuditAsync([Audit(caller, "erase", id, [], time)], cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new ErasureResponse(id, time.GetUtcNow()));
    }

    internal static async Task<IResult> GetSourcesAsync(ICitizenReadModel store, CancellationToken cancellationToken) =>
        TypedResults.Ok(new SourcesResponse(await store.GetSourcesAsync(cancellationToken).ConfigureAwait(false)));

    internal static async Task<IResult> GetSourceRecordAsync(
        string system, string key, HttpContext http, ICitizenReadModel store, IOptions<ApiAccessOptions> access, SourceVisibility visibility, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var caller = Caller.From(http, access.Value);
        if (PurposeProblem(caller, access.Value) is { } purposeProblem)
        {
            return purposeProblem;
        }

        var held = visibility.HiddenFrom(caller.Classes).Contains(system)
            ? null
            : await store.GetSourceRecordAsync(system, key, cancellationToken).ConfigureAwait(false);
        if (held is null || (held.CitizenRestricted && !caller.MaySeeRestricted))
        {
            return Problem(StatusCodes.Status404NotFound, "source-record-not-found", "No such source record is held.");
        }

        var record = CitizenResponse.Visible(held.Record, caller.Classes);
        await store.AppendAuditAsync([Audit(caller, "source-record", held.CitizenId, [$"source-record:{system}"], time)], cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new HeldSourceRecordResponse(held.CitizenId, $"/citizens/{held.CitizenId}", held.ObservedAt, held.LinkedAt, record));
    }

    /// <summary>
    /// The checks every read of one citizen makes: a well-formed id, a stated purpose, a citizen that exists and that
    /// the caller may see (a restricted one is not there for an agent, nor one held only by sources hidden from them),
    /// as the caller may see it (without the records of sources hidden from them).
    /// </summary>
    /// <returns>The caller and the citizen as held, or the refusal.</returns>
    private static async Task<(Caller? Caller, CitizenView? View, IResult? Refusal)> AdmitAsync(
        string id, HttpContext http, ICitizenReadModel store, ApiAccessOptions access, SourceVisibility visibility, CancellationToken cancellationToken)
    {
        if (CitizenIdProblem(id) is { } idProblem)
        {
            return (null, null, idProblem);
        }

        var caller = Caller.From(http, access);
        if (PurposeProblem(caller, access) is { } purposeProblem)
        {
            return (null, null, purposeProblem);
        }

        var held = await store.GetCitizenAsync(id, cancellationToken).ConfigureAwait(false);
        var view = held is null ? null : visibility.Visible(held, visibility.HiddenFrom(caller.Classes));
        if (view is null || (view.Restricted && !caller.MaySeeRestricted))
        {
            return (null, null, Problem(StatusCodes.Status404NotFound, "citizen-not-found", "No citizen has this id."));
        }

        return (caller, view, null);
    }
}

public sealed record HistoryResponse(string CitizenId, IReadOnlyList<HistoryRow> Entries);

/// <summary>One change to a golden record: its cause, the source record behind it, the other citizen involved.</summary>
public sealed record HistoryRow(HistoryCause Cause, string? SourceSystem, string? SourceKey, string? RelatedCitizenId, DateTimeOffset At)
{
    public static HistoryRow From(CitizenHistoryEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new HistoryRow(entry.Cause, entry.Record?.SourceSystem, entry.Record?.SourceKey, entry.RelatedCitizenId, entry.At);
    }
}

/// <param name="StartedCitizen">The record matched no one when it arrived: it started the citizen, so no pair links it.</param>
public sealed record ExplanationResponse(string CitizenId, string SourceSystem, string SourceKey, bool StartedCitizen, PairEvidence? Evidence);

public sealed record ExportResponse(
    DateTimeOffset ExportedAt,
    CitizenResponse Citizen,
    IReadOnlyList<ExplanationResponse> Links,
    IReadOnlyList<HistoryRow> History,
    IReadOnlyList<AuditRow> Reads);

/// <param name="Restricted">True to restrict processing, false to lift it.</param>
/// <param name="Reason">Why: kept in the audit trail.</param>
public sealed record RestrictionRequest(bool? Restricted, string? Reason);

public sealed record RestrictionResponse(string CitizenId, bool Restricted);

/// <param name="Reason">Why: the data subject's request and the law it rests on; kept in the audit trail.</param>
public sealed record ErasureRequest(string? Reason);

public sealed record ErasureResponse(string CitizenId, DateTimeOffset ErasedAt);

public sealed record SourcesResponse(IReadOnlyList<SourceStatus> Sources);

public sealed record HeldSourceRecordResponse(string CitizenId, string CitizenHref, DateTimeOffset ObservedAt, DateTimeOffset LinkedAt, SourceRecord Record);
