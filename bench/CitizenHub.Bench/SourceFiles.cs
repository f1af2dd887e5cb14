using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CitizenHub.Bench;

/// <summary>Writes a generated population as the council systems would hand it over: one file per source, a configuration, and the truth.</summary>
public static class SourceFiles
{
    /// <summary>The configuration file's name in the folder.</summary>
    public const string ConfigFileName = "citizenhub.json";

    /// <summary>The truth's file name: <c>source_system,source_key,person_id</c>.</summary>
    public const string TruthFileName = "truth.csv";

    /// <summary>The hard pairs' file name: <c>kind,first_person_id,second_person_id</c> (twins, father-son, spouses), for reading a benchmark's misses.</summary>
    public const string HardPairsFileName = "hard-pairs.csv";

    /// <summary>
    /// Writes <c>council-tax.csv</c>, <c>housing-benefits.csv</c> (pipe-delimited), <c>electoral-register.csv</c>,
    /// <c>social-care.csv</c>, <c>citizenhub.json</c> (in-memory bus, SQLite store in the folder, a priority per source)
    /// <c>truth.csv</c> and <c>hard-pairs.csv</c> into <paramref name="directory"/>, creating it; returns the configuration file's full path.
    /// </summary>
    public static string Write(LabelledPopulation population, string directory)
    {
        WriteExtracts(population, directory);
        var configPath = Path.Combine(directory, ConfigFileName);
        File.WriteAllText(configPath, Configuration().ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n", Utf8);
        return Path.GetFullPath(configPath);
    }

    /// <summary>
    /// Writes (or writes again, as a council's nightly full extract does) only the four source files, <c>truth.csv</c> and <c>hard-pairs.csv</c>
    /// into <paramref name="directory"/>, creating it; a configuration there is left as it is.
    /// </summary>
    public static void WriteExtracts(LabelledPopulation population, string directory)
    {
        ArgumentNullException.ThrowIfNull(population);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory.CreateDirectory(directory);
        var encoding = Utf8;

        foreach (var source in SourceLayout.All)
        {
            var text = new StringBuilder();
            AppendRow(text, source.Columns, source.Delimiter);
            foreach (var record in population.Records.Where(r => r.Record.SourceSystem == source.Name))
            {
                AppendRow(text, source.Columns.Select(c => record.Record.RawFields[c]), source.Delimiter);
            }

            File.WriteAllText(Path.Combine(directory, source.FileName), text.ToString(), encoding);
        }

        var truth = new StringBuilder("source_system,source_key,person_id\n");
        foreach (var record in population.Records)
        {
            AppendRow(truth, [record.Record.SourceSystem, record.Record.SourceKey, record.PersonId], ",");
        }

        File.WriteAllText(Path.Combine(directory, TruthFileName), truth.ToString(), encoding);

        var hardPairs = new StringBuilder("kind,first_person_id,second_person_id\n");
        foreach (var (kind, pairs) in new[] { ("twins", population.Truth.Twins), ("father-son", population.Truth.FatherSon), ("spouses", population.Truth.Spouses) })
        {
            foreach (var pair in pairs)
            {
                AppendRow(hardPairs, [kind, pair.First, pair.Second], ",");
            }
        }

        File.WriteAllText(Path.Combine(directory, HardPairsFileName), hardPairs.ToString(), encoding);
    }

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Reads a <c>truth.csv</c> back: (source system, source key) → person id.</summary>
    public static IReadOnlyDictionary<RecordRef, string> ReadTruth(string path)
    {
        var truth = new Dictionary<RecordRef, string>();
        foreach (var line in File.ReadLines(path).Skip(1).Where(l => l.Length > 0))
        {
            var parts = line.Split(',');
            truth[new RecordRef(parts[0], parts[1])] = parts[2];
        }

        return truth;
    }

    private static JsonObject Configuration()
    {
        var sources = new JsonArray();
        var priority = 1;
        foreach (var source in SourceLayout.All)
        {
            sources.Add(new JsonObject
            {
                ["Name"] = source.Name,
                ["Kind"] = "Csv",
                ["Priority"] = priority++,
                ["Csv"] = new JsonObject { ["Path"] = source.FileName, ["Delimiter"] = source.Delimiter, ["HasHeader"] = true, ["Encoding"] = "utf-8", ["StableFor"] = "00:00:00" },
                ["Mapping"] = source.Mapping.DeepClone(),
            });
        }

        return new JsonObject
        {
            ["Transport"] = "InMemory",
            ["Store"] = new JsonObject { ["Provider"] = "Sqlite", ["ConnectionString"] = "Data Source=citizenhub.db" },
            ["Sync"] = new JsonObject { ["BatchSize"] = 500, ["RejectsDirectory"] = "rejects" },
            ["Sources"] = sources,
        };
    }

    private static void AppendRow(StringBuilder text, IEnumerable<string?> fields, string delimiter)
    {
        var first = true;
        foreach (var field in fields)
        {
            if (!first)
            {
                text.Append(delimiter);
            }

            first = false;
            var value = field ?? "";
            if (value.Contains(delimiter, StringComparison.Ordinal) || value.Contains('"', StringComparison.Ordinal) || value.Contains('\n', StringComparison.Ordinal))
            {
                text.Append('"').Append(value.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
            }
            else
            {
                text.Append(value);
            }
        }

        text.Append('\n');
    }
}
