using CitizenHub.Contracts;
using CitizenHub.Matching;
using CitizenHub.Store;

namespace CitizenHub.Api.Access;

/// <summary>
/// Which sources a caller may know of. A source can be sensitive as a whole (a social-care system: that a person has
/// a record there is itself special-category data); a caller whose roles are not granted its class sees nothing of
/// it — not its records, its name, a link, a history entry, a change or a search hit — and a golden value that only
/// it gave is absent (the golden record is built again from the records the caller may see).
/// </summary>
/// <param name="classBySource">The class of each sensitive source; a source not named is <see cref="SourceAttribute.General"/>.</param>
/// <param name="survivorship">The survivorship ranks the hub builds golden records with, to build the visible one alike.</param>
public sealed class SourceVisibility(IReadOnlyDictionary<string, string> classBySource, SurvivorshipRanks survivorship)
{
    /// <summary>Every source general: nothing is hidden for being from a source.</summary>
    public static SourceVisibility AllGeneral { get; } = new(new Dictionary<string, string>(StringComparer.Ordinal), SurvivorshipRanks.None);

    /// <summary>
    /// The named identifier schemes each source's mapping gives (<c>council-tax-account</c>), that a search can find a
    /// resident by. <value>The default is none.</value>
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> SchemesBySource { get; init; } = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);

    /// <summary>The named schemes of the sources a caller may know of, in order: a scheme only hidden sources use finds them nothing.</summary>
    public IReadOnlyList<string> SchemesVisible(IReadOnlySet<string> hidden)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        return [.. SchemesBySource.Where(s => !hidden.Contains(s.Key)).SelectMany(s => s.Value).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    /// <summary>The sources a caller granted these classes may not know of.</summary>
    public IReadOnlySet<string> HiddenFrom(IReadOnlySet<string> grantedClasses)
    {
        ArgumentNullException.ThrowIfNull(grantedClasses);
        return classBySource.Where(s => !grantedClasses.Contains(s.Value)).Select(s => s.Key).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>
    /// The citizen as a caller who may not know of <paramref name="hidden"/> sources sees it: without their records, with
    /// its golden record built from the rest; null when every record it holds is from a hidden source (it is not there
    /// for that caller). A citizen holding no records (merged, removed, erased) is passed on as it is.
    /// </summary>
    public CitizenView? Visible(CitizenView view, IReadOnlySet<string> hidden)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(hidden);
        if (hidden.Count == 0 || !view.SourceRecords.Any(r => hidden.Contains(r.SourceSystem)))
        {
            return view;
        }

        var records = view.SourceRecords.Where(r => !hidden.Contains(r.SourceSystem)).ToList();
        if (records.Count == 0)
        {
            return null;
        }

        return view with { SourceRecords = records, Fields = Rebuilt(view.Fields, records.Select(r => r.Record), hidden) };
    }

    /// <summary>A search hit as such a caller sees it; null when it was found through hidden sources only.</summary>
    public CitizenSummary? Visible(CitizenSummary summary, IReadOnlySet<string> hidden)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(hidden);
        var held = summary.Records ?? [];
        if (hidden.Count == 0 || !held.Any(r => hidden.Contains(r.SourceSystem)))
        {
            return summary;
        }

        var records = held.Where(r => !hidden.Contains(r.SourceSystem)).ToList();
        if (records.Count == 0)
        {
            return null;
        }

        var fields = summary.Fields.Any(f => hidden.Contains(f.SourceSystem)) ? GoldenRecordBuilder.Build(records, survivorship) : summary.Fields;
        return summary with { Records = records, Fields = fields };
    }

    private IReadOnlyList<GoldenField> Rebuilt(IReadOnlyList<GoldenField> fields, IEnumerable<SourceRecord> visible, IReadOnlySet<string> hidden) =>
        fields.Any(f => hidden.Contains(f.SourceSystem))
            ? GoldenRecordBuilder.Build([.. visible.Select(RecordNormaliser.Normalise)], survivorship)
            : fields;
}
