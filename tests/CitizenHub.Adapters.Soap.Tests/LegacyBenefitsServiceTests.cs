using CitizenHub.Adapters.Testing;
using CitizenHub.Samples.LegacyBenefits;
using CitizenHub.TestKit;
using Microsoft.AspNetCore.Builder;

namespace CitizenHub.Adapters.Soap.Tests;

/// <summary>A real SOAP service (SoapCore, DataContract serialisation) on a loopback port.</summary>
public sealed class LegacyBenefits : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LegacyBenefits(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public string Url { get; }

    public static async Task<LegacyBenefits> StartAsync(ClaimantBook book)
    {
        var url = $"http://127.0.0.1:{FreePort.Next()}";
        var app = LegacyBenefitsService.Build(url, book);
        await app.StartAsync();
        return new LegacyBenefits(app, url + LegacyBenefitsService.Path);
    }

    /// <summary>The configuration a council IT team would write for this service.</summary>
    public SoapSourceOptions Options(int pageSize = 2) => new()
    {
        Endpoint = Url,
        Action = LegacyBenefitsService.Action,
        Body = "<GetClaimants xmlns='http://council.example/benefits'><changedSince>{cursor}</changedSince><pageToken>{pageToken}</pageToken><pageSize>{pageSize}</pageSize></GetClaimants>",
        Namespaces = new() { ["b"] = ClaimantService.Namespace },
        RecordPath = "//b:Claimant",
        Fields = new() { ["ref"] = "b:Ref", ["surname"] = "b:Surname", ["forenames"] = "b:Forenames", ["dob"] = "b:DateOfBirth", ["ni"] = "b:NiNumber" },
        NextPageTokenPath = "//b:NextPageToken",
        CursorPath = "//b:Watermark",
        PageSize = pageSize,
        RetryDelay = TimeSpan.FromMilliseconds(20),
    };

    public static readonly FieldMapping Mapping = new()
    {
        Key = "ref",
        FamilyName = "surname",
        GivenNames = "forenames",
        DateOfBirth = "dob",
        DateFormats = ["yyyy-MM-dd"],
        NiNumber = "ni",
    };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public sealed class LegacyBenefitsServiceTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Evening = new(2026, 11, 20, 18, 0, 0, TimeSpan.Zero);
    private readonly ClaimantBook _book = ClaimantBook.Sample();
    private readonly HttpClient _http = new();
    private LegacyBenefits _service = null!;

    public async Task InitializeAsync() => _service = await LegacyBenefits.StartAsync(_book);

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _service.DisposeAsync();
    }

    [Fact]
    public async Task ReadAsync_RealService_ReadsEveryClaimantAcrossPages()
    {
        var results = await AdapterReads.ReadAllAsync(Adapter());

        var records = results.OfType<SourceReadResult.Accepted>().Select(a => a.Record).ToList();
        Assert.Equal(["HB-20231", "HB-20232", "HB-20233", "HB-20243", "HB-20244"], records.Select(r => r.SourceKey));
        Assert.Equal(3, results.OfType<SourceReadResult.CheckpointReached>().Count());
        Assert.Equal(("HUGHES", "JG103792A"), (records[0].Name!.FamilyName, records[0].Identifiers.Single().Value));
    }

    [Fact]
    public async Task ReadAsync_FromTheFinalCheckpoint_ReadsOnlyClaimantsChangedSince()
    {
        var checkpoint = (await AdapterReads.ReadAllAsync(Adapter())).OfType<SourceReadResult.CheckpointReached>().Last().Cursor;
        _book.Put(new Claimant { Ref = "HB-20232", Surname = "SMITH", Forenames = "JOHN ANDREW", DateOfBirth = "1960-05-01", UpdatedAt = Evening.AddDays(1) });
        _book.Put(new Claimant { Ref = "HB-30001", Surname = "OKAFOR", Forenames = "CHIDI", UpdatedAt = Evening.AddDays(1).AddMinutes(1) });

        var changed = await AdapterReads.ReadAllAsync(Adapter(), checkpoint);

        Assert.Equal(["HB-20232", "HB-30001"], changed.OfType<SourceReadResult.Accepted>().Select(a => a.Record.SourceKey));
    }

    private SoapSourceAdapter Adapter() => new("benefits", _service.Options(), LegacyBenefits.Mapping, _http, TimeProvider.System);
}

/// <summary>The SOAP adapter on a real SoapCore service against the adapter conformance kit.</summary>
public sealed class LegacyBenefitsConformanceTests : SourceAdapterConformance, IAsyncLifetime
{
    private readonly ClaimantBook _book = new();
    private readonly HttpClient _http = new();
    private LegacyBenefits _service = null!;

    // The bad claimant is one the service sends without its reference: there is no key to keep.
    protected override bool BadInputHasKey => false;

    protected override string SourceSystem => "benefits";

    public async Task InitializeAsync() => _service = await LegacyBenefits.StartAsync(_book);

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
            _book.Put(new Claimant { Ref = $"HB-{i:D5}", Surname = $"FAMILY{i}", Forenames = $"GIVEN{i}", DateOfBirth = "1950-03-04", UpdatedAt = at.AddMinutes(i) });
        }

        if (withBadInput)
        {
            // A claimant the service sends without its reference: the one kind of record a mapping cannot save.
            _book.Put(new Claimant { Ref = "", Surname = "NOREF", DateOfBirth = "1950-03-04", UpdatedAt = at.AddMinutes(3).AddSeconds(30) });
        }

        return Task.FromResult<ISourceAdapter>(new SoapSourceAdapter(SourceSystem, _service.Options(), LegacyBenefits.Mapping, _http, TimeProvider.System));
    }
}
