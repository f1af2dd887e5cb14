using System.Collections.Frozen;

namespace CitizenHub.Matching;

/// <summary>A person's name split into its display parts, titles and suffixes taken out of the names.</summary>
public sealed record ParsedName(string? Title, string? GivenNames, string? FamilyName, string? Suffix);

/// <summary>
/// Reads names as councils' systems hold them: a title typed into the forename field
/// (<c>MRS MARGARET</c>), a suffix typed onto the surname (<c>Hughes Jnr</c>), the same family name
/// written <c>MacDonald</c> in one system and <c>McDonald</c> in another.
/// </summary>
public static class PersonNames
{
    // Folded spelling (full stops gone) to the form shown. Revd and Rev are both current British styles, so both stay.
    private static readonly FrozenDictionary<string, string> Titles = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["MR"] = "Mr",
        ["MISTER"] = "Mr",
        ["MRS"] = "Mrs",
        ["MS"] = "Ms",
        ["MISS"] = "Miss",
        ["MX"] = "Mx",
        ["MASTER"] = "Master",
        ["DR"] = "Dr",
        ["DOCTOR"] = "Dr",
        ["REV"] = "Rev",
        ["REVEREND"] = "Rev",
        ["REVD"] = "Revd",
        ["FR"] = "Fr",
        ["SIR"] = "Sir",
        ["DAME"] = "Dame",
        ["LORD"] = "Lord",
        ["LADY"] = "Lady",
        ["PROF"] = "Prof",
        ["PROFESSOR"] = "Prof",
        ["CAPT"] = "Capt",
        ["CAPTAIN"] = "Capt",
        ["MAJ"] = "Maj",
        ["MAJOR"] = "Maj",
        ["COL"] = "Col",
        ["LT"] = "Lt",
        ["SGT"] = "Sgt",
        ["CLLR"] = "Cllr",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, string> Suffixes = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["JR"] = "Jr",
        ["JNR"] = "Jr",
        ["JUNIOR"] = "Jr",
        ["SR"] = "Sr",
        ["SNR"] = "Sr",
        ["SENIOR"] = "Sr",
        ["II"] = "II",
        ["III"] = "III",
        ["IV"] = "IV",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    // Words that belong to the word after them: de la Cruz, van der Berg, O Brien, Mac Donald, Ní Bhriain, ap Rhys, St John.
    private static readonly FrozenSet<string> Particles = new[]
    {
        "DE", "DA", "DI", "DU", "DEL", "DELLA", "DER", "DEN", "DOS", "DAS", "LA", "LE",
        "VAN", "VON", "TEN", "TER", "ST", "O", "MAC", "MC", "NI", "NIC", "UI", "AP", "AB", "AL", "EL",
    }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly char[] FamilySeparators = [' ', '-', '\u2010', '\u2011', '\u2013', '\u2014'];

    /// <summary>
    /// The name's display parts. A title at the start of the given names moves to <see cref="ParsedName.Title"/>
    /// when the source gave none; a generational suffix at the end of the family or given names moves to
    /// <see cref="ParsedName.Suffix"/> (<c>Jr</c>, <c>Sr</c>, <c>II</c>, <c>III</c>, <c>IV</c>), as does the
    /// source's own suffix field in the same canonical form. A name is never emptied to make a suffix.
    /// </summary>
    public static ParsedName Parse(string? title, string? givenNames, string? familyName, string? suffix)
    {
        var canonicalTitle = CanonicalTitle(title);
        var canonicalSuffix = Text.Tidy(suffix) is { } suffixText
            ? Suffixes.GetValueOrDefault(Text.FoldKey(suffixText) ?? "", suffixText)
            : null;

        var given = Words(givenNames);
        var titles = new List<string>();
        while (given.Count > 0 && Text.FoldKey(given[0]) is { } word && Titles.TryGetValue(word, out var found)
            && (canonicalTitle is null || canonicalTitle == found))
        {
            // Only a title the source did not already give, or the same one typed twice; a different
            // title in the forename field is left for a person to read.
            if (canonicalTitle is null)
            {
                titles.Add(found);
            }

            given.RemoveAt(0);
        }

        canonicalTitle ??= titles.Count > 0 ? string.Join(' ', titles) : null;

        var family = Words(familyName);
        canonicalSuffix = TakeSuffix(family, canonicalSuffix);
        canonicalSuffix = TakeSuffix(given, canonicalSuffix);

        return new ParsedName(
            canonicalTitle,
            Text.NameCase(string.Join(' ', given)),
            Text.NameCase(string.Join(' ', family)),
            canonicalSuffix);
    }

