namespace CitizenHub.Adapters.Soap;

/// <summary>
/// The SOAP service answered a page with a fault. The message names the page and the fault's code; the fault's text is
/// neither shown nor kept, since a service's fault text may quote the record it is about.
/// </summary>
public sealed class SoapFaultException : InvalidOperationException
{
    public SoapFaultException()
    {
    }

    public SoapFaultException(string message)
        : base(message)
    {
    }

    public SoapFaultException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <param name="page">The page, counted from 1 in this read.</param>
    /// <param name="faultCode">The fault's code (e.g. <c>soap:Client</c>), or null when it had none shaped like one.</param>
    public SoapFaultException(string page, string? faultCode)
        : base($"The SOAP service answered page {page} with a fault ({faultCode ?? "no code"}); its text is not shown, since a service's fault text may quote the record it is about.")
    {
        FaultCode = faultCode;
    }

    /// <summary>The fault's code as the service wrote it (<c>faultcode</c>, or SOAP 1.2's <c>Code/Value</c>); null when none.</summary>
    public string? FaultCode { get; }
}
