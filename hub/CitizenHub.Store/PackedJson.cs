using System.Text;
using ZstdSharp;

namespace CitizenHub.Store;

/// <summary>
/// JSON kept packed: compressed with Zstandard against a dictionary of its shape (property names, usual values and
/// their order, no one's data), behind one byte that names the form, so a form can be added without a kept value
/// becoming unreadable. A dictionary trained on the values themselves packs tighter but would hold residents' data
/// outside every value, where erasure cannot reach it (docs/store.md).
/// </summary>
/// <remarks>
/// What was kept before packing is its JSON as UTF-8, beginning with <c>[</c> or <c>{</c>, and still reads: neither
/// is ever a form's byte.
/// </remarks>
internal sealed class PackedJson
{
    private readonly byte _form;
    private readonly byte[] _shape;

    // A compressor holds its state between calls and is not safe to share: one a thread, each call synchronous.
    private readonly ThreadLocal<Compressor> _compressor;
    private readonly ThreadLocal<Decompressor> _decompressor;

    /// <param name="form">The byte naming this form of the kind of value packed; never reused for another shape.</param>
    /// <param name="shape">The dictionary. Never change it: kept values need it to be read.</param>
    public PackedJson(byte form, string shape)
    {
        if (form is (byte)'[' or (byte)'{')
        {
            throw new ArgumentOutOfRangeException(nameof(form), "A form's byte must not be where unpacked JSON begins.");
        }

        _form = form;
        _shape = Encoding.UTF8.GetBytes(shape);
        _compressor = new ThreadLocal<Compressor>(() =>
        {
            var compressor = new Compressor(level: 1);
            compressor.LoadDictionary(_shape);
            return compressor;
        });
        _decompressor = new ThreadLocal<Decompressor>(() =>
        {
            var decompressor = new Decompressor();
            decompressor.LoadDictionary(_shape);
            return decompressor;
        });
    }

    public byte[] Pack(ReadOnlySpan<byte> json)
    {
        var packed = new byte[1 + Compressor.GetCompressBound(json.Length)];
        packed[0] = _form;
        var length = _compressor.Value!.Wrap(json, packed.AsSpan(1));
        return packed[..(1 + length)];
    }

    /// <summary>The JSON of a kept value, packed in this form or kept before packing.</summary>
    /// <param name="what">What the value is, for the error when it is in no form this version reads.</param>
    public ReadOnlySpan<byte> Unpack(byte[] stored, string what)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var first = stored.Length == 0 ? (byte)0 : stored[0];
        if (first is (byte)'[' or (byte)'{')
        {
            return stored;
        }

        return first == _form
            ? _decompressor.Value!.Unwrap(stored.AsSpan(1))
            : throw new InvalidDataException($"A stored {what} is in no form this version of the store reads.");
    }
}
