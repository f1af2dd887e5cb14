namespace CitizenHub.Adapters.Csv;

/// <summary>
/// How to read one delimited file. Bound from the source's <c>Csv</c> section:
/// <code>
/// "Csv": { "Path": "council-tax.csv", "Delimiter": ",", "HasHeader": true, "Encoding": "utf-8" }
/// </code>
/// </summary>
public sealed class CsvSourceOptions
{
    /// <summary>The file to read; relative to the configuration file's folder. Required.</summary>
    public string Path { get; set; } = "";

    /// <summary><value>The default is a comma.</value> Pipe (<c>|</c>) and tab (<c>\t</c>) are common in council extracts.</summary>
    public string Delimiter { get; set; } = ",";

    /// <summary><value>The default is true.</value> When false, <see cref="Columns"/> names the fields in order.</summary>
    public bool HasHeader { get; set; } = true;

    /// <summary>Field names in file order, for files without a header.</summary>
    public List<string> Columns { get; set; } = [];

    /// <summary>
    /// <c>utf-8</c> (with or without a byte-order mark) or <c>windows-1252</c>.
    /// <value>The default is <c>utf-8</c>.</value>
    /// </summary>
    public string Encoding { get; set; } = "utf-8";
}
