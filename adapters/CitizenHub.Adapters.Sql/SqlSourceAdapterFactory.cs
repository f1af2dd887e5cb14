using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CitizenHub.Adapters.Sql;

/// <summary>Makes <see cref="SqlSourceAdapter"/>s for sources of kind <c>Sql</c>.</summary>
public sealed class SqlSourceAdapterFactory : ISourceAdapterFactory
{
    public const string KindName = "Sql";

    public string Kind => KindName;

    public ISourceAdapter Create(SourceDefinition source, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(source);
        var options = source.Settings.GetSection("Sql").Get<SqlSourceOptions>() ?? new SqlSourceOptions();
        if (SqlProviders.TryResolve(options.Provider)?.Factory is SqliteFactory && !string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            var builder = new SqliteConnectionStringBuilder(options.ConnectionString);
            if (!string.IsNullOrEmpty(builder.DataSource) && builder.DataSource != ":memory:")
            {
                builder.DataSource = source.ResolvePath(builder.DataSource);
                options.ConnectionString = builder.ToString();
            }
        }

        return new SqlSourceAdapter(source.Name, options, source.Mapping, timeProvider);
    }
}

public static class SqlAdapterServiceCollectionExtensions
{
    /// <summary>Lets sources of <c>"Kind": "Sql"</c> be configured.</summary>
    public static IServiceCollection AddSqlSourceAdapter(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton<ISourceAdapterFactory, SqlSourceAdapterFactory>();
        return services;
    }
}
