namespace CitizenHub.Adapters.Sql;

/// <summary>What stopped a SQL source being read, as an operator would fix it.</summary>
public enum SqlSourceFailure
{
    /// <summary>The server could not be reached (refused, unreachable, dropped): retried, then reported.</summary>
    Unreachable,

    /// <summary>An attempt outlasted <see cref="SqlSourceOptions.Timeout"/>: retried, then reported.</summary>
    TimedOut,

    /// <summary>The server refused the login: not retried, since a retry would be refused again (and may lock the account).</summary>
    LoginRefused,

    /// <summary>The database named in the connection string does not exist or cannot be opened: not retried.</summary>
    DatabaseMissing,

    /// <summary>The query names a table or view the database does not have: not retried.</summary>
    TableMissing,
}

/// <summary>
/// A SQL source that cannot be read, with a message that says what is wrong and which setting to check. The
/// message never quotes the connection string (it may hold a password) or a row (it holds personal data);
/// the driver's own exception is kept as the inner exception for a debugger, never for a log.
/// </summary>
public sealed class SqlSourceException : InvalidOperationException
{
    public SqlSourceException()
    {
    }

    public SqlSourceException(string message)
        : base(message)
    {
    }

    public SqlSourceException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public SqlSourceException(SqlSourceFailure failure, int attempts, string message, Exception innerException)
        : base(message, innerException)
    {
        Failure = failure;
        Attempts = attempts;
    }

    /// <summary>What went wrong.</summary>
    public SqlSourceFailure Failure { get; }

    /// <summary>How many times the failing call was tried, the first time included.</summary>
    public int Attempts { get; }
}
