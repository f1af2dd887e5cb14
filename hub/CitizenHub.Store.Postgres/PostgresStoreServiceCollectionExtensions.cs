using CitizenHub.Store;
using CitizenHub.Store.Postgres;

namespace Microsoft.Extensions.DependencyInjection;

public static class PostgresStoreServiceCollectionExtensions
{
    /// <summary>
    /// Keeps the hub's golden records in one PostgreSQL database that several hub instances share: registers the store
    /// as <see cref="ICitizenStore"/> and as each of its roles, one instance (one connection pool) for the process.
    /// </summary>
    /// <remarks>
    /// Configured by the hub from its <c>Store</c> section:
    /// <code>
    /// "Store": { "Provider": "Postgres", "ConnectionString": "Host=db;Port=5432;Username=citizenhub;Database=citizenhub" }
    /// </code>
    /// </remarks>
    /// <param name="connectionString">An Npgsql connection string, read when the store is first asked for.</param>
    public static IServiceCollection AddPostgresCitizenStore(this IServiceCollection services, Func<IServiceProvider, string> connectionString)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(connectionString);
        services.AddSingleton<ICitizenStore>(provider => new PostgresCitizenStore(connectionString(provider)));
        return services.AddCitizenStoreRoles();
    }
}