    /// <summary>
    /// The family name as compared: folded (<see cref="Text.FoldKey"/>), every part kept
    /// (<c>Smith-Jones</c> → <c>SMITHJONES</c>, <c>O'Brien</c> → <c>OBRIEN</c>), and a <c>Mac</c> prefix
    /// written <c>Mc</c> so <c>MacDonald</c> and <c>McDonald</c> agree. <c>Mac</c> is folded only when at
    /// least four letters follow it, so <c>Mack</c>, <c>Mace</c> and <c>Macon</c> keep their own keys.
    /// </summary>
    public static string? FamilyKey(string? familyName)
    {
        var parts = FamilyParts(familyName);
        return parts.Count == 0 ? null : string.Concat(parts);
    }

    /// <summary>
    /// The family name's parts as compared, so a double-barrelled name can agree with one of its halves:
    /// <c>Smith-Jones</c> → <c>[SMITH, JONES]</c>. A particle joins the word after it rather than standing
    /// alone, because on its own it says nothing about the family: <c>de la Cruz</c> → <c>[DELACRUZ]</c>,
    /// <c>van der Berg</c> → <c>[VANDERBERG]</c>, <c>O Brien</c> → <c>[OBRIEN]</c> (as <c>O'Brien</c>),
    /// <c>Mac Donald</c> → <c>[MCDONALD]</c>. Particles: de, da, di, du, del, della, der, den, dos, das,
    /// la, le, van, von, ten, ter, St, O (Ó), Mac, Mc, Ní, Nic, Uí, ap, ab, al, el.
    /// </summary>
    public static IReadOnlyList<string> FamilyParts(string? familyName)
    {
        if (string.IsNullOrWhiteSpace(familyName))
        {
            return [];
        }

        var parts = new List<string>(2);
        var pending = "";
        foreach (var word in familyName.Split(FamilySeparators, StringSplitOptions.RemoveEmptyEntries))
        {
            if (Text.FoldKey(word) is not { } key)
            {
                continue;
            }

            if (Particles.Contains(key))
            {
                pending += key;
                continue;
            }

            parts.Add(FoldMac(pending + key));
            pending = "";
        }

        if (pending.Length > 0)
        {
            // A particle with nothing after it (a family name that is only "Le") is the name itself.
            parts.Add(FoldMac(pending));
        }

        return parts;
    }

    private static string FoldMac(string key) =>
        key.StartsWith("MAC", StringComparison.Ordinal) && key.Length - 3 >= 4 ? string.Concat("MC", key.AsSpan(3)) : key;

    private static string? CanonicalTitle(string? title)
    {
        var tidy = Text.Tidy(title);
        if (tidy is null)
        {
            return null;
        }

        return Text.FoldKey(tidy) is { } key && Titles.TryGetValue(key, out var known)
            ? known
            : Text.NameCase(tidy)?.TrimEnd('.');
    }

    /// <summary>Removes a suffix word from the end of the name, when the name has another word to keep.</summary>
    private static string? TakeSuffix(List<string> words, string? suffix)
    {
        if (words.Count < 2 || Text.FoldKey(words[^1]) is not { } key || !Suffixes.TryGetValue(key, out var found))
        {
            return suffix;
        }

        words.RemoveAt(words.Count - 1);
        words[^1] = words[^1].TrimEnd(',');
        return suffix ?? found;
    }

    private static List<string> Words(string? value) =>
        Text.Tidy(value) is { } tidy ? [.. tidy.Split(' ').Select(w => w.Trim(',')).Where(w => w.Length > 0)] : [];
}
