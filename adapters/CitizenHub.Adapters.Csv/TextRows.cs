using System.Runtime.CompilerServices;
using System.Text;

namespace CitizenHub.Adapters.Csv;

/// <summary>One row of a text file as cut: where it starts, its text, its fields, and what is wrong with it.</summary>
/// <param name="Line">The line the row starts on (1 = the first line of the file).</param>
/// <param name="Raw">The row as written, without its line break; cut at the row limit when over it.</param>
/// <param name="Values">The fields (one, the whole line, when the file is not delimited); those before the limit when over it.</param>
/// <param name="Problem">Why the row cannot be trusted, quoting nothing of it; null when it can.</param>
internal sealed record TextRow(long Line, string Raw, IReadOnlyList<string> Values, string? Problem);

/// <summary>The file cannot be read as rows at all (a quote never closed): nothing of it can be trusted to be whole.</summary>
internal sealed class UnreadableFileException(string message) : InvalidOperationException(message);

/// <summary>
/// Cuts a text file into rows, a bounded amount of it at a time: delimited with RFC 4180 quoting (a quoted field may
/// hold delimiters, doubled quotes and line breaks), or one field a line.
/// </summary>
/// <remarks>
/// Written here rather than taken from a CSV library because a library holds a whole row in memory however long it
/// is, and reads a quote that never closes as one row running to the end of the file. Here a row over the limit is
/// read past, keeping only its start, and a quote still open at the end fails the file with the line it opened on.
/// </remarks>
internal static class TextRows
{
    private const int BufferSize = 64 * 1024;

    /// <param name="delimiter">The field delimiter; null for one field a line, with quotes read as any other character.</param>
    /// <param name="maxRowBytes">The longest row, in bytes as UTF-8.</param>
    /// <param name="fileName">Named in the error when the file cannot be read as rows.</param>
    public static async IAsyncEnumerable<TextRow> ReadAsync(
        TextReader reader,
        char? delimiter,
        int maxRowBytes,
        string fileName,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var quoting = delimiter is not null;
        var buffer = new char[BufferSize];
        var raw = new StringBuilder();
        var field = new StringBuilder();
        var fields = new List<string>();
        string? problem = null;
        long line = 1, rowStart = 1, quoteOpened = 0;
        var rowBytes = 0;
        var over = false;
        var state = State.FieldStart;
        var skipLineFeed = false;
        var rowHasText = false;
        var endsWithBreak = false;

        int read;
        while ((read = await reader.ReadAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false)) > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            for (var i = 0; i < read; i++)
            {
                var c = buffer[i];
                endsWithBreak = c is '\n' or '\r';
                if (skipLineFeed)
                {
                    skipLineFeed = false;
                    if (c == '\n')
                    {
                        continue;
                    }
                }

                var lineBreak = c is '\n' or '\r';
                if (lineBreak && state != State.Quoted)
                {
                    skipLineFeed = c == '\r';
                    if (rowHasText)
                    {
                        yield return EndRow();
                    }

                    line++;
                    rowStart = line;
                    continue;
                }

                rowHasText = true;
                rowBytes += c < 0x80 ? 1 : c < 0x800 || char.IsSurrogate(c) ? 2 : 3;
                if (!over && rowBytes > maxRowBytes)
                {
                    over = true;
                }

                if (!over)
                {
                    raw.Append(c);
                }

                if (lineBreak)
                {
                    // A line break inside quotes belongs to the field; the row goes on to the next line.
                    skipLineFeed = c == '\r';
                    line++;
                    Keep('\n');
                    continue;
                }

                switch (state)
                {
                    case State.FieldStart when quoting && c == '"':
                        state = State.Quoted;
                        quoteOpened = line;
                        break;
                    case State.FieldStart or State.Unquoted when c == delimiter:
                        EndField();
                        break;
                    case State.FieldStart or State.Unquoted:
                        if (quoting && c == '"')
                        {
                            problem ??= "a quote is out of place";
                        }

                        Keep(c);
                        state = State.Unquoted;
                        break;
                    case State.Quoted when c == '"':
                        state = State.QuoteInQuoted;
                        break;
                    case State.Quoted:
                        Keep(c);
                        break;
                    case State.QuoteInQuoted when c == '"':
                        Keep('"');
                        state = State.Quoted;
                        break;
                    case State.QuoteInQuoted when c == delimiter:
                        EndField();
                        break;
                    case State.QuoteInQuoted:
                        problem ??= "a quote is out of place";
                        Keep(c);
                        state = State.Unquoted;
                        break;
                }
            }
        }

        if (state == State.Quoted)
        {
            throw new UnreadableFileException(
                $"{fileName}: the quote opened on line {quoteOpened} is never closed, so the rest of the file cannot be cut into rows " +
                $"({(endsWithBreak ? line - 1 : line)} lines read); nothing of the file was read. Mend the file and sync again.");
        }

        if (rowHasText)
        {
            yield return EndRow();
        }

        void Keep(char c)
        {
            if (!over)
            {
                field.Append(c);
            }
        }

        void EndField()
        {
            if (!over)
            {
                fields.Add(field.ToString());
            }

            field.Clear();
            state = State.FieldStart;
        }

        TextRow EndRow()
        {
            EndField();
            var row = new TextRow(
                rowStart,
                raw.ToString(),
                [.. fields],
                over ? $"the row is longer than MaxRowBytes ({maxRowBytes} bytes); only its start is kept" : problem);
            raw.Clear();
            fields.Clear();
            problem = null;
            over = false;
            rowBytes = 0;
            rowHasText = false;
            return row;
        }
    }

    private enum State
    {
        FieldStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }
}
