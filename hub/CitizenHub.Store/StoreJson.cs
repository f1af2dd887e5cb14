using System.Text.Json;
using System.Text.Json.Serialization;

namespace CitizenHub.Store;

/// <summary>The one JSON shape used for records kept in the store.</summary>
internal static class StoreJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Deserialize<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new InvalidDataException($"Stored {typeof(T).Name} is null.");
}

/// <summary>
/// Times are kept as whole numbers: 100-nanosecond ticks since 1970-01-01 UTC. Eight bytes where ISO-8601 text took
/// 33, exact to the tick a <see cref="DateTimeOffset"/> holds (the identity engine tells a stale version of a record
/// from a new one by its observed time to the tick, finer than PostgreSQL's <c>timestamptz</c>), and ordered as the
/// times are. Read one by hand with <c>datetime(at / 10000000, 'unixepoch')</c> in SQLite or
/// <c>to_timestamp(at / 1e7)</c> in PostgreSQL.
/// </summary>
internal static class StoreTime
{
    public static long ToTicks(DateTimeOffset value) => value.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;

    public static long? ToTicks(DateTimeOffset? value) => value is { } time ? ToTicks(time) : null;

    public static DateTimeOffset FromTicks(long ticks) => new(ticks + DateTimeOffset.UnixEpoch.UtcTicks, TimeSpan.Zero);

    public static DateTimeOffset? FromTicks(long? ticks) => ticks is { } value ? FromTicks(value) : null;

    /// <summary>A time as the store kept it before it kept ticks (ISO-8601 text); what a migration converts.</summary>
    public static long TicksOfText(string text) =>
        ToTicks(DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal));
}
