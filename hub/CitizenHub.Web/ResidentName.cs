using CitizenHub.Api;
using CitizenHub.Matching;

namespace CitizenHub.Web;

internal static class ResidentName
{
    /// <summary>The golden record's name as a heading: given names then family name; a placeholder when it holds none.</summary>
    public static string Of(IReadOnlyDictionary<string, FieldValue> fields)
    {
        var parts = new[] { GoldenFields.Title, GoldenFields.GivenNames, GoldenFields.FamilyName }
            .Select(f => fields.TryGetValue(f, out var v) ? v.Value : null)
            .Where(v => !string.IsNullOrWhiteSpace(v));
        var name = string.Join(' ', parts);
        return name.Length == 0 ? "(no name recorded)" : name;
    }
}
