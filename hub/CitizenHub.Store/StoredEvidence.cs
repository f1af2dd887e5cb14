using System.Buffers;
using System.Text.Json;
using CitizenHub.Matching.Linking;
using CitizenHub.Matching.Scoring;

namespace CitizenHub.Store;

/// <summary>
/// How the evidence for a link or a review is kept: one JSON array, <c>[citizen, source, key, weight, band, rule, veto,
/// fields]</c>, each field <c>[comparison, level, weight]</c> with a fourth element 1 where its weight was adjusted for
/// how common the name is. Named objects repeated every field's names for every link, and evidence was the largest part
/// of a linked record's row; the explanation endpoint reads it back whole. Evidence kept in the earlier named form
/// (a JSON object) still reads, so a store need not rewrite it. Packed (<see cref="PackedJson"/>), since every link
/// names the same comparisons and levels; evidence kept unpacked, in either form, still reads.
/// </summary>
internal static class StoredEvidence
{
    /// <summary>
    /// The one packed form so far, 1: the evidence's JSON against this shape. Never change either: kept evidence needs them.
    /// </summary>
    private static readonly PackedJson PackedWithShapeV1 = new(
        form: 1,
        shape:
        """
        ["name_order","given and family swapped",-],["date_of_birth","day and month swapped",],["address","same postcode, other premises",],["address","same outward code",],["address","same UPRN",],["address","same postcode",],["given_name","other given name",],["family_name","phonetic",],["family_name","close",],["given_name","close",],["family_name","different",-],["given_name","different",-],"Review",null,null,[["given_name","exact",],"Link","same NHS or NI number",null,[["given_name","nickname",,1],["middle_names","missing",0],["family_name","exact",,1],["date_of_birth","exact",],["address","same premises",],["ni_number","exact",],["nhs_number","missing",0],["email","exact",],["phone","missing",0]]]["","","",,"Link",null,null,[["given_name","exact",,1],["middle_names","missing",0],["family_name","exact",,1],["date_of_birth","missing",0],["address","different",-],["ni_number","missing",0],["nhs_number","missing",0],["email","missing",0],["phone","missing",0]]]
        """);

    public static byte[] Encode(PairEvidence evidence)
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

        return PackedWithShapeV1.Pack(buffer.WrittenSpan);
    }

    /// <summary>
    /// The evidence for a review without its candidate's citizen, source and key, which the review's row names beside
    /// it: kept twice, they were a third of a review's evidence (<see cref="DecodeForReview"/> puts them back).
    /// </summary>
    public static byte[] EncodeForReview(PairEvidence evidence)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        return Encode(evidence with { CitizenId = "", SourceSystem = "", SourceKey = "" });
    }

    /// <summary>A review's evidence with the candidate its row names; evidence kept whole before reads the same.</summary>
    public static PairEvidence DecodeForReview(byte[] stored, string candidateCitizen, string candidateSystem, string candidateKey) =>
        Decode(stored) with { CitizenId = candidateCitizen, SourceSystem = candidateSystem, SourceKey = candidateKey };

    public static PairEvidence Decode(byte[] stored)
    {
        var json = PackedWithShapeV1.Unpack(stored, "evidence");
        if (json[0] == (byte)'{')
        {
            return JsonSerializer.Deserialize<PairEvidence>(json, StoreJson.Options)
                ?? throw new InvalidDataException("Stored evidence is null.");
        }

        var reader = new Utf8JsonReader(json);
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;

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
