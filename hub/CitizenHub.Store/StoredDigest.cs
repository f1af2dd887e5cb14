namespace CitizenHub.Store;

/// <summary>
/// A record's content digest as the store keeps it: the SHA-256 digest the identity engine gives in hex
/// (<see cref="CitizenHub.Matching.Identity.IdentityEngine.ContentHash"/>) as its 32 bytes, half the room of the hex.
/// </summary>
internal static class StoredDigest
{
    /// <exception cref="ArgumentException">The value is not a SHA-256 digest in hex.</exception>
    public static byte[] Encode(string contentHash)
    {
        ArgumentNullException.ThrowIfNull(contentHash);
        return FromHex(contentHash)
            ?? throw new ArgumentException("A content digest is a SHA-256 digest in hex (64 characters).", nameof(contentHash));
    }

    /// <summary>A digest as the store kept it before it kept bytes (hex text); what a migration converts.</summary>
    /// <remarks>Text that is not a digest in hex is kept as its UTF-8 bytes (see <see cref="Decode"/>).</remarks>
    public static byte[] OfText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return FromHex(text) ?? System.Text.Encoding.UTF8.GetBytes(text);
    }

    /// <summary>
    /// The digest in hex, as the identity engine compares it. A value kept before digests were bytes that was not a
    /// digest reads as the hex of its bytes: it matches no record's digest, so the record is taken to have changed.
    /// </summary>
    public static string Decode(byte[] stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        return Convert.ToHexString(stored);
    }

    /// <summary>The 32 bytes of a SHA-256 digest in hex; null for anything else.</summary>
    private static byte[]? FromHex(string hex)
    {
        var bytes = new byte[32];
        return hex.Length == 64
            && Convert.FromHexString(hex, bytes, out _, out var written) == System.Buffers.OperationStatus.Done
            && written == 32
            ? bytes
            : null;
    }
}
