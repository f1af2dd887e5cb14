using NJsonSchema;
using NJsonSchema.Validation;

namespace CitizenHub.Hub;

/// <summary>Checks a configuration file against the published JSON Schema (<c>docs/citizenhub.schema.json</c>).</summary>
public static class ConfigurationSchema
{
    private static readonly Lazy<JsonSchema> Schema = new(Load);

    /// <summary>The schema's text, as published.</summary>
    public static string Text { get; } = ReadResource();

    /// <summary>Every way <paramref name="json"/> breaks the schema, each as <c>path: problem</c>; empty when it conforms.</summary>
    /// <exception cref="Newtonsoft.Json.JsonException">The text is not JSON at all.</exception>
    public static IReadOnlyList<string> Validate(string json)
    {
        var errors = Schema.Value.Validate(json);
        return [.. Flatten(errors).Select(Describe).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    private static IEnumerable<ValidationError> Flatten(IEnumerable<ValidationError> errors)
    {
        foreach (var error in errors)
        {
            if (error is ChildSchemaValidationError child && child.Errors.Count > 0)
            {
                foreach (var inner in Flatten(child.Errors.SelectMany(e => e.Value)))
                {
                    yield return inner;
                }
            }
            else
            {
                yield return error;
            }
        }
    }

    private static string Describe(ValidationError error)
    {
        // NJsonSchema paths look like "#/Sources[0].Mapping.Kye"; operators read "Sources[0].Mapping.Kye".
        var path = (error.Path ?? "#").TrimStart('#', '/').Replace('/', '.');
        var where = path.Length == 0 ? "(top level)" : path;
        var problem = error.Kind switch
        {
            ValidationErrorKind.NoAdditionalPropertiesAllowed => "is not a known setting",
            ValidationErrorKind.PropertyRequired => "is required",
            ValidationErrorKind.NotInEnumeration => "is not one of the allowed values",
            ValidationErrorKind.IntegerExpected => "must be a whole number",
            ValidationErrorKind.NumberExpected => "must be a number",
            ValidationErrorKind.StringExpected => "must be text",
            ValidationErrorKind.BooleanExpected => "must be true or false",
            ValidationErrorKind.ArrayExpected => "must be a list",
            ValidationErrorKind.ObjectExpected => "must be an object",
            ValidationErrorKind.NumberTooSmall or ValidationErrorKind.NumberTooBig => "is out of range",
            ValidationErrorKind.StringTooShort => "must not be empty",
            ValidationErrorKind.PatternMismatch => "is not in the expected form",
            _ => error.Kind.ToString(),
        };
        return $"{where}: {problem}";
    }

    private static JsonSchema Load() => JsonSchema.FromJsonAsync(Text).GetAwaiter().GetResult();

    private static string ReadResource()
    {
        using var stream = typeof(ConfigurationSchema).Assembly.GetManifestResourceStream("citizenhub.schema.json")
            ?? throw new InvalidOperationException("The configuration schema is not embedded in the hub assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
