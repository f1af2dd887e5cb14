namespace CitizenHub.Matching.Scoring;

/// <summary>
/// How two differing names relate (a nickname, a spelling variant, part of a double-barrelled name, or neither),
/// remembered per pair of packed names: a name pair recurs across thousands of candidate pairs (every JOHN meets
/// every JON), and working it out again each time (Jaro–Winkler against the name and each of its pet forms) was a
/// fifth of linking's time against a million golden records.
/// </summary>
/// <remarks>
/// Keyed by the names' exact packed forms (<see cref="PackedKey"/>), never a hash of them, so a remembered answer is the
/// answer. One table per thread (the hub compares on several) of fixed size: a newer pair takes an older one's place.
/// </remarks>
internal static class NameRelations
{
    /// <summary>Which comparison a remembered answer belongs to, kept in a bit the packing never uses.</summary>
    public const ulong Given = 0, Family = 1UL << 62;

    private const int Bits = 15;

    [ThreadStatic]
    private static Entry[]? t_entries;

    public static bool TryGet(ulong kind, ulong x, ulong y, out byte relation)
    {
        var (a, b) = Key(kind, x, y);
        ref var entry = ref Slot(a, b);
        relation = entry.Relation;
        return entry.A == a && entry.B == b && entry.A != 0;
    }

    public static void Set(ulong kind, ulong x, ulong y, byte relation)
    {
        var (a, b) = Key(kind, x, y);
        Slot(a, b) = new Entry(a, b, relation);
    }

    /// <summary>Whether a name's packed form can key the table: a name too long to pack is worked out each time.</summary>
    public static bool CanRemember(ulong x, ulong y) =>
        x != PackedKey.None && y != PackedKey.None && x != PackedKey.Unpacked && y != PackedKey.Unpacked && (x >> 63) == 0 && (y >> 63) == 0;

    // Every relation remembered is symmetric, so the pair is kept in one order.
    private static (ulong A, ulong B) Key(ulong kind, ulong x, ulong y) => x <= y ? (x | kind, y) : (y | kind, x);

    private static ref Entry Slot(ulong a, ulong b)
    {
        var entries = t_entries ??= new Entry[1 << Bits];
        var hash = ((a * 0x9E3779B97F4A7C15UL) ^ (b * 0xC2B2AE3D27D4EB4FUL)) >> (64 - Bits);
        return ref entries[(int)hash];
    }

    private record struct Entry(ulong A, ulong B, byte Relation);
}
