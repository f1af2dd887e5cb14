namespace CitizenHub.Matching;

/// <summary>
/// The deterministic linkage rule: two records are one person when they share a valid NHS number,
/// a valid NI number, or the same family name, first given name and whole date of birth.
/// </summary>
/// <remarks>
/// A false merge shows one person's data to another, so a name-and-birth-date agreement is vetoed
/// when both sides hold a valid identifier of the same kind and the identifiers differ.
/// </remarks>
public static class DeterministicMatcher
{
    /// <summary>The keys under which a record can be found by the records it matches.</summary>
    public static IReadOnlyList<string> MatchKeys(NormalisedRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var keys = new List<string>(3);
        if (record.NhsNumber is { } nhs)
        {
            keys.Add("nhs:" + nhs);
        }

        if (record.NiNumber is { } ni)
        {
            keys.Add("ni:" + ni);
        }

        if (NameKey(record) is { } name)
        {
            keys.Add(name);
        }

        return keys;
    }

    /// <summary>
    /// Which of the candidate citizens (found through shared match keys) the record belongs to.
    /// Candidates must be given oldest first: when the record joins several, the oldest survives.
    /// </summary>
    public static MatchDecision Decide(NormalisedRecord record, IReadOnlyList<CandidateCitizen> candidates)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(candidates);
        var matched = candidates.Where(c => BelongsTo(record, c.Records)).Select(c => c.CitizenId).ToList();
        return matched.Count switch
        {
            0 => MatchDecision.New,
            1 => MatchDecision.LinkTo(matched[0]),
            _ => MatchDecision.MergeInto(matched[0], matched.Skip(1).ToList()),
        };
    }

    /// <summary>Whether two records satisfy the rule.</summary>
    public static bool SamePerson(NormalisedRecord a, NormalisedRecord b)
    {
        ArgumentNullException.ThrowIfNull(b);
        return BelongsTo(a, [b]);
    }

    /// <summary>
    /// Whether a record is the person the linked records describe: an identifier agrees with one of them,
    /// or the name key does and none of them holds a different identifier of a kind the record has.
    /// </summary>
    public static bool BelongsTo(NormalisedRecord record, IReadOnlyCollection<NormalisedRecord> linked)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(linked);
        if (linked.Any(other => Agree(record.NhsNumber, other.NhsNumber) || Agree(record.NiNumber, other.NiNumber)))
        {
            return true;
        }

        return NameKey(record) is { } key
            && linked.Any(other => NameKey(other) == key)
            && !linked.Any(other => Conflict(record.NhsNumber, other.NhsNumber) || Conflict(record.NiNumber, other.NiNumber));
    }

    private static string? NameKey(NormalisedRecord r) =>
        r is { FamilyKey: { } family, GivenKey: { } given, DateOfBirthKey: { } dob } ? $"name:{family}|{given}|{dob}" : null;

    private static bool Agree(string? a, string? b) => a is not null && a == b;

    private static bool Conflict(string? a, string? b) => a is not null && b is not null && a != b;
}

/// <summary>A golden record that shares a match key with an incoming record, with the records linked to it.</summary>
public sealed record CandidateCitizen(string CitizenId, IReadOnlyList<NormalisedRecord> Records);

/// <summary>The outcome of matching one record: a new citizen, a link to one, or a merge of several.</summary>
/// <param name="CitizenId">The citizen the record belongs to; null for a new one.</param>
/// <param name="Absorbed">Citizens the record showed to be the same person as <paramref name="CitizenId"/>.</param>
public sealed record MatchDecision(string? CitizenId, IReadOnlyList<string> Absorbed)
{
    public static MatchDecision New { get; } = new(null, []);

    public static MatchDecision LinkTo(string citizenId) => new(citizenId, []);

    public static MatchDecision MergeInto(string survivor, IReadOnlyList<string> absorbed) => new(survivor, absorbed);
}
