namespace CitizenHub.Adapters.Csv;

/// <summary>What every file source shares: where the file is, how it is written, and when it is whole.</summary>
public abstract class FileSourceOptions
{
    /// <summary>One file to read; relative to the configuration file.</summary>
    public string Path { get; set; } = "";

    /// <summary>
    /// <c>utf-8</c> (with or without a byte-order mark) or <c>windows-1252</c>.
    /// <value>The default is <c>utf-8</c>.</value>
    /// </summary>
    public string Encoding { get; set; } = "utf-8";

    /// <summary>
    /// A file is read only when it has not been written to for this long, so a file still being written or copied in
    /// is not taken for a short one. <value>The default is 10 seconds.</value>
    /// </summary>
    public TimeSpan StableFor { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// When set (e.g. <c>.done</c>), a file is read only once a marker file of that name beside it exists
    /// (<c>claims.csv.done</c>), as some exporting systems write one when they finish.
    /// </summary>
    public string? MarkerExtension { get; set; }

    /// <summary>
    /// The longest row read, in bytes as UTF-8; a longer one is rejected with its line and the rest of the file is
    /// read. <value>The default is 65,536 (64 KiB).</value>
    /// </summary>
    public int MaxRowBytes { get; set; } = 64 * 1024;

    /// <summary>What happens when one key is on more than one row of a file. <value>The default is <see cref="DuplicateKeyRule.Reject"/>.</value></summary>
    public DuplicateKeyRule DuplicateKeys { get; set; } = DuplicateKeyRule.Reject;
}

/// <summary>Which row wins when one key is on several rows of one extract.</summary>
public enum DuplicateKeyRule
{
    /// <summary>Every copy is rejected, with the lines of the others; what the hub held of the record stays as it was.</summary>
    Reject,

    /// <summary>The last row wins; the earlier copies are rejected as superseded, naming the line that won.</summary>
    Last,
}
