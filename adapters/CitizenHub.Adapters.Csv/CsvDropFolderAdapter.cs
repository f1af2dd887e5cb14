using System.Runtime.CompilerServices;
using System.Text.Json;

namespace CitizenHub.Adapters.Csv;

/// <summary>
/// Reads a drop folder of delimited files: every finished file once, in name order, then archives it
/// once the hub has applied its records.
/// </summary>
/// <remarks>
/// A file is finished when nothing has written to it for <see cref="CsvSourceOptions.StableFor"/> (and,
/// if configured, its marker file exists); an unfinished file is left for the next run. The cursor lists the
/// files read, so a run resumed before archiving does not read them again; archiving happens only in
/// <see cref="OnCommittedAsync"/>, after the runner has saved that cursor, so a crash never loses a file.
/// </remarks>
public sealed class CsvDropFolderAdapter : ISourceAdapter, ISourceCommitHandler
{
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
        _ = new CsvSourceAdapter(sourceSystem, System.IO.Path.Combine(folder, "x"), options, mapping);
    }

    public async IAsyncEnumerable<SourceReadResult> ReadAsync(SourceCursor since, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(since);
        if (!Directory.Exists(_folder))
        {
            throw new DirectoryNotFoundException($"The drop folder {_folder} does not exist.");
        }

        var read = since.Value is null ? [] : JsonSerializer.Deserialize<List<string>>(since.Value) ?? [];
        var done = new List<string>(read);
        foreach (var path in FinishedFiles())
        {
            var name = System.IO.Path.GetFileName(path);
            if (read.Contains(name, StringComparer.Ordinal))
            {
                continue;
            }

            var file = new CsvSourceAdapter(_sourceSystem, path, _options, _mapping);
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

            done.Add(name);
            yield return SourceReadResult.Checkpoint(new SourceCursor(JsonSerializer.Serialize(done)));
        }
    }

    /// <summary>
    /// Moves the files the cursor names into the archive, in a folder for today; a file that had rejected
    /// rows gets <c>name.rejects.csv</c> beside it there, with each row's line, reason and raw text.
    /// </summary>
    public async Task OnCommittedAsync(SourceCursor cursor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cursor);
        var names = cursor.Value is null ? [] : JsonSerializer.Deserialize<List<string>>(cursor.Value) ?? [];
        var archive = System.IO.Path.Combine(_folder, _options.ArchiveFolder, _timeProvider.GetUtcNow().ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(archive);
        foreach (var name in names)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var path = System.IO.Path.Combine(_folder, name);
            if (File.Exists(path))
            {
                File.Move(path, System.IO.Path.Combine(archive, name), overwrite: true);
            }

            if (_options.MarkerExtension is { Length: > 0 } marker && File.Exists(path + marker))
            {
                File.Move(path + marker, System.IO.Path.Combine(archive, name + marker), overwrite: true);
            }

            if (_rejects.TryGetValue(name, out var rejects) && rejects.Count > 0)
            {
                await WriteRejectsAsync(System.IO.Path.Combine(archive, name + ".rejects.csv"), rejects, cancellationToken).ConfigureAwait(false);
            }
        }
    }

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

    private IEnumerable<string> FinishedFiles()
    {
        var now = _timeProvider.GetUtcNow();
        return Directory.EnumerateFiles(_folder, _options.Pattern, SearchOption.TopDirectoryOnly)
            .Where(path => now - new DateTimeOffset(File.GetLastWriteTimeUtc(path), TimeSpan.Zero) >= _options.StableFor)
            .Where(path => _options.MarkerExtension is not { Length: > 0 } marker || File.Exists(path + marker))
            .Order(StringComparer.Ordinal);
    }
}
