using System.Diagnostics;
using System.Globalization;
using MySqlConnector;
using Xunit;

namespace CitizenHub.TestKit;

/// <summary>
/// A real MariaDB server for the tests that are about MySQL/MariaDB: a private instance from the Debian package
/// (<c>mariadb-server</c>), in a temporary folder on a free loopback port, started once per test collection and
/// stopped after. Set <c>CITIZENHUB_TEST_MARIADB</c> to a MySqlConnector connection string (a user that may
/// create databases) to use an existing server instead.
/// </summary>
public sealed class MariaDbServer : IAsyncLifetime
{
    private const string ExistingServerVariable = "CITIZENHUB_TEST_MARIADB";
    private const string User = "citizenhub";
    // A private test server on loopback that lives for one test run: its password guards nothing.
    private const string Password = "citizenhub-test";
    private readonly bool _alwaysPrivate;
    private string? _folder;
    private int _port;
    private Process? _server;

    public MariaDbServer()
        : this(alwaysPrivate: false)
    {
    }

    private MariaDbServer(bool alwaysPrivate) => _alwaysPrivate = alwaysPrivate;

    /// <summary>A fixture that always starts its own server, whatever the environment says (for tests that restart it).</summary>
    public static MariaDbServer StartPrivate() => new(alwaysPrivate: true);

    /// <summary>A connection string for a user who may create databases, with no database chosen.</summary>
    public string ConnectionString { get; private set; } = "";

    /// <summary>Whether this fixture runs its own server (and so can stop and start it).</summary>
    public bool IsPrivate => _folder is not null;

    private string Socket => Path.Combine(_folder!, "sock");

    public async Task InitializeAsync()
    {
        if (!_alwaysPrivate && Environment.GetEnvironmentVariable(ExistingServerVariable) is { Length: > 0 } existing)
        {
            ConnectionString = existing;
            return;
        }

        if (!File.Exists("/usr/sbin/mariadbd"))
        {
            throw new InvalidOperationException($"MariaDB is not installed (Debian package 'mariadb-server'; ./test.sh installs it), and {ExistingServerVariable} is not set.");
        }

        _folder = Path.Combine(Path.GetTempPath(), $"citizenhub-mariadb-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_folder);
        if (IsRoot)
        {
            // The server refuses to run as root unless told to: it runs as the mysql user, who must own its folder.
            await Command.RunAsync("chown", ["mysql", _folder]);
        }

        _port = FreePort.Next();
        // --no-defaults: the machine's /etc/mysql settings (its socket, its port) are not this server's.
        await Command.RunAsync("mariadb-install-db", ["--no-defaults", .. UserArgument, $"--datadir={Path.Combine(_folder, "data")}", "--auth-root-authentication-method=normal", "--skip-test-db"]);
        await StartAsync();
        // root has no password but may only come in through the private socket; tests use TCP as a named user, as an adapter does.
        await Command.RunAsync("mariadb", ["--no-defaults", $"--socket={Socket}", "-uroot", "-e",
            $"CREATE USER '{User}'@'127.0.0.1' IDENTIFIED BY '{Password}'; GRANT ALL ON *.* TO '{User}'@'127.0.0.1' WITH GRANT OPTION;"]);
        ConnectionString = new MySqlConnectionStringBuilder
        {
            Server = "127.0.0.1",
            Port = (uint)_port,
            UserID = User,
            Password = Password,
            Pooling = false,
        }.ConnectionString;
    }

    /// <summary>Starts the private server (again) and waits until it answers.</summary>
    public async Task StartAsync()
    {
        EnsurePrivate();
        var start = new ProcessStartInfo("mariadbd")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        string[] arguments =
        [
            "--no-defaults", .. UserArgument, $"--datadir={Path.Combine(_folder!, "data")}", $"--socket={Socket}",
            $"--port={_port.ToString(CultureInfo.InvariantCulture)}", "--bind-address=127.0.0.1", $"--pid-file={Path.Combine(_folder!, "pid")}",
            $"--log-error={Path.Combine(_folder!, "error.log")}", "--skip-name-resolve", "--skip-log-bin",
            // A test server: durability is not what is tested, speed on 2 cores is wanted.
            "--innodb-flush-log-at-trx-commit=0", "--innodb-buffer-pool-size=32M", "--innodb-doublewrite=0",
        ];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        _server = Process.Start(start) ?? throw new InvalidOperationException("mariadbd did not start");
        // Drain its output so the server never blocks on a full pipe.
        _ = _server.StandardOutput.ReadToEndAsync();
        _ = _server.StandardError.ReadToEndAsync();
        var waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await Command.RunAsync("mariadb-admin", ["--no-defaults", $"--socket={Socket}", "-uroot", "ping"]);
                return;
            }
            catch (InvalidOperationException) when (waited.Elapsed < TimeSpan.FromSeconds(60) && !_server.HasExited)
            {
                await Task.Delay(200);
            }
            catch (InvalidOperationException ex)
            {
                var log = Path.Combine(_folder!, "error.log");
                throw new InvalidOperationException($"MariaDB did not start on port {_port}: {ex.Message}\n{(File.Exists(log) ? await File.ReadAllTextAsync(log) : "")}", ex);
            }
        }
    }

    /// <summary>Stops the private server as an operator's restart does: open connections are cut, data stays.</summary>
    public async Task StopAsync()
    {
        EnsurePrivate();
        await Command.RunAsync("mariadb-admin", ["--no-defaults", $"--socket={Socket}", "-uroot", "shutdown"]);
        if (_server is not null)
        {
            await _server.WaitForExitAsync();
            _server.Dispose();
            _server = null;
        }
    }

    /// <summary>Creates a fresh database and returns its connection string, so tests do not see each other's tables.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"t{Guid.NewGuid():N}";
        await using (var connection = new MySqlConnection(ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            // A database name cannot be a parameter; this one is made here from a GUID, never from input.
            command.CommandText = $"CREATE DATABASE {name}";
            await command.ExecuteNonQueryAsync();
        }

        return new MySqlConnectionStringBuilder(ConnectionString) { Database = name }.ConnectionString;
    }

    public async Task DisposeAsync()
    {
        if (_folder is null)
        {
            return;
        }

        try
        {
            if (_server is not null)
            {
                try
                {
                    await StopAsync();
                }
                catch (InvalidOperationException)
                {
                    // It would not stop when asked: it is ours, so end it.
                    _server?.Kill(entireProcessTree: true);
                }
            }
        }
        finally
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private static bool IsRoot => Environment.UserName == "root";

    // As root the server must be told to drop to the mysql user; as anyone else it runs as them.
    private static string[] UserArgument => IsRoot ? ["--user=mysql"] : [];

    private void EnsurePrivate()
    {
        if (_folder is null)
        {
            throw new InvalidOperationException($"Only a private server can be stopped and started; this one is {ExistingServerVariable}'s.");
        }
    }
}
