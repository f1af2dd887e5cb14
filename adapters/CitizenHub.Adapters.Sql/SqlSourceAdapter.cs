using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Polly;
using Polly.Retry;

namespace CitizenHub.Adapters.Sql;

/// <summary>Reads rows from a database query page by page, from a watermark, into canonical records.</summary>
/// <remarks>
/// Each page ends with a checkpoint naming its last good row's watermark and key, so an incremental sync
/// resumes after the last row the hub applied (or <see cref="SqlSourceOptions.Lookback"/> before it). A row
/// with a NULL key or watermark has no place in that order: it is rejected and does not move the position,
/// so the rows tied with it are still read. The connection is opened read-only where the provider allows it.
/// A row the mapping cannot use is rejected with its page and key. Every connection open and page query goes
/// through the <see cref="PipelineName"/> pipeline (a time limit per attempt, retries of transient failures on
/// the injected clock); a source that cannot be read throws <see cref="SqlSourceException"/> saying what is
/// wrong (unreachable, timed out, login refused, database or table missing), failing this source's run only.
/// See docs/adapters.md for the query shape this needs.
/// </remarks>
public sealed class SqlSourceAdapter : ISourceAdapter
{
    /// <summary>The name of the resilience pipeline every connection open and query goes through (its instance is the source's name).</summary>
    public const string PipelineName = "CitizenHub.Adapters.Sql";

    private readonly SqlSourceOptions _options;
    private readonly RecordMapper _mapper;
    private readonly FieldMapping _mapping;
    private readonly TimeProvider _timeProvider;
    private readonly SqlProvider _provider;
    private readonly string _query;
    private readonly IReadOnlyList<string>? _positionalOrder;
    private readonly string _sourceSystem;
    private readonly ResiliencePipeline _pipeline;

