using System.Globalization;
using System.Runtime.CompilerServices;

namespace CitizenHub.Adapters.Csv;

/// <summary>A row of a file as named fields, or why it has none; what the file kinds hand to <see cref="FileExtract"/>.</summary>
/// <param name="Fields">The row's fields by name; null when the row cannot be read (then <see cref="Problem"/> says why).</param>
/// <param name="Key">The row's key, where it can be told even of a row that cannot be read.</param>
internal sealed record FileRow(long Line, string Raw, IReadOnlyDictionary<string, string?>? Fields, string? Problem, string? Key = null);

/// <summary>
/// Reads one whole file for an adapter: only once it is finished, never a key twice, and never half of it.
/// </summary>
/// <remarks>
/// The file is read twice. The first pass cuts every row and notes each key's lines, so that a file that cannot be cut
/// into rows fails before any of it is yielded, and every copy of a key written twice is known before the first is.
/// The second pass maps and yields. A file that changed between the passes fails: it was still being written.
/// </remarks>
internal sealed class FileExtract(
    string path,
    FileSourceOptions options,
    RecordMapper mapper,
    Func<TextReader, string, CancellationToken, IAsyncEnumerable<FileRow>> rows,
    string encodingSetting,
    TimeProvider timeProvider)
{
    private readonly string _fileName = Path.GetFileName(path);

    public async IAsyncEnumerable<SourceReadResult> ReadAsync(SourceCursor since, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(since);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The file {_fileName} does not exist (looked for {path}).");
        }

        if (SourceFile.Unfinished(path, options, timeProvider) is { } unfinished)
        {
            throw new IOException($"{_fileName} was not read: {unfinished}.");
        }

        var before = SourceFile.Stamp(path);
        if (before.Length == 0)
        {
            // An empty file is far likelier a failed export than a source with no one in it: no checkpoint, no deletions.
            yield break;
        }

        var fingerprint = await SourceFile.FingerprintAsync(path, cancellationToken).ConfigureAwait(false);
        if (since == fingerprint)
        {
            yield break;
        }

        var keyLines = await KeyLinesAsync(cancellationToken).ConfigureAwait(false);
        using (var reader = SourceFile.OpenText(path, options.Encoding, encodingSetting))
        {
            await foreach (var row in rows(reader, _fileName, cancellationToken).ConfigureAwait(false))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var position = new InputPosition(_fileName, row.Line);
                if (row.Fields is null)
                {
                    yield return SourceReadResult.Reject(position with { Key = row.Key }, row.Problem!, row.Raw);
                    continue;
                }

                var key = mapper.KeyOf(row.Fields);
                if (key is not null && keyLines.TryGetValue(key, out var lines) && lines.Count > 1
                    && Duplicate(row.Line, lines) is { } duplicate)
                {
                    yield return SourceReadResult.Reject(position with { Key = key }, duplicate, row.Raw, RejectKind.DuplicateKey);
                    continue;
                }

                yield return mapper.TryMap(row.Fields, before.WrittenAt, out var record, out var reason)
                    ? SourceReadResult.Accept(record!)
                    : SourceReadResult.Reject(position with { Key = key }, reason!, row.Raw);
            }
        }

        if (SourceFile.Stamp(path) != before)
        {
            throw new IOException($"{_fileName} changed while it was read, so it may be incomplete; it will be read again at the next sync.");
        }

        yield return SourceReadResult.Checkpoint(fingerprint);
    }

    /// <summary>The lines of every key written on more than one row; a key on one row has one line.</summary>
    private async Task<Dictionary<string, List<long>>> KeyLinesAsync(CancellationToken cancellationToken)
    {
        var firstLine = new Dictionary<string, long>(StringComparer.Ordinal);
        var repeated = new Dictionary<string, List<long>>(StringComparer.Ordinal);
        using var reader = SourceFile.OpenText(path, options.Encoding, encodingSetting);
        await foreach (var row in rows(reader, _fileName, cancellationToken).ConfigureAwait(false))
        {
            if (row.Fields is null || mapper.KeyOf(row.Fields) is not { } key)
            {
                continue;
            }

            if (firstLine.TryAdd(key, row.Line))
            {
                continue;
            }

            if (!repeated.TryGetValue(key, out var lines))
            {
                repeated[key] = lines = [firstLine[key]];
            }

            lines.Add(row.Line);
        }

        return repeated;
    }

    /// <summary>Why a row of a key written more than once is rejected; null for the copy that wins.</summary>
    private string? Duplicate(long line, List<long> lines)
    {
        var others = lines.Where(l => l != line).Select(l => l.ToString(CultureInfo.InvariantCulture)).ToList();
        return options.DuplicateKeys switch
        {
            DuplicateKeyRule.Last when line == lines[^1] => null,
            DuplicateKeyRule.Last => $"the same key is on line {lines[^1].ToString(CultureInfo.InvariantCulture)}, which wins (DuplicateKeys: last)",
            _ => $"the same key is also on {(others.Count == 1 ? "line" : "lines")} {string.Join(", ", others)}; every copy is rejected and what the hub held stays (DuplicateKeys: reject)",
        };
    }
}
