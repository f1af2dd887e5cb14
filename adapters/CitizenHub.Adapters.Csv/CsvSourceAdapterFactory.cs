using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CitizenHub.Adapters.Csv;

/// <summary>Makes <see cref="CsvSourceAdapter"/>s for sources of kind <c>Csv</c>.</summary>
public sealed class CsvSourceAdapterFactory : ISourceAdapterFactory
{
    public const string KindName = "Csv";

    public string Kind => KindName;

    public ISourceAdapter Create(SourceDefinition source, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(source);
        var options = source.Settings.GetSection("Csv").Get<CsvSourceOptions>() ?? new CsvSourceOptions();
        var hasPath = !string.IsNullOrWhiteSpace(options.Path);
        var hasFolder = !string.IsNullOrWhiteSpace(options.Folder);
        return (hasPath, hasFolder) switch
        {
            (true, false) => new CsvSourceAdapter(source.Name, source.ResolvePath(options.Path), options, source.Mapping, timeProvider),
            (false, true) => new CsvDropFolderAdapter(source.Name, source.ResolvePath(options.Folder), options, source.Mapping, timeProvider),
            _ => throw new InvalidOperationException($"Source '{source.Name}': give Csv.Path (one file) or Csv.Folder (a drop folder), not both or neither."),
        };
    }
}

/// <summary>Makes <see cref="FixedWidthSourceAdapter"/>s for sources of kind <c>FixedWidth</c>.</summary>
public sealed class FixedWidthSourceAdapterFactory : ISourceAdapterFactory
{
    public const string KindName = "FixedWidth";

    public string Kind => KindName;

    public ISourceAdapter Create(SourceDefinition source, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(source);
        var options = source.Settings.GetSection("FixedWidth").Get<FixedWidthSourceOptions>() ?? new FixedWidthSourceOptions();
        if (string.IsNullOrWhiteSpace(options.Path))
        {
            throw new InvalidOperationException($"Source '{source.Name}': FixedWidth.Path is required.");
        }

        return new FixedWidthSourceAdapter(source.Name, source.ResolvePath(options.Path), options, source.Mapping, timeProvider);
    }
}

public static class CsvAdapterServiceCollectionExtensions
{
    /// <summary>Lets file-drop sources be configured: <c>"Kind": "Csv"</c> and <c>"Kind": "FixedWidth"</c>.</summary>
    public static IServiceCollection AddCsvSourceAdapter(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton<ISourceAdapterFactory, CsvSourceAdapterFactory>();
        services.AddSingleton<ISourceAdapterFactory, FixedWidthSourceAdapterFactory>();
        return services;
    }
}
