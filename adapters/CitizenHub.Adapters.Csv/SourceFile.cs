using System.Globalization;
using System.Text;

namespace CitizenHub.Adapters.Csv;

/// <summary>What the file-drop adapters share: opening a file in its encoding, and naming it as a cursor.</summary>
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

    /// <summary>
    /// When the legacy system wrote the file (the records' observation time), and a cursor naming this
    /// file: a file is read whole, so an incremental read of the same, unchanged file reads nothing.
    /// </summary>
    public static (DateTimeOffset WrittenAt, SourceCursor Fingerprint) Identify(string path)
    {
        var written = new DateTimeOffset(File.GetLastWriteTimeUtc(path), TimeSpan.Zero);
        return (written, new SourceCursor(string.Create(CultureInfo.InvariantCulture, $"{written.UtcTicks}:{new FileInfo(path).Length}")));
    }
}
