using System.ComponentModel.DataAnnotations;
using Serilog.Events;

namespace CitizenHub.Hub.Logging;

/// <summary>
/// Where the hub logs besides standard error, and how much. Every sink sits behind <see cref="PersonalDataLogPolicy"/>.
/// <code>
/// "Logging": {
///   "File": "logs/citizenhub.log",
///   "JsonFile": "logs/citizenhub-.json",
///   "RollingInterval": "Day",
///   "RetainedFileCountLimit": 31,
///   "FileSizeLimitBytes": 104857600,
///   "MinimumLevel": "Information",
///   "Override": { "MassTransit": "Warning" }
/// }
/// </code>
/// </summary>
public sealed class LoggingOptions
{
    /// <summary>
    /// A file (relative to the configuration file) that receives every log line standard error does, appended to.
    /// <value>The default is none: standard error only.</value>
    /// </summary>
    public string? File { get; set; }

    /// <summary>
    /// A file (relative to the configuration file) that receives every event as one line of compact JSON (Serilog's
    /// rendered compact format: <c>@t</c>, <c>@m</c>, <c>@l</c>, <c>@x</c> and each property, the scope's <c>RunId</c> and
    /// <c>Source</c> among them), rolled by <see cref="RollingInterval"/> and <see cref="FileSizeLimitBytes"/>: the period
    /// is put before the extension (<c>citizenhub-.json</c> becomes <c>citizenhub-20261202.json</c>).
    /// <value>The default is none.</value>
    /// </summary>
    public string? JsonFile { get; set; }

    /// <summary>How often the JSON file starts anew. <value>The default is <c>Day</c>.</value></summary>
    public LogRollingInterval RollingInterval { get; set; } = LogRollingInterval.Day;

    /// <summary>
    /// How many of the JSON file's files are kept, the current one included; older ones are deleted.
    /// <value>The default is 31: a month of daily files.</value>
    /// </summary>
    [Range(1, 100_000)]
    public int RetainedFileCountLimit { get; set; } = 31;

    /// <summary>
    /// The largest a JSON file may grow before the next one is started (within the same period, <c>_001</c> and on), so a
    /// loop of failures cannot fill the disk beyond <see cref="RetainedFileCountLimit"/> files of this size.
    /// <value>The default is 104857600 (100 MiB).</value>
    /// </summary>
    [Range(typeof(long), "1048576", "9223372036854775807")]
    public long FileSizeLimitBytes { get; set; } = 100L * 1024 * 1024;

    /// <summary>The least level written, by every sink. <value>The default is <c>Information</c>.</value></summary>
    public LogEventLevel MinimumLevel { get; set; } = LogEventLevel.Information;

    /// <summary>
    /// The least level standard error gets (other sinks keep <see cref="MinimumLevel"/>). <c>sync</c> on a terminal
    /// raises it to <c>Warning</c> while its live table is drawn, which lines of its own would break.
    /// <value>The default is <c>Information</c>.</value>
    /// </summary>
    public LogEventLevel ConsoleMinimumLevel { get; set; } = LogEventLevel.Information;

    /// <summary>
    /// Least levels for loggers whose category starts with a name (<c>"CitizenHub.Hub.SyncRunner": "Debug"</c>), over the
    /// defaults <c>Microsoft</c> and <c>MassTransit</c> at <c>Warning</c>. <value>The default is none beyond those.</value>
    /// </summary>
    public Dictionary<string, LogEventLevel> Override { get; set; } = [];
}

/// <summary>How often a rolling log file starts anew (Serilog's <c>RollingInterval</c>).</summary>
public enum LogRollingInterval
{
    Infinite,
    Year,
    Month,
    Day,
    Hour,
    Minute,
}
