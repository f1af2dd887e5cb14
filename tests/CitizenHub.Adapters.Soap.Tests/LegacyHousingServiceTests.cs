using System.Net;
using System.Text;
using CitizenHub.Adapters.Testing;
using CitizenHub.Samples.LegacyHousing;
using CitizenHub.TestKit;
using Microsoft.AspNetCore.Builder;

namespace CitizenHub.Adapters.Soap.Tests;

/// <summary>A real SOAP service (SoapCore, DataContract serialisation, WS-Security UsernameToken required) on a loopback port.</summary>
public sealed class LegacyHousing : IAsyncDisposable
{
    public const string Username = "housing-feed";
    public const string Password = "s3cret-for-tests";

    private readonly WebApplication _app;

    private LegacyHousing(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public string Url { get; }

    public static async Task<LegacyHousing> StartAsync(TenancyBook book)
    {
        var url = $"http://127.0.0.1:{FreePort.Next()}";
        var app = LegacyHousingService.Build(url, book, Username, Password);
        await app.StartAsync();
        return new LegacyHousing(app, url + LegacyHousingService.Path);
    }

    /// <summary>The configuration a council IT team would write for this service.</summary>
    public SoapSourceOptions Options(int pageSize = 2, string? username = Username, string? password = Password) => new()
    {
        Endpoint = Url,
        Action = LegacyHousingService.Action,
        Body = "<GetTenancies xmlns='http://council.example/housing'><changedSince>{cursor}</changedSince><pageToken>{pageToken}</pageToken><pageSize>{pageSize}</pageSize></GetTenancies>",
        Namespaces = new() { ["h"] = TenancyService.Namespace },
        RecordPath = "//h:Tenancy",
        Fields = new() { ["ref"] = "h:TenancyRef", ["surname"] = "h:Surname", ["forenames"] = "h:Forenames", ["dob"] = "h:DateOfBirth", ["ni"] = "h:NiNumber" },
        NextPageTokenPath = "//h:NextPageToken",
        CursorPath = "//h:Watermark",
        PageSize = pageSize,
        Username = username,
        Password = password,
        RetryDelay = TimeSpan.FromMilliseconds(20),
    };

    public static readonly FieldMapping Mapping = new()
    {
        Key = "ref",
        FamilyName = "surname",
        GivenNames = "forenames",
        DateOfBirth = "dob",
        DateFormats = ["dd-MMM-yyyy"],
        NiNumber = "ni",
    };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public sealed class LegacyHousingServiceTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Evening = new(2026, 11, 20, 18, 0, 0, TimeSpan.Zero);
    private readonly TenancyBook _book = TenancyBook.Sample();
    private readonly HttpClient _http = new();
    private LegacyHousing _service = null!;

    public async Task InitializeAsync() => _service = await LegacyHousing.StartAsync(_book);

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _service.DisposeAsync();
    }

    [Fact]
    public async Task ReadAsync_RealService_ReadsEveryTenancyAcrossPages()
    {
        var results = await AdapterReads.ReadAllAsync(Adapter(_service.Options()));

        var records = results.OfType<SourceReadResult.Accepted>().Select(a => a.Record).ToList();
        Assert.Equal(["HT-20231", "HT-20232", "HT-20233", "HT-20243", "HT-20244"], records.Select(r => r.SourceKey));
        Assert.Equal(3, results.OfType<SourceReadResult.CheckpointReached>().Count());
        Assert.Equal(("HUGHES", "JG103792A", 1950), (records[0].Name!.FamilyName, records[0].Identifiers.Single().Value, records[0].DateOfBirth!.Year));
    }

    [Fact]
    public async Task ReadAsync_FromTheFinalCheckpoint_ReadsOnlyTenanciesChangedSince()
    {
        var checkpoint = (await AdapterReads.ReadAllAsync(Adapter(_service.Options()))).OfType<SourceReadResult.CheckpointReached>().Last().Cursor;
        _book.Put(new Tenancy { TenancyRef = "HT-20232", Surname = "SMITH", Forenames = "JOHN ANDREW", DateOfBirth = "01-MAY-1960", UpdatedAt = Evening.AddDays(1) });
        _book.Put(new Tenancy { TenancyRef = "HT-30001", Surname = "OKAFOR", Forenames = "CHIDI", UpdatedAt = Evening.AddDays(1).AddMinutes(1) });

        var changed = await AdapterReads.ReadAllAsync(Adapter(_service.Options()), checkpoint);

        Assert.Equal(["HT-20232", "HT-30001"], changed.OfType<SourceReadResult.Accepted>().Select(a => a.Record.SourceKey));
    }

