using System.Diagnostics;
using System.Globalization;
using CitizenHub.Host;
using CitizenHub.Store.Sqlite;
using Microsoft.Data.Sqlite;

namespace CitizenHub.Bench.Commands;

/// <summary>
/// <c>citizenhub-bench store-floor</c>: how long SQLite takes only to write what the embedded store keeps for a number of
/// records, with nothing else: no reading, bus, normalising, matching or commit a message. It copies the rows that an
/// ingest wrote into a kept store (<c>citizenhub-bench accuracy --keep</c>) K times into a new store made by the store's own
/// migrations, with its triggers and indexes, one statement and one transaction a table, the cheapest order SQLite
/// allows. Each copy's identifiers get a suffix, so every row is new and lands in the indexes as a new one would. The
/// result is a lower bound for a first load of that many records on this disk, to set a target against.
/// </summary>
internal static class StoreFloorBench
{
    public const int DefaultCopies = 26;

    /// <summary>The tables an ingest writes, each after those it refers to (foreign keys are checked, as in the hub). Name counts follow from source records' triggers.</summary>
    private static readonly string[] Tables = ["citizens", "source_records", "citizen_history", "change_feed", "match_keys", "review_items"];

    /// <summary>Columns that name a record or citizen: suffixed in each copy so that no copy collides with another.</summary>
    private static readonly HashSet<string> IdentifierColumns =
        ["citizen_id", "source_key", "related_citizen", "merged_into", "cause_key", "match_key", "candidate_key", "candidate_citizen"];

    public static async Task<int> RunAsync(string keptStore, int copies, bool indexesAfter, string? into, TextWriter output, CancellationToken cancellationToken)
    {
        if (copies < 1)
        {
            throw new CliException($"--copies must be at least 1 (was {copies})");
        }

        if (!File.Exists(keptStore))
        {
            throw new CliException($"--store file '{keptStore}' not found (make one with: citizenhub-bench accuracy --keep DIR; it is DIR/citizenhub.db)");
        }

        var target = into ?? Path.Combine(Path.GetTempPath(), $"citizenhub-floor-{Guid.NewGuid():N}"[..29] + ".db");
        if (File.Exists(target))
        {
            throw new CliException($"--into file '{target}' exists; give a new file");
        }

        try
        {
            using (var store = new SqliteCitizenStore($"Data Source={target}"))
            {
                await store.MigrateAsync(cancellationToken).ConfigureAwait(false);
            }

            // A store kept by an older build is brought to today's format first, as the hub itself would open it.
            using (var kept = new SqliteCitizenStore($"Data Source={keptStore}"))
            {
                await kept.MigrateAsync(cancellationToken).ConfigureAwait(false);
            }

            SqliteConnection.ClearAllPools();

            await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = target, Pooling = false }.ToString());
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, SqliteCitizenStore.ConnectionPragmas, cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, $"ATTACH DATABASE {Quote(Path.GetFullPath(keptStore))} AS kept;", cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(
                connection,
                string.Create(CultureInfo.InvariantCulture, $"CREATE TEMP TABLE copies (n INTEGER); WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < {copies}) INSERT INTO copies SELECT n FROM c;"),
                cancellationToken).ConfigureAwait(false);

            var rows = new List<(string Measure, string Value)>();
            var total = TimeSpan.Zero;
            // A first load into an empty store could build its secondary indexes once at the end, sorted, rather than
            // entry by entry as rows arrive; the keys of primary keys and UNIQUE columns cannot wait.
            var indexes = indexesAfter ? await SecondaryIndexesAsync(connection, cancellationToken).ConfigureAwait(false) : [];
            foreach (var (name, _) in indexes)
            {
                await ExecuteAsync(connection, $"DROP INDEX main.{name};", cancellationToken).ConfigureAwait(false);
            }

