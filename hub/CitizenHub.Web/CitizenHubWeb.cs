using CitizenHub.Api.Access;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;

namespace CitizenHub.Web;

/// <summary>
/// The web page at <c>/</c> for contact-centre staff, data stewards, administrators and auditors: server-rendered
/// GOV.UK Design System pages that work without JavaScript. Each page reads and acts through the Customer View API's own
/// handlers, so the API's roles, grants, purposes, restriction and audit apply to a page exactly as to the API.
/// </summary>
public static class CitizenHubWeb
{
    /// <summary>The folder beside the assembly holding the built assets (see the project's BuildFrontEnd target).</summary>
    public const string AssetsFolder = "web-assets";

    /// <summary>Adds the page's sign-in (a cookie session), its form tokens and its rendering. Call after <c>AddCitizenViewApi</c>.</summary>
    public static IServiceCollection AddCitizenHubWeb(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(WebOptions.Section);
        var web = section.Get<WebOptions>() ?? new WebOptions();
        services.Configure<WebOptions>(section);
        services.AddRazorComponents();
        services.AddAntiforgery(antiforgery =>
        {
            antiforgery.Cookie.Name = "citizenhub-antiforgery";
            antiforgery.Cookie.SameSite = SameSiteMode.Strict;
            antiforgery.FormFieldName = "form-token";
        });
        services.AddAuthentication().AddCookie(PageSession.Scheme, cookie => PageSession.Configure(cookie, web));
        // Error pages for people: a browser asking for a page gets one; an API caller keeps its problem JSON.
        services.Insert(0, ServiceDescriptor.Singleton<IProblemDetailsWriter, ErrorPageWriter>());
        return services;
    }

    /// <summary>The page's stylesheet, scripts and icon at <c>/assets/</c>: open to all, and may be cached (they say nothing about anyone).</summary>
    public static IApplicationBuilder UseCitizenHubWebAssets(this IApplicationBuilder app) =>
        app.UseStaticFiles(new StaticFileOptions
        {
            RequestPath = WebPaths.Assets,
            FileProvider = new PhysicalFileProvider(Path.Combine(AppContext.BaseDirectory, AssetsFolder)),
            OnPrepareResponse = context => ResponseHeaders.AllowCaching(context.Context, "no-cache"),
        });

    public static IEndpointRouteBuilder MapCitizenHubWeb(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var pages = endpoints.MapGroup("").ExcludeFromDescription();
        pages.MapGet(WebPaths.Home, (Delegate)SignInPages.HomeAsync).AllowAnonymous();
        pages.MapGet(WebPaths.SignIn, SignInPages.SignInFormAsync).AllowAnonymous();
        pages.MapPost(WebPaths.SignIn, SignInPages.SignInAsync).AllowAnonymous();
        pages.MapPost(WebPaths.SignOut, (Delegate)SignInPages.SignOutAsync)
            .RequireAuthorization(new AuthorizeAttribute { AuthenticationSchemes = PageSession.Scheme, Roles = string.Join(',', ApiRoles.All) });
        pages.MapGet(WebPaths.Purpose, SignInPages.PurposeForm).RequireAuthorization(Signed(ApiPolicies.ReadCitizens));
        pages.MapPost(WebPaths.Purpose, SignInPages.SetPurposeAsync).RequireAuthorization(Signed(ApiPolicies.ReadCitizens));
        pages.MapGet(WebPaths.Search, ResidentPages.SearchAsync).RequireAuthorization(Signed(ApiPolicies.ReadCitizens));
        pages.MapGet(WebPaths.Residents + "/{id}", ResidentPages.ResidentAsync).RequireAuthorization(Signed(ApiPolicies.ReadCitizens));
        pages.MapGet(WebPaths.Queue, StewardPages.QueueAsync).RequireAuthorization(Signed(ApiPolicies.Steward));
        pages.MapGet(WebPaths.Queue + "/{id}", StewardPages.ReviewAsync).RequireAuthorization(Signed(ApiPolicies.Steward));
        pages.MapPost(WebPaths.Queue + "/{id}", StewardPages.DecideAsync).RequireAuthorization(Signed(ApiPolicies.Steward));
        pages.MapGet(WebPaths.Sources, AdminPages.SourcesAsync).RequireAuthorization(Signed(ApiPolicies.Admin));
        pages.MapGet(WebPaths.Sources + "/{system}/rejects", AdminPages.RejectsAsync).RequireAuthorization(Signed(ApiPolicies.Admin));
        pages.MapPost(WebPaths.Sources + "/failed/{id}/replay", AdminPages.ReplayAsync).RequireAuthorization(Signed(ApiPolicies.Admin));
        pages.MapGet(WebPaths.Report, AdminPages.ReportAsync).RequireAuthorization(Signed(ApiPolicies.Admin));
        pages.MapGet(WebPaths.ReportFile, AdminPages.ReportFileAsync).RequireAuthorization(Signed(ApiPolicies.Admin));
        pages.MapGet(WebPaths.Audit, AdminPages.AuditAsync).RequireAuthorization(Signed(ApiPolicies.Audit));
        return endpoints;
    }

    /// <summary>The API's own policy (its roles), met by a page session rather than a key or token.</summary>
    private static AuthorizeAttribute Signed(string policy) => new(policy) { AuthenticationSchemes = PageSession.Scheme };

    internal static RazorComponentResult<TPage> Render<TPage>(Dictionary<string, object?> parameters, int status = StatusCodes.Status200OK)
        where TPage : Microsoft.AspNetCore.Components.IComponent =>
        new(parameters) { StatusCode = status };
}
