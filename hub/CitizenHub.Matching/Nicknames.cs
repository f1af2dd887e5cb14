using System.Collections.Frozen;
using System.Collections.ObjectModel;

namespace CitizenHub.Matching;

/// <summary>
/// Given names that one person is commonly recorded under interchangeably (<c>MARGARET</c>,
/// <c>PEGGY</c>, <c>MAGGIE</c>; <c>DAVID</c>, <c>DAFYDD</c>, <c>DAI</c>), so the scorer can count
/// them as agreeing. The groups are in the embedded <c>Nicknames.txt</c>, whose header says what
/// belongs together and why.
/// </summary>
/// <remarks>
/// Equivalence is sharing a group and is not transitive: <c>TERRY</c> is in the <c>TERENCE</c> group
/// and the <c>THERESA</c> group, but <c>TERENCE</c> and <c>THERESA</c> are not equivalent.
/// The table is read once, on first use, and is then shared by every thread; lookups do not allocate.
/// </remarks>
public static class Nicknames
{
    /// <summary>The manifest name the build gives <c>Nicknames.txt</c> (root namespace plus file name).</summary>
    public const string ResourceName = "CitizenHub.Matching.Nicknames.txt";

    private static readonly Lazy<Table> Loaded = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>How many groups the table holds.</summary>
    public static int GroupCount => Loaded.Value.Count;

    /// <summary>
    /// Whether two folded given-name keys (<see cref="Text.FoldKey"/>) name the same person's name:
    /// equal, or in a group together. A name missing from the table is equivalent only to itself.
    /// </summary>
    public static bool AreEquivalent(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return AreEquivalent(a.AsSpan(), b.AsSpan());
    }

    /// <inheritdoc cref="AreEquivalent(string, string)"/>
    public static bool AreEquivalent(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        if (a.SequenceEqual(b))
        {
            return true;
        }

        var groups = Loaded.Value.GroupsBySpan;
        if (!groups.TryGetValue(a, out var aGroups) || !groups.TryGetValue(b, out var bGroups))
        {
            return false;
        }

        // Both lists are sorted and short: walk them together.
        int i = 0, j = 0;
        while (i < aGroups.Count && j < bGroups.Count)
        {
            var difference = aGroups[i] - bGroups[j];
            if (difference == 0)
            {
                return true;
            }

            if (difference < 0)
            {
                i++;
            }
            else
            {
                j++;
            }
        }

        return false;
    }

    /// <summary>Whether the table holds a folded given-name key: a name known to be one, not a misspelling of another.</summary>
    public static bool IsKnown(ReadOnlySpan<char> key) => Loaded.Value.GroupsBySpan.ContainsKey(key);

    /// <summary>
    /// The numbers of the groups a folded key belongs to, ascending (numbered from 0 in file order);
    /// empty for a name the table does not hold. Useful as blocking keys.
    /// </summary>
    public static IReadOnlyList<int> Groups(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Loaded.Value.Groups.TryGetValue(key, out var groups) ? groups : [];
    }

    /// <summary>Every other name a folded key shares a group with (empty for a name the table does not hold).</summary>
    /// <remarks>Built once per name: the comparer asks for every pair of differing given names.</remarks>
    public static IReadOnlyList<string> Equivalents(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Equivalents(key.AsSpan());
    }

    /// <inheritdoc cref="Equivalents(string)"/>
    public static IReadOnlyList<string> Equivalents(ReadOnlySpan<char> key) =>
        Loaded.Value.EquivalentsBySpan.TryGetValue(key, out var names) ? names : [];

    /// <summary>Reads a table in the <c>Nicknames.txt</c> format; public so the format's rules can be tested directly.</summary>
    /// <exception cref="FormatException">A name is not upper-case A–Z. The message gives the line number, not the text.</exception>
    public static IReadOnlyDictionary<string, ReadOnlyCollection<int>> Parse(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var groups = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var groupNumber = 0;
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            var comment = line.IndexOf('#', StringComparison.Ordinal);
            var content = comment >= 0 ? line[..comment] : line;
            var names = content.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (names.Length == 0)
            {
                continue;
            }

            foreach (var name in names)
            {
                if (!name.All(char.IsAsciiLetterUpper))
                {
                    throw new FormatException($"Nickname table line {lineNumber}: names must be upper-case A-Z.");
                }

                if (!groups.TryGetValue(name, out var memberOf))
                {
                    groups[name] = memberOf = new List<int>(1);
                }

                // A name written twice on one line is still one membership.
                if (memberOf.Count == 0 || memberOf[^1] != groupNumber)
                {
                    memberOf.Add(groupNumber);
                }
            }

            groupNumber++;
        }

        return groups.ToDictionary(p => p.Key, p => p.Value.AsReadOnly(), StringComparer.Ordinal);
    }

    private static Table Load()
    {
        using var stream = typeof(Nicknames).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource {ResourceName} is missing from {typeof(Nicknames).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        var groups = Parse(reader);
        var count = groups.Values.SelectMany(g => g).DefaultIfEmpty(-1).Max() + 1;
        var members = new List<string>[count];
        foreach (var (name, memberOf) in groups)
        {
            foreach (var group in memberOf)
            {
                (members[group] ??= []).Add(name);
            }
        }

        var equivalents = groups.ToFrozenDictionary(
            g => g.Key,
            g => g.Value.SelectMany(group => members[group] ?? []).Where(n => n != g.Key).Distinct(StringComparer.Ordinal).ToArray(),
            StringComparer.Ordinal);
        return new Table(groups.ToFrozenDictionary(StringComparer.Ordinal), count, equivalents);
    }

    private sealed record Table(FrozenDictionary<string, ReadOnlyCollection<int>> Groups, int Count, FrozenDictionary<string, string[]> Equivalents)
    {
        // Looked up by span: the comparer reads a name packed into its record rather than the record's string.
        public FrozenDictionary<string, ReadOnlyCollection<int>>.AlternateLookup<ReadOnlySpan<char>> GroupsBySpan { get; } = Groups.GetAlternateLookup<ReadOnlySpan<char>>();

        public FrozenDictionary<string, string[]>.AlternateLookup<ReadOnlySpan<char>> EquivalentsBySpan { get; } = Equivalents.GetAlternateLookup<ReadOnlySpan<char>>();
    }
}
