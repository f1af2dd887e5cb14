using Npgsql;
using Xunit;

namespace CitizenHub.TestKit;

/// <summary>
/// A real PostgreSQL server for the tests that are about PostgreSQL: a private instance from the Debian
/// package, in a temporary folder on a free loopback port, started once per test collection and stopped after.
/// Set <c>CITIZENHUB_TEST_POSTGRES</c> to a connection string to use an existing server instead.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private const string ExistingServerVariable = "CITIZENHUB_TEST_POSTGRES";
    private string? _folder;
    private readonly bool _alwaysPrivate;
    private string? _binaries;
    private int _port;

    public PostgresServer()
        : this(alwaysPrivate: false)
    {
    }

    private PostgresServer(bool alwaysPrivate) => _alwaysPrivate = alwaysPrivate;

    /// <summary>A fixture that always starts its own server, whatever the environment says (for tests that restart it).</summary>
    public static PostgresServer StartPrivate() => new(alwaysPrivate: true);

    /// <summary>A connection string for the server's <c>postgres</c> database, as a superuser.</summary>
    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        if (!_alwaysPrivate && Environment.GetEnvironmentVariable(ExistingServerVariable) is { Length: > 0 } existing)
        {
            ConnectionString = existing;
            return;
        }

        _binaries = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).Order().LastOrDefault()
            : null;
        if (_binaries is null)
        {
            throw new InvalidOperationException($"PostgreSQL server binaries are not installed (Debian package 'postgresql'; ./test.sh installs it), and {ExistingServerVariable} is not set.");
        }

        _folder = Path.Combine(Path.GetTempPath(), $"citizenhub-pg-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_folder);
        // The server refuses to run as root: it runs as the postgres user, who must own its folder.
        await RunAsync("chown", "postgres", _folder);
        _port = FreePort.Next();
        await RunAsPostgresAsync(Path.Combine(_binaries, "initdb"), "-D", Path.Combine(_folder, "data"), "-A", "trust", "-U", "postgres", "--no-sync");
        await StartAsync();
        ConnectionString = $"Host=127.0.0.1;Port={_port};Username=postgres;Database=postgres;Pooling=false";
    }

    /// <summary>Whether this fixture runs its own server (and so can stop and start it).</summary>
    public bool IsPrivate => _folder is not null;

    /// <summary>Starts the private server (again) and waits until it accepts connections.</summary>
    public Task StartAsync()
    {
        EnsurePrivate();
        return RunAsPostgresAsync(
            Path.Combine(_binaries!, "pg_ctl"), "-D", Path.Combine(_folder!, "data"), "-l", Path.Combine(_folder!, "log"), "-w", "-t", "60",
            "-o", $"-p {_port} -k {_folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
            "start");
    }

    /// <summary>Stops the private server as an operator's restart does: open connections are cut, data stays.</summary>
    public Task StopAsync()
    {
        EnsurePrivate();
        return RunAsPostgresAsync(Path.Combine(_binaries!, "pg_ctl"), "-D", Path.Combine(_folder!, "data"), "-m", "fast", "-w", "stop");
    }

    private void EnsurePrivate()
    {
        if (_folder is null || _binaries is null)
        {
            throw new InvalidOperationException($"Only a private server can be stopped and started; this one is {ExistingServerVariable}'s.");
        }
    }

    /// <summary>Creates a fresh database and returns its connection string, so tests do not see each other's tables.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"t{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            // A database name cannot be a parameter; this one is made here from a GUID, never from input.
            command.CommandText = $"CREATE DATABASE {name}";
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ToString();
    }

    public async Task DisposeAsync()
    {
        if (_folder is null || _binaries is null)
        {
            return;
        }

        try
        {
            await RunAsPostgresAsync(Path.Combine(_binaries, "pg_ctl"), "-D", Path.Combine(_folder, "data"), "-m", "immediate", "-w", "stop");
        }
        finally
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private static Task RunAsPostgresAsync(string program, params string[] arguments) =>
        Environment.UserName == "postgres" ? RunAsync(program, arguments) : RunAsync("runuser", ["-u", "postgres", "--", program, .. arguments]);

    private static Task RunAsync(string program, params string[] arguments) => Command.RunAsync(program, arguments);
}
