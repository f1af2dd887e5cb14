namespace CitizenHub.Adapters.Soap;

/// <summary>
/// How to read records from a SOAP service, page by page. Bound from the source's <c>Soap</c> section:
/// <code>
/// "Soap": {
///   "Endpoint": "https://benefits.council.local/Claimants.svc",
///   "Version": "1.1",
///   "Action": "http://council.example/benefits/GetClaimants",
///   "Body": "&lt;GetClaimants xmlns='http://council.example/benefits'&gt;&lt;ChangedSince&gt;{cursor}&lt;/ChangedSince&gt;&lt;PageToken&gt;{pageToken}&lt;/PageToken&gt;&lt;PageSize&gt;{pageSize}&lt;/PageSize&gt;&lt;/GetClaimants&gt;",
///   "Namespaces": { "b": "http://council.example/benefits" },
///   "RecordPath": "//b:Claimant",
///   "Fields": { "ref": "b:Ref", "surname": "b:Surname", "dob": "b:DateOfBirth" },
///   "NextPageTokenPath": "//b:NextPageToken",
///   "CursorPath": "//b:Watermark"
/// }
/// </code>
/// </summary>
public sealed class SoapSourceOptions
{
    /// <summary>The service's address. Required.</summary>
    public string Endpoint { get; set; } = "";

    /// <summary><c>1.1</c> or <c>1.2</c>. <value>The default is 1.1.</value></summary>
    public string Version { get; set; } = "1.1";

    /// <summary>The SOAP action of the operation that lists records. Required.</summary>
    public string Action { get; set; } = "";

    /// <summary>
    /// The request body (inside <c>soap:Body</c>), with placeholders <c>{cursor}</c>, <c>{pageToken}</c> and
    /// <c>{pageSize}</c>, each replaced XML-escaped (empty on a first read). Required.
    /// </summary>
    public string Body { get; set; } = "";

    /// <summary>Prefixes used in the XPath expressions, mapped to namespace URIs.</summary>
    public Dictionary<string, string> Namespaces { get; set; } = [];

    /// <summary>XPath selecting the record nodes of a response. Required.</summary>
    public string RecordPath { get; set; } = "";

    /// <summary>Each field name (as the mapping reads it) to an XPath relative to a record node. Required.</summary>
    public Dictionary<string, string> Fields { get; set; } = [];

    /// <summary>XPath to the token of the next page; an empty or missing token ends the read.</summary>
    public string? NextPageTokenPath { get; set; }

    /// <summary>XPath to a value the service gives for "changed since" on the next sync (a watermark); without it every sync reads everything.</summary>
    public string? CursorPath { get; set; }

    /// <summary><value>The default is 100.</value></summary>
    public int PageSize { get; set; } = 100;

    /// <summary>WS-Security UsernameToken user, for the services that need one.</summary>
    public string? Username { get; set; }

    /// <summary>WS-Security UsernameToken password (sent as PasswordText: use HTTPS).</summary>
    public string? Password { get; set; }

    /// <summary>How long one attempt may take. <value>The default is 30 seconds.</value></summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries of a transient failure (timeout, connection error, 408, 429, 5xx that is not a SOAP fault). <value>The default is 3.</value></summary>
    public int Retries { get; set; } = 3;

    /// <summary>The first retry's delay; later ones grow exponentially, with jitter. <value>The default is 1 second.</value></summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The largest response accepted, in bytes. <value>The default is 16 MiB.</value></summary>
    public int MaxResponseBytes { get; set; } = 16 * 1024 * 1024;
}
