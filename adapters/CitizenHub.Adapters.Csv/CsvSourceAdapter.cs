using System.Runtime.CompilerServices;

namespace CitizenHub.Adapters.Csv;

/// <summary>Reads one delimited file, a row at a time, into canonical records.</summary>
/// <remarks>
/// A row that cannot be read (wrong number of fields, a quote out of place, bytes that are not valid in the file's
/// encoding, longer than <see cref="FileSourceOptions.MaxRowBytes"/>, no key, a key another row also has) is rejected
/// with its line and the reason, and reading goes on. The file as a whole fails, before any of it is read, when it
/// cannot be opened, is not finished (<see cref="FileSourceOptions.StableFor"/>, <see cref="FileSourceOptions.MarkerExtension"/>),
/// lacks a mapped field in its header, or has a quote that never closes; and it fails when it changes while read.
/// </remarks>
public sealed class CsvSourceAdapter : ISourceAdapter
{
    private readonly CsvSourceOptions _options;
    private readonly FieldMapping _mapping;
    private readonly char _delimiter;
    private readonly FileExtract _extract;

    public CsvSourceAdapter(string sourceSystem, string path, CsvSourceOptions options, FieldMapping mapping, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(mapping);
        if (!options.HasHeader && options.Columns.Count == 0)
        {
            throw new InvalidOperationException("Csv.Columns must name the fields of a file without a header.");
        }

        if (options.MaxRowBytes < 1)
        {
            throw new InvalidOperationException("Csv.MaxRowBytes must be at least 1.");
        }

        _options = options;
        _mapping = mapping;
        _delimiter = Delimiter(options.Delimiter);
        _extract = new FileExtract(path, options, new RecordMapper(sourceSystem, mapping), RowsAsync, "Csv.Encoding", timeProvider ?? TimeProvider.System);
    }

    public IAsyncEnumerable<SourceReadResult> ReadAsync(SourceCursor since, CancellationToken cancellationToken) =>
        _extract.ReadAsync(since, cancellationToken);

    private async IAsyncEnumerable<FileRow> RowsAsync(TextReader reader, string fileName, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string[]? columns = _options.HasHeader ? null : [.. _options.Columns];
        var keyIndex = -1;
        await foreach (var row in TextRows.ReadAsync(reader, _delimiter, _options.MaxRowBytes, fileName, cancellationToken).ConfigureAwait(false))
        {
            if (columns is null)
            {
                if (row.Problem is not null)
                {
                    throw new InvalidOperationException($"{fileName}: the header on line {row.Line} cannot be read: {row.Problem}.");
                }

                columns = [.. row.Values.Select(h => h.Trim())];
                keyIndex = CheckColumns(columns, fileName);
                continue;
            }

            if (keyIndex < 0)
            {
                keyIndex = CheckColumns(columns, fileName);
            }

            var problem = row.Problem;
            if (problem is null && row.Values.Count != columns.Length)
            {
                problem = $"expected {columns.Length} fields, found {row.Values.Count}";
            }
            else if (problem is null && row.Raw.Contains(SourceFile.InvalidByteMarker, StringComparison.Ordinal))
            {
                problem = $"bytes that are not valid {_options.Encoding}";
            }

            if (problem is not null)
            {
                // The key of a row cut short or oddly quoted can still be told when its fields are where the header says.
                var key = row.Values.Count > keyIndex && (row.Problem is not null || row.Values.Count == columns.Length)
                    ? row.Values[keyIndex].Trim() is { Length: > 0 } k ? k : null
                    : null;
                yield return new FileRow(row.Line, row.Raw, null, problem, key);
                continue;
            }

            var fields = new Dictionary<string, string?>(columns.Length, StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < columns.Length; i++)
            {
                fields[columns[i]] = row.Values[i];
            }

            yield return new FileRow(row.Line, row.Raw, fields, null);
        }
    }

    /// <summary>Throws when a field the mapping reads is not among the columns; returns where the key is.</summary>
    private int CheckColumns(string[] columns, string fileName)
    {
        var missing = _mapping.ReferencedFields()
            .Where(f => !columns.Contains(f, StringComparer.OrdinalIgnoreCase))
            .ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"{fileName} has no field named {string.Join(", ", missing.Select(m => $"'{m}'"))}, which the mapping reads.");
        }

        return Array.FindIndex(columns, c => string.Equals(c, _mapping.Key, StringComparison.OrdinalIgnoreCase));
    }

    private static char Delimiter(string delimiter) => delimiter switch
    {
        "\\t" or "tab" => '\t',
        { Length: 1 } => delimiter[0] is '"' or '\r' or '\n'
            ? throw new InvalidOperationException("Csv.Delimiter cannot be a quote or a line break.")
            : delimiter[0],
        "" => throw new InvalidOperationException("Csv.Delimiter is empty."),
        _ => throw new InvalidOperationException($"Csv.Delimiter must be one character (or tab); '{delimiter}' is {delimiter.Length}."),
    };
}
