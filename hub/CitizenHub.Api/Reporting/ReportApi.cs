using CitizenHub.Api.Access;
using CitizenHub.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace CitizenHub.Api.Reporting;

/// <summary>
/// <c>GET /report</c>: the hub's figures for the people who run it (administrators). Counts and shares only, about no one,
/// so, like the sources' state, it is not an audited read of residents' data.
/// </summary>
internal static class ReportApi
{
    public static void MapHubReport(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/report", GetReportAsync)
            .WithTags("Sources")
            .WithName("GetReport")
            .WithSummary("Data quality per source, overlap between sources, the review backlog, merges and splits, sync trends and look-ups: counts only.")
            .RequireAuthorization(ApiPolicies.Admin);

    internal static async Task<IResult> GetReportAsync(ICitizenReadModel store, TimeProvider time, CancellationToken cancellationToken) =>
        TypedResults.Ok(await new HubReportBuilder(store, time).BuildAsync(cancellationToken).ConfigureAwait(false));
}
