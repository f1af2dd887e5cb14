using System.Runtime.CompilerServices;
using System.Text.Json;

namespace CitizenHub.Adapters.Csv;

/// <summary>
/// Reads a drop folder of delimited files: every finished file once, in name order, then archives it
/// once the hub has applied its records.
/// </summary>
/// <remarks>
/// A file is finished when nothing has written to it for <see cref="FileSourceOptions.StableFor"/> (and, if configured,
/// its marker file exists); an unfinished file is left for the next run. A file is known by its content, not its name:
/// exporters reuse one name every night. The cursor lists the files applied (name and content hash), so a file dropped
/// again unchanged is not read again but archived, a new file under an old name is read, and a run resumed before
/// archiving does not read a file twice. Archiving happens only in <see cref="OnCommittedAsync"/>, after the runner has
/// saved that cursor, so a crash never loses a file.
/// </remarks>
public sealed class CsvDropFolderAdapter : ISourceAdapter, ISourceCommitHandler
{
    // Enough to know every file of a year of nightly drops again; older ones fall off the cursor.
    private const int AppliedFilesKept = 400;

    private readonly string _sourceSystem;
    private readonly string _folder;
    private readonly CsvSourceOptions _options;
    private readonly FieldMapping _mapping;
    private readonly TimeProvider _timeProvider;

    // Each file's rejects from this run, written beside the file when it is archived.
    private readonly Dictionary<string, List<RejectedInput>> _rejects = new(StringComparer.Ordinal);

