using Microsoft.Data.Sqlite;

namespace CitizenHub.Store.Sqlite;

/// <summary>
/// A resolution session's statements, each compiled by SQLite on its first use and re-bound for every later one.
/// Dapper makes a new command, and so a new compile, on every call. A batch runs the same dozen statements for each of
/// its records, and compiling them (the name-count triggers are compiled into every write to source_records) took
/// more of SQLite's time than running them.
/// </summary>
internal sealed class SessionStatements(SqliteConnection connection, SqliteTransaction transaction) : IDisposable
{
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

    /// <summary>Runs a statement that returns no rows; the number of rows it changed.</summary>
    public int Execute(string sql, params ReadOnlySpan<(string Name, object? Value)> parameters) =>
        Bind(sql, parameters).ExecuteNonQuery();

    /// <summary>The first column of the first row, or the default when there is no row or it is NULL.</summary>
    public T? Scalar<T>(string sql, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        using var reader = Bind(sql, parameters).ExecuteReader();
        return reader.Read() && !reader.IsDBNull(0) ? reader.GetFieldValue<T>(0) : default;
    }

    /// <summary>Every row, each read by <paramref name="read"/>.</summary>
    public List<T> Query<T>(string sql, Func<SqliteDataReader, T> read, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        var rows = new List<T>();
        using var reader = Bind(sql, parameters).ExecuteReader();
        while (reader.Read())
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    public void Dispose()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }

        _commands.Clear();
    }

    /// <summary>The statement for <paramref name="sql"/> with these values bound. A call site passes the same names in the same order every time.</summary>
    private SqliteCommand Bind(string sql, ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
            command.Transaction = transaction;
            foreach (var (name, _) in parameters)
            {
                command.Parameters.Add(new SqliteParameter { ParameterName = name });
            }

            _commands.Add(sql, command);
        }

        for (var i = 0; i < parameters.Length; i++)
        {
            command.Parameters[i].Value = parameters[i].Value ?? DBNull.Value;
        }

        return command;
    }
}
