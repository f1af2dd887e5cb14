using CitizenHub.Contracts;

namespace CitizenHub.Matching.Scoring;

/// <summary>
/// The values <see cref="PairComparer"/> reads first, packed into the record itself (<see cref="NormalisedRecord"/>
/// keeps it up to date as each property is set), so that comparing two records mostly reads two objects rather than
/// a dozen strings and lists each a pointer away.
/// </summary>
/// <remarks>
/// Linking against a million golden records was bound by memory latency, not by work: a candidate pair's strings are
/// scattered across a heap of gigabytes and each was a cache miss. Everything here is exact (<see cref="PackedKey"/>);
/// where a value doesn't pack, or a rarer comparison needs more (middle names, previous family names, a street with no
/// postcode), the comparer reads the record's own properties.
/// </remarks>
internal struct ComparisonProfile
{
    public ulong Given;
    public ulong Family;
    public ulong FamilyPhonetic;
    public ulong Postcode;
    public ulong Uprn;
    public ulong Flat;
    public ulong House;
    public ulong Building;
    public ulong Ni;
    public ulong Nhs;

    /// <summary>One bit per e-mail address (by its hash): two records whose bits don't meet share none.</summary>
    public ulong EmailBits;

    /// <summary>One bit per phone number, as <see cref="EmailBits"/>.</summary>
    public ulong PhoneBits;

    /// <summary>One bit per identifier of a named scheme, as <see cref="EmailBits"/>.</summary>
    public ulong SchemeIdentifierBits;

    /// <summary>The date of birth as year, month and day in one number (0 when unknown); see <see cref="PackDate"/>.</summary>
    public int DateOfBirth;

    /// <summary>
    /// The days (<see cref="DateOnly.DayNumber"/>) the person can have been born between, both included, by what the
    /// source says of everyone's age (see <see cref="HasBirthWindow"/>): 0 when open (day 0 is 1 January of year 1).
    /// </summary>
    public int BornFrom;

    /// <inheritdoc cref="BornFrom"/>
    public int BornTo;

    /// <summary><see cref="BornTo"/>, or <see cref="int.MaxValue"/> when the window is open at that end.</summary>
    public readonly int LatestBirthDay => BornTo == 0 ? int.MaxValue : BornTo;

    /// <summary>The source says something of the age of everyone it holds, so <see cref="BornFrom"/> or <see cref="BornTo"/> is set.</summary>
    public bool HasBirthWindow;

    /// <summary>The source system's hash: equal for one source (the strings decide when the hashes agree).</summary>
    public int SourceHash;

    public bool HasAddress;
    public bool HasSuffix;
    public byte OutwardLength;
    public byte GivenNameCount;
    public byte PreviousFamilyCount;
    public byte EmailCount;
    public byte PhoneCount;
    public byte SchemeIdentifierCount;

    public void SetAddress(NormalisedAddress? address)
    {
        HasAddress = address is not null;
        Postcode = PackedKey.Of(address?.Postcode);
        var space = address?.Postcode?.IndexOf(' ', StringComparison.Ordinal) ?? -1;
        OutwardLength = (byte)(space >= 0 ? space : address?.Postcode?.Length ?? 0);
        Uprn = PackedKey.Of(address?.Uprn);
        Flat = PackedKey.Of(address?.Flat);
        House = PackedKey.Of(address?.HouseNumber);
        Building = PackedKey.Of(address?.BuildingKey);
    }

    /// <summary>Year, month and day in one number: <c>year &lt;&lt; 9 | month &lt;&lt; 5 | day</c>, a missing part 0.</summary>
    public static int PackDate(PartialDate? date) =>
        date is null ? 0 : (date.Year << 9) | ((date.Month ?? 0) << 5) | (date.Day ?? 0);

    /// <summary>
    /// The first and last day (<see cref="DateOnly.DayNumber"/>) a packed date of birth can be: the day itself, or every
    /// day of its month or year when that is all it has. The date must be a real one (non-zero, as the normaliser checks).
    /// </summary>
    public static (int Earliest, int Latest) Days(int packedDate)
    {
        int year = packedDate >> 9, month = (packedDate >> 5) & 0xF, day = packedDate & 0x1F;
        var earliest = new DateOnly(year, month == 0 ? 1 : month, day == 0 ? 1 : day).DayNumber;
        var latest = month == 0 ? new DateOnly(year, 12, 31).DayNumber
            : day == 0 ? new DateOnly(year, month, DateTime.DaysInMonth(year, month)).DayNumber
            : earliest;
        return (earliest, latest);
    }

    public static ulong Bits(IReadOnlyList<string> values)
    {
        var bits = 0UL;
        foreach (var value in values)
        {
            bits |= 1UL << (StringComparer.Ordinal.GetHashCode(value) & 63);
        }

        return bits;
    }

    public static byte Count(IReadOnlyList<string> values) => (byte)Math.Min(values.Count, byte.MaxValue);
}