    public CsvDropFolderAdapter(string sourceSystem, string folder, CsvSourceOptions options, FieldMapping mapping, TimeProvider timeProvider)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        ArgumentNullException.ThrowIfNull(options);
        _sourceSystem = sourceSystem;
        _folder = folder;
        _options = options;
        _mapping = mapping;
        _timeProvider = timeProvider;
        // Made once here so a bad setting (delimiter, columns) is refused before any file is looked at.
        _ = new CsvSourceAdapter(sourceSystem, System.IO.Path.Combine(folder, "x"), options, mapping, timeProvider);
    }

    public async IAsyncEnumerable<SourceReadResult> ReadAsync(SourceCursor since, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(since);
        if (!Directory.Exists(_folder))
        {
            throw new DirectoryNotFoundException($"The drop folder {_folder} does not exist.");
        }

        var applied = DropCursor.Parse(since).Files;
        foreach (var path in FinishedFiles())
        {
            var name = System.IO.Path.GetFileName(path);
            var hash = await SourceFile.HashAsync(path, cancellationToken).ConfigureAwait(false);
            if (applied.Any(f => f.Hash == hash))
            {
                // Dropped again unchanged: nothing new to read, but it is done with, so it goes to the archive too.
                applied = Applied(applied, new DroppedFile(name, hash));
                yield return SourceReadResult.Checkpoint(new DropCursor(applied).ToCursor());
                continue;
            }

            var file = new CsvSourceAdapter(_sourceSystem, path, _options, _mapping, _timeProvider);
            await foreach (var item in file.ReadAsync(SourceCursor.Start, cancellationToken).ConfigureAwait(false))
            {
                if (item is SourceReadResult.Rejected rejected)
                {
                    Rejects(name).Add(rejected.Input);
                }

                if (item is not SourceReadResult.CheckpointReached)
                {
                    yield return item;
                }
            }

            applied = Applied(applied, new DroppedFile(name, hash));
            yield return SourceReadResult.Checkpoint(new DropCursor(applied).ToCursor());
        }
    }

    /// <summary>
    /// Moves the files the cursor names into the archive, in a folder for today; a file that had rejected
    /// rows gets <c>name.rejects.csv</c> beside it there, with each row's line, reason and raw text.
    /// </summary>
    public async Task OnCommittedAsync(SourceCursor cursor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cursor);
        var archive = System.IO.Path.Combine(_folder, _options.ArchiveFolder, _timeProvider.GetUtcNow().ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(archive);
        foreach (var (name, hash) in DropCursor.Parse(cursor).Files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var path = System.IO.Path.Combine(_folder, name);
            // A file of that name dropped since it was read is another file: it waits for the next run, marker and all.
            if (!File.Exists(path) || await SourceFile.HashAsync(path, cancellationToken).ConfigureAwait(false) != hash)
            {
                continue;
            }

            var archived = FreeName(archive, name);
            File.Move(path, archived);
            if (_options.MarkerExtension is { Length: > 0 } marker && File.Exists(path + marker))
            {
                File.Move(path + marker, archived + marker, overwrite: true);
            }

            if (_rejects.TryGetValue(name, out var rejects) && rejects.Count > 0)
            {
                await WriteRejectsAsync(archived + ".rejects.csv", rejects, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Where in the day's archive a file goes: under its own name, or <c>claims.2.csv</c>, <c>claims.3.csv</c>… when an
    /// exporter that reuses one name dropped it more than once that day, so no archived extract is overwritten.
    /// </summary>
    private static string FreeName(string archive, string name)
    {
        var path = System.IO.Path.Combine(archive, name);
        for (var n = 2; File.Exists(path); n++)
        {
            path = System.IO.Path.Combine(archive, $"{System.IO.Path.GetFileNameWithoutExtension(name)}.{n}{System.IO.Path.GetExtension(name)}");
        }

        return path;
    }

    /// <summary>The applied files with this one last (one entry a name and content), the oldest dropped past the limit.</summary>
    private static List<DroppedFile> Applied(List<DroppedFile> applied, DroppedFile file) =>
        [.. applied.Where(f => f != file).Append(file).TakeLast(AppliedFilesKept)];

    private List<RejectedInput> Rejects(string file)
    {
        if (!_rejects.TryGetValue(file, out var list))
        {
            _rejects[file] = list = [];
        }

        return list;
    }

    private static async Task WriteRejectsAsync(string path, List<RejectedInput> rejects, CancellationToken cancellationToken)
    {
        await using var writer = new StreamWriter(path, append: false, new System.Text.UTF8Encoding(false));
        await using var csv = new CsvHelper.CsvWriter(writer, System.Globalization.CultureInfo.InvariantCulture);
        foreach (var header in new[] { "line", "key", "reason", "raw" })
        {
            csv.WriteField(header);
        }

        await csv.NextRecordAsync().ConfigureAwait(false);
        foreach (var reject in rejects)
        {
            cancellationToken.ThrowIfCancellationRequested();
            csv.WriteField(reject.Position.Line);
            csv.WriteField(reject.Position.Key);
            csv.WriteField(reject.Reason);
            csv.WriteField(reject.RawText);
            await csv.NextRecordAsync().ConfigureAwait(false);
        }
    }

    private IEnumerable<string> FinishedFiles() =>
        Directory.EnumerateFiles(_folder, _options.Pattern, SearchOption.TopDirectoryOnly)
            .Where(path => SourceFile.Unfinished(path, _options, _timeProvider) is null)
            .Order(StringComparer.Ordinal);
}

/// <summary>A file the hub applied: its name when it was dropped, and its content.</summary>
internal sealed record DroppedFile(string Name, string Hash);

/// <summary>A drop folder's cursor: the files applied, most recent last.</summary>
internal sealed record DropCursor(List<DroppedFile> Files)
{
    public static DropCursor Parse(SourceCursor cursor)
    {
        // A cursor of an earlier version (a list of names) knows no contents: its files are read again, which the hub
        // takes as the same records observed again.
        if (cursor.Value is null || !cursor.Value.StartsWith('{'))
        {
            return new DropCursor([]);
        }

        return JsonSerializer.Deserialize<DropCursor>(cursor.Value) ?? new DropCursor([]);
    }

    public SourceCursor ToCursor() => new(JsonSerializer.Serialize(this));
}
