namespace CitizenHub.Matching;

/// <summary>
/// Edit-based string comparisons for the probabilistic scorer. They run millions of times a second
/// over folded keys, so they work on spans and keep their working memory on the stack for short strings.
/// Comparison is ordinal: callers pass keys already folded by <see cref="Text.FoldKey"/>.
/// </summary>
public static class StringSimilarity
{
    /// <summary>The Winkler prefix scale: how much each agreeing leading character lifts the Jaro score.</summary>
    public const double PrefixScale = 0.1;

    /// <summary>At most this many leading characters earn the Winkler bonus.</summary>
    public const int MaxPrefixLength = 4;

    /// <summary>
    /// Winkler's boost threshold: below this Jaro score the strings are too unlike for a shared
    /// prefix to mean anything, so the bonus is not applied (as in Winkler's strcmp95).
    /// </summary>
    public const double BoostThreshold = 0.7;

    // Names and address keys are short; longer input falls back to the heap rather than risking the stack.
    private const int StackLimit = 128;

    /// <summary>
    /// The Jaro-Winkler similarity, from 0 (nothing in common) to 1 (equal).
    /// Two empty strings score 0, not 1: an absent value is no evidence that two records agree.
    /// </summary>
    public static double JaroWinkler(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return JaroWinkler(a.AsSpan(), b.AsSpan());
    }

    /// <inheritdoc cref="JaroWinkler(string, string)"/>
    public static double JaroWinkler(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        if (a.IsEmpty || b.IsEmpty)
        {
            return 0;
        }

        if (a.SequenceEqual(b))
        {
            return 1;
        }

        var jaro = Jaro(a, b);
        if (jaro < BoostThreshold)
        {
            return jaro;
        }

        var limit = Math.Min(MaxPrefixLength, Math.Min(a.Length, b.Length));
        var prefix = 0;
        while (prefix < limit && a[prefix] == b[prefix])
        {
            prefix++;
        }

        return jaro + (prefix * PrefixScale * (1 - jaro));
    }

    /// <summary>
    /// The optimal string alignment distance (Levenshtein plus adjacent transpositions, no substring
    /// edited twice): <c>SMITH</c> to <c>SMIHT</c> is 1. The scorer only cares whether two keys are
    /// within <paramref name="max"/> edits, so once the distance is known to exceed it the answer
    /// is <c>max + 1</c> and the work stops early.
    /// </summary>
    /// <returns>The distance when it is at most <paramref name="max"/>; otherwise <c>max + 1</c>.</returns>
    public static int DamerauLevenshtein(string a, string b, int max)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return DamerauLevenshtein(a.AsSpan(), b.AsSpan(), max);
    }

    /// <inheritdoc cref="DamerauLevenshtein(string, string, int)"/>
    public static int DamerauLevenshtein(ReadOnlySpan<char> a, ReadOnlySpan<char> b, int max)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        if (Math.Abs(a.Length - b.Length) > max)
        {
            return max + 1;
        }

        // A shared prefix or suffix never needs editing; trimming it shrinks the table for the common near-miss.
        var common = a.CommonPrefixLength(b);
        a = a[common..];
        b = b[common..];
        while (!a.IsEmpty && !b.IsEmpty && a[^1] == b[^1])
        {
            a = a[..^1];
            b = b[..^1];
        }

        if (a.IsEmpty || b.IsEmpty)
        {
            // The length difference was already checked against max.
            return Math.Max(a.Length, b.Length);
        }

        var width = b.Length + 1;
        Span<int> rows = width * 3 <= StackLimit ? stackalloc int[StackLimit] : new int[width * 3];
        var beforePrevious = rows[..width];
        var previous = rows.Slice(width, width);
        var current = rows.Slice(width * 2, width);
        for (var j = 0; j < width; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            var rowMinimum = i;
            for (var j = 1; j < width; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                var best = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    best = Math.Min(best, beforePrevious[j - 2] + 1);
                }

                current[j] = best;
                rowMinimum = Math.Min(rowMinimum, best);
            }

            // Every later cell descends from some cell of this row (or the row before, for a
            // transposition, which costs one more), so no path can come back under the bound.
            if (rowMinimum > max)
            {
                return max + 1;
            }

            var recycled = beforePrevious;
            beforePrevious = previous;
            previous = current;
            current = recycled;
        }

        var distance = previous[width - 1];
        return distance > max ? max + 1 : distance;
    }

    private static double Jaro(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        var window = Math.Max(0, (Math.Max(a.Length, b.Length) / 2) - 1);
        var total = a.Length + b.Length;
        Span<bool> flags = total <= StackLimit ? stackalloc bool[StackLimit] : new bool[total];
        var aMatched = flags[..a.Length];
        var bMatched = flags.Slice(a.Length, b.Length);
        aMatched.Clear();
        bMatched.Clear();

        var matches = 0;
        for (var i = 0; i < a.Length; i++)
        {
            var from = Math.Max(0, i - window);
            var to = Math.Min(b.Length - 1, i + window);
            for (var j = from; j <= to; j++)
            {
                if (!bMatched[j] && a[i] == b[j])
                {
                    aMatched[i] = true;
                    bMatched[j] = true;
                    matches++;
                    break;
                }
            }
        }

        if (matches == 0)
        {
            return 0;
        }

        // Matched characters taken in order from each side; each pair out of step is half a transposition.
        var outOfStep = 0;
        var k = 0;
        for (var i = 0; i < a.Length; i++)
        {
            if (!aMatched[i])
            {
                continue;
            }

            while (!bMatched[k])
            {
                k++;
            }

            if (a[i] != b[k])
            {
                outOfStep++;
            }

            k++;
        }

        double m = matches;
        return ((m / a.Length) + (m / b.Length) + ((m - (outOfStep / 2)) / m)) / 3;
    }
}
