using CitizenHub.Contracts;
using CitizenHub.Adapters;
using CitizenHub.Matching;
using Microsoft.Extensions.Configuration;

namespace CitizenHub.Hub;

/// <summary>The configured sources, read from the <c>Sources</c> array of the configuration file.</summary>
/// <remarks>
/// Each entry names its source, its adapter kind, its priority for survivorship (1 first; optionally
/// otherwise for some golden-record fields) and its field mapping; the rest of the entry belongs to the adapter kind:
/// <code>
/// { "Name": "council-tax", "Kind": "Csv", "Priority": 1, "FieldPriorities": { "address": 3 },
///   "Csv": { "Path": "council-tax.csv" },
///   "Mapping": { "Key": "account_ref", ... } }
/// </code>
/// </remarks>
public sealed class SourceCatalog
{
    private readonly Dictionary<string, SourceDefinition> _byName;

    public SourceCatalog(IReadOnlyList<SourceDefinition> sources, SurvivorshipRanks survivorship, IReadOnlyDictionary<string, string>? sensitivity = null)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(survivorship);
        Sources = sources;
        Survivorship = survivorship;
        Sensitivity = sensitivity ?? new Dictionary<string, string>(StringComparer.Ordinal);
        _byName = sources.ToDictionary(s => s.Name, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>
    /// The sensitivity class of each source whose very records are special-category data (a social-care system: that a
    /// person has a record there says something about them); a source not named is <c>general</c>.
    /// </summary>
    public IReadOnlyDictionary<string, string> Sensitivity { get; }

    public IReadOnlyList<SourceDefinition> Sources { get; }

    /// <summary>Survivorship rank of each source system, 1 first, and of its fields ranked otherwise.</summary>
    public SurvivorshipRanks Survivorship { get; }

    public SourceDefinition? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>Reads the sources; throws <see cref="ConfigurationProblemException"/> listing every problem found, each named by its JSON path.</summary>
    public static SourceCatalog Load(IConfiguration configuration, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var problems = new List<string>();
        var sources = new List<SourceDefinition>();
        var priorities = new Dictionary<string, int>(StringComparer.Ordinal);
        var fieldPriorities = new Dictionary<string, IReadOnlyDictionary<string, int>>(StringComparer.Ordinal);
        var sensitivity = new Dictionary<string, string>(StringComparer.Ordinal);
        var sections = configuration.GetSection("Sources").GetChildren().ToList();
        for (var i = 0; i < sections.Count; i++)
        {
            var section = sections[i];
            var path = $"$.Sources[{i}]";
            var name = section["Name"];
            var kind = section["Kind"];
            if (string.IsNullOrWhiteSpace(name))
            {
                problems.Add($"{path}.Name: is required");
                continue;
            }

            if (sources.Any(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase)))
            {
                problems.Add($"{path}.Name: '{name}' is the name of another source; each source's name must be its own");
            }

            if (string.IsNullOrWhiteSpace(kind))
            {
                problems.Add($"{path}.Kind: is required");
            }

            var mapping = section.GetSection("Mapping").Get<FieldMapping>() ?? new FieldMapping();
            if (string.IsNullOrWhiteSpace(mapping.Key))
            {
                problems.Add($"{path}.Mapping.Key: is required");
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
                    problems.Add($"{path}.Priority: must be a whole number; allowed 1 or more");
                }
            }

            var byField = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var fieldSection in section.GetSection("FieldPriorities").GetChildren())
            {
                if (!GoldenFields.All.Contains(fieldSection.Key, StringComparer.Ordinal))
                {
                    problems.Add($"{path}.FieldPriorities.{fieldSection.Key}: is not a golden-record field; allowed: {string.Join(", ", GoldenFields.All)}");
                }
                else if (int.TryParse(fieldSection.Value, System.Globalization.CultureInfo.InvariantCulture, out var fieldPriority) && fieldPriority >= 1)
                {
                    byField[fieldSection.Key] = fieldPriority;
                }
                else
                {
                    problems.Add($"{path}.FieldPriorities.{fieldSection.Key}: must be a whole number; allowed 1 or more");
                }
            }

            if (byField.Count > 0)
            {
                fieldPriorities[name] = byField;
            }

            if (section["Sensitivity"] is { } sensitivityClass)
            {
                if (string.IsNullOrWhiteSpace(sensitivityClass))
                {
                    problems.Add($"{path}.Sensitivity: must name a class, e.g. social-care; allowed any non-empty name (general is the default)");
                }
                else if (!string.Equals(sensitivityClass, SourceAttribute.General, StringComparison.Ordinal))
                {
                    sensitivity[name] = sensitivityClass.Trim();
                }
            }

            var mode = SyncMode.Full;
            if (section["Mode"] is { } modeText && !Enum.TryParse(modeText, ignoreCase: true, out mode))
            {
                problems.Add($"{path}.Mode: is not one of the allowed values; allowed: Full, Incremental");
            }

            sources.Add(new SourceDefinition(name, kind ?? "", mapping, section, baseDirectory, mode));
        }

        if (problems.Count > 0)
        {
            throw new ConfigurationProblemException(problems);
        }

        return new SourceCatalog(sources, new SurvivorshipRanks(priorities, fieldPriorities), sensitivity);
    }
}

/// <summary>The configuration cannot be used; <see cref="Problems"/> says where and why, one line each.</summary>
public sealed class ConfigurationProblemException(IReadOnlyList<string> problems)
    : Exception("The configuration has problems: " + string.Join(" ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
