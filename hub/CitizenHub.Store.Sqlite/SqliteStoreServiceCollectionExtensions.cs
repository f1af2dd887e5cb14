using CitizenHub.Store;
using CitizenHub.Store.Sqlite;

namespace Microsoft.Extensions.DependencyInjection;

public static class SqliteStoreServiceCollectionExtensions
{
    /// <summary>
    /// Keeps the hub's golden records in one SQLite file, for one hub instance: registers the store as
    /// <see cref="ICitizenStore"/> and as each of its roles, one instance for the process.
    /// </summary>
    /// <remarks>
    /// Configured by the hub from its <c>Store</c> section:
    /// <code>
    /// "Store": { "Provider": "Sqlite", "ConnectionString": "Data Source=citizenhub.db" }
    /// </code>
    /// </remarks>
    /// <param name="connectionString">The connection string, read when the store is first asked for (a relative file already resolved).</param>
    public static IServiceCollection AddSqliteCitizenStore(this IServiceCollection services, Func<IServiceProvider, string> connectionString)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(connectionString);
        services.AddSingleton<ICitizenStore>(provider => new SqliteCitizenStore(connectionString(provider)));
        return services.AddCitizenStoreRoles();
    }
}
