using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CitizenHub.Adapters.Example;

/// <summary>
/// Settings of the Example source, bound from its <c>Example</c> section:
/// <code>"Example": { "Path": "export.jsonl" }</code>
/// </summary>
public sealed class ExampleSourceOptions
{
    /// <summary>The file to read; relative to the configuration file. Required.</summary>
    public string Path { get; set; } = "";
}

/// <summary>
/// Reads the Example source: here, a JSON Lines file (one JSON object of text fields per line).
/// Replace the reading with what your source needs; keep the contract: a bad input is rejected with
/// where and why, never thrown; a checkpoint marks where a later read may resume.
/// </summary>
public sealed class ExampleSourceAdapter(string sourceSystem, string path, FieldMapping mapping) : ISourceAdapter
{
    private readonly RecordMapper _mapper = new(sourceSystem, mapping);

    public async IAsyncEnumerable<SourceReadResult> ReadAsync(SourceCursor since, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(since);
        var fileName = Path.GetFileName(path);
        var observedAt = new DateTimeOffset(File.GetLastWriteTimeUtc(path), TimeSpan.Zero);
        // The cursor is the number of lines already read: the file only ever grows at the end.
        var skip = since.Value is null ? 0 : long.Parse(since.Value, System.Globalization.CultureInfo.InvariantCulture);
        using var reader = new StreamReader(path);
        long line = 0;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } text)
        {
            cancellationToken.ThrowIfCancellationRequested();
            line++;
            if (line <= skip || string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            var position = new InputPosition(fileName, line);
            if (Read(text, out var fields) is { } problem)
            {
                // Keep the row's key when it can be read: a reject without one stops the hub telling a record left
                // out of a full extract from this row, so deletions are not applied for the whole run.
                var key = fields is null ? null : _mapper.KeyOf(fields);
                yield return SourceReadResult.Reject(position with { Key = key }, problem, text);
            }
            else if (_mapper.TryMap(fields!, observedAt, out var record, out var reason))
            {
                yield return SourceReadResult.Accept(record!);
            }
            else
            {
                yield return SourceReadResult.Reject(position with { Key = _mapper.KeyOf(fields!) }, reason!, text);
            }

            yield return SourceReadResult.Checkpoint(new SourceCursor(line.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
    }

    /// <summary>
    /// The line's fields, text and numbers as their text; null when the line reads cleanly, else why not (never
    /// quoting a value). <paramref name="fields"/> holds what could be read even then, so the reject can keep the key.
    /// </summary>
    private static string? Read(string text, out Dictionary<string, string?>? fields)
    {
        fields = null;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException)
        {
            return "not JSON";
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return "not a JSON object";
            }

            fields = [];
            string? problem = null;
            foreach (var property in document.RootElement.EnumerateObject())
            {
                switch (property.Value.ValueKind)
                {
                    case JsonValueKind.String:
                        fields[property.Name] = property.Value.GetString();
                        break;
                    case JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False:
                        fields[property.Name] = property.Value.GetRawText();
                        break;
                    case JsonValueKind.Null:
                        fields[property.Name] = null;
                        break;
                    default:
                        problem ??= $"field '{property.Name}' is not text";
                        break;
                }
            }

            return problem;
        }
    }
}

/// <summary>Makes <see cref="ExampleSourceAdapter"/>s for sources of kind <c>Example</c>.</summary>
public sealed class ExampleSourceAdapterFactory : ISourceAdapterFactory
{
    public string Kind => "Example";

    public ISourceAdapter Create(SourceDefinition source, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(source);
        var options = source.Settings.GetSection("Example").Get<ExampleSourceOptions>() ?? new ExampleSourceOptions();
        if (string.IsNullOrWhiteSpace(options.Path))
        {
            throw new InvalidOperationException($"Source '{source.Name}': Example.Path is required.");
        }

        return new ExampleSourceAdapter(source.Name, source.ResolvePath(options.Path), source.Mapping);
    }
}

public static class ExampleAdapterServiceCollectionExtensions
{
    /// <summary>Lets sources of <c>"Kind": "Example"</c> be configured. Call it in the host's HubComposition.AddAdapters.</summary>
    public static IServiceCollection AddExampleSourceAdapter(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton<ISourceAdapterFactory, ExampleSourceAdapterFactory>();
        return services;
    }
}
