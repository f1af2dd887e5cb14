using System.Globalization;
using CitizenHub.Hub.Logging;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace CitizenHub.Host;

/// <summary>The hub's Serilog configuration, from the <c>Logging</c> section (docs/logging.md).</summary>
internal static class HubLogging
{
    /// <summary>The least levels of libraries' loggers unless <see cref="LoggingOptions.Override"/> says otherwise.</summary>
    private static readonly Dictionary<string, LogEventLevel> LibraryLevels = new(StringComparer.Ordinal)
    {
        ["Microsoft"] = LogEventLevel.Warning,
        ["MassTransit"] = LogEventLevel.Warning,
    };

    /// <param name="directory">The configuration file's folder: the files' paths are relative to it.</param>
    /// <param name="registered">Sinks registered by the host (a shipper, or a test that reads every line).</param>
    public static void Configure(LoggerConfiguration logging, LoggingOptions options, string directory, IEnumerable<ILogEventSink> registered)
    {
        logging.MinimumLevel.Is(options.MinimumLevel)
            // The scopes' properties (the sync run's RunId and Source, ASP.NET Core's RequestId) on every event within them.
            .Enrich.FromLogContext();
        var levels = new Dictionary<string, LogEventLevel>(LibraryLevels, StringComparer.Ordinal);
        foreach (var (category, level) in options.Override)
        {
            levels[category] = level;
        }

        foreach (var (category, level) in levels)
        {
            logging.MinimumLevel.Override(category, level);
        }

        // Every sink behind the one policy: no sink, these or one added later, sees an exception's message.
        logging.WriteTo.ThroughPersonalDataPolicy(sinks =>
        {
            // Everything to standard error: standard output carries the command's own results.
            sinks.Console(restrictedToMinimumLevel: options.ConsoleMinimumLevel, standardErrorFromLevel: LogEventLevel.Verbose, formatProvider: CultureInfo.InvariantCulture);
            if (options.File is { Length: > 0 } file)
            {
                sinks.File(Path.GetFullPath(file, directory), formatProvider: CultureInfo.InvariantCulture);
            }

            if (options.JsonFile is { Length: > 0 } json)
            {
                sinks.File(
                    new RenderedCompactJsonFormatter(),
                    Path.GetFullPath(json, directory),
                    fileSizeLimitBytes: options.FileSizeLimitBytes,
                    // A full file starts the next rather than dropping events until the period ends.
                    rollOnFileSizeLimit: true,
                    rollingInterval: Enum.Parse<RollingInterval>(options.RollingInterval.ToString()),
                    retainedFileCountLimit: options.RetainedFileCountLimit);
            }

            foreach (var sink in registered)
            {
                sinks.Sink(sink);
            }
        });
    }
}
