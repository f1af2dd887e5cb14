using System.Reflection;
using System.Text.Json.Nodes;
using CitizenHub.Adapters;
using CitizenHub.Adapters.Csv;
using CitizenHub.Adapters.Soap;
using CitizenHub.Adapters.Sql;
using CitizenHub.Api.Access;
using CitizenHub.Hub;

namespace CitizenHub.Host.Tests;

/// <summary>
/// The published schema and the options classes the executable binds name the same settings: the schema refuses what
/// it does not name, so a setting added to a class alone could not be used, and one in the schema alone would be ignored.
/// </summary>
public sealed class ConfigurationSchemaTests
{
    private static readonly JsonObject Schema = JsonNode.Parse(ConfigurationSchema.Text)!.AsObject();

    [Fact]
    public void Schema_NamesEveryPropertyOfTheOptionsClassesAndNothingElse()
    {
        var mismatches = new List<string>();
        var root = Schema;
        var source = Definition("source");
        // The top level also holds the sources (SourceCatalog reads them), the API's section (bound by the API) and the
        // web page's (bound by the web page).
        Compare(typeof(CitizenHubOptions), root, "$", mismatches, ["$schema", "Sources", "Api", "Web"]);
        Compare(typeof(ApiAccessOptions), Property(root, "Api"), "$.Api", mismatches);
        Compare(typeof(CitizenHub.Web.WebOptions), Property(root, "Web"), "$.Web", mismatches);
        Compare(typeof(FieldMapping), Definition("mapping"), "$.Sources[].Mapping", mismatches);
        Compare(typeof(CsvSourceOptions), Property(source, "Csv"), "$.Sources[].Csv", mismatches);
        Compare(typeof(FixedWidthSourceOptions), Property(source, "FixedWidth"), "$.Sources[].FixedWidth", mismatches);
        Compare(typeof(SqlSourceOptions), Property(source, "Sql"), "$.Sources[].Sql", mismatches);
        Compare(typeof(SoapSourceOptions), Property(source, "Soap"), "$.Sources[].Soap", mismatches);

        Assert.Empty(mismatches);
    }

    [Fact]
    public void Schema_RefusesUnknownSettingsInEveryObjectItDescribes()
    {
        // Every object the schema describes field by field says additionalProperties: false; only maps (names chosen by
        // the operator, such as Soap.Namespaces) and a source's entry (whose adapter section SourceCatalog checks) do not.
        var open = new List<string>();
        FindOpenObjects(Schema, "$", open);

        Assert.Equal(["$.definitions.source"], open);
    }

    private static void Compare(Type type, JsonObject schema, string path, List<string> mismatches, IReadOnlyCollection<string>? schemaOnly = null)
    {
        var inSchema = (schema["properties"]?.AsObject() ?? []).Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).ToList();
        foreach (var property in properties)
        {
            if (!inSchema.Contains(property.Name))
            {
                mismatches.Add($"{path}.{property.Name}: in {type.Name}, not in the schema");
                continue;
            }

            var node = Resolve(schema["properties"]![property.Name]!.AsObject());
            var element = property.PropertyType.IsGenericType && property.PropertyType.GetGenericTypeDefinition() == typeof(List<>)
                ? property.PropertyType.GetGenericArguments()[0]
                : null;
            if (IsOptionsClass(property.PropertyType))
            {
                Compare(property.PropertyType, node, $"{path}.{property.Name}", mismatches);
            }
            else if (element is not null && IsOptionsClass(element) && node["items"] is JsonObject items)
            {
                Compare(element, Resolve(items), $"{path}.{property.Name}[]", mismatches);
            }
        }

        foreach (var name in inSchema.Where(n => properties.All(p => p.Name != n) && schemaOnly?.Contains(n) != true))
        {
            mismatches.Add($"{path}.{name}: in the schema, not in {type.Name}");
        }
    }

    private static bool IsOptionsClass(Type type) =>
        type.IsClass && type != typeof(string) && type.Namespace?.StartsWith("CitizenHub", StringComparison.Ordinal) == true;

    private static void FindOpenObjects(JsonObject node, string path, List<string> open)
    {
        var closed = node["additionalProperties"] is JsonValue value && value.GetValueKind() == System.Text.Json.JsonValueKind.False;
        if (node["properties"] is JsonObject && !closed)
        {
            open.Add(path);
        }

        foreach (var (name, child) in node)
        {
            if (child is JsonObject inner)
            {
                FindOpenObjects(inner, $"{path}.{name}", open);
            }
        }
    }

    private static JsonObject Resolve(JsonObject node) =>
        node["$ref"]?.GetValue<string>() is { } reference ? Definition(reference["#/definitions/".Length..]) : node;

    private static JsonObject Definition(string name) => Schema["definitions"]![name]!.AsObject();

    private static JsonObject Property(JsonObject schema, string name) => Resolve(schema["properties"]![name]!.AsObject());
}
