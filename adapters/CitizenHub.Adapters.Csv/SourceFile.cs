using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace CitizenHub.Adapters.Csv;

/// <summary>What the file-drop adapters share: opening a file in its encoding, telling when it is finished, and naming it as a cursor.</summary>
internal static class SourceFile
{
    /// <summary>Invalid bytes decode to this; a row containing it is rejected instead of silently altered.</summary>
    public const char InvalidByteMarker = '\uFFFD';

    /// <summary>Opens a text file in <paramref name="encoding"/> (<c>utf-8</c>, with or without BOM, or <c>windows-1252</c>).</summary>
    /// <param name="setting">The setting named in the error when the encoding is not supported.</param>
    public static StreamReader OpenText(string path, string encoding, string setting)
    {
        // Replacement (not exception) fallback, so one bad row is rejected and the rest of the file is read.
        var replace = new DecoderReplacementFallback(InvalidByteMarker.ToString());
        var chosen = encoding.Trim().ToUpperInvariant() switch
        {
            "UTF-8" or "UTF8" => Encoding.GetEncoding(Encoding.UTF8.CodePage, EncoderFallback.ReplacementFallback, replace),
            "WINDOWS-1252" or "CP1252" => CodePagesEncodingProvider.Instance.GetEncoding(1252, EncoderFallback.ReplacementFallback, replace)
                ?? throw new InvalidOperationException("The windows-1252 encoding is not available."),
            _ => throw new InvalidOperationException($"{setting} '{encoding}' is not supported; use utf-8 or windows-1252."),
        };
        return new StreamReader(path, chosen, detectEncodingFromByteOrderMarks: true);
    }

    /// <summary>Why the file is not yet finished (written to too recently, or its marker missing); null when it is.</summary>
    public static string? Unfinished(string path, FileSourceOptions options, TimeProvider timeProvider)
    {
        var age = timeProvider.GetUtcNow() - Stamp(path).WrittenAt;
        if (age < options.StableFor)
        {
            return string.Create(
                CultureInfo.InvariantCulture,
                $"it was written to {Math.Max(0, age.TotalSeconds):0} s ago, less than StableFor ({options.StableFor}), so it may still be being written");
        }

        if (options.MarkerExtension is { Length: > 0 } marker && !File.Exists(path + marker))
        {
            return $"its marker file ({Path.GetFileName(path)}{marker}) is not there yet (MarkerExtension)";
        }

        return null;
    }

    /// <summary>When the file was last written (the records' observation time) and how long it is.</summary>
    public static FileStamp Stamp(string path)
    {
        var info = new FileInfo(path);
        return new FileStamp(new DateTimeOffset(info.LastWriteTimeUtc, TimeSpan.Zero), info.Length);
    }

    /// <summary>
    /// A cursor naming the file by its content: a file is read whole, so an incremental read of the same content reads
    /// nothing, whatever the file is called and whenever it was written.
    /// </summary>
    public static async Task<SourceCursor> FingerprintAsync(string path, CancellationToken cancellationToken) =>
        new(await HashAsync(path, cancellationToken).ConfigureAwait(false));

    /// <summary>The SHA-256 of the file's bytes, as <c>sha256:</c> and lower-case hex.</summary>
    public static async Task<string> HashAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16, useAsync: true);
        var hash = await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false);
        return "sha256:" + Convert.ToHexStringLower(hash);
    }
}

/// <summary>A file's last write time and length: when either moves, someone wrote to it.</summary>
internal readonly record struct FileStamp(DateTimeOffset WrittenAt, long Length);
