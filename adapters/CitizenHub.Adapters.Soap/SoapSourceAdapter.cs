using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Security;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.XPath;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace CitizenHub.Adapters.Soap;

/// <summary>Reads records from a SOAP service page by page, configured by an envelope template and XPath.</summary>
/// <remarks>
/// Every call goes through a Polly pipeline: a per-attempt timeout, retries with exponential backoff and
/// jitter on transient failures only (connection errors, timeouts, 408, 429, 5xx that is not a SOAP fault),
/// and a circuit breaker. A SOAP fault (<see cref="SoapFaultException"/>: its code, never its text), or a failure that
/// outlasts the retries, fails this source's run with a clear error. A page that is not well-formed XML is rejected (page, reason, raw text) and ends the read
/// there; the cursor stays at the last good page. XML is read with DTDs prohibited, no resolver, and a size limit.
/// </remarks>
public sealed partial class SoapSourceAdapter : ISourceAdapter
{
    private const string Soap11 = "http://schemas.xmlsoap.org/soap/envelope/";
    private const string Soap12 = "http://www.w3.org/2003/05/soap-envelope";
    private const int RawTextLimit = 64 * 1024;

    private readonly SoapSourceOptions _options;
    private readonly FieldMapping _mapping;
    private readonly RecordMapper _mapper;
    private readonly HttpClient _http;
    private readonly TimeProvider _timeProvider;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly bool _isSoap12;

