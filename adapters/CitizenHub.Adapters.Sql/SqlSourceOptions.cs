namespace CitizenHub.Adapters.Sql;

/// <summary>
/// How to read one table or view. Bound from the source's <c>Sql</c> section:
/// <code>
/// "Sql": {
///   "Provider": "Sqlite",
///   "ConnectionString": "Data Source=housing.db",
///   "Query": "SELECT * FROM tenants WHERE @watermark IS NULL OR updated_at > @watermark OR (updated_at = @watermark AND tenant_id > @lastKey) ORDER BY updated_at, tenant_id LIMIT @pageSize",
///   "WatermarkColumn": "updated_at",
///   "KeyColumn": "tenant_id",
///   "PageSize": 1000,
///   "Lookback": "00:05:00",
///   "Timeout": "00:00:30",
///   "Retries": 3,
///   "RetryDelay": "00:00:01"
/// }
/// </code>
/// </summary>
/// <remarks>
/// The query is the operator's, so it can join, filter and cast as the source needs; the adapter only
/// binds three parameters: <c>@watermark</c> and <c>@lastKey</c> (the last good row read, null on a first or
/// full read) and <c>@pageSize</c>. It must order by the watermark and then the key, NULLs first, which together
/// must be unique, so that paging neither skips nor repeats a row (docs/adapters.md shows the shape).
/// </remarks>
public sealed class SqlSourceOptions
{
    /// <summary>
    /// The ADO.NET provider: <c>Sqlite</c>, <c>Postgres</c>, <c>SqlServer</c>, <c>MySql</c> (or <c>MariaDb</c>),
    /// <c>Odbc</c>, or the invariant name of a provider registered with <c>DbProviderFactories</c>. Required.
    /// </summary>
    public string Provider { get; set; } = "";

    /// <summary>The provider's connection string; a relative SQLite file is relative to the configuration file. Required.</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>The keyset-paged query (see the remarks). Required.</summary>
    public string Query { get; set; } = "";

    /// <summary>The column that grows when a row changes (a last-modified time or a change number). Required.</summary>
    public string WatermarkColumn { get; set; } = "";

    /// <summary>The column that orders rows with the same watermark; usually the key. Required.</summary>
    public string KeyColumn { get; set; } = "";

    /// <summary><value>The default is 1,000.</value></summary>
    public int PageSize { get; set; } = 1000;

    /// <summary>
    /// How far before the saved cursor's watermark a resumed read starts again, so that a row stamped before
    /// the cursor but committed after the last read (a long transaction) is still read. Rows re-read are
    /// yielded again, which the hub absorbs: a record whose content has not changed changes nothing.
    /// Only for a watermark that is a time. <value>The default is zero: resume exactly after the cursor.</value>
    /// </summary>
    public TimeSpan Lookback { get; set; }

    /// <summary>How long one attempt may take: opening the connection, or one page's query and read. <value>The default is 30 seconds.</value></summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Retries of a transient failure (the server unreachable, refusing or dropping connections, or an attempt
    /// timed out). A missing table, a refused login or a missing database is never retried. <value>The default is 3.</value>
    /// </summary>
    public int Retries { get; set; } = 3;

    /// <summary>The first retry's delay; later ones grow exponentially, with jitter. <value>The default is 1 second.</value></summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);
}
