using Serilog.Events;

namespace CitizenHub.Hub.Logging;

/// <summary>
/// What of a log event may reach a sink, applied to every event before any sink sees it (see
/// <see cref="PersonalDataPolicySink"/>). Allow-lists, not deny-lists: an exception contributes its type, codes and the
/// hub's own frames (<see cref="WithheldException"/>); numbers, flags, ids, durations and enums pass; text (and times,
/// which could be a date of birth) passes only under a property name known to hold none. So a library's log line that
/// puts an exception's message in a property (MassTransit's <c>{Message}</c> and <c>{Reason}</c>), an exception object
/// logged as a value, and an adapter no one has written yet cannot put a person in a log.
/// </summary>
public static class PersonalDataLogPolicy
{
    /// <summary>What a withheld value is written as.</summary>
    public const string Withheld = "(withheld)";

    /// <summary>The property names whose text is shown from any logger: those of the libraries the hub runs on.</summary>
    /// <remarks>Logger categories, event ids, request and trace ids; MassTransit's addresses, message ids and types.</remarks>
    public static IReadOnlySet<string> LibraryTextProperties { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "SourceContext", "EventId", "RequestId", "RequestPath", "ConnectionId", "TraceId", "SpanId", "ParentId", "TraceIdentifier",
        "InputAddress", "DestinationAddress", "HostAddress", "MessageId", "MessageType", "ConsumerType", "SagaType",
        "ConversationId", "CorrelationId", "InitiatorId", "Duration",
    };

    /// <summary>
    /// The property names whose text is shown from the hub's own loggers (categories <c>CitizenHub.*</c>): source names,
    /// message kinds, exception type names, outcomes; none of it read from a record.
    /// </summary>
    public static IReadOnlySet<string> HubTextProperties { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "Source", "Kind", "Outcome", "Reason", "ExceptionType",
    };

    /// <summary>The event as a sink may see it.</summary>
    public static LogEvent Apply(LogEvent logEvent)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        var fromHub = logEvent.Properties.TryGetValue("SourceContext", out var context)
            && context is ScalarValue { Value: string category }
            && category.StartsWith("CitizenHub.", StringComparison.Ordinal);
        var properties = new List<LogEventProperty>(logEvent.Properties.Count);
        foreach (var (name, value) in logEvent.Properties)
        {
            var shown = LibraryTextProperties.Contains(name) || (fromHub && HubTextProperties.Contains(name));
            properties.Add(new LogEventProperty(name, Allowed(value, shown)));
        }

        return new LogEvent(
            logEvent.Timestamp,
            logEvent.Level,
            logEvent.Exception is { } exception ? WithheldException.From(exception) : null,
            logEvent.MessageTemplate,
            properties,
            logEvent.TraceId ?? default,
            logEvent.SpanId ?? default);
    }

    private static LogEventPropertyValue Allowed(LogEventPropertyValue value, bool shown) => value switch
    {
        // Serilog captures an exception given as a value as its ToString() (text, withheld by name like any); one kept
        // as an object (Destructure.AsScalar, an enricher) still renders its messages, so it is withheld here.
        ScalarValue { Value: Exception exception } => new ScalarValue(WithheldException.From(exception).Message),
        ScalarValue scalar when shown || IsPlain(scalar.Value) => scalar,
        StructureValue structure => new StructureValue(structure.Properties.Select(p => new LogEventProperty(p.Name, Allowed(p.Value, shown))), structure.TypeTag),
        SequenceValue sequence => new SequenceValue(sequence.Elements.Select(e => Allowed(e, shown))),
        DictionaryValue dictionary => new DictionaryValue(dictionary.Elements.Select(e =>
            new KeyValuePair<ScalarValue, LogEventPropertyValue>(Allowed(e.Key, shown) as ScalarValue ?? new ScalarValue(Withheld), Allowed(e.Value, shown)))),
        _ => new ScalarValue(Withheld),
    };

    /// <summary>Values that cannot spell a name or an address and are too common to list by name: counts, ids, flags.</summary>
    private static bool IsPlain(object? value) => value is null or bool or Enum or Guid or TimeSpan
        or byte or sbyte or short or ushort or int or uint or long or ulong or float or double or decimal;
}
