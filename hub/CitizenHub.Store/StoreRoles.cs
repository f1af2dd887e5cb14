using CitizenHub.Store;

namespace Microsoft.Extensions.DependencyInjection;

public static class StoreRolesServiceCollectionExtensions
{
    /// <summary>
    /// Registers each role of the <see cref="ICitizenStore"/> registered (the read model, the audit log, the resolution
    /// path, sync operations, the change outbox) as that one store, so that each caller asks only for the role it plays.
    /// A provider's <c>Add…CitizenStore</c> calls this.
    /// </summary>
    public static IServiceCollection AddCitizenStoreRoles(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton<ICitizenReadModel>(provider => provider.GetRequiredService<ICitizenStore>());
        services.AddSingleton<IAuditLog>(provider => provider.GetRequiredService<ICitizenStore>());
        services.AddSingleton<IResolutionStore>(provider => provider.GetRequiredService<ICitizenStore>());
        services.AddSingleton<ISyncOperations>(provider => provider.GetRequiredService<ICitizenStore>());
        services.AddSingleton<IChangeOutbox>(provider => provider.GetRequiredService<ICitizenStore>());
        return services;
    }
}
