using System.ComponentModel.DataAnnotations;

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
/// </summary>
public sealed class CitizenHubOptions
{
    /// <summary><c>InMemory</c>: the embedded bus. <value>The default is <c>InMemory</c>.</value></summary>
    public HubTransport Transport { get; set; } = HubTransport.InMemory;

    [Required]
    public StoreOptions Store { get; set; } = new();

    [Required]
    public SyncOptions Sync { get; set; } = new();
}

public enum HubTransport
{
    InMemory,
}

public sealed class StoreOptions
{
    /// <summary><c>Sqlite</c>. <value>The default is <c>Sqlite</c>.</value></summary>
    public StoreProvider Provider { get; set; } = StoreProvider.Sqlite;

    /// <summary>
    /// The provider's connection string; a relative SQLite file is relative to the configuration file.
    /// <value>The default is <c>Data Source=citizenhub.db</c>.</value>
    /// </summary>
    [Required]
    public string ConnectionString { get; set; } = "Data Source=citizenhub.db";
}

public enum StoreProvider
{
    Sqlite,
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
    /// half-written extract looks like mass deletion; above this share nothing is removed and the run fails.
    /// <value>The default is 0.5.</value>
    /// </summary>
    [Range(0.0, 1.0)]
    public double MaxRemovalFraction { get; set; } = 0.5;

    /// <summary>How long a sync waits for the hub to finish a run's messages. <value>The default is one hour.</value></summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan CompletionTimeout { get; set; } = TimeSpan.FromHours(1);
}
