using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json.Nodes;
using CitizenHub.Adapters.Testing;
using CitizenHub.Hub;
using CitizenHub.Store;
using CitizenHub.TestKit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using Serilog.Events;

namespace CitizenHub.Host.Tests.Logging;

/// <summary>
/// The tests that swap the process's standard output and error for their own: they run alone, one at a time, so no other
/// test's lines are read as theirs and none of theirs are lost. PostgreSQL is the legacy database of the SQL source.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "The process's console, read by one test at a time";
}

/// <summary>
/// The hub composed as <c>citizenhub serve</c> composes it (the API on an in-memory server), with every sink it writes to
/// read back: standard output and standard error (the console sink, and what <c>citizenhub sync</c> prints), the
/// <c>Logging.File</c> file, the <c>Logging.JsonFile</c> file, and a sink registered by the host. A store can be made to
/// refuse every record batch with a message quoting the record, as a database driver's would.
/// </summary>
internal sealed class EverySinkHub : IAsyncDisposable
{
    private readonly TempDirectory _folder = new();
    private readonly StringWriter _out = new();
    private readonly StringWriter _error = new();
    private readonly TextWriter _originalOut = Console.Out;
    private readonly TextWriter _originalError = Console.Error;
    private readonly CapturingSink _registered = new();
    private WebApplication? _app;

    public TempDirectory Folder => _folder;

    public string LogFile => _folder.File("logs/citizenhub.log");

    /// <param name="configuration">The configuration file's sources and settings; the API's keys and the log file are added.</param>
    /// <param name="storeFailure">When set, what the store says when it refuses a record batch (every one), and a read.</param>
    public async Task StartAsync(JsonObject configuration, string? storeFailure = null)
    {
        configuration["Api"] = ApiCallers.Section();
        configuration["Logging"] = new JsonObject { ["File"] = "logs/citizenhub.log", ["JsonFile"] = "logs/citizenhub-.json" };
        configuration["Store"] ??= new JsonObject { ["ConnectionString"] = "Data Source=hub.db" };
        var path = _folder.Write("citizenhub.json", configuration.ToJsonString());
        Console.SetOut(TextWriter.Synchronized(_out));
        Console.SetError(TextWriter.Synchronized(_error));
        _app = HubComposition.BuildWebApplication(HubComposition.Load(path), urls: null, builder =>
        {
            builder.WebHost.UseTestServer();
            builder.Services.AddSingleton<ILogEventSink>(_registered);
            if (storeFailure is not null)
            {
                RefusingStore.Decorate(builder.Services, storeFailure);
            }
        });
        await _app.StartAsync();
    }

    /// <summary>Runs one source as <c>citizenhub sync</c> does, printing its summary where the command prints it.</summary>
    public async Task<SyncRunSummary> SyncAsync(string source)
    {
        var catalog = _app!.Services.GetRequiredService<SourceCatalog>();
        var summary = await _app.Services.GetRequiredService<SyncRunner>().RunAsync(catalog.Find(source)!, CancellationToken.None);
        await SyncReport.WriteSummaryAsync(summary, Console.Out, Console.Error);
        return summary;
    }

    /// <summary>A client holding the role's key and stating a purpose, as a CRM sends.</summary>
    public HttpClient ClientFor(string role)
    {
        var client = _app!.GetTestClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", ApiCallers.KeyByRole[role]);
        client.DefaultRequestHeaders.Add("X-Purpose", "test: what the hub logs");
        return client;
    }

    /// <summary>
    /// Stops the hub (so the file is whole) and returns everything every sink received, each sink by name; the console's
    /// writers are given back to the process.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, string>> StopAndReadEverySinkAsync()
    {
        await StopAsync();
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["standard output"] = _out.ToString(),
            ["standard error"] = _error.ToString(),
            ["log file"] = File.Exists(LogFile) ? await File.ReadAllTextAsync(LogFile) : "",
            // Rolled by the day: citizenhub-20261202.json (and the next day's, should a test run over midnight).
            ["JSON file"] = string.Concat(Directory.GetFiles(_folder.File("logs"), "citizenhub-*.json").Select(File.ReadAllText)),
            ["registered sink"] = _registered.Rendered(),
        };
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _out.Dispose();
        _error.Dispose();
        _folder.Dispose();
    }

    private async Task StopAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }

        Console.SetOut(_originalOut);
        Console.SetError(_originalError);
    }

    private sealed class CapturingSink : ILogEventSink
    {
        private readonly ConcurrentQueue<LogEvent> _events = new();

        public void Emit(LogEvent logEvent) => _events.Enqueue(logEvent);

        /// <summary>Each event as a reader of any sink could see it: the message, every property, the exception.</summary>
        public string Rendered() => string.Join(
            Environment.NewLine,
            _events.Select(e => string.Join(
                " | ",
                e.RenderMessage(System.Globalization.CultureInfo.InvariantCulture),
                string.Join(", ", e.Properties.Select(p => $"{p.Key}={p.Value}")),
                e.Exception?.ToString() ?? "")));
    }
}

/// <summary>
/// The real store, refusing every record batch and every citizen search with a message that quotes the data, as
/// PostgreSQL's does (<c>Key (ni_number)=(JG103792A) already exists</c>, <c>invalid input syntax: "Hughes"</c>).
/// Everything else reaches the real store; a proxy, so the store's contract can grow without this changing.
/// </summary>
internal class RefusingStore : DispatchProxy
{
    private ICitizenStore _inner = null!;
    private string _failure = "";

    public static void Decorate(IServiceCollection services, string failure)
    {
        var registered = services.Last(d => d.ServiceType == typeof(ICitizenStore));
        services.Remove(registered);
        services.AddSingleton<ICitizenStore>(provider =>
        {
            var inner = (ICitizenStore)(registered.ImplementationInstance ?? registered.ImplementationFactory?.Invoke(provider)
                ?? ActivatorUtilities.CreateInstance(provider, registered.ImplementationType!));
            var proxy = Create<ICitizenStore, RefusingStore>();
            var refusing = (RefusingStore)(object)proxy;
            refusing._inner = inner;
            refusing._failure = failure;
            return proxy;
        });
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        var refused = targetMethod.Name switch
        {
            nameof(ICitizenStore.BeginMessageAsync) => args![0] is MessageIdentity { Kind: MessageIdentity.RecordBatch },
            nameof(ICitizenStore.SearchAsync) => true,
            _ => false,
        };
        if (refused)
        {
            throw new InvalidDataException(_failure);
        }

        return targetMethod.Invoke(_inner, BindingFlags.DoNotWrapExceptions, binder: null, args, culture: null);
    }
}
