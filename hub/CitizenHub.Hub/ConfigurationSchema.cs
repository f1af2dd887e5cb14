using System.Globalization;
using Newtonsoft.Json.Linq;
using NJsonSchema;
using NJsonSchema.Validation;

namespace CitizenHub.Hub;

/// <summary>Checks a configuration file against the published JSON Schema (<c>docs/citizenhub.schema.json</c>).</summary>
public static class ConfigurationSchema
{
    private static readonly Lazy<JsonSchema> Schema = new(Load);

    /// <summary>The schema's text, as published.</summary>
    public static string Text { get; } = ReadResource();

    /// <summary>
    /// Every way <paramref name="json"/> breaks the schema, each as <c>$.json.path: what is wrong; what is allowed</c>,
    /// in path order; empty when it conforms.
    /// </summary>
    /// <remarks>
    /// Besides the schema, a source's own entry may hold only the settings the schema names and one section named after
    /// its <c>Kind</c> (the settings of an adapter kind not built in): the schema alone cannot say that, and a misspelt
    /// <c>FieldPriority</c> there would otherwise be ignored without a word.
    /// </remarks>
    /// <exception cref="Newtonsoft.Json.JsonException">The text is not JSON at all.</exception>
    public static IReadOnlyList<string> Validate(string json)
    {
        var token = JToken.Parse(json);
        var errors = Schema.Value.Validate(token);
        var problems = Flatten(errors).Select(Describe).Concat(UnknownSourceSections(token));
        return [.. problems.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    private static IEnumerable<string> UnknownSourceSections(JToken root)
    {
        if (root is not JObject { } top || top["Sources"] is not JArray sources)
        {
            yield break;
        }

        var known = Schema.Value.Definitions["source"].ActualProperties.Keys.ToList();
        for (var i = 0; i < sources.Count; i++)
        {
            if (sources[i] is not JObject source)
            {
                continue;
            }

            var kind = (source["Kind"] as JValue)?.Value as string;
            foreach (var property in source.Properties())
            {
                if (!known.Contains(property.Name, StringComparer.Ordinal) && !string.Equals(property.Name, kind, StringComparison.OrdinalIgnoreCase))
                {
                    yield return $"$.Sources[{i}].{property.Name}: {NotKnown(property.Name, known)} (or a section named after the source's Kind, for an adapter not built in)";
                }
            }
        }
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
        // NJsonSchema paths look like "#/Sources[0].Mapping.Kye"; JSONPath, which editors and jq know, is "$.Sources[0].Mapping.Kye".
        var path = (error.Path ?? "#").TrimStart('#', '/');
        var where = path.Length == 0 ? "$" : path.StartsWith('[') ? "$" + path : "$." + path;
        var schema = error.Schema?.ActualSchema;
        var problem = error.Kind switch
        {
            ValidationErrorKind.NoAdditionalPropertiesAllowed => NotKnown(error.Property ?? "", schema?.ActualProperties.Keys ?? []),
            ValidationErrorKind.PropertyRequired => "is required",
            ValidationErrorKind.NotInEnumeration => $"{Quote(error.Token)} is not one of the allowed values; allowed: {string.Join(", ", schema?.Enumeration.Select(v => v?.ToString()) ?? [])}",
            ValidationErrorKind.IntegerExpected => "must be a whole number",
            ValidationErrorKind.NumberExpected => "must be a number",
            ValidationErrorKind.StringExpected => "must be text",
            ValidationErrorKind.BooleanExpected => "must be true or false",
            ValidationErrorKind.ArrayExpected => "must be a list",
            ValidationErrorKind.ObjectExpected => "must be an object",
            ValidationErrorKind.NumberTooSmall or ValidationErrorKind.NumberTooBig => $"{Number(error.Token)} is out of range; allowed {Range(schema)}",
            ValidationErrorKind.StringTooShort => schema?.MinLength is > 1 and var least ? $"must be at least {least} characters" : "must not be empty",
            ValidationErrorKind.TooFewItems => schema?.MinItems is > 1 and var items ? $"must list at least {items}" : "must not be an empty list",
            // The value is not echoed: a pattern guards keys and hashes as well as times.
            ValidationErrorKind.PatternMismatch => $"is not in the expected form; {Form(schema?.Pattern)}",
            _ => error.Kind.ToString(),
        };
        return $"{where}: {problem}";
    }

    /// <summary>"is not a known setting", with the likeliest intended one and the list of those allowed there.</summary>
    private static string NotKnown(string name, IEnumerable<string> allowed)
    {
        var names = allowed.Where(n => n != "$schema").ToList();
        var closest = names
            .Select(n => (Name: n, Distance: Distance(name.ToUpperInvariant(), n.ToUpperInvariant())))
            .Where(c => c.Distance <= Math.Max(2, name.Length / 4))
            .OrderBy(c => c.Distance)
            .Select(c => c.Name)
            .FirstOrDefault();
        var hint = closest is null ? "" : $" (did you mean {closest}?)";
        return names.Count == 0 ? $"is not a known setting{hint}" : $"is not a known setting{hint}; allowed: {string.Join(", ", names)}";
    }

    private static string Range(JsonSchema? schema)
    {
        var minimum = schema?.Minimum;
        var maximum = schema?.Maximum;
        return (minimum, maximum) switch
        {
            ({ } low, { } high) => $"{low.ToString(CultureInfo.InvariantCulture)} to {high.ToString(CultureInfo.InvariantCulture)}",
            ({ } low, null) => $"{low.ToString(CultureInfo.InvariantCulture)} or more",
            (null, { } high) => $"{high.ToString(CultureInfo.InvariantCulture)} or less",
            _ => "by the schema",
        };
    }

    /// <summary>The schema's patterns as an operator would describe them.</summary>
    private static string Form(string? pattern) => pattern switch
    {
        @"^(\d+\.)?\d{1,2}:\d{2}:\d{2}$" => "a time span, hh:mm:ss or d.hh:mm:ss (00:00:30, 01:00:00, 1.00:00:00)",
        @"^(\d+\.)?\d{1,2}:\d{2}:\d{2}(\.\d+)?$" => "a time span, hh:mm:ss[.fff] or d.hh:mm:ss (00:00:30, 00:00:00.500, 1.00:00:00)",
        "^[0-9a-fA-F]{64}$" => "64 hexadecimal digits (a SHA-256)",
        "^[A-Za-z0-9][A-Za-z0-9._-]*$" => "letters, digits, '.', '_' and '-', starting with a letter or digit",
        null => "see the schema",
        _ => $"it must match {pattern}",
    };

    private static string Number(JToken? token) =>
        token is JValue { Value: IFormattable number } ? number.ToString(null, CultureInfo.InvariantCulture) : "the value";

    private static string Quote(JToken? token) => token switch
    {
        JValue { Type: JTokenType.String } text => $"'{text.Value}'",
        JValue { Value: IFormattable value } => value.ToString(null, CultureInfo.InvariantCulture),
        JValue { Type: JTokenType.Boolean } flag => flag.ToString(Newtonsoft.Json.Formatting.None),
        _ => "the value",
    };

    /// <summary>Edit distance, for a suggestion when a setting is misspelt.</summary>
    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
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
