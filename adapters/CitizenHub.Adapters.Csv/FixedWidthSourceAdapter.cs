using System.Runtime.CompilerServices;

namespace CitizenHub.Adapters.Csv;

/// <summary>
/// How to read a fixed-width file (a mainframe extract). Bound from the source's <c>FixedWidth</c> section:
/// <code>
/// "FixedWidth": { "Path": "electoral.dat", "Encoding": "windows-1252", "SkipLines": 1,
///                 "Columns": [ { "Name": "elector_no", "Start": 1, "Length": 8 }, { "Name": "surname", "Start": 9, "Length": 20 } ] }
/// </code>
/// </summary>
public sealed class FixedWidthSourceOptions : FileSourceOptions
{
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
/// Fields are cut by position and trimmed. A line shorter than where a field starts, holding bytes not valid in the
/// file's encoding, or longer than <see cref="FileSourceOptions.MaxRowBytes"/>, is rejected with its line number; a
/// field cut short at the end of a line (trailing spaces trimmed by the exporting system) is read as far as it goes.
/// Blank lines are skipped. Keys written twice and unfinished files are dealt with as for delimited files.
/// </remarks>
public sealed class FixedWidthSourceAdapter : ISourceAdapter
{
    private readonly FixedWidthSourceOptions _options;
    private readonly FieldMapping _mapping;
    private readonly FileExtract _extract;

    public FixedWidthSourceAdapter(string sourceSystem, string path, FixedWidthSourceOptions options, FieldMapping mapping, TimeProvider? timeProvider = null)
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

        if (options.MaxRowBytes < 1)
        {
            throw new InvalidOperationException($"Source '{sourceSystem}': FixedWidth.MaxRowBytes must be at least 1.");
        }

        _options = options;
        _mapping = mapping;
        _extract = new FileExtract(path, options, new RecordMapper(sourceSystem, mapping), RowsAsync, "FixedWidth.Encoding", timeProvider ?? TimeProvider.System);
    }

    public IAsyncEnumerable<SourceReadResult> ReadAsync(SourceCursor since, CancellationToken cancellationToken) =>
        _extract.ReadAsync(since, cancellationToken);

    private async IAsyncEnumerable<FileRow> RowsAsync(TextReader reader, string fileName, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var lastStart = _options.Columns.Max(c => c.Start);
        var key = _options.Columns.First(c => string.Equals(c.Name, _mapping.Key, StringComparison.OrdinalIgnoreCase));
        await foreach (var row in TextRows.ReadAsync(reader, delimiter: null, _options.MaxRowBytes, fileName, cancellationToken).ConfigureAwait(false))
        {
            var line = row.Raw;
            if (row.Line <= _options.SkipLines || (row.Problem is null && string.IsNullOrWhiteSpace(line)))
            {
                continue;
            }

            var problem = row.Problem
                ?? (line.Length < lastStart ? $"line is {line.Length} characters; the layout's last field starts at {lastStart}" : null)
                ?? (line.Contains(SourceFile.InvalidByteMarker, StringComparison.Ordinal) ? $"bytes that are not valid {_options.Encoding}" : null);
            if (problem is not null)
            {
                yield return new FileRow(row.Line, line, null, problem, Cut(line, key) is { Length: > 0 } k ? k : null);
                continue;
            }

            var fields = new Dictionary<string, string?>(_options.Columns.Count, StringComparer.OrdinalIgnoreCase);
            foreach (var column in _options.Columns)
            {
                fields[column.Name] = Cut(line, column);
            }

            yield return new FileRow(row.Line, line, fields, null);
        }
    }

    private static string? Cut(string line, FixedWidthColumn column)
    {
        var start = column.Start - 1;
        return start >= line.Length ? null : line.Substring(start, Math.Min(column.Length, line.Length - start)).Trim();
    }
}
