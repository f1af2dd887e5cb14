using System.Runtime.CompilerServices;

namespace CitizenHub.Adapters.Csv;

/// <summary>
/// How to read a fixed-width file (a mainframe extract). Bound from the source's <c>FixedWidth</c> section:
/// <code>
/// "FixedWidth": { "Path": "electoral.dat", "Encoding": "windows-1252", "SkipLines": 1,
///                 "Columns": [ { "Name": "elector_no", "Start": 1, "Length": 8 }, { "Name": "surname", "Start": 9, "Length": 20 } ] }
/// </code>
/// </summary>
public sealed class FixedWidthSourceOptions
{
    /// <summary>The file; relative to the configuration file. Required.</summary>
    public string Path { get; set; } = "";

    /// <summary><c>utf-8</c> or <c>windows-1252</c>. <value>The default is <c>utf-8</c>.</value></summary>
    public string Encoding { get; set; } = "utf-8";

    /// <summary>Header or banner lines before the first record. <value>The default is 0.</value></summary>
    public int SkipLines { get; set; }

    /// <summary>The fields, by position. Required.</summary>
    public List<FixedWidthColumn> Columns { get; set; } = [];
}

/// <summary>One field of a fixed-width record: where it starts (1 = first character) and how long it is.</summary>
public sealed class FixedWidthColumn
{
    public string Name { get; set; } = "";

    public int Start { get; set; }

    public int Length { get; set; }
}

/// <summary>Reads a fixed-width file, a line per record, into canonical records.</summary>
/// <remarks>
/// Fields are cut by position and trimmed. A line shorter than where a field starts, or holding bytes
/// not valid in the file's encoding, is rejected with its line number; a field cut short at the end of a
/// line (trailing spaces trimmed by the exporting system) is read as far as it goes. Blank lines are skipped.
/// </remarks>
public sealed class FixedWidthSourceAdapter : ISourceAdapter
{
    private readonly string _path;
    private readonly FixedWidthSourceOptions _options;
    private readonly RecordMapper _mapper;
    private readonly FieldMapping _mapping;

    public FixedWidthSourceAdapter(string sourceSystem, string path, FixedWidthSourceOptions options, FieldMapping mapping)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(mapping);
        if (options.Columns.Count == 0)
        {
            throw new InvalidOperationException($"Source '{sourceSystem}': FixedWidth.Columns must lay out the fields.");
        }

        var bad = options.Columns.FindIndex(c => string.IsNullOrWhiteSpace(c.Name) || c.Start < 1 || c.Length < 1);
        if (bad >= 0)
        {
            throw new InvalidOperationException($"Source '{sourceSystem}': FixedWidth.Columns[{bad}] needs a Name, a Start from 1 and a Length from 1.");
        }

        var missing = mapping.ReferencedFields().Where(f => !options.Columns.Any(c => string.Equals(c.Name, f, StringComparison.OrdinalIgnoreCase))).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"Source '{sourceSystem}': the layout has no field named {string.Join(", ", missing.Select(m => $"'{m}'"))}, which the mapping reads.");
        }

        _path = path;
        _options = options;
        _mapping = mapping;
        _mapper = new RecordMapper(sourceSystem, mapping);
    }

    public async IAsyncEnumerable<SourceReadResult> ReadAsync(SourceCursor since, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(since);
        var fileName = Path.GetFileName(_path);
        var (observedAt, fingerprint) = SourceFile.Identify(_path);
        if (since == fingerprint)
        {
            yield break;
        }

        using var reader = SourceFile.OpenText(_path, _options.Encoding, "FixedWidth.Encoding");
        long lineNumber = 0;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            // A buffered read does not look at the token; check it between records ourselves.
            cancellationToken.ThrowIfCancellationRequested();
            lineNumber++;
            if (lineNumber <= _options.SkipLines || string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var position = new InputPosition(fileName, lineNumber);
            var lastStart = _options.Columns.Max(c => c.Start);
            if (line.Length < lastStart)
            {
                yield return SourceReadResult.Reject(position, $"line is {line.Length} characters; the layout's last field starts at {lastStart}", line);
                continue;
            }

            if (line.Contains(SourceFile.InvalidByteMarker, StringComparison.Ordinal))
            {
                yield return SourceReadResult.Reject(position, $"bytes that are not valid {_options.Encoding}", line);
                continue;
            }

            var fields = new Dictionary<string, string?>(_options.Columns.Count, StringComparer.OrdinalIgnoreCase);
            foreach (var column in _options.Columns)
            {
                var start = column.Start - 1;
                fields[column.Name] = line.Substring(start, Math.Min(column.Length, line.Length - start)).Trim();
            }

            yield return _mapper.TryMap(fields, observedAt, out var record, out var reason)
                ? SourceReadResult.Accept(record!)
                : SourceReadResult.Reject(position with { Key = fields.GetValueOrDefault(_mapping.Key) }, reason!, line);
        }

        yield return SourceReadResult.Checkpoint(fingerprint);
    }
}
