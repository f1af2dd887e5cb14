using Microsoft.Extensions.Configuration;

namespace CitizenHub.Adapters;

/// <summary>One configured source: its name, which kind of adapter reads it, and that adapter's settings.</summary>
/// <param name="Name">The source system's name, e.g. <c>council-tax</c>; unique in a configuration.</param>
/// <param name="Kind">The adapter kind, e.g. <c>Csv</c>; matched without regard to case.</param>
/// <param name="Settings">The source's whole configuration section, for the adapter to bind its own options from.</param>
/// <param name="BaseDirectory">The folder relative paths in the settings are resolved against (the config file's).</param>
/// <param name="Mode">Whether a sync reads everything (and so can tell what was deleted) or only what changed.</param>
public sealed record SourceDefinition(
    string Name,
    string Kind,
    FieldMapping Mapping,
    IConfiguration Settings,
    string BaseDirectory,
    SyncMode Mode = SyncMode.Full)
{
    /// <summary>A path from the settings, made absolute against <see cref="BaseDirectory"/>.</summary>
    public string ResolvePath(string path) => Path.GetFullPath(path, BaseDirectory);
}

/// <summary>How a source is read on each sync.</summary>
public enum SyncMode
{
    /// <summary>
    /// Read everything from the start. Records held for the source but absent from the extract are
    /// published as removed.
    /// </summary>
    Full,

    /// <summary>Read from where the last successful sync stopped (the saved cursor). Deletions must come as records flagged deleted.</summary>
    Incremental,
}

/// <summary>Makes adapters of one kind. Registered once per adapter technology.</summary>
public interface ISourceAdapterFactory
{
    /// <summary>The <see cref="SourceDefinition.Kind"/> this factory makes adapters for.</summary>
    string Kind { get; }

    /// <summary>Creates the adapter; throws <see cref="InvalidOperationException"/> naming the setting when the settings are unusable.</summary>
    ISourceAdapter Create(SourceDefinition source, TimeProvider timeProvider);
}
