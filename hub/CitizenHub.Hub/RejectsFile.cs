using System.Globalization;
using CitizenHub.Adapters;
using CsvHelper;

namespace CitizenHub.Hub;

/// <summary>
/// A run's rejected inputs, one row each with where, why and the raw text, kept for correction and replay.
/// The file is created on the first reject, so a clean run leaves none behind.
/// </summary>
public sealed class RejectsFile(string path) : IAsyncDisposable
{
    private StreamWriter? _writer;
    private CsvWriter? _csv;

    public string Path { get; } = path;

    public int Count { get; private set; }

    public async Task WriteAsync(RejectedInput reject)
    {
        ArgumentNullException.ThrowIfNull(reject);
        if (_csv is null)
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
            _writer = new StreamWriter(Path, append: false, new System.Text.UTF8Encoding(false));
            _csv = new CsvWriter(_writer, CultureInfo.InvariantCulture);
            foreach (var header in new[] { "file", "line", "page", "key", "reason", "raw" })
            {
                _csv.WriteField(header);
            }

            await _csv.NextRecordAsync().ConfigureAwait(false);
        }

        var p = reject.Position;
        _csv.WriteField(p.File);
        _csv.WriteField(p.Line);
        _csv.WriteField(p.Page);
        _csv.WriteField(p.Key);
        _csv.WriteField(reject.Reason);
        _csv.WriteField(reject.RawText);
        await _csv.NextRecordAsync().ConfigureAwait(false);
        Count++;
    }

    public async ValueTask DisposeAsync()
    {
        if (_csv is not null)
        {
            await _csv.DisposeAsync().ConfigureAwait(false);
        }

        if (_writer is not null)
        {
            await _writer.DisposeAsync().ConfigureAwait(false);
        }
    }
}
