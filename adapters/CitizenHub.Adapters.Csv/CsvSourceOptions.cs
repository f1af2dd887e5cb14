namespace CitizenHub.Adapters.Csv;

/// <summary>
/// How to read delimited files: one file (<see cref="FileSourceOptions.Path"/>) or a drop folder (<see cref="Folder"/>).
/// Bound from the source's <c>Csv</c> section:
/// <code>
/// "Csv": { "Path": "council-tax.csv", "Delimiter": ",", "HasHeader": true, "Encoding": "utf-8" }
/// "Csv": { "Folder": "drops/benefits", "Pattern": "*.csv", "StableFor": "00:00:30", "ArchiveFolder": "archive" }
/// </code>
/// </summary>
public sealed class CsvSourceOptions : FileSourceOptions
{
    /// <summary>
    /// A drop folder: each file matching <see cref="Pattern"/> is read once, in name order, and moved to
    /// <see cref="ArchiveFolder"/> after the hub has applied it. Relative to the configuration file.
    /// </summary>
    public string Folder { get; set; } = "";

    /// <summary><value>The default is <c>*.csv</c>.</value></summary>
    public string Pattern { get; set; } = "*.csv";

    /// <summary>Where read files go, relative to the drop folder, in a folder per day. <value>The default is <c>archive</c>.</value></summary>
    public string ArchiveFolder { get; set; } = "archive";

    /// <summary><value>The default is a comma.</value> Pipe (<c>|</c>) and tab (<c>\t</c>) are common in council extracts.</summary>
    public string Delimiter { get; set; } = ",";

    /// <summary><value>The default is true.</value> When false, <see cref="Columns"/> names the fields in order.</summary>
    public bool HasHeader { get; set; } = true;

    /// <summary>Field names in file order, for files without a header.</summary>
    public List<string> Columns { get; set; } = [];
}
