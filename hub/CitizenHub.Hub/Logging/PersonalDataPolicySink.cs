using Serilog;
using Serilog.Configuration;
using Serilog.Core;
using Serilog.Events;

namespace CitizenHub.Hub.Logging;

/// <summary>
/// Passes every event through <see cref="PersonalDataLogPolicy"/> before the sinks it wraps see it. Every sink the hub
/// writes to sits behind one of these (<see cref="PersonalDataPolicySinkExtensions.ThroughPersonalDataPolicy"/>), so a
/// sink added later inherits the policy instead of having to remember it.
/// </summary>
/// <remarks>Throws nothing of its own; what the wrapped sink throws reaches Serilog, which reports it in SelfLog.</remarks>
public sealed class PersonalDataPolicySink(ILogEventSink inner) : ILogEventSink, IDisposable, IAsyncDisposable
{
    public void Emit(LogEvent logEvent) => inner.Emit(PersonalDataLogPolicy.Apply(logEvent));

    public void Dispose() => (inner as IDisposable)?.Dispose();

    public ValueTask DisposeAsync() => inner is IAsyncDisposable async ? async.DisposeAsync() : ValueTask.CompletedTask;
}

public static class PersonalDataPolicySinkExtensions
{
    /// <summary>Writes to the sinks <paramref name="sinks"/> configures, each event through <see cref="PersonalDataLogPolicy"/> first.</summary>
    public static LoggerConfiguration ThroughPersonalDataPolicy(this LoggerSinkConfiguration writeTo, Action<LoggerSinkConfiguration> sinks)
    {
        ArgumentNullException.ThrowIfNull(writeTo);
        ArgumentNullException.ThrowIfNull(sinks);
        return writeTo.Sink(LoggerSinkConfiguration.Wrap(inner => new PersonalDataPolicySink(inner), sinks));
    }
}
