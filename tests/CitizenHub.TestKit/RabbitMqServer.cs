using System.Diagnostics;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Xunit;

namespace CitizenHub.TestKit;

/// <summary>
/// A real RabbitMQ broker for the tests that are about RabbitMQ: a private node from the Debian package, in a
/// temporary folder on free loopback ports, started once per test class (or collection) and stopped after.
/// Set <c>CITIZENHUB_TEST_RABBITMQ</c> to an <c>amqp://</c> URI to use an existing broker instead (the tests that
/// stop and start the broker always start a private one: <see cref="StartPrivate"/>).
/// </summary>
public sealed class RabbitMqServer : IAsyncLifetime
{
    private const string ExistingServerVariable = "CITIZENHUB_TEST_RABBITMQ";
    private readonly bool _alwaysPrivate;
    private string? _folder;
    private Dictionary<string, string>? _environment;
    private Process? _node;

    public RabbitMqServer()
        : this(alwaysPrivate: false)
    {
    }

    private RabbitMqServer(bool alwaysPrivate) => _alwaysPrivate = alwaysPrivate;

    /// <summary>The broker's address, e.g. <c>amqp://guest:guest@127.0.0.1:41234/</c>.</summary>
    public Uri Uri { get; private set; } = new("amqp://127.0.0.1/");

    /// <summary>Whether this fixture runs its own node (and so can stop and start it).</summary>
    public bool IsPrivate => _environment is not null;

    /// <summary>A fixture that always starts its own node, whatever the environment says.</summary>
    public static RabbitMqServer StartPrivate() => new(alwaysPrivate: true);

    public async Task InitializeAsync()
    {
        if (!_alwaysPrivate && Environment.GetEnvironmentVariable(ExistingServerVariable) is { Length: > 0 } existing)
        {
            Uri = new Uri(existing);
            return;
        }

        if (!File.Exists("/usr/sbin/rabbitmq-server"))
        {
            throw new InvalidOperationException($"RabbitMQ is not installed (Debian package 'rabbitmq-server'; ./test.sh installs it), and {ExistingServerVariable} is not set.");
        }

        _folder = Path.Combine(Path.GetTempPath(), $"citizenhub-rmq-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_folder);
        if (Environment.UserName == "root")
        {
            // The server script runs the node as the rabbitmq user, who must own its folder.
            await RunAsync("chown", "rabbitmq", _folder);
        }

        var port = FreePort.Next();
        _environment = new Dictionary<string, string>
        {
            ["RABBITMQ_NODENAME"] = $"citizenhub{Guid.NewGuid():N}"[..20] + "@localhost",
            ["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1",
            ["RABBITMQ_NODE_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RABBITMQ_DIST_PORT"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RABBITMQ_MNESIA_BASE"] = Path.Combine(_folder, "mnesia"),
            ["RABBITMQ_LOG_BASE"] = Path.Combine(_folder, "log"),
            ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(_folder, "enabled_plugins"),
            ["RABBITMQ_ENABLED_PLUGINS"] = "",
            // Erlang distribution on loopback only: a test broker is nobody else's.
            ["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "-kernel inet_dist_use_interface {127,0,0,1}",
            ["ERL_EPMD_ADDRESS"] = "127.0.0.1",
        };
        Uri = new Uri($"amqp://guest:guest@127.0.0.1:{port}/");
        await StartAsync();
    }

    /// <summary>
    /// A fresh virtual host for one test, so tests sharing the broker never see each other's queues (on an existing
    /// broker: the URI's own virtual host).
    /// </summary>
    public async Task<string> CreateVirtualHostAsync()
    {
        if (!IsPrivate)
        {
            return Uri.AbsolutePath.Length > 1 ? Uri.UnescapeDataString(Uri.AbsolutePath[1..]) : "/";
        }

        var name = $"t{Guid.NewGuid():N}";
        await ControlAsync("add_vhost", name);
        await ControlAsync("set_permissions", "-p", name, "guest", ".*", ".*", ".*");
        return name;
    }

    /// <summary>Runs <c>rabbitmqctl</c> against the private node and returns what it printed.</summary>
    public Task<string> ControlAsync(params string[] arguments)
    {
        EnsurePrivate();
        return RunAsync("rabbitmqctl", arguments);
    }

    /// <summary>Stops the private node (its queues and their messages stay on disk).</summary>
    public async Task StopAsync()
    {
        EnsurePrivate();
        await RunAsync("rabbitmqctl", "stop");
        if (_node is not null)
        {
            await _node.WaitForExitAsync();
            _node.Dispose();
            _node = null;
        }
    }

    /// <summary>Starts the private node again and waits until it accepts AMQP connections.</summary>
    public async Task StartAsync()
    {
        EnsurePrivate();
        var start = new ProcessStartInfo("setsid", ["rabbitmq-server"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Configure(start);
        _node = Process.Start(start) ?? throw new InvalidOperationException("rabbitmq-server did not start");
        // Drain its output so a chatty node never blocks on a full pipe.
        _ = _node.StandardOutput.ReadToEndAsync();
        _ = _node.StandardError.ReadToEndAsync();
        await WaitUntilAcceptingAsync();
    }

    public async Task DisposeAsync()
    {
        if (_folder is null)
        {
            return;
        }

        try
        {
            if (_node is not null)
            {
                await StopAsync();
            }
        }
        finally
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private async Task WaitUntilAcceptingAsync()
    {
        var factory = new ConnectionFactory { Uri = Uri, RequestedConnectionTimeout = TimeSpan.FromSeconds(2) };
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await using var connection = await factory.CreateConnectionAsync();
                return;
            }
            catch (BrokerUnreachableException) when (waited.Elapsed < TimeSpan.FromSeconds(90) && _node is { HasExited: false })
            {
                await Task.Delay(250);
            }
            catch (BrokerUnreachableException ex)
            {
                var log = _folder is null ? "" : string.Join("\n", Directory.EnumerateFiles(Path.Combine(_folder, "log")).Select(File.ReadAllText));
                throw new InvalidOperationException($"RabbitMQ did not start accepting connections on {Uri.Port}: {ex.Message}\n{log}", ex);
            }
        }
    }

    private void EnsurePrivate()
    {
        if (_environment is null)
        {
            throw new InvalidOperationException($"Only a private broker can be stopped and started; this one is {ExistingServerVariable}'s.");
        }
    }

    private void Configure(ProcessStartInfo start)
    {
        foreach (var (name, value) in _environment!)
        {
            start.Environment[name] = value;
        }
    }

    private Task<string> RunAsync(string program, params string[] arguments) => Command.RunAsync(program, arguments, _environment);
}
