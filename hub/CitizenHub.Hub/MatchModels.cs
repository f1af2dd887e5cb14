using System.Text.Json;
using CitizenHub.Matching.Scoring;

namespace CitizenHub.Hub;

/// <summary>Builds the match model from the configuration: the shipped parameters, or a parameters file, and thresholds.</summary>
public static class MatchModels
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static MatchModel Load(MatchingOptions options, string configurationDirectory)
    {
        ArgumentNullException.ThrowIfNull(options);
        var model = MatchModel.Default;
        if (options.ParametersFile is { } file)
        {
            var path = Path.GetFullPath(file, configurationDirectory);
            model = model.WithParameters(ReadParameters(path));
        }

        model = model with
        {
            LinkThreshold = options.LinkThreshold ?? model.LinkThreshold,
            ReviewThreshold = options.ReviewThreshold ?? model.ReviewThreshold,
            RequirePersonalEvidence = options.RequirePersonalEvidence,
            NameAloneMaximumNamesakes = options.NameAloneMaximumNamesakes ?? model.NameAloneMaximumNamesakes,
        };
        if (model.ReviewThreshold > model.LinkThreshold)
        {
            throw new InvalidOperationException("Matching.ReviewThreshold must not be above Matching.LinkThreshold.");
        }

        return model;
    }

    /// <summary>Reads a parameters file; a file that does not name the model's comparisons and levels is refused with why.</summary>
    public static IReadOnlyList<ComparisonParameters> ReadParameters(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return JsonSerializer.Deserialize<List<ComparisonParameters>>(stream, Json)
                ?? throw new InvalidOperationException($"Matching.ParametersFile '{path}' is empty.");
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException($"Matching.ParametersFile '{path}' is not valid JSON at {ex.Path} (line {ex.LineNumber}).", ex);
        }
    }

    public static async Task WriteParametersAsync(string path, IReadOnlyList<ComparisonParameters> parameters, CancellationToken cancellationToken)
    {
        await using var stream = File.Create(path);
        await JsonSerializer.SerializeAsync(stream, parameters, Json, cancellationToken).ConfigureAwait(false);
    }
}