    [Fact]
    public async Task ReadAsync_WithoutAUsernameToken_FailsWithTheServicesFault()
    {
        var error = await Assert.ThrowsAsync<SoapFaultException>(() => AdapterReads.ReadAllAsync(Adapter(_service.Options(username: null, password: null))));

        Assert.Equal("s:Client", error.FaultCode);
    }

    [Fact]
    public async Task ReadAsync_WithAWrongPassword_FailsWithTheServicesFault()
    {
        var error = await Assert.ThrowsAsync<SoapFaultException>(() => AdapterReads.ReadAllAsync(Adapter(_service.Options(password: "not-the-password"))));

        Assert.Equal("s:Client", error.FaultCode);
    }

    [Fact]
    public async Task Post_WithoutAUsernameToken_IsAnsweredWithAFaultAndNoTenancy()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _service.Url)
        {
            Content = new StringContent(
                """<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetTenancies xmlns="http://council.example/housing"><changedSince></changedSince><pageToken></pageToken><pageSize>10</pageSize></GetTenancies></s:Body></s:Envelope>""",
                Encoding.UTF8,
                "text/xml"),
        };
        request.Headers.Add("SOAPAction", $"\"{LegacyHousingService.Action}\"");

        using var response = await _http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("<faultcode>s:Client</faultcode>", body, StringComparison.Ordinal);
        Assert.DoesNotContain("HUGHES", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_Wsdl_DescribesTheTenancyOperationWithoutAToken()
    {
        var wsdl = await _http.GetStringAsync(new Uri(_service.Url + "?wsdl"));

        Assert.Contains("GetTenancies", wsdl, StringComparison.Ordinal);
        Assert.Contains(TenancyService.Namespace, wsdl, StringComparison.Ordinal);
    }

    private SoapSourceAdapter Adapter(SoapSourceOptions options) => new("housing", options, LegacyHousing.Mapping, _http, TimeProvider.System);
}

/// <summary>The SOAP adapter on a real SoapCore service against the adapter conformance kit.</summary>
public sealed class LegacyHousingConformanceTests : SourceAdapterConformance, IAsyncLifetime
{
    private readonly TenancyBook _book = new();
    private readonly HttpClient _http = new();
    private LegacyHousing _service = null!;

    // The bad tenancy is one the service sends without its reference: there is no key to keep.
    protected override bool BadInputHasKey => false;

    protected override string SourceSystem => "housing";

    public async Task InitializeAsync() => _service = await LegacyHousing.StartAsync(_book);

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _service.DisposeAsync();
    }

    protected override Task<ISourceAdapter> CreateSourceAsync(int goodRecords, bool withBadInput)
    {
        var at = new DateTimeOffset(2026, 11, 20, 18, 0, 0, TimeSpan.Zero);
        for (var i = 1; i <= goodRecords; i++)
        {
            _book.Put(new Tenancy { TenancyRef = $"HT-{i:D5}", Surname = $"FAMILY{i}", Forenames = $"GIVEN{i}", DateOfBirth = "04-MAR-1950", UpdatedAt = at.AddMinutes(i) });
        }

        if (withBadInput)
        {
            // A tenancy the service sends without its reference: the one kind of record a mapping cannot save.
            _book.Put(new Tenancy { TenancyRef = "", Surname = "NOREF", DateOfBirth = "04-MAR-1950", UpdatedAt = at.AddMinutes(3).AddSeconds(30) });
        }

        return Task.FromResult<ISourceAdapter>(new SoapSourceAdapter(SourceSystem, _service.Options(), LegacyHousing.Mapping, _http, TimeProvider.System));
    }
}
