using System.Globalization;
using System.Runtime.CompilerServices;
using CsvHelper;
using CsvHelper.Configuration;

namespace CitizenHub.Adapters.Csv;

/// <summary>Reads one delimited file, a row at a time, into canonical records.</summary>
/// <remarks>
/// A row that cannot be read (wrong number of fields, broken quoting, bytes that are not valid in
/// the file's encoding, a field the mapping cannot parse) is rejected with its line and the reason,
/// and reading goes on. A file that cannot be opened, or whose header lacks a mapped field, throws:
/// nothing in it can be trusted to mean what the mapping says.
/// </remarks>
public sealed class CsvSourceAdapter : ISourceAdapter
{
    private readonly string _path;
    private readonly CsvSourceOptions _options;
    private readonly RecordMapper _mapper;
    private readonly FieldMapping _mapping;

    public CsvSourceAdapter(string sourceSystem, string path, CsvSourceOptions options, FieldMapping mapping)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(mapping);
        if (!options.HasHeader && options.Columns.Count == 0)
        {
            throw new InvalidOperationException("Csv.Columns must name the fields of a file without a header.");
        }

        _path = path;
        _options = options;
        _mapping = mapping;
        _mapper = new RecordMapper(sourceSystem, mapping);
    }

    public async IAsyncEnumerable<SourceReadResult> ReadAsync(
        SourceCursor since,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(since);
        var fileName = Path.GetFileName(_path);
        var (observedAt, fingerprint) = SourceFile.Identify(_path);
        if (since == fingerprint)
        {
            yield break;
        }

        using var reader = SourceFile.OpenText(_path, _options.Encoding, "Csv.Encoding");
        var badData = false;
        var configuration = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            Delimiter = UnescapeDelimiter(_options.Delimiter),
            HasHeaderRecord = _options.HasHeader,
            BadDataFound = _ => badData = true,
            MissingFieldFound = null,
            DetectColumnCountChanges = false,
            TrimOptions = TrimOptions.None,
        };
        using var csv = new CsvReader(reader, configuration);

        string[] columns;
        long lastLine = 0;
        if (_options.HasHeader)
        {
            if (!await csv.ReadAsync().ConfigureAwait(false))
            {
                yield break;
            }

            csv.ReadHeader();
            columns = [.. (csv.HeaderRecord ?? []).Select(h => h.Trim())];
            lastLine = csv.Parser.RawRow;
        }
        else
        {
            columns = [.. _options.Columns];
        }

        var missing = _mapping.ReferencedFields()
            .Where(f => !columns.Contains(f, StringComparer.OrdinalIgnoreCase))
            .ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"{fileName} has no field named {string.Join(", ", missing.Select(m => $"'{m}'"))}, which the mapping reads.");
        }

        while (await csv.ReadAsync().ConfigureAwait(false))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var position = new InputPosition(fileName, lastLine + 1);
            lastLine = csv.Parser.RawRow;
            var raw = csv.Parser.RawRecord.TrimEnd('\r', '\n');
            var values = csv.Parser.Record ?? [];

            string? reason = null;
            if (badData)
            {
                reason = "a quote is out of place";
                badData = false;
            }
            else if (values.Length != columns.Length)
            {
                reason = $"expected {columns.Length} fields, found {values.Length}";
            }
            else if (raw.Contains(SourceFile.InvalidByteMarker, StringComparison.Ordinal))
            {
                reason = $"bytes that are not valid {_options.Encoding}";
            }

            if (reason is not null)
            {
                yield return SourceReadResult.Reject(position, reason, raw);
                continue;
            }

            var fields = new Dictionary<string, string?>(columns.Length, StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < columns.Length; i++)
            {
                fields[columns[i]] = values[i];
            }

            yield return _mapper.TryMap(fields, observedAt, out var record, out var mapReason)
                ? SourceReadResult.Accept(record!)
                : SourceReadResult.Reject(position with { Key = fields.GetValueOrDefault(_mapping.Key) }, mapReason!, raw);
        }

        yield return SourceReadResult.Checkpoint(fingerprint);
    }

    private static string UnescapeDelimiter(string delimiter) => delimiter switch
    {
        "\\t" or "tab" => "\t",
        "" => throw new InvalidOperationException("Csv.Delimiter is empty."),
        _ => delimiter,
    };
}
