using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace CitizenHub.Bench.Linking;

/// <summary>
/// Prefetch hints: ask the processor to bring a value into cache, and return at once, so that a wait for memory
/// overlaps other work (see <see cref="CandidateIndex.Link"/>).
/// </summary>
/// <remarks>
/// A hint reads nothing and cannot fault, so a hint for a value that has moved since (an array that grew, an object
/// the collector moved) costs only a wasted fetch. This is the only unsafe code in the bench: the instruction takes a
/// pointer. Where the processor has no such instruction it does nothing.
/// </remarks>
internal static class MemoryHint
{
    public static bool IsSupported => Sse.IsSupported;

    /// <summary>Asks for the cache lines a value lies on: those of its first and last bytes.</summary>
    public static unsafe void Prefetch<T>(ref readonly T value)
    {
        if (!Sse.IsSupported)
        {
            return;
        }

        var start = (byte*)Unsafe.AsPointer(ref Unsafe.AsRef(in value));
        Sse.Prefetch0(start);
        if (Unsafe.SizeOf<T>() > sizeof(long))
        {
            // Arrays and objects are aligned to eight bytes only, so a larger value may straddle two lines.
            Sse.Prefetch0(start + Unsafe.SizeOf<T>() - 1);
        }
    }
}
