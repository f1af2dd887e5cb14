using System.ComponentModel.DataAnnotations;
using CitizenHub.Hub.Logging;
using CitizenHub.Hub.Telemetry;
using Microsoft.Extensions.Options;

namespace CitizenHub.Hub;

/// <summary>
/// The hub's settings: the top level of the configuration file.
/// <code>
/// {
///   "Transport": "InMemory",
///   "Store": { "Provider": "Sqlite", "ConnectionString": "Data Source=citizenhub.db" },
///   "Sync": { "BatchSize": 500, "RejectsDirectory": "rejects" },
///   "Sources": [ ... ]
/// }
/// </code>
/// Each nested options object is marked <see cref="ValidateObjectMembersAttribute"/>, so its own <c>[Range]</c> and
/// <c>[Required]</c> checks run at start-up (see <see cref="CitizenHubOptionsValidator"/>), not only this object's.
/// </summary>
public sealed class CitizenHubOptions
{
    /// <summary>
    /// <c>InMemory</c>: the embedded bus, one process. <c>RabbitMq</c>: a broker (settings in <see cref="RabbitMq"/>)
    /// shared by every hub instance. <value>The default is <c>InMemory</c>.</value>
    /// </summary>
    public HubTransport Transport { get; set; } = HubTransport.InMemory;

    /// <summary>The broker, when <see cref="Transport"/> is <c>RabbitMq</c>.</summary>
    [Required]
    [ValidateObjectMembers]
    public RabbitMqOptions RabbitMq { get; set; } = new();

    [Required]
    [ValidateObjectMembers]
    public StoreOptions Store { get; set; } = new();

    [Required]
    [ValidateObjectMembers]
    public SyncOptions Sync { get; set; } = new();

    [Required]
    [ValidateObjectMembers]
    public MatchingOptions Matching { get; set; } = new();

    [Required]
    [ValidateObjectMembers]
    public PluginOptions Plugins { get; set; } = new();

    [Required]
    [ValidateObjectMembers]
    public LoggingOptions Logging { get; set; } = new();

    [Required]
    [ValidateObjectMembers]
    public TelemetryOptions Telemetry { get; set; } = new();
}

/// <summary>
/// Adapter plug-ins: adapters built outside the hub (from the <c>citizenhub-adapter</c> template) and loaded from a folder,
/// so a new source kind needs no change to the hub and no rebuild of it.
/// <code>
/// "Plugins": { "Folder": "plugins" }
/// </code>
/// </summary>
public sealed class PluginOptions
{
    /// <summary>
    /// The folder (relative to the configuration file) holding one sub-folder per plug-in, each a build output with its
    /// <c>.deps.json</c>. <value>The default is none: only the built-in adapter kinds.</value>
    /// </summary>
    public string? Folder { get; set; }
}

/// <summary>
/// How records are matched. Every setting is optional: the shipped model's parameters and thresholds apply.
/// <code>
/// "Matching": { "LinkThreshold": 15, "ReviewThreshold": 12, "ParametersFile": "match-parameters.json" }
/// </code>
/// </summary>
public sealed class MatchingOptions
{
    /// <summary>Total match weight (bits) at or above which a pair is one person. <value>The default is 15.</value></summary>
    [Range(-100.0, 200.0)]
    public double? LinkThreshold { get; set; }

    /// <summary>Weight at or above which a pair below the link threshold goes to a steward. <value>The default is 12.</value></summary>
    [Range(-100.0, 200.0)]
    public double? ReviewThreshold { get; set; }

    /// <summary>
    /// Link only pairs that agree on something personal (date of birth, NI or NHS number, e-mail, phone); name and
    /// address alone go to a steward. Stops namesakes merging where sources hold no dates of birth, at a large cost
    /// in recall there. <value>The default is false.</value>
    /// </summary>
    public bool RequirePersonalEvidence { get; set; }

    /// <summary>
    /// A pair with only a name in common (no date of birth, another address) links only if at most this many of the
    /// records held would share the name by chance; otherwise it goes to a steward. <value>The default is 1.</value>
    /// </summary>
    [Range(0.0, 1_000_000.0)]
    public double? NameAloneMaximumNamesakes { get; set; }

    /// <summary>
    /// m and u probabilities fixed for every comparison level, as written by <c>citizenhub matching estimate</c>
    /// (relative to the configuration file). <value>The default is none: the shipped parameters.</value>
    /// </summary>
    public string? ParametersFile { get; set; }
}

public enum HubTransport
{
    InMemory,
    RabbitMq,
}

