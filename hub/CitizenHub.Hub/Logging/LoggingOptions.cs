namespace CitizenHub.Hub.Logging;

/// <summary>
/// Where the hub logs besides standard error. Every sink sits behind <see cref="PersonalDataLogPolicy"/>.
/// <code>
/// "Logging": { "File": "logs/citizenhub.log" }
/// </code>
/// </summary>
public sealed class LoggingOptions
{
    /// <summary>
    /// A file (relative to the configuration file) that receives every log line standard error does, appended to.
    /// <value>The default is none: standard error only.</value>
    /// </summary>
    public string? File { get; set; }
}
