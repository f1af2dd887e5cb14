using System.Collections.Frozen;
using System.Text.RegularExpressions;

namespace CitizenHub.Matching;

/// <summary>The parts of a UK address's premises, as compared: flat, house number, building and street keys.</summary>
/// <param name="Flat">The flat, apartment, unit or room, upper case (<c>14A</c>); two flats of one building never agree.</param>
/// <param name="HouseNumber">The number on the street, upper case (<c>3</c>, <c>14A</c>, <c>7-9</c>).</param>
/// <param name="BuildingKey">The building's name folded (<c>ROSECOTTAGE</c>).</param>
/// <param name="StreetKey">The street folded, abbreviations written out (<c>HIGHSTREET</c> from <c>High St</c>).</param>
public sealed record PremisesParts(string? Flat, string? HouseNumber, string? BuildingKey, string? StreetKey);

/// <summary>
/// Reads the premises out of free-text UK address lines, so that two systems' spellings of one address
/// (<c>Flat 14A, 3 High St</c> and <c>Flat 14a 3 High Street</c>) compare part by part, and the flats of
/// one building (<c>Flat 14A</c>, <c>Flat 14C</c>) stay apart however alike their lines look.
/// </summary>
/// <remarks>
/// Lines are read as comma-separated segments, in order:
/// <list type="bullet">
/// <item><c>Flat</c>, <c>Apartment</c>, <c>Apt</c>, <c>Unit</c>, <c>Room</c>, <c>Suite</c> followed by an identifier give the flat
/// (<c>Ground Floor Flat</c> gives <c>GROUNDFLOOR</c>); the rest of that segment is read as below, and a name
/// straight after a flat is its building (<c>Flat 14c Weston Court</c>).</item>
/// <item>A segment starting with a number gives the house number (<c>14A</c>, <c>7-9</c>) and, after it, the street.
/// <c>N/M</c> (<c>2/3 Church Road</c>) is read as flat N at number M, the common English and Welsh usage.
/// (Scottish tenements also write floor/position this way; either way N/M is unique within the building.)</item>
/// <item>A segment without a number is the street when it ends in a street word (<c>Road</c>, <c>Lane</c>, …),
/// otherwise the building if none is known yet; later segments (localities) are ignored.</item>
/// </list>
/// </remarks>
public static partial class Premises
{
    private static readonly FrozenSet<string> FlatWords = new[] { "FLAT", "FLT", "APARTMENT", "APT", "UNIT", "ROOM", "SUITE" }
        .ToFrozenSet(StringComparer.Ordinal);

    // Written out wherever they follow the street's name; ST only as the last word, so ST JOHNS ROAD keeps its saint.
    private static readonly FrozenDictionary<string, string> StreetAbbreviations = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["RD"] = "ROAD",
        ["AVE"] = "AVENUE",
        ["AV"] = "AVENUE",
        ["LN"] = "LANE",
        ["CL"] = "CLOSE",
        ["DR"] = "DRIVE",
        ["CRES"] = "CRESCENT",
        ["CRESC"] = "CRESCENT",
        ["GDNS"] = "GARDENS",
        ["TCE"] = "TERRACE",
        ["TERR"] = "TERRACE",
        ["PL"] = "PLACE",
        ["SQ"] = "SQUARE",
        ["GRN"] = "GREEN",
        ["PDE"] = "PARADE",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    // COURT, HOUSE, LODGE and the like are left out: they name buildings as often as streets.
    private static readonly FrozenSet<string> StreetWords = new[]
    {
        "STREET", "ROAD", "LANE", "AVENUE", "CLOSE", "DRIVE", "CRESCENT", "WAY", "PLACE", "TERRACE",
        "GARDENS", "GROVE", "SQUARE", "HILL", "PARK", "GREEN", "ROW", "WALK", "VIEW", "RISE", "MEWS",
        "PARADE", "BOULEVARD", "WYND", "BRAE", "GATE",
    }.ToFrozenSet(StringComparer.Ordinal);

    [GeneratedRegex("^[0-9]+[A-Z]?(-[0-9]+[A-Z]?)?$", RegexOptions.IgnoreCase)]
    private static partial Regex HouseNumberPattern();

    [GeneratedRegex("^([0-9]+[A-Z]?)/([0-9]+[A-Z]?)$", RegexOptions.IgnoreCase)]
    private static partial Regex FlatSlashNumberPattern();

    /// <summary>The premises parts of an address's lines (without town or postcode); parts not found are null.</summary>
    public static PremisesParts Parse(IReadOnlyList<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        string? flat = null, house = null, building = null, street = null;
        var segments = lines.SelectMany(l => (l ?? "").Split(',')).Select(Text.Tidy).OfType<string>();
        foreach (var segment in segments)
        {
            var words = segment.Split(' ');
            var start = 0;
            if (words.Length > 1 && FlatWords.Contains(Text.FoldKey(words[0]) ?? ""))
            {
                start = 1;
                if (words.Length > 2 && Text.FoldKey(words[1]) == "NO")
                {
                    start = 2;
                }

                flat ??= Identifier(words[start]);
                start++;
            }
            else if (words.Length > 1 && Text.FoldKey(words[^1]) == "FLAT")
            {
                flat ??= Text.FoldKey(string.Concat(words[..^1]));
                continue;
            }

            var rest = words[start..];
            if (rest.Length == 0)
            {
                continue;
            }

            if (FlatSlashNumberPattern().Match(rest[0]) is { Success: true } slash)
            {
                flat ??= slash.Groups[1].Value.ToUpperInvariant();
                house ??= slash.Groups[2].Value.ToUpperInvariant();
                street ??= StreetKey(rest[1..]);
                continue;
            }

            if (HouseNumberPattern().IsMatch(rest[0]))
            {
                house ??= rest[0].ToUpperInvariant();
                street ??= StreetKey(rest[1..]);
                continue;
            }

            var followsFlat = start > 0 || (flat is not null && house is null);
            if (followsFlat && building is null && street is null)
            {
                building = Text.FoldKey(string.Concat(rest));
            }
            else if (street is null && (IsStreet(rest) || building is not null || house is not null))
            {
                street = StreetKey(rest);
            }
            else if (building is null && street is null)
            {
                building = Text.FoldKey(string.Concat(rest));
            }
        }

        return new PremisesParts(flat, house, building, street);
    }

    private static string? Identifier(string word)
    {
        var upper = word.Trim('.', ':', '#').ToUpperInvariant();
        return upper.Length == 0 ? null : upper;
    }

    private static bool IsStreet(string[] words) => StreetKeyWords(words).LastOrDefault() is { } last && StreetWords.Contains(last);

    private static string? StreetKey(string[] words)
    {
        var key = string.Concat(StreetKeyWords(words));
        return key.Length == 0 ? null : key;
    }

    private static IEnumerable<string> StreetKeyWords(string[] words)
    {
        var folded = words.Select(Text.FoldKey).OfType<string>().ToList();
        for (var i = 0; i < folded.Count; i++)
        {
            var word = folded[i];
            if (i == folded.Count - 1 && i > 0 && word == "ST")
            {
                yield return "STREET";
            }
            else if (i > 0 && StreetAbbreviations.TryGetValue(word, out var full))
            {
                yield return full;
            }
            else
            {
                yield return word;
            }
        }
    }
}