    public SoapSourceAdapter(string sourceSystem, SoapSourceOptions options, FieldMapping mapping, HttpClient http, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(mapping);
        ArgumentNullException.ThrowIfNull(http);
        foreach (var (name, value) in new[] { ("Endpoint", options.Endpoint), ("Action", options.Action), ("Body", options.Body), ("RecordPath", options.RecordPath) })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                throw new InvalidOperationException($"Source '{sourceSystem}': Soap.{name} is required.");
            }
        }

        if (!Uri.TryCreate(options.Endpoint, UriKind.Absolute, out _))
        {
            throw new InvalidOperationException($"Source '{sourceSystem}': Soap.Endpoint is not an absolute address.");
        }

        _isSoap12 = options.Version.Trim() switch
        {
            "1.1" => false,
            "1.2" => true,
            _ => throw new InvalidOperationException($"Source '{sourceSystem}': Soap.Version must be 1.1 or 1.2."),
        };
        var missing = mapping.ReferencedFields().Where(f => !options.Fields.ContainsKey(f)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"Source '{sourceSystem}': Soap.Fields has no XPath for {string.Join(", ", missing.Select(m => $"'{m}'"))}, which the mapping reads.");
        }

        _options = options;
        _mapping = mapping;
        _mapper = new RecordMapper(sourceSystem, mapping);
        _http = http;
        _timeProvider = timeProvider;
        _pipeline = BuildPipeline(options, timeProvider);
        // Compile every XPath now, so a typo is a configuration error rather than a failure mid-sync.
        var namespaces = Namespaces(new NameTable());
        foreach (var path in options.Fields.Values.Append(options.RecordPath).Append(options.NextPageTokenPath).Append(options.CursorPath).OfType<string>())
        {
            try
            {
                XPathExpression.Compile(path, namespaces);
            }
            catch (XPathException ex)
            {
                throw new InvalidOperationException($"Source '{sourceSystem}': the XPath '{path}' is not valid: {ex.Message}", ex);
            }
        }
    }

    public async IAsyncEnumerable<SourceReadResult> ReadAsync(SourceCursor since, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(since);
        var position = since.Value is null ? new SoapPosition(null, null) : JsonSerializer.Deserialize<SoapPosition>(since.Value)!;
        for (var page = 1; ; page++)
        {
            var pageName = page.ToString(CultureInfo.InvariantCulture);
            var text = await FetchAsync(position, pageName, cancellationToken).ConfigureAwait(false);

            XPathNavigator? document = null;
            string? malformed = null;
            try
            {
                document = Parse(text);
            }
            catch (XmlException ex)
            {
                malformed = ex.Message;
            }

            if (document is null)
            {
                // The next page cannot be known: stop here, keep the page for replay, and resume from the last good page.
                yield return SourceReadResult.Reject(new InputPosition(Page: pageName), $"the response is not well-formed XML ({malformed})", Truncate(text));
                yield break;
            }

            var namespaces = Namespaces(document.NameTable);
            ThrowIfFault(document, pageName);
            var observedAt = _timeProvider.GetUtcNow();
            var records = document.Select(_options.RecordPath, namespaces);
            var index = 0;
            while (records.MoveNext())
            {
                index++;
                var node = records.Current!;
                var fields = new Dictionary<string, string?>(_options.Fields.Count, StringComparer.OrdinalIgnoreCase);
                foreach (var (field, path) in _options.Fields)
                {
                    fields[field] = node.SelectSingleNode(path, namespaces)?.Value.Trim();
                }

                var where = new InputPosition(Page: $"{pageName}, record {index.ToString(CultureInfo.InvariantCulture)}", Key: _mapper.KeyOf(fields));
                yield return _mapper.TryMap(fields, observedAt, out var record, out var reason)
                    ? SourceReadResult.Accept(record!)
                    : SourceReadResult.Reject(where, reason!, Truncate(node.OuterXml));
            }

            var nextToken = Value(document, _options.NextPageTokenPath, namespaces);
            if (nextToken is null)
            {
                // The last page: the next sync asks for changes since the service's watermark, if it gives one.
                yield return SourceReadResult.Checkpoint(Cursor(new SoapPosition(Value(document, _options.CursorPath, namespaces) ?? position.Since, null)));
                yield break;
            }

            position = position with { PageToken = nextToken };
            yield return SourceReadResult.Checkpoint(Cursor(position));
        }
    }

    private async Task<string> FetchAsync(SoapPosition position, string page, CancellationToken cancellationToken)
    {
        var envelope = Envelope(position);
        HttpResponseMessage response;
        try
        {
            response = await _pipeline.ExecuteAsync(
                async token =>
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, _options.Endpoint) { Content = new StringContent(envelope, Encoding.UTF8) };
                    if (_isSoap12)
                    {
                        request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse($"application/soap+xml; charset=utf-8; action=\"{_options.Action}\"");
                    }
                    else
                    {
                        request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("text/xml; charset=utf-8");
                        request.Headers.TryAddWithoutValidation("SOAPAction", $"\"{_options.Action}\"");
                    }

                    var answer = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
                    // Buffer within the limit now: the retry predicate and the parser both read it.
                    await BufferAsync(answer, token).ConfigureAwait(false);
                    return answer;
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutRejectedException)
        {
            throw new InvalidOperationException($"The SOAP service did not answer page {page} within Soap.Timeout ({_options.Timeout}), after retries.");
        }
        catch (BrokenCircuitException)
        {
            throw new InvalidOperationException($"The SOAP service has failed repeatedly; calls are paused (circuit open) and page {page} was not read.");
        }
        catch (HttpRequestException ex)
        {
            throw new InvalidOperationException($"The SOAP service could not be reached for page {page}, after retries ({ex.HttpRequestError}).");
        }

        using var _ = response;
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode && !LooksLikeFault(text))
        {
            throw new InvalidOperationException($"The SOAP service answered HTTP {(int)response.StatusCode} for page {page}, after retries.");
        }

        return text;
    }

    private async Task BufferAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength > _options.MaxResponseBytes)
        {
            throw new InvalidOperationException($"The SOAP response is larger than Soap.MaxResponseBytes ({_options.MaxResponseBytes}).");
        }

        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > _options.MaxResponseBytes)
            {
                throw new InvalidOperationException($"The SOAP response is larger than Soap.MaxResponseBytes ({_options.MaxResponseBytes}).");
            }
        }

        var headers = response.Content.Headers.ToList();
        response.Content = new ByteArrayContent(buffer.ToArray());
        foreach (var (name, values) in headers)
        {
            response.Content.Headers.TryAddWithoutValidation(name, values);
        }
    }

    private XPathNavigator Parse(string text)
    {
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersInDocument = _options.MaxResponseBytes,
            MaxCharactersFromEntities = 0,
        };
        using var reader = XmlReader.Create(new StringReader(text), settings);
        return new XPathDocument(reader).CreateNavigator();
    }

    private void ThrowIfFault(XPathNavigator document, string page)
    {
        var fault = document.SelectSingleNode("/*[local-name()='Envelope']/*[local-name()='Body']/*[local-name()='Fault']");
        if (fault is null)
        {
            return;
        }

        // The fault's text is not read at all: a service's fault text may quote the record it is about (a name, an NI
        // number, a date of birth), and what an exception holds ends up in logs and on standard error.
        var code = fault.SelectSingleNode("*[local-name()='faultcode'] | *[local-name()='Code']/*[local-name()='Value']")?.Value.Trim();
        throw new SoapFaultException(page, code is not null && FaultCodeShape().IsMatch(code) ? code : null);
    }

    /// <summary>A fault code as SOAP writes one, a qualified name such as <c>soap:Client</c>; anything else is not shown.</summary>
    [GeneratedRegex(@"^([A-Za-z_][\w.-]{0,63}:)?[A-Za-z_][\w.-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex FaultCodeShape();

    private string Envelope(SoapPosition position)
    {
        var ns = _isSoap12 ? Soap12 : Soap11;
        var body = _options.Body
            .Replace("{cursor}", SecurityElement.Escape(position.Since ?? ""), StringComparison.Ordinal)
            .Replace("{pageToken}", SecurityElement.Escape(position.PageToken ?? ""), StringComparison.Ordinal)
            .Replace("{pageSize}", _options.PageSize.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        var header = _options.Username is { Length: > 0 } user
            ? $"""<soap:Header><wsse:Security soap:mustUnderstand="{(_isSoap12 ? "true" : "1")}" xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"><wsse:UsernameToken><wsse:Username>{SecurityElement.Escape(user)}</wsse:Username><wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText">{SecurityElement.Escape(_options.Password ?? "")}</wsse:Password></wsse:UsernameToken></wsse:Security></soap:Header>"""
            : "";
        return $"""<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="{ns}">{header}<soap:Body>{body}</soap:Body></soap:Envelope>""";
    }

    private XmlNamespaceManager Namespaces(XmlNameTable names)
    {
        var manager = new XmlNamespaceManager(names);
        foreach (var (prefix, uri) in _options.Namespaces)
        {
            manager.AddNamespace(prefix, uri);
        }

        return manager;
    }

    private static string? Value(XPathNavigator document, string? path, IXmlNamespaceResolver namespaces) =>
        path is null ? null : document.SelectSingleNode(path, namespaces)?.Value.Trim() is { Length: > 0 } value ? value : null;

    private static SourceCursor Cursor(SoapPosition position) => new(JsonSerializer.Serialize(position));

    private static bool LooksLikeFault(string text) => text.Contains("Fault", StringComparison.Ordinal) && text.Contains("Envelope", StringComparison.Ordinal);

    private static string Truncate(string text, int limit = RawTextLimit) => text.Length <= limit ? text : text[..limit];

    private static ResiliencePipeline<HttpResponseMessage> BuildPipeline(SoapSourceOptions options, TimeProvider timeProvider)
    {
        static async ValueTask<bool> IsTransient(Outcome<HttpResponseMessage> outcome) => outcome switch
        {
            { Exception: HttpRequestException or TimeoutRejectedException } => true,
            { Result: { } response } when response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests
                or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout => true,
            // SOAP 1.1 sends faults with 500: a fault is the service's answer, not a passing failure.
            { Result: { StatusCode: HttpStatusCode.InternalServerError } response } => !LooksLikeFault(await response.Content.ReadAsStringAsync().ConfigureAwait(false)),
            _ => false,
        };

        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = timeProvider };
        if (options.Retries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = args => IsTransient(args.Outcome),
                MaxRetryAttempts = options.Retries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryDelay,
            });
        }

        return builder
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = args => IsTransient(args.Outcome),
                FailureRatio = 0.5,
                MinimumThroughput = 10,
                SamplingDuration = TimeSpan.FromSeconds(60),
                BreakDuration = TimeSpan.FromSeconds(30),
            })
            .AddTimeout(options.Timeout)
            .Build();
    }

    /// <summary>Where a read is: the "changed since" value it asked with, and the next page's token.</summary>
    private sealed record SoapPosition(string? Since, string? PageToken);
}
