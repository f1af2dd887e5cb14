using SoapCore;

namespace CitizenHub.Samples.LegacyHousing;

/// <summary>
/// Builds the sample SOAP service: <c>POST /Tenancies.svc</c>, SOAP 1.1, DataContract serialisation, its WSDL at
/// <c>GET /Tenancies.svc?wsdl</c>. Every call must carry a WS-Security UsernameToken with the given user and password:
/// one without, or with another, is answered with a SOAP fault, as the housing systems of the time did.
/// </summary>
public static class LegacyHousingService
{
    public const string Path = "/Tenancies.svc";
    public const string Action = TenancyService.Namespace + "/ITenancyService/GetTenancies";

    public static WebApplication Build(string urls, TenancyBook book, string username, string password)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(username);
        ArgumentException.ThrowIfNullOrEmpty(password);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.UseUrls(urls);
        builder.Logging.ClearProviders();
        builder.Services.AddSoapCore();
        // SoapCore's own UsernameToken check (PasswordText or PasswordDigest), run before any operation.
        builder.Services.AddSoapWsSecurityFilter(username, password);
        builder.Services.AddSingleton(book);
        builder.Services.AddSingleton<ITenancyService, TenancyService>();
        var app = builder.Build();
        ((IApplicationBuilder)app).UseSoapEndpoint<ITenancyService>(Path, new SoapEncoderOptions(), SoapSerializer.DataContractSerializer);
        return app;
    }
}
