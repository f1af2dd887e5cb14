using SoapCore;

namespace CitizenHub.Samples.LegacyBenefits;

/// <summary>Builds the sample SOAP service: <c>POST /Claimants.svc</c>, SOAP 1.1, DataContract serialisation.</summary>
public static class LegacyBenefitsService
{
    public const string Path = "/Claimants.svc";
    public const string Action = ClaimantService.Namespace + "/IClaimantService/GetClaimants";

    public static WebApplication Build(string urls, ClaimantBook book)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.UseUrls(urls);
        builder.Logging.ClearProviders();
        builder.Services.AddSoapCore();
        builder.Services.AddSingleton(book);
        builder.Services.AddSingleton<IClaimantService, ClaimantService>();
        var app = builder.Build();
        ((IApplicationBuilder)app).UseSoapEndpoint<IClaimantService>(Path, new SoapEncoderOptions(), SoapSerializer.DataContractSerializer);
        return app;
    }
}
