using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace CitizenHub.Adapters.Sql;

/// <summary>Reads rows from a database query page by page, from a watermark, into canonical records.</summary>
/// <remarks>
/// Each page ends with a checkpoint naming its last row's watermark and key, so an incremental sync
/// resumes after the last row the hub applied. The connection is opened read-only where the provider
/// allows it. A row the mapping cannot use is rejected with its page and key; a database that cannot
/// be reached throws, failing this source's run only.
/// </remarks>
public sealed class SqlSourceAdapter : ISourceAdapter
{
    private readonly SqlSourceOptions _options;
    private readonly RecordMapper _mapper;
    private readonly FieldMapping _mapping;
    private readonly TimeProvider _timeProvider;

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

        _options = options;
        _mapping = mapping;
        _mapper = new RecordMapper(sourceSystem, mapping);
        _timeProvider = timeProvider;
    }

    public async IAsyncEnumerable<SourceReadResult> ReadAsync(SourceCursor since, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(since);
        var position = since.Value is null ? KeysetPosition.Start : JsonSerializer.Deserialize<KeysetPosition>(since.Value)!;
        await using var connection = await OpenReadOnlyAsync(cancellationToken).ConfigureAwait(false);
        for (var page = 1; ; page++)
        {
            var rows = 0;
            await using var command = connection.CreateCommand();
            command.CommandText = _options.Query;
            AddParameter(command, "@watermark", position.Watermark());
            AddParameter(command, "@lastKey", position.Key());
            AddParameter(command, "@pageSize", _options.PageSize);

            var results = new List<SourceReadResult>(_options.PageSize);
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                var watermarkOrdinal = Ordinal(reader, _options.WatermarkColumn);
                var keyOrdinal = Ordinal(reader, _options.KeyColumn);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    rows++;
                    var fields = new Dictionary<string, string?>(reader.FieldCount, StringComparer.OrdinalIgnoreCase);
                    for (var i = 0; i < reader.FieldCount; i++)
                    {
                        fields[reader.GetName(i)] = reader.IsDBNull(i) ? null : Format(reader.GetValue(i));
                    }

                    var watermark = reader.IsDBNull(watermarkOrdinal) ? null : reader.GetValue(watermarkOrdinal);
                    var key = reader.IsDBNull(keyOrdinal) ? null : reader.GetValue(keyOrdinal);
                    position = KeysetPosition.From(watermark, key);
                    // A row's own change time is when the source said it; otherwise, now.
                    var observedAt = watermark switch
                    {
                        DateTime time => new DateTimeOffset(DateTime.SpecifyKind(time, time.Kind == DateTimeKind.Unspecified ? DateTimeKind.Utc : time.Kind)),
                        DateTimeOffset time => time,
                        // SQLite keeps times as ISO text; a watermark that reads as a time is one.
                        string text when DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) => time,
                        _ => _timeProvider.GetUtcNow(),
                    };
                    var where = new InputPosition(Page: page.ToString(CultureInfo.InvariantCulture), Key: fields.GetValueOrDefault(_mapping.Key));
                    results.Add(_mapper.TryMap(fields, observedAt, out var record, out var reason)
                        ? SourceReadResult.Accept(record!)
                        : SourceReadResult.Reject(where, reason!, JsonSerializer.Serialize(fields)));
                }
            }

            foreach (var result in results)
            {
                yield return result;
            }

            if (rows > 0)
            {
                yield return SourceReadResult.Checkpoint(new SourceCursor(JsonSerializer.Serialize(position)));
            }

            if (rows < _options.PageSize)
            {
                yield break;
            }
        }
    }

    private async Task<DbConnection> OpenReadOnlyAsync(CancellationToken cancellationToken)
    {
        DbConnection connection = _options.Provider.Trim().ToUpperInvariant() switch
        {
            "SQLITE" => new SqliteConnection(new SqliteConnectionStringBuilder(_options.ConnectionString) { Mode = SqliteOpenMode.ReadOnly }.ToString()),
            "POSTGRES" or "POSTGRESQL" or "NPGSQL" => new NpgsqlConnection(_options.ConnectionString),
            // ApplicationIntent=ReadOnly routes to a readable secondary where there is one; the login should
            // also be granted read rights only, since SQL Server has no per-session read-only switch.
            "SQLSERVER" or "MSSQL" => new SqlConnection(new SqlConnectionStringBuilder(_options.ConnectionString) { ApplicationIntent = ApplicationIntent.ReadOnly }.ToString()),
            _ => throw new InvalidOperationException($"Sql.Provider '{_options.Provider}' is not supported; use Sqlite, Postgres or SqlServer."),
        };
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        if (connection is NpgsqlConnection)
        {
            // The hub only ever reads a legacy database: make any write fail in the server, not just in our code.
            await using var readOnly = connection.CreateCommand();
            readOnly.CommandText = "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY";
            await readOnly.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        return connection;
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
