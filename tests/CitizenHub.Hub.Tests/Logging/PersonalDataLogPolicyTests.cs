using System.Collections.Concurrent;
using System.Globalization;
using CitizenHub.Hub.Logging;
using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace CitizenHub.Hub.Tests.Logging;

/// <summary>What of an event passes the policy: the shapes libraries log exceptions' messages in, each withheld.</summary>
public sealed class PersonalDataLogPolicyTests
{
    private readonly Captured _captured = new();
    private readonly Logger _logger;

    public PersonalDataLogPolicyTests() => _logger = new LoggerConfiguration()
        .WriteTo.ThroughPersonalDataPolicy(sinks => sinks.Sink(_captured))
        .CreateLogger();

    [Fact]
    public void LibraryEvent_ExceptionMessageInAProperty_IsWithheld()
    {
        // MassTransit's own templates: a connection retry's message, and why a message was moved.
        var masstransit = _logger.ForContext(Constants.SourceContextPropertyName, "MassTransit.ReceiveTransport");
        masstransit.Warning("Retrying {Delay}: {Message}", TimeSpan.FromSeconds(1), "no claimant Margaret Hughes");
        masstransit.Information("MOVE {InputAddress} {MessageId} {DestinationAddress} {Reason}", new Uri("loopback://localhost/hub"), Guid.Empty, new Uri("loopback://localhost/hub_error"), "Fault: Margaret Hughes");

        Assert.Equal(
            [
                "Retrying 00:00:01: \"(withheld)\"",
                "MOVE loopback://localhost/hub 00000000-0000-0000-0000-000000000000 loopback://localhost/hub_error \"(withheld)\"",
            ],
            _captured.Messages());
    }

    [Fact]
    public void AnyEvent_Exception_KeepsItsTypesCodesAndTheHubsFramesOnly()
    {
        var error = Throw(() => new InvalidOperationException("no claimant Margaret Hughes", Throw(() => int.Parse("Hughes", CultureInfo.InvariantCulture))));

        _logger.Error(error, "Sync failed");

        var logged = Assert.Single(_captured.Events).Exception!.ToString();
        Assert.DoesNotContain("Hughes", logged, StringComparison.Ordinal);
        Assert.StartsWith("System.InvalidOperationException (HResult 0x80131509); message withheld", logged, StringComparison.Ordinal);
        Assert.Contains(" ---> System.FormatException (HResult 0x80131537); message withheld", logged, StringComparison.Ordinal);
        Assert.Contains($"   at {typeof(PersonalDataLogPolicyTests).FullName}.{nameof(Throw)}", logged, StringComparison.Ordinal);
        Assert.DoesNotContain("System.Number", logged, StringComparison.Ordinal);
    }

    [Fact]
    public void LibraryEvent_ExceptionLoggedAsAValue_IsWithheld()
    {
        // Serilog captures an exception given as a value as its ToString() (every message in it), or as its properties.
        var error = Throw(() => new InvalidOperationException("no claimant Margaret Hughes"));

        _logger.ForContext(Constants.SourceContextPropertyName, "Some.Library").Error("Failed: {Error} {@Detail}", error, error);

        Assert.DoesNotContain("Hughes", _captured.Rendered(), StringComparison.Ordinal);
    }

    [Fact]
    public void TextUnderAHubName_IsShownFromTheHubsLoggersOnly_AndTimesOnlyByName()
    {
        _logger.ForContext(Constants.SourceContextPropertyName, "CitizenHub.Hub.SyncRunner").Information("Sync of {Source} born {DateOfBirth}", "council-tax", new DateTime(1950, 3, 4));
        _logger.ForContext(Constants.SourceContextPropertyName, "Some.Library").Information("Sync of {Source}: {Count}", "Margaret Hughes", 3);

        Assert.Equal(["Sync of \"council-tax\" born \"(withheld)\"", "Sync of \"(withheld)\": 3"], _captured.Messages());
    }

    [Fact]
    public void OperatorText_ALibrarysMessageQuotingTheValue_ShowsItsTypeOnly()
    {
        // The runtime's own message quotes the text it could not parse: "The input string 'Hughes' was not in a correct format."
        var error = Throw(() => int.Parse("Hughes", CultureInfo.InvariantCulture));

        Assert.Equal("the source could not be read (FormatException)", ExceptionFacts.OperatorText(error, "the source could not be read"));
    }

    [Fact]
    public void OperatorText_AMessageTheHubsCodeWrote_IsShown()
    {
        // Thrown in a CitizenHub assembly (this test's), as the hub's own code throws.
        var error = Throw(() => new IOException("council-tax.csv was not read: it is still being written"));

        Assert.Equal("council-tax.csv was not read: it is still being written", ExceptionFacts.OperatorText(error, "the source could not be read"));
    }

    private static Exception Throw<T>(Func<T> make)
    {
        try
        {
            var made = make();
            if (made is Exception exception)
            {
                throw exception;
            }
        }
        catch (Exception ex)
        {
            return ex;
        }

        throw new InvalidOperationException("nothing was thrown");
    }

    private sealed class Captured : ILogEventSink
    {
        private readonly ConcurrentQueue<LogEvent> _events = new();

        public IReadOnlyList<LogEvent> Events => [.. _events];

        public void Emit(LogEvent logEvent) => _events.Enqueue(logEvent);

        public List<string> Messages() => [.. _events.Select(e => e.RenderMessage(CultureInfo.InvariantCulture))];

        public string Rendered() => string.Join(
            Environment.NewLine,
            _events.Select(e => $"{e.RenderMessage(CultureInfo.InvariantCulture)} | {string.Join(", ", e.Properties.Select(p => $"{p.Key}={p.Value}"))} | {e.Exception}"));
    }
}
