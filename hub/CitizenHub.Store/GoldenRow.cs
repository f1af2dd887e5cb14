using System.Globalization;
using System.Text.Json;
using CitizenHub.Matching;

namespace CitizenHub.Store;

/// <summary>
/// A golden record as the store keeps it: one column of the citizen's row, each shown field with its lineage as a
/// JSON array <c>[field, value, source system, source key, observed at]</c> (the time as ISO-8601 text, the form the
/// packing's dictionary expects), rather than a row a field (about seven a citizen, each with its index entries: a
/// sixth of what writing a first load cost, docs/operations.md); packed (<see cref="PackedJson"/>), since the lineage
/// repeats a source and a time for every field.
/// </summary>
internal static class GoldenRow
{
    /// <summary>
    /// The one packed form so far, 1: the row's JSON against this shape. Never change either: kept golden records need them.
    /// </summary>
    private static readonly PackedJson PackedWithShapeV1 = new(
        form: 1,
        shape:
        """
        ["phone","","","","2026-01-01T00:00:00.0000000\u002B00:00"]]["nhs_number","","","","2026-01-01T00:00:00.0000000\u002B00:00"],["ni_number","","","","2026-01-01T00:00:00.0000000\u002B00:00"],["date_of_birth","19","","","2026-01-01T00:00:00.0000000\u002B00:00"],["email","","","","2026-01-01T00:00:00.0000000\u002B00:00"],["uprn","10000","","","2026-01-01T00:00:00.0000000\u002B00:00"],["postcode","","","","2026-01-01T00:00:00.0000000\u002B00:00"],["address","Flat , ","","","2026-01-01T00:00:00.0000000\u002B00:00"],["family_name","","","","2026-01-01T00:00:00.0000000\u002B00:00"],["given_names","","","","2026-01-01T00:00:00.0000000\u002B00:00"],[["title","Mr","","","2026-01-01T00:00:00.0000000\u002B00:00"],
        """);

    public static byte[]? Encode(IReadOnlyList<GoldenField> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        if (fields.Count == 0)
        {
            return null;
        }

        var buffer = new System.Buffers.ArrayBufferWriter<byte>(fields.Count * 96);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var field in fields)
            {
                writer.WriteStartArray();
                writer.WriteStringValue(field.Field);
                writer.WriteStringValue(field.Value);
                writer.WriteStringValue(field.SourceSystem);
                writer.WriteStringValue(field.SourceKey);
                writer.WriteStringValue(field.ObservedAt.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
                writer.WriteEndArray();
            }

            writer.WriteEndArray();
        }

        return PackedWithShapeV1.Pack(buffer.WrittenSpan);
    }

    /// <summary>The fields of a golden row; none for a citizen with no shown values (null).</summary>
    public static IReadOnlyList<GoldenField> Decode(byte[]? row)
    {
        if (row is null || row.Length == 0)
        {
            return [];
        }

        var reader = new Utf8JsonReader(PackedWithShapeV1.Unpack(row, "golden record"));
        using var document = JsonDocument.ParseValue(ref reader);
        var fields = new List<GoldenField>(document.RootElement.GetArrayLength());
        foreach (var field in document.RootElement.EnumerateArray())
        {
            fields.Add(new GoldenField(
                field[0].GetString()!, field[1].GetString()!, field[2].GetString()!, field[3].GetString()!, DateTimeOffset.Parse(field[4].GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)));
        }

        return fields;
    }

    /// <summary>
    /// The fields of a golden row, decoded when first read: the identity engine reads the golden record of a citizen
    /// only when it writes a new one, and most citizens a batch reads are candidates it does not change.
    /// </summary>
    public static IReadOnlyList<GoldenField> DecodeWhenRead(byte[]? row) =>
        row is null || row.Length == 0 ? [] : new DeferredFields(row);

    private sealed class DeferredFields(byte[] row) : IReadOnlyList<GoldenField>
    {
        private readonly Lazy<IReadOnlyList<GoldenField>> _fields = new(() => Decode(row));

        public int Count => _fields.Value.Count;

        public GoldenField this[int index] => _fields.Value[index];

        public IEnumerator<GoldenField> GetEnumerator() => _fields.Value.GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
