using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CitizenHub.Adapters.Soap;

/// <summary>Makes <see cref="SoapSourceAdapter"/>s for sources of kind <c>Soap</c>.</summary>
public sealed class SoapSourceAdapterFactory : ISourceAdapterFactory
{
    public const string KindName = "Soap";

    // One client for the process: sockets are pooled and recycled, so DNS changes are still seen.
    private static readonly HttpClient Http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = Timeout.InfiniteTimeSpan, // the Polly pipeline times each attempt
    };

    public string Kind => KindName;

    public ISourceAdapter Create(SourceDefinition source, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(source);
        var options = source.Settings.GetSection("Soap").Get<SoapSourceOptions>() ?? new SoapSourceOptions();
        return new SoapSourceAdapter(source.Name, options, source.Mapping, Http, timeProvider);
    }
}

public static class SoapAdapterServiceCollectionExtensions
{
    /// <summary>Lets sources of <c>"Kind": "Soap"</c> be configured.</summary>
    public static IServiceCollection AddSoapSourceAdapter(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton<ISourceAdapterFactory, SoapSourceAdapterFactory>();
        return services;
    }
}