/// <summary>
/// The RabbitMQ broker several hub instances share. The hub's queue is a quorum queue (replicated on a cluster,
/// durable), every publish waits for the broker's confirm, and a message delivered more than
/// <see cref="DeliveryLimit"/> times (each time an instance died or lost its connection holding it) is moved to the
/// error queue instead of killing the next instance too.
/// <code>
/// "RabbitMq": { "Host": "rabbit1.council.local", "Port": 5672, "VirtualHost": "citizenhub", "Username": "hub", "Password": "…" }
/// </code>
/// Set the password from the environment (<c>CITIZENHUB_RabbitMq__Password</c>), not in the file.
/// </summary>
public sealed class RabbitMqOptions
{
    /// <summary><value>The default is <c>localhost</c>.</value></summary>
    [Required]
    public string Host { get; set; } = "localhost";

    /// <summary><value>The default is 5672.</value></summary>
    [Range(1, 65535)]
    public int Port { get; set; } = 5672;

    /// <summary><value>The default is <c>/</c>.</value></summary>
    [Required]
    public string VirtualHost { get; set; } = "/";

    /// <summary><value>The default is <c>guest</c> (which RabbitMQ accepts from loopback only).</value></summary>
    [Required]
    public string Username { get; set; } = "guest";

    /// <summary><value>The default is <c>guest</c>.</value></summary>
    [Required]
    public string Password { get; set; } = "guest";

    /// <summary>
    /// Messages each instance holds unacknowledged. A batch carries hundreds of records, so a few are enough to keep an
    /// instance busy; more would leave other instances idle while one holds the queue's head.
    /// <value>The default is 2.</value>
    /// </summary>
    [Range(1, 1000)]
    public int PrefetchCount { get; set; } = 2;

    /// <summary>
    /// Batches each instance applies at once. The store applies one resolution at a time (one writer for matching),
    /// so more than one mostly waits on its lock. <value>The default is 1.</value>
    /// </summary>
    [Range(1, 64)]
    public int ConcurrentMessageLimit { get; set; } = 1;

    /// <summary>Deliveries of one message before the broker gives up on it (quorum queues count them). <value>The default is 5.</value></summary>
    [Range(1, 1000)]
    public int DeliveryLimit { get; set; } = 5;

    /// <summary>
    /// Replicas of the hub's quorum queue; null for the broker's default (every node of a cluster of up to five).
    /// <value>The default is null.</value>
    /// </summary>
    [Range(1, 7)]
    public int? QueueReplicas { get; set; }

    /// <summary>
    /// How long a publish waits for the broker to confirm it. A broker that goes away while a publish waits can leave
    /// the wait unanswered for good (the RabbitMQ client's known fault), so a publish that outlasts this is given up:
    /// a sync's batch is published again, and a change's event is left in the outbox for the sweep. Either is safe,
    /// since the hub applies each message once and a subscriber keys on (citizen, version).
    /// <value>The default is 15 seconds.</value>
    /// </summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(15);
}

public sealed class StoreOptions
{
    /// <summary>
    /// <c>Sqlite</c>: one file, for one hub instance. <c>Postgres</c>: one database that several hub instances share.
    /// <value>The default is <c>Sqlite</c>.</value>
    /// </summary>
    public StoreProvider Provider { get; set; } = StoreProvider.Sqlite;

    /// <summary>
    /// The provider's connection string; a relative SQLite file is relative to the configuration file. For PostgreSQL,
    /// an Npgsql connection string: <c>Host=db;Port=5432;Username=citizenhub;Database=citizenhub</c>.
    /// <value>The default is <c>Data Source=citizenhub.db</c>.</value>
    /// </summary>
    [Required]
    public string ConnectionString { get; set; } = "Data Source=citizenhub.db";
}

public enum StoreProvider
{
    Sqlite,
    Postgres,
}

public sealed class SyncOptions
{
    /// <summary>
    /// Records per bus message. Hundreds per message keep the broker's message rate from capping the hub.
    /// <value>The default is 500.</value>
    /// </summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 500;

    /// <summary>Where each run's rejects file is written; relative to the configuration file. <value>The default is <c>rejects</c>.</value></summary>
    [Required]
    public string RejectsDirectory { get; set; } = "rejects";

    /// <summary>
    /// The largest share of a source's held records one full extract may remove. A truncated or
    /// half-written extract looks like mass deletion; above this share nothing is removed and the run is refused
    /// (exit code 3) unless <c>sync --allow-mass-removal</c> is given. <value>The default is 0.1.</value>
    /// </summary>
    [Range(0.0, 1.0)]
    public double MaxRemovalFraction { get; set; } = 0.1;

    /// <summary>How long a sync waits for the hub to finish a run's messages. <value>The default is one hour.</value></summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan CompletionTimeout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How often a sync waiting for the hub logs how many of the run's batches are applied: a first load of a large
    /// source takes many minutes, and an operator should see it move. <value>The default is 30 seconds.</value>
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a source's sync lock stays taken when the sync holding it stops renewing it (a quarter of this apart):
    /// the wait before a sync on another machine may take over from one that died. A holder on the same machine whose
    /// process is gone frees it at once. <value>The default is two minutes.</value>
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:04", "1.00:00:00")]
    public TimeSpan LockLease { get; set; } = TimeSpan.FromMinutes(2);
}
