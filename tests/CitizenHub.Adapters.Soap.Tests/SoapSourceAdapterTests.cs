using CitizenHub.Adapters.Testing;
using CitizenHub.Contracts;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace CitizenHub.Adapters.Soap.Tests;

/// <summary>The SOAP adapter against a stubbed service that misbehaves in the ways old services do.</summary>
public sealed class SoapSourceAdapterTests : IDisposable
{
    private const string Ns = "http://council.example/benefits";
    private readonly WireMockServer _server = WireMockServer.Start();
    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };

    public void Dispose()
    {
        _http.Dispose();
        _server.Stop();
        _server.Dispose();
    }

    [Fact]
    public async Task ReadAsync_ThreePages_AllRecordsInOrderWithACheckpointPerPage()
    {
        Page(token: "", Records(("HB-1", "Hughes", "1950-03-04"), ("HB-2", "Smith", null)), next: "p2");
        Page(token: "p2", Records(("HB-3", "Patel", "1979-11-17")), next: "p3");
        Page(token: "p3", Records(("HB-4", "Okafor", "1991-12-12")), next: null, watermark: "2026-11-21T23:00:00Z");

        var results = await AdapterReads.ReadAllAsync(Adapter());

        Assert.Equal(["HB-1", "HB-2", "HB-3", "HB-4"], AdapterReads.Keys(results));
        Assert.Equal(3, results.OfType<SourceReadResult.CheckpointReached>().Count());
        var first = results.OfType<SourceReadResult.Accepted>().First().Record;
        Assert.Equal((new PersonName(null, null, "Hughes"), new PartialDate(1950, 3, 4, "1950-03-04")), (first.Name, first.DateOfBirth));
    }

    [Fact]
    public async Task ReadAsync_ServiceThatReportsDeletions_YieldsTombstonesByTheMappingsMarker()
    {
        Page(
            token: "",
            "<Claimant><Ref>HB-1</Ref><Surname>Hughes</Surname><Status>A</Status></Claimant>" +
            "<Claimant><Ref>HB-2</Ref><Surname>Smith</Surname><Status>Deleted</Status></Claimant>",
            next: null);
        var options = Options();
        options.Fields["status"] = "b:Status";
        var mapping = new FieldMapping { Key = "ref", FamilyName = "surname", Deleted = new DeletionMarker { Field = "status", Values = ["deleted"] } };

        var results = await AdapterReads.ReadAllAsync(new SoapSourceAdapter("benefits", WithEndpoint(options), mapping, _http, TimeProvider.System));

        var records = results.OfType<SourceReadResult.Accepted>().Select(a => a.Record).ToList();
        Assert.Equal([("HB-1", false), ("HB-2", true)], records.Select(r => (r.SourceKey, r.Deleted)));
    }

    [Fact]
    public async Task ReadAsync_Soap11Request_CarriesActionHeaderAndUsernameToken()
    {
        Page(token: "", Records(("HB-1", "Hughes", null)), next: null);
        var options = Options();
        options.Username = "citizenhub";
        options.Password = "s3cret&more";

        await AdapterReads.ReadAllAsync(Adapter(options));

        var request = Assert.Single(_server.LogEntries).RequestMessage!;
        Assert.Equal("\"http://council.example/benefits/GetClaimants\"", Header(request, "SOAPAction"));
        Assert.StartsWith("text/xml", Header(request, "Content-Type"), StringComparison.Ordinal);
        Assert.Contains("<wsse:Username>citizenhub</wsse:Username>", request.Body!, StringComparison.Ordinal);
        Assert.Contains(">s3cret&amp;more</wsse:Password>", request.Body!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_Soap12_SendsActionInTheContentType()
    {
        Page(token: "", Records(("HB-1", "Hughes", null)), next: null, soap12: true);
        var options = Options();
        options.Version = "1.2";

        var results = await AdapterReads.ReadAllAsync(Adapter(options));

        Assert.Equal(["HB-1"], AdapterReads.Keys(results));
        var contentType = Header(Assert.Single(_server.LogEntries).RequestMessage!, "Content-Type");
        Assert.Contains("application/soap+xml", contentType, StringComparison.Ordinal);
        Assert.Contains("action=\"http://council.example/benefits/GetClaimants\"", contentType, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_FromAFinalCheckpoint_AsksForChangesSinceTheWatermark()
    {
        Page(token: "", Records(("HB-1", "Hughes", null)), next: null, watermark: "2026-11-21T23:00:00Z");
        var checkpoint = (await AdapterReads.ReadAllAsync(Adapter())).OfType<SourceReadResult.CheckpointReached>().Single().Cursor;
        _server.ResetLogEntries();

        await AdapterReads.ReadAllAsync(Adapter(), checkpoint);

        Assert.Contains("<ChangedSince>2026-11-21T23:00:00Z</ChangedSince>", Assert.Single(_server.LogEntries).RequestMessage!.Body!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_SoapFault_FailsWithItsCodeNotItsTextWithoutRetrying()
    {
        // A fault's text may quote the record it is about: it must not reach a message, and so a log.
        _server.Given(Request.Create().UsingPost()).RespondWith(Response.Create().WithStatusCode(500).WithBody(
            """<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>No claimant Margaret Hughes, JG103792A, born 1950-03-04</faultstring></s:Fault></s:Body></s:Envelope>"""));

        var error = await Assert.ThrowsAsync<SoapFaultException>(() => AdapterReads.ReadAllAsync(Adapter()));

        Assert.Equal(("s:Client", "The SOAP service answered page 1 with a fault (s:Client); its text is not shown, since a service's fault text may quote the record it is about."), (error.FaultCode, error.Message));
        Assert.DoesNotContain("Hughes", error.ToString(), StringComparison.Ordinal);
        Assert.Single(_server.LogEntries);
    }

    [Fact]
    public async Task ReadAsync_Error500InTheMiddleOfPaging_IsRetriedAndTheReadCompletes()
    {
        Page(token: "", Records(("HB-1", "Hughes", null)), next: "p2");
        _server.Given(PageRequest("p2")).InScenario("flaky").WillSetStateTo("recovered")
            .RespondWith(Response.Create().WithStatusCode(500).WithBody("Internal error"));
        _server.Given(PageRequest("p2")).InScenario("flaky").WhenStateIs("recovered")
            .RespondWith(Response.Create().WithStatusCode(200).WithBody(Envelope(Records(("HB-2", "Smith", null)), null, null, false)));

        // A timeout long enough that only the scripted 500 is retried: on a loaded machine (CI runs the test
        // assemblies side by side) a page slower than the usual 2 s was retried too, and counted a fourth request.
        var options = Options();
        options.Timeout = TimeSpan.FromSeconds(30);

        var results = await AdapterReads.ReadAllAsync(Adapter(options));

        Assert.Equal(["HB-1", "HB-2"], AdapterReads.Keys(results));
        Assert.Equal(3, _server.LogEntries.Count());
    }

    [Fact]
    public async Task ReadAsync_ServiceUnavailableThroughout_FailsAfterTheRetries()
    {
        _server.Given(Request.Create().UsingPost()).RespondWith(Response.Create().WithStatusCode(503));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => AdapterReads.ReadAllAsync(Adapter()));

        Assert.Equal("The SOAP service answered HTTP 503 for page 1, after retries.", error.Message);
        Assert.Equal(3, _server.LogEntries.Count()); // the first attempt and two retries
    }

    [Fact]
    public async Task ReadAsync_PageSlowerThanTheTimeout_FailsClearly()
    {
        _server.Given(Request.Create().UsingPost()).RespondWith(Response.Create().WithDelay(TimeSpan.FromSeconds(3)).WithBody(Envelope(Records(("HB-1", "Hughes", null)), null, null, false)));
        var options = Options();
        options.Timeout = TimeSpan.FromMilliseconds(300);
        options.Retries = 1;

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => AdapterReads.ReadAllAsync(Adapter(options)));

        Assert.StartsWith("The SOAP service did not answer page 1 within Soap.Timeout", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_SlowPageWithinTheTimeout_IsRead()
    {
        _server.Given(Request.Create().UsingPost()).RespondWith(Response.Create().WithDelay(TimeSpan.FromMilliseconds(400)).WithBody(Envelope(Records(("HB-1", "Hughes", null)), null, null, false)));

        Assert.Equal(["HB-1"], AdapterReads.Keys(await AdapterReads.ReadAllAsync(Adapter())));
    }

    [Fact]
    public async Task ReadAsync_MalformedPage_RejectedWithPageAndReadStopsAtTheLastGoodCheckpoint()
    {
        Page(token: "", Records(("HB-1", "Hughes", null)), next: "p2");
        _server.Given(PageRequest("p2")).RespondWith(Response.Create().WithBody("<s:Envelope><s:Body><Claimant>"));

        var results = await AdapterReads.ReadAllAsync(Adapter());

        Assert.Equal(["HB-1"], AdapterReads.Keys(results));
        var reject = Assert.Single(results.OfType<SourceReadResult.Rejected>()).Input;
        Assert.Equal(new InputPosition(Page: "2"), reject.Position);
        Assert.StartsWith("the response is not well-formed XML", reject.Reason, StringComparison.Ordinal);
        Assert.IsType<SourceReadResult.Rejected>(results[^1]);
    }

    [Fact]
    public async Task ReadAsync_DocumentTypeDeclaration_IsRefusedAndNothingIsResolved()
    {
        _server.Given(Request.Create().UsingPost()).RespondWith(Response.Create().WithBody(
            """<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/hostname">]><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetClaimantsResponse xmlns="http://council.example/benefits"><Claimant><Ref>&xxe;</Ref></Claimant></GetClaimantsResponse></s:Body></s:Envelope>"""));

        var results = await AdapterReads.ReadAllAsync(Adapter());

        Assert.Empty(AdapterReads.Keys(results));
        var reject = Assert.Single(results.OfType<SourceReadResult.Rejected>()).Input;
        Assert.Contains("DTD", reject.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_EmptyPage_ReadsNothingAndCheckpoints()
    {
        Page(token: "", Records(), next: null);

        var results = await AdapterReads.ReadAllAsync(Adapter());

        Assert.IsType<SourceReadResult.CheckpointReached>(Assert.Single(results));
    }

    [Fact]
    public async Task ReadAsync_RecordWithoutKey_RejectedWithPageAndRecordNumber()
    {
        Page(token: "", Records(("HB-1", "Hughes", null), ("", "Nokey", null)), next: null);

        var results = await AdapterReads.ReadAllAsync(Adapter());

        var reject = Assert.Single(results.OfType<SourceReadResult.Rejected>()).Input;
        Assert.Equal("1, record 2", reject.Position.Page);
        Assert.Contains("Nokey", reject.RawText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_ResponseOverTheSizeLimit_FailsClearly()
    {
        Page(token: "", Records([.. Enumerable.Range(1, 200).Select(i => ($"HB-{i}", "Hughes", (string?)null))]), next: null);
        var options = Options();
        options.MaxResponseBytes = 4096;

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => AdapterReads.ReadAllAsync(Adapter(options)));

        Assert.Contains("Soap.MaxResponseBytes", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Endpoint", "", "Soap.Endpoint is required.")]
    [InlineData("Endpoint", "not a url", "Soap.Endpoint is not an absolute address.")]
    [InlineData("Version", "1.3", "Soap.Version must be 1.1 or 1.2.")]
    [InlineData("RecordPath", "//b:Claimant[", "the XPath '//b:Claimant[' is not valid")]
    public void Constructor_BadSetting_ThrowsNamingIt(string setting, string value, string message)
    {
        var options = Options();
        typeof(SoapSourceOptions).GetProperty(setting)!.SetValue(options, value);

        var error = Assert.Throws<InvalidOperationException>(() => Adapter(options));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    internal static SoapSourceOptions Options(string endpoint = "http://localhost/") => new()
    {
        Endpoint = endpoint,
        Action = "http://council.example/benefits/GetClaimants",
        Body = "<GetClaimants xmlns='http://council.example/benefits'><ChangedSince>{cursor}</ChangedSince><PageToken>{pageToken}</PageToken><PageSize>{pageSize}</PageSize></GetClaimants>",
        Namespaces = new() { ["b"] = Ns },
        RecordPath = "//b:Claimant",
        Fields = new() { ["ref"] = "b:Ref", ["surname"] = "b:Surname", ["dob"] = "b:DateOfBirth" },
        NextPageTokenPath = "//b:NextPageToken",
        CursorPath = "//b:Watermark",
        PageSize = 2,
        Timeout = TimeSpan.FromSeconds(2),
        Retries = 2,
        RetryDelay = TimeSpan.FromMilliseconds(20),
    };

    internal static readonly FieldMapping Mapping = new() { Key = "ref", FamilyName = "surname", DateOfBirth = "dob", DateFormats = ["yyyy-MM-dd"] };

    private SoapSourceAdapter Adapter(SoapSourceOptions? options = null) =>
        new("benefits", WithEndpoint(options ?? Options()), Mapping, _http, TimeProvider.System);

    private SoapSourceOptions WithEndpoint(SoapSourceOptions options)
    {
        if (options.Endpoint == "http://localhost/")
        {
            options.Endpoint = _server.Url + "/Claimants.svc";
        }

        return options;
    }

    private void Page(string token, string records, string? next, string? watermark = null, bool soap12 = false) =>
        _server.Given(PageRequest(token)).RespondWith(Response.Create().WithStatusCode(200).WithBody(Envelope(records, next, watermark, soap12)));

    private static IRequestBuilder PageRequest(string token) =>
        Request.Create().UsingPost().WithBody(new WildcardMatcher($"*<PageToken>{token}</PageToken>*"));

    private static string Records(params (string Ref, string Surname, string? Dob)[] records) =>
        string.Concat(records.Select(r => $"<Claimant><Ref>{r.Ref}</Ref><Surname>{r.Surname}</Surname>{(r.Dob is null ? "" : $"<DateOfBirth>{r.Dob}</DateOfBirth>")}</Claimant>"));

    private static string Envelope(string records, string? next, string? watermark, bool soap12) =>
        $"""<s:Envelope xmlns:s="{(soap12 ? "http://www.w3.org/2003/05/soap-envelope" : "http://schemas.xmlsoap.org/soap/envelope/")}"><s:Body><GetClaimantsResponse xmlns="{Ns}">{records}{(next is null ? "" : $"<NextPageToken>{next}</NextPageToken>")}{(watermark is null ? "" : $"<Watermark>{watermark}</Watermark>")}</GetClaimantsResponse></s:Body></s:Envelope>""";

    private static string Header(WireMock.IRequestMessage request, string name) =>
        request.Headers is { } headers && headers.TryGetValue(name, out var values) && values is not null ? values.ToArray().Single() : "";
}
