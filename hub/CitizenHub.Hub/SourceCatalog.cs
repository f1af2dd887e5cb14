using CitizenHub.Adapters;
using Microsoft.Extensions.Configuration;

namespace CitizenHub.Hub;

/// <summary>The configured sources, read from the <c>Sources</c> array of the configuration file.</summary>
/// <remarks>
/// Each entry names its source, its adapter kind, its priority for survivorship (1 first) and its
/// field mapping; the rest of the entry belongs to the adapter kind:
/// <code>
/// { "Name": "council-tax", "Kind": "Csv", "Priority": 1,
///   "Csv": { "Path": "council-tax.csv" },
///   "Mapping": { "Key": "account_ref", ... } }
/// </code>
/// </remarks>
public sealed class SourceCatalog
{
    private readonly Dictionary<string, SourceDefinition> _byName;

    public SourceCatalog(IReadOnlyList<SourceDefinition> sources, IReadOnlyDictionary<string, int> priorities)
    {
        ArgumentNullException.ThrowIfNull(sources);
        Sources = sources;
        Priorities = priorities;
        _byName = sources.ToDictionary(s => s.Name, StringComparer.OrdinalIgnoreCase);
    }

    public IReadOnlyList<SourceDefinition> Sources { get; }

    /// <summary>Survivorship rank of each source system, 1 first.</summary>
    public IReadOnlyDictionary<string, int> Priorities { get; }

    public SourceDefinition? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>Reads the sources; throws <see cref="ConfigurationProblemException"/> listing every problem found.</summary>
    public static SourceCatalog Load(IConfiguration configuration, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var problems = new List<string>();
        var sources = new List<SourceDefinition>();
        var priorities = new Dictionary<string, int>(StringComparer.Ordinal);
        var sections = configuration.GetSection("Sources").GetChildren().ToList();
        for (var i = 0; i < sections.Count; i++)
        {
            var section = sections[i];
            var path = $"Sources[{i}]";
            var name = section["Name"];
            var kind = section["Kind"];
            if (string.IsNullOrWhiteSpace(name))
            {
                problems.Add($"{path}.Name is required.");
                continue;
            }

            if (sources.Any(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase)))
            {
                problems.Add($"{path}.Name '{name}' is used by another source.");
            }

            if (string.IsNullOrWhiteSpace(kind))
            {
                problems.Add($"{path}.Kind is required.");
            }

            var mapping = section.GetSection("Mapping").Get<FieldMapping>() ?? new FieldMapping();
            if (string.IsNullOrWhiteSpace(mapping.Key))
            {
                problems.Add($"{path}.Mapping.Key is required.");
            }

            var priorityText = section["Priority"];
            if (priorityText is not null)
            {
                if (int.TryParse(priorityText, System.Globalization.CultureInfo.InvariantCulture, out var priority) && priority >= 1)
                {
                    priorities[name] = priority;
                }
                else
                {
                    problems.Add($"{path}.Priority must be a whole number from 1.");
                }
            }

            var mode = SyncMode.Full;
            if (section["Mode"] is { } modeText && !Enum.TryParse(modeText, ignoreCase: true, out mode))
            {
                problems.Add($"{path}.Mode must be Full or Incremental.");
            }

            sources.Add(new SourceDefinition(name, kind ?? "", mapping, section, baseDirectory, mode));
        }

        if (problems.Count > 0)
        {
            throw new ConfigurationProblemException(problems);
        }

        return new SourceCatalog(sources, priorities);
    }
}

/// <summary>The configuration cannot be used; <see cref="Problems"/> says where and why, one line each.</summary>
public sealed class ConfigurationProblemException(IReadOnlyList<string> problems)
    : Exception("The configuration has problems: " + string.Join(" ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