    public SqlSourceAdapter(string sourceSystem, SqlSourceOptions options, FieldMapping mapping, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(mapping);
        foreach (var (name, value) in new[] { ("Provider", options.Provider), ("ConnectionString", options.ConnectionString), ("Query", options.Query), ("WatermarkColumn", options.WatermarkColumn), ("KeyColumn", options.KeyColumn) })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                throw new InvalidOperationException($"Source '{sourceSystem}': Sql.{name} is required.");
            }
        }

        if (options.PageSize < 1)
        {
            throw new InvalidOperationException($"Source '{sourceSystem}': Sql.PageSize must be at least 1.");
        }

        if (options.Lookback < TimeSpan.Zero)
        {
            throw new InvalidOperationException($"Source '{sourceSystem}': Sql.Lookback must not be negative.");
        }

        if (options.Timeout <= TimeSpan.Zero || options.Retries is < 0 or > 10 || options.RetryDelay < TimeSpan.Zero)
        {
            throw new InvalidOperationException($"Source '{sourceSystem}': Sql.Timeout must be positive, Sql.Retries from 0 to 10, and Sql.RetryDelay not negative.");
        }

        _provider = SqlProviders.Resolve(options.Provider);
        (_query, _positionalOrder) = _provider.PositionalParameters ? SqlParameters.ToPositional(options.Query) : (options.Query, null);
        _options = options;
        _mapping = mapping;
        _mapper = new RecordMapper(sourceSystem, mapping);
        _timeProvider = timeProvider;
        _sourceSystem = sourceSystem;
        _pipeline = BuildPipeline(sourceSystem, options, timeProvider);
    }

    public async IAsyncEnumerable<SourceReadResult> ReadAsync(SourceCursor since, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(since);
        var position = since.Value is null ? KeysetPosition.Start : LookBack(JsonSerializer.Deserialize<KeysetPosition>(since.Value)!);
        // Rows after the position that were rejected for a NULL key or watermark in this read. They cannot
        // move the position (a NULL compares with nothing), so the next query returns them again first:
        // they are skipped by their content, and the page asks for as many more rows so it still moves on.
        var pending = new Dictionary<string, int>(StringComparer.Ordinal);
        await using var connection = new ConnectionSlot();
        for (var page = 1; ; page++)
        {
            var requested = _options.PageSize + pending.Values.Sum();
            var rows = await ReadPageResilientlyAsync(connection, position, requested, cancellationToken).ConfigureAwait(false);
            var pageName = page.ToString(CultureInfo.InvariantCulture);
            var alreadyRejected = new Dictionary<string, int>(pending, StringComparer.Ordinal);
            var results = new List<SourceReadResult>(rows.Count);
            foreach (var row in rows)
            {
                var unplaced = row.Key is null
                    ? $"key column '{_options.KeyColumn}' is empty, so the row has no place in the paging order{NullsLastHint(position, row)}"
                    : row.Watermark is null
                        ? $"watermark column '{_options.WatermarkColumn}' is empty, so the row has no change time to page by{NullsLastHint(position, row)}"
                        : null;
                if (unplaced is { } reason)
                {
                    var raw = JsonSerializer.Serialize(row.Fields);
                    if (alreadyRejected.TryGetValue(raw, out var seen) && seen > 0)
                    {
                        alreadyRejected[raw] = seen - 1;
                        continue;
                    }

                    pending[raw] = pending.GetValueOrDefault(raw) + 1;
                    results.Add(SourceReadResult.Reject(Where(pageName, row.Fields), reason, raw));
                    continue;
                }

                position = KeysetPosition.From(row.Watermark, row.Key);
                pending.Clear();
                alreadyRejected.Clear();
                results.Add(_mapper.TryMap(row.Fields, ObservedAt(row.Watermark), out var record, out var why)
                    ? SourceReadResult.Accept(record!)
                    : SourceReadResult.Reject(Where(pageName, row.Fields), why!, JsonSerializer.Serialize(row.Fields)));
            }

            foreach (var result in results)
            {
                yield return result;
            }

            if (results.Count > 0)
            {
                // Rows rejected since the last good row are read again from this cursor: a resumed read may
                // reject them again, but never skips a row.
                yield return SourceReadResult.Checkpoint(new SourceCursor(JsonSerializer.Serialize(position)));
            }

            if (rows.Count < requested)
            {
                yield break;
            }
        }
    }

    /// <summary>
    /// A page through the pipeline: each attempt opens a connection if there is none (a failed one is dropped,
    /// so a retry starts afresh) and reads the whole page. Nothing of the page has been yielded yet, so a retry
    /// repeats nothing. A failure the operator must fix is reported as a <see cref="SqlSourceException"/>.
    /// </summary>
    private async Task<List<SqlRow>> ReadPageResilientlyAsync(ConnectionSlot slot, KeysetPosition position, int pageSize, CancellationToken cancellationToken)
    {
        var attempts = 0;
        try
        {
            return await _pipeline.ExecuteAsync(
                async token =>
                {
                    attempts++;
                    try
                    {
                        slot.Connection ??= await OpenReadOnlyAsync(token).ConfigureAwait(false);
                        return await ReadPageAsync(slot.Connection, position, pageSize, token).ConfigureAwait(false);
                    }
                    catch
                    {
                        await slot.DropAsync().ConfigureAwait(false);
                        throw;
                    }
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && SqlFailures.Classify(ex) is { } failure)
        {
            throw SqlFailures.Describe(_sourceSystem, _options, failure, attempts, ex);
        }
    }

    /// <summary>One page of rows after <paramref name="position"/>, read to the end before any is yielded.</summary>
    private async Task<List<SqlRow>> ReadPageAsync(DbConnection connection, KeysetPosition position, int pageSize, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = _query;
        var values = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            [SqlParameters.Watermark] = position.Watermark(),
            [SqlParameters.LastKey] = position.Key(),
            [SqlParameters.PageSize] = pageSize,
        };
        foreach (var name in _positionalOrder ?? [.. values.Keys])
        {
            AddParameter(command, name, values[name]);
        }

        var rows = new List<SqlRow>(Math.Min(pageSize, 10_000));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var watermarkOrdinal = Ordinal(reader, _options.WatermarkColumn);
        var keyOrdinal = Ordinal(reader, _options.KeyColumn);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var fields = new Dictionary<string, string?>(reader.FieldCount, StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < reader.FieldCount; i++)
            {
                fields[reader.GetName(i)] = reader.IsDBNull(i) ? null : Format(reader.GetValue(i));
            }

            rows.Add(new SqlRow(
                fields,
                reader.IsDBNull(watermarkOrdinal) ? null : reader.GetValue(watermarkOrdinal),
                reader.IsDBNull(keyOrdinal) ? null : reader.GetValue(keyOrdinal)));
        }

        return rows;
    }

    /// <summary>
    /// A NULL that comes after a good row it is tied with shows a query that sorts NULLs last (PostgreSQL's and
    /// Oracle's default): such a row is read here, but one that falls just after a page's end never is.
    /// </summary>
    private static string NullsLastHint(KeysetPosition position, SqlRow row)
    {
        var sortsLast = row.Watermark is null
            ? position.WatermarkText is not null
            : position.KeyText is not null && KeysetPosition.From(row.Watermark, key: null).WatermarkText == position.WatermarkText;
        return sortsLast ? "; the query sorts NULLs last, so rows like this at a page's end are missed: add NULLS FIRST to its ORDER BY" : "";
    }

    private InputPosition Where(string page, Dictionary<string, string?> fields) => new(Page: page, Key: _mapper.KeyOf(fields));

    /// <summary>A row's own change time is when the source said it; otherwise, now.</summary>
    private DateTimeOffset ObservedAt(object? watermark) => watermark switch
    {
        DateTime time => new DateTimeOffset(DateTime.SpecifyKind(time, time.Kind == DateTimeKind.Unspecified ? DateTimeKind.Utc : time.Kind)),
        DateTimeOffset time => time,
        // SQLite keeps times as ISO text; a watermark that reads as a time is one.
        string text when DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) => time,
        _ => _timeProvider.GetUtcNow(),
    };

    /// <summary>
    /// Where a resumed read starts: <see cref="SqlSourceOptions.Lookback"/> before the saved cursor, with no key,
    /// so rows stamped before the cursor but committed after the last read are read too.
    /// </summary>
    private KeysetPosition LookBack(KeysetPosition saved)
    {
        if (_options.Lookback <= TimeSpan.Zero || saved.Watermark() is not { } watermark)
        {
            return saved;
        }

        object earlier = watermark switch
        {
            DateTime time => time - _options.Lookback,
            DateTimeOffset time => time - _options.Lookback,
            // Text is compared as text: the earlier time is written in the very format the column uses.
            string text when IsoTime.TryParse(text, out var time, out var format) => (time - _options.Lookback).ToString(format, CultureInfo.InvariantCulture),
            _ => throw new InvalidOperationException(
                $"Sql.Lookback is set, but the watermark column '{_options.WatermarkColumn}' does not hold times; set Sql.Lookback only for a time watermark."),
        };
        return KeysetPosition.From(earlier, key: null);
    }

    private async Task<DbConnection> OpenReadOnlyAsync(CancellationToken cancellationToken)
    {
        var connection = _provider.Factory.CreateConnection()
            ?? throw new InvalidOperationException($"Sql.Provider '{_options.Provider}' makes no connections.");
        try
        {
            connection.ConnectionString = _provider.ReadOnlyConnectionString(_options.ConnectionString);
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            if (_provider.ReadOnlyStatement is { } readOnlyStatement)
            {
                await using var readOnly = connection.CreateCommand();
                readOnly.CommandText = readOnlyStatement;
                await readOnly.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static void AddParameter(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }

    private static int Ordinal(DbDataReader reader, string column)
    {
        for (var i = 0; i < reader.FieldCount; i++)
        {
            if (string.Equals(reader.GetName(i), column, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        throw new InvalidOperationException($"The query returns no column named '{column}'.");
    }

    /// <summary>Database values as text the mapping reads: dates as <c>yyyy-MM-dd</c>, everything in the invariant culture.</summary>
    private static string Format(object value) => value switch
    {
        DateTime { TimeOfDay.Ticks: 0 } date => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateOnly date => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime time => time.ToString("O", CultureInfo.InvariantCulture),
        DateTimeOffset time => time.ToString("O", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static ResiliencePipeline BuildPipeline(string sourceSystem, SqlSourceOptions options, TimeProvider timeProvider)
    {
        var builder = new ResiliencePipelineBuilder { Name = PipelineName, InstanceName = sourceSystem, TimeProvider = timeProvider };
        if (options.Retries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                // Only what may pass: a missing table or a refused login would fail the same way again.
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } ex && SqlFailures.IsTransient(ex)),
                MaxRetryAttempts = options.Retries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryDelay,
            });
        }

        return builder.AddTimeout(options.Timeout).Build();
    }

    /// <summary>The read's connection: none until the first attempt opens one, none again after one fails.</summary>
    private sealed class ConnectionSlot : IAsyncDisposable
    {
        public DbConnection? Connection { get; set; }

        public async Task DropAsync()
        {
            if (Connection is { } connection)
            {
                Connection = null;
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }

        public async ValueTask DisposeAsync() => await DropAsync().ConfigureAwait(false);
    }

    /// <summary>One row as read: its fields as text, and its watermark and key as the database typed them.</summary>
    private sealed record SqlRow(Dictionary<string, string?> Fields, object? Watermark, object? Key);

    /// <summary>The last row read, as typed values so the next page compares like with like.</summary>
    private sealed record KeysetPosition(string? WatermarkText, string? WatermarkType, string? KeyText, string? KeyType)
    {
        public static KeysetPosition Start { get; } = new(null, null, null, null);

        public static KeysetPosition From(object? watermark, object? key) =>
            new(watermark is null ? null : Text(watermark), watermark?.GetType().Name, key is null ? null : Text(key), key?.GetType().Name);

        public object? Watermark() => Value(WatermarkText, WatermarkType);

        public object? Key() => Value(KeyText, KeyType);

        private static string Text(object value) => value switch
        {
            DateTime time => time.ToString("O", CultureInfo.InvariantCulture),
            DateTimeOffset time => time.ToString("O", CultureInfo.InvariantCulture),
            IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        };

        private static object? Value(string? text, string? type) => text is null ? null : type switch
        {
            nameof(Int64) => long.Parse(text, CultureInfo.InvariantCulture),
            nameof(Int32) => int.Parse(text, CultureInfo.InvariantCulture),
            nameof(Decimal) => decimal.Parse(text, CultureInfo.InvariantCulture),
            nameof(Double) => double.Parse(text, CultureInfo.InvariantCulture),
            nameof(DateTime) => DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
            nameof(DateTimeOffset) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
            _ => text,
        };
    }
}
