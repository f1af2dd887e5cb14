using System.Buffers.Binary;
using CitizenHub.Contracts;
using CitizenHub.Matching.Identity;
using CitizenHub.Store;

namespace CitizenHub.Hub;

/// <summary>
/// What the hub holds of one source, as each record's content digest by key: a full run passes over every record its
/// extract repeats exactly, since the hub would find it unchanged and do nothing with it (most of a night's extract),
/// and sends only the rest. A record held as it is says the same whenever it was observed, so whether it is news
/// (<see cref="IdentityEngine"/>) never turns on anything but its digest here; a record the hub holds otherwise, or
/// not at all, goes to the hub, which alone decides.
/// </summary>
public sealed class HeldContent
{
    /// <summary>Nothing held: every record is sent, and none is hashed to find that out (a first load).</summary>
    public static readonly HeldContent None = new([]);

    private readonly Dictionary<string, Digest> _digests;

    private HeldContent(Dictionary<string, Digest> digests) => _digests = digests;

    /// <summary>How many records of the source the hub holds (and suppresses).</summary>
    public int Count => _digests.Count;

    public static async Task<HeldContent> ReadAsync(ISyncOperations store, string sourceSystem, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var digests = new Dictionary<string, Digest>(StringComparer.Ordinal);
        await foreach (var (key, hash) in store.ReadSourceContentHashesAsync(sourceSystem, cancellationToken).ConfigureAwait(false))
        {
            // A digest that does not parse is left out: its record is sent, and the hub compares it as it always has.
            if (Digest.TryParse(hash, out var digest))
            {
                digests[key] = digest;
            }
        }

        return digests.Count == 0 ? None : new HeldContent(digests);
    }

    /// <summary>Whether the hub holds this record saying exactly what it says now.</summary>
    public bool HoldsUnchanged(SourceRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return !record.Deleted
            && _digests.TryGetValue(record.SourceKey, out var held)
            && held == Digest.Of(IdentityEngine.ContentDigest(record));
    }

    /// <summary>A SHA-256 digest as two numbers rather than its 64 characters of hex: a fifth of the memory a record.</summary>
    private readonly record struct Digest(UInt128 High, UInt128 Low)
    {
        public static bool TryParse(string hex, out Digest digest)
        {
            Span<byte> bytes = stackalloc byte[32];
            if (hex.Length != 64 || Convert.FromHexString(hex, bytes, out _, out var written) != System.Buffers.OperationStatus.Done || written != 32)
            {
                digest = default;
                return false;
            }

            digest = Of(bytes);
            return true;
        }

        public static Digest Of(ReadOnlySpan<byte> bytes) =>
            new(BinaryPrimitives.ReadUInt128BigEndian(bytes), BinaryPrimitives.ReadUInt128BigEndian(bytes[16..]));
    }
}
