namespace CitizenHub.Bench;

/// <summary>What one night changed in one source record.</summary>
public enum DeltaChangeKind
{
    /// <summary>The person moved to a new home in the area and this source heard first: its address lines, town, postcode and UPRN change.</summary>
    Moved,

    /// <summary>A new phone number, in a source that writes phones, of a record that had one.</summary>
    Phone,

    /// <summary>A new e-mail address, in a source that writes e-mails, of a record that had one.</summary>
    Email,

    /// <summary>A name put right: a record with a slip in its name (a typo, a nickname, names swapped or in one case, a maiden name) now holds the person's name.</summary>
    NameCorrected,

    /// <summary>A record of a new resident, under a key the source has not used before.</summary>
    Added,

    /// <summary>A record of a person who left the area: the extract no longer has it.</summary>
    Removed,
}

/// <summary>One change of a nightly delta: what happened to which source record.</summary>
public readonly record struct DeltaChange(DeltaChangeKind Kind, RecordRef Record);

/// <summary>
/// A population, and the same population one night later: the council systems' full extracts with a few records
/// changed, added and removed (see <see cref="Mix"/>), and the truth kept: a changed record is still its person's,
/// a new record is a new resident's, a removed one is gone from the truth too.
/// </summary>
/// <param name="Before">The population as first generated, the same as <see cref="LabelledPopulation.Generate"/> gives for its options.</param>
/// <param name="After">The population after the night: the records in each source's order, new ones last.</param>
/// <param name="Changes">Every record changed, added or removed, each once.</param>
public sealed record NightlyDelta(LabelledPopulation Before, LabelledPopulation After, IReadOnlyList<DeltaChange> Changes)
{
    /// <summary>
    /// A night's changes, as shares of them: most are contact details (45% moved home, 10% a new phone, 10% a new
    /// e-mail), 10% names put right, 15% new residents' records, 10% records of people who left the area (every
    /// record of each, until the share is reached). Where too few records can take a kind of change (no phone left
    /// to hand out, too few records with a slip in their name), the rest of that share moves home instead.
    /// </summary>
    public static IReadOnlyList<(DeltaChangeKind Kind, double Share)> Mix { get; } =
    [
        (DeltaChangeKind.Moved, 0.45),
        (DeltaChangeKind.Phone, 0.10),
        (DeltaChangeKind.Email, 0.10),
        (DeltaChangeKind.NameCorrected, 0.10),
        (DeltaChangeKind.Added, 0.15),
        (DeltaChangeKind.Removed, 0.10),
    ];

    /// <summary>Records of the first population whose content changed (every kind but added and removed).</summary>
    public int Updated => Changes.Count(c => c.Kind is not (DeltaChangeKind.Added or DeltaChangeKind.Removed));

    public int Added => Count(DeltaChangeKind.Added);

    public int Removed => Count(DeltaChangeKind.Removed);

    /// <summary>Records of the first population the night left as they were.</summary>
    public int Unchanged => Before.Records.Count - Updated - Removed;

    public int Count(DeltaChangeKind kind) => Changes.Count(c => c.Kind == kind);

    /// <summary>How many of <paramref name="changes"/> each kind gets: its share rounded down, the rest moving home.</summary>
    internal static Dictionary<DeltaChangeKind, int> Shares(int changes)
    {
        var counts = Mix.ToDictionary(m => m.Kind, m => (int)Math.Floor(changes * m.Share));
        counts[DeltaChangeKind.Moved] += changes - counts.Values.Sum();
        return counts;
    }
}