            long records = 0;
            foreach (var table in Tables)
            {
                var columns = await ColumnsAsync(connection, table, cancellationToken).ConfigureAwait(false);
                var list = string.Join(", ", columns);
                var values = string.Join(", ", columns.Select(c => IdentifierColumns.Contains(c) ? $"{c} || '~' || copies.n" : c));
                var stopwatch = Stopwatch.StartNew();
                await ExecuteAsync(connection, "BEGIN;", cancellationToken).ConfigureAwait(false);
                var written = await ExecuteAsync(connection, $"INSERT INTO main.{table} ({list}) SELECT {values} FROM copies, kept.{table};", cancellationToken).ConfigureAwait(false);
                var inserted = stopwatch.Elapsed;
                await ExecuteAsync(connection, "COMMIT;", cancellationToken).ConfigureAwait(false);
                stopwatch.Stop();
                total += stopwatch.Elapsed;
                if (table == "source_records")
                {
                    records = written;
                }

                rows.Add(($"{table} s (rows)", string.Create(
                    CultureInfo.InvariantCulture,
                    $"{stopwatch.Elapsed.TotalSeconds:0.0} ({written}; commit {(stopwatch.Elapsed - inserted).TotalSeconds:0.0})")));
            }

            if (indexes.Count > 0)
            {
                var stopwatch = Stopwatch.StartNew();
                await ExecuteAsync(connection, "BEGIN; " + string.Join(" ", indexes.Select(i => i.Sql + ";")) + " COMMIT;", cancellationToken).ConfigureAwait(false);
                total += stopwatch.Elapsed;
                rows.Add(("indexes built after s (indexes)", string.Create(CultureInfo.InvariantCulture, $"{stopwatch.Elapsed.TotalSeconds:0.0} ({indexes.Count})")));
            }

            rows.Insert(0, ("records", records.ToString(CultureInfo.InvariantCulture)));
            rows.Insert(1, ("copies of the kept store", copies.ToString(CultureInfo.InvariantCulture)));
            rows.Add(("all tables s", total.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)));
            rows.Add(("records/s", (records / Math.Max(total.TotalSeconds, 0.001)).ToString("0", CultureInfo.InvariantCulture)));
            rows.Add(("store file MiB", (new FileInfo(target).Length / 1048576.0).ToString("0", CultureInfo.InvariantCulture)));
            await output.WriteLineAsync($"bench store-floor: the rows of {keptStore} written {copies} times into a new store, nothing else").ConfigureAwait(false);
            await BenchTable.WriteAsync(output, rows).ConfigureAwait(false);

            return BenchCli.Succeeded;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            if (into is null)
            {
                foreach (var file in new[] { target, target + "-wal", target + "-shm" })
                {
                    File.Delete(file);
                }
            }
        }
    }

    /// <summary>The indexes of the copied tables that a <c>CREATE INDEX</c> made (not those of primary keys and UNIQUE columns).</summary>
    private static async Task<List<(string Name, string Sql)>> SecondaryIndexesAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name, sql, tbl_name FROM main.sqlite_schema WHERE type = 'index' AND sql IS NOT NULL;";
        var indexes = new List<(string, string)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (Tables.Contains(reader.GetString(2)))
            {
                indexes.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        return indexes;
    }

    /// <summary>The table's columns that a copy writes: all but a rowid alias (<c>INTEGER PRIMARY KEY</c>), which SQLite numbers.</summary>
    private static async Task<List<string>> ColumnsAsync(SqliteConnection connection, string table, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name, type, pk FROM pragma_table_info($table, 'kept');";
        command.Parameters.AddWithValue("$table", table);
        var columns = new List<(string Name, string Type, int Key)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            columns.Add((reader.GetString(0), reader.GetString(1), reader.GetInt32(2)));
        }

        var keys = columns.Where(c => c.Key > 0).ToList();
        var rowid = keys is [{ Type: var type }] && string.Equals(type, "INTEGER", StringComparison.OrdinalIgnoreCase) ? keys[0].Name : null;
        return columns.Count > 0 ? columns.Select(c => c.Name).Where(n => n != rowid).ToList() : throw new CliException($"the kept store has no table {table}: is it a CitizenHub SQLite store?");
    }

    private static async Task<int> ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = 0;
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static string Quote(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";
}
