using System.Text.Json;
using CitizenHub.Contracts;
using CitizenHub.Store;

namespace CitizenHub.Hub;

/// <summary>The messages the hub applies, as the store keeps them when they fail (for replay).</summary>
public static class HubMessages
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static MessageIdentity Identify(SourceRecordBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return new MessageIdentity(batch.RunId, MessageIdentity.RecordBatch, batch.Sequence);
    }

    public static MessageIdentity Identify(SourceRecordsRemoved removed)
    {
        ArgumentNullException.ThrowIfNull(removed);
        return new MessageIdentity(removed.RunId, MessageIdentity.Removal, removed.Sequence);
    }

    public static string Serialize(SourceRecordBatch batch) => JsonSerializer.Serialize(batch, Json);

    public static string Serialize(SourceRecordsRemoved removed) => JsonSerializer.Serialize(removed, Json);

    /// <summary>The message a kept body holds, by the kind its identity names.</summary>
    public static object Deserialize(string kind, string body) => kind switch
    {
        MessageIdentity.RecordBatch => (object?)JsonSerializer.Deserialize<SourceRecordBatch>(body, Json),
        MessageIdentity.Removal => JsonSerializer.Deserialize<SourceRecordsRemoved>(body, Json),
        _ => null,
    } ?? throw new InvalidDataException($"A kept message of kind '{kind}' could not be read back.");
}
