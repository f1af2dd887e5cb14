using System.Buffers;
using System.Text;
using System.Text.Json;
using CitizenHub.Matching.Linking;
using CitizenHub.Matching.Scoring;

namespace CitizenHub.Store;

/// <summary>
/// How the evidence for a link or a review is kept: one JSON array, <c>[citizen, source, key, weight, band, rule, veto,
/// fields]</c>, each field <c>[comparison, level, weight]</c> with a fourth element 1 where its weight was adjusted for
/// how common the name is. Named objects repeated every field's names for every link, and evidence was the largest part
/// of a linked record's row; the explanation endpoint reads it back whole. Evidence kept in the earlier named form
/// (a JSON object) still reads, so a store need not rewrite it.
/// </summary>
internal static class StoredEvidence
{
    public static string Encode(PairEvidence evidence)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            var explanation = evidence.Explanation;
            writer.WriteStartArray();
            writer.WriteStringValue(evidence.CitizenId);
            writer.WriteStringValue(evidence.SourceSystem);
            writer.WriteStringValue(evidence.SourceKey);
            writer.WriteNumberValue(explanation.Weight);
            writer.WriteStringValue(explanation.Band.ToString());
            WriteNullable(writer, explanation.Rule);
            WriteNullable(writer, explanation.Veto);
            writer.WriteStartArray();
            foreach (var field in explanation.Fields)
            {
                writer.WriteStartArray();
                writer.WriteStringValue(field.Comparison);
                writer.WriteStringValue(field.Level);
                writer.WriteNumberValue(field.Weight);
                if (field.TermFrequencyAdjusted)
                {
                    writer.WriteNumberValue(1);
                }

                writer.WriteEndArray();
            }

            writer.WriteEndArray();
            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static PairEvidence Decode(string stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        using var document = JsonDocument.Parse(stored);
        var root = document.RootElement;
        if (root.ValueKind == JsonValueKind.Object)
        {
            return StoreJson.Deserialize<PairEvidence>(stored);
        }

        if (root.ValueKind != JsonValueKind.Array || root.GetArrayLength() != 8)
        {
            throw new InvalidDataException("Stored evidence is neither the compact array nor the named form.");
        }

        var fields = new List<FieldWeight>(root[7].GetArrayLength());
        foreach (var field in root[7].EnumerateArray())
        {
            fields.Add(new FieldWeight(
                field[0].GetString()!,
                field[1].GetString()!,
                field[2].GetDouble(),
                TermFrequencyAdjusted: field.GetArrayLength() > 3 && field[3].GetInt32() == 1));
        }

        return new PairEvidence(
            root[0].GetString()!,
            root[1].GetString()!,
            root[2].GetString()!,
            new MatchExplanation(root[3].GetDouble(), Enum.Parse<MatchBand>(root[4].GetString()!), root[5].GetString(), root[6].GetString(), fields));
    }

    private static void WriteNullable(Utf8JsonWriter writer, string? value)
    {
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteStringValue(value);
        }
    }
}
