using CitizenHub.Matching;
using CitizenHub.Matching.Identity;
using CitizenHub.Store;

namespace CitizenHub.Api.Reporting;

/// <summary>
/// Reads the figures of a <see cref="HubReport"/> from the store. Records and links are streamed and only counters kept,
/// so a million records cost a few dictionaries, not a million objects.
/// </summary>
public sealed class HubReportBuilder(ICitizenReadModel store, TimeProvider time)
{
    /// <summary>How many of each system's latest runs the trends show.</summary>
    public const int RunsPerSource = 10;

    /// <summary>How many days of look-ups the report counts, today included.</summary>
    public const int UsageDays = 28;

    /// <summary>The most purposes listed by name; the rest are counted together.</summary>
    public const int PurposesShown = 8;

    public const string OtherPurposes = "Other purposes";

    public const string NoPurpose = "none given";

    /// <summary>Audit actions that read one resident's data: their record, its history, why a record is linked, an export, one system's record.</summary>
    public static readonly IReadOnlySet<string> LookUpActions = new HashSet<string>(StringComparer.Ordinal) { "read", "history", "explanation", "export", "source-record" };

    private const int PageSize = 1000;

    /// <summary>The change feed holds a row for every record ever applied (a million after a first load): read it in larger pages.</summary>
    private const int ChangePageSize = 10_000;

    public async Task<HubReport> BuildAsync(CancellationToken cancellationToken)
    {
        var asAt = time.GetUtcNow();
        var statuses = await store.GetSourcesAsync(cancellationToken).ConfigureAwait(false);
        var quality = await CountRecordsAsync(cancellationToken).ConfigureAwait(false);
        var links = await CountLinksAsync(cancellationToken).ConfigureAwait(false);
        var names = statuses.Select(s => s.SourceSystem).Union(quality.Keys).Order(StringComparer.Ordinal).ToList();
        var sources = names.Select(name =>
        {
            var counted = quality.GetValueOrDefault(name) ?? new RecordCounters();
            var linked = links.Sources.GetValueOrDefault(name) ?? new LinkCounters();
            return new SourceQuality(
                name, counted.Records, counted.Present, counted.Invalid, linked.Duplicates, linked.ResidentsWithDuplicates, linked.Elsewhere);
        }).ToList();

        var trends = new List<SourceTrend>();
        foreach (var name in names)
        {
            var runs = await store.GetRunHistoryAsync(name, RunsPerSource, cancellationToken).ConfigureAwait(false);
            trends.Add(new SourceTrend(name, [.. runs.Where(r => r.StartedAt is not null).Reverse().Select(Point)]));
        }

        return new HubReport(
            asAt,
            sources,
            new SourceOverlap(links.Residents, links.BySourceCount, [.. links.Pairs.OrderBy(p => p.Key.A, StringComparer.Ordinal).ThenBy(p => p.Key.B, StringComparer.Ordinal)
                .Select(p => new SourcePair(p.Key.A, p.Key.B, p.Value))]),
            await CountReviewsAsync(asAt, cancellationToken).ConfigureAwait(false),
            await CountMergesAndSplitsAsync(cancellationToken).ConfigureAwait(false),
            trends,
            await CountLookUpsAsync(asAt, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Which kind of value a line of <see cref="NormalisedRecord.Problems"/> is about (the normaliser's and the mapper's wording).</summary>
    public static string ProblemKind(string problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        // The mapper names the source's own field: "field 'dob' is not a date in the format …"; it maps only dates of birth.
        if (problem.StartsWith("field '", StringComparison.Ordinal) && problem.Contains("is not a date", StringComparison.Ordinal))
        {
            return ReportFields.DateOfBirth;
        }

        var colon = problem.IndexOf(':', StringComparison.Ordinal);
        var what = colon < 0 ? "" : problem[..colon];
        return ReportFields.InvalidKinds.FirstOrDefault(kind => string.Equals(kind, what, StringComparison.OrdinalIgnoreCase)) ?? ReportFields.Other;
    }

    private static RunPoint Point(SyncRunRecord run)
    {
        // Linked counts only records added or changed (a removal links nothing), so those are the base of the rate.
        var changed = run.Tally.Added + run.Tally.Updated;
        var ended = new[] { run.CompletedAt, run.LastAppliedAt }.Max();
        return new RunPoint(
            run.StartedAt!.Value,
            run.Status,
            run.Records,
            run.Rejects,
            changed == 0 ? null : (double)run.Tally.Linked / changed,
            ended is { } end ? end - run.StartedAt.Value : null);
    }

    private async Task<Dictionary<string, RecordCounters>> CountRecordsAsync(CancellationToken cancellationToken)
    {
        var counters = new Dictionary<string, RecordCounters>(StringComparer.Ordinal);
        await foreach (var record in store.ReadNormalisedRecordsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!counters.TryGetValue(record.SourceSystem, out var source))
            {
                counters[record.SourceSystem] = source = new RecordCounters();
            }

            source.Count(record);
        }

        return counters;
    }

    private async Task<LinkTally> CountLinksAsync(CancellationToken cancellationToken)
    {
        var tally = new LinkTally();
        // Links come ordered by citizen: one resident's records are together, and only theirs are held at a time.
        string? citizen = null;
        var held = new Dictionary<string, int>(StringComparer.Ordinal);
        await foreach (var link in store.ReadLinksAsync(cancellationToken).ConfigureAwait(false))
        {
            if (link.CitizenId != citizen)
            {
                tally.Add(held);
                held.Clear();
                citizen = link.CitizenId;
            }

            held[link.SourceSystem] = held.GetValueOrDefault(link.SourceSystem) + 1;
        }

        tally.Add(held);
        return tally;
    }

    private async Task<ReviewBacklog> CountReviewsAsync(DateTimeOffset asAt, CancellationToken cancellationToken)
    {
        var byAge = new long[ReviewBacklog.Ages.Count];
        DateTimeOffset? oldest = null;
        long open = 0;
        long? after = null;
        while (true)
        {
            var page = await store.GetReviewsAsync(new ReviewQuery(ReviewStatus.Open, PageSize) { After = after }, cancellationToken).ConfigureAwait(false);
            foreach (var review in page)
            {
                var age = asAt - review.CreatedAt;
                byAge[age < TimeSpan.FromDays(1) ? 0 : age < TimeSpan.FromDays(7) ? 1 : age < TimeSpan.FromDays(28) ? 2 : 3]++;
                oldest = oldest is { } o && o <= review.CreatedAt ? o : review.CreatedAt;
                open++;
            }

            if (page.Count < PageSize)
            {
                return new ReviewBacklog(open, byAge, oldest);
            }

            after = page[^1].ReviewId;
        }
    }

    private async Task<ChangeTimeline> CountMergesAndSplitsAsync(CancellationToken cancellationToken)
    {
        var perDay = new SortedDictionary<DateOnly, (long Merges, long Splits)>();
        long after = 0;
        while (true)
        {
            // Restricted residents count too: a count says nothing about anyone.
            var page = await store.GetChangesAsync(after, ChangePageSize, includeRestricted: true, [], cancellationToken).ConfigureAwait(false);
            foreach (var change in page.Where(c => c.Kind is FeedEvents.Merged or FeedEvents.Split))
            {
                var day = DateOnly.FromDateTime(change.At.UtcDateTime);
                var (merges, splits) = perDay.GetValueOrDefault(day);
                perDay[day] = change.Kind == FeedEvents.Merged ? (merges + 1, splits) : (merges, splits + 1);
            }

            if (page.Count < ChangePageSize)
            {
                break;
            }

            after = page[^1].Sequence;
        }

        if (perDay.Count == 0)
        {
            return new ChangeTimeline(false, []);
        }

        // More than a month of days is too many bars to read: then a bar a week.
        var first = perDay.Keys.First();
        var last = perDay.Keys.Last();
        var weekly = last.DayNumber - first.DayNumber >= 31;
        var start = weekly ? first.AddDays(-(((int)first.DayOfWeek + 6) % 7)) : first;
        var step = weekly ? 7 : 1;
        var periods = new List<ChangePeriod>();
        for (var period = start; period <= last; period = period.AddDays(step))
        {
            var end = period.AddDays(step);
            var within = perDay.Where(d => d.Key >= period && d.Key < end).ToList();
            periods.Add(new ChangePeriod(period, within.Sum(d => d.Value.Merges), within.Sum(d => d.Value.Splits)));
        }

        return new ChangeTimeline(weekly, periods);
    }

    private async Task<ResidentLookUps> CountLookUpsAsync(DateTimeOffset asAt, CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(asAt.UtcDateTime);
        var firstDay = today.AddDays(1 - UsageDays);
        var perDay = new Dictionary<DateOnly, Dictionary<string, long>>();
        var byPurpose = new Dictionary<string, long>(StringComparer.Ordinal);
        var query = new AuditQuery(PageSize) { From = new DateTimeOffset(firstDay.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) };
        while (true)
        {
            var page = await store.QueryAuditAsync(query, cancellationToken).ConfigureAwait(false);
            foreach (var entry in page.Entries.Where(e => e.CitizenId is not null && LookUpActions.Contains(e.Action)))
            {
                var day = DateOnly.FromDateTime(entry.At.UtcDateTime);
                if (!perDay.TryGetValue(day, out var roles))
                {
                    perDay[day] = roles = new Dictionary<string, long>(StringComparer.Ordinal);
                }

                roles[entry.Roles] = roles.GetValueOrDefault(entry.Roles) + 1;
                var purpose = PurposeHeading(entry.Purpose);
                byPurpose[purpose] = byPurpose.GetValueOrDefault(purpose) + 1;
            }

            if (page.Next is not { } next)
            {
                break;
            }

            query = query with { After = next };
        }

        var days = Enumerable.Range(0, UsageDays).Select(i => firstDay.AddDays(i))
            .Select(day => new DayLookUps(day, perDay.GetValueOrDefault(day) ?? new Dictionary<string, long>(StringComparer.Ordinal)))
            .ToList();
        var ranked = byPurpose.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).ToList();
        var purposes = ranked.Count <= PurposesShown
            ? ranked
            : [.. ranked.Take(PurposesShown - 1), new KeyValuePair<string, long>(OtherPurposes, ranked.Skip(PurposesShown - 1).Sum(p => p.Value))];
        return new ResidentLookUps(UsageDays, days, purposes);
    }

    /// <summary>
    /// The purpose's words before any colon (<c>council tax enquiry: call 1234</c> → <c>council tax enquiry</c>): the
    /// heading is the kind of enquiry, what follows is a reference to one, which a count by purpose does not need.
    /// </summary>
    public static string PurposeHeading(string? purpose)
    {
        var heading = purpose?.Split(':', 2)[0].Trim().ToLowerInvariant();
        return string.IsNullOrEmpty(heading) ? NoPurpose : heading.Length > 60 ? heading[..60] : heading;
    }

    private sealed class RecordCounters
    {
        public long Records { get; private set; }

        public Dictionary<string, long> Present { get; } = ReportFields.All.ToDictionary(f => f, _ => 0L, StringComparer.Ordinal);

        public Dictionary<string, long> Invalid { get; } = ReportFields.InvalidKinds.ToDictionary(f => f, _ => 0L, StringComparer.Ordinal);

        public void Count(NormalisedRecord record)
        {
            Records++;
            Tick(ReportFields.Name, record.GivenKey is not null && record.FamilyKey is not null);
            Tick(ReportFields.DateOfBirth, record.DateOfBirth is not null);
            Tick(ReportFields.Postcode, record.Address?.Postcode is not null);
            Tick(ReportFields.NiNumber, record.NiNumber is not null);
            Tick(ReportFields.NhsNumber, record.NhsNumber is not null);
            Tick(ReportFields.Uprn, record.Address?.Uprn is not null);
            Tick(ReportFields.Email, record.Emails.Count > 0);
            Tick(ReportFields.Phone, record.Phones.Count > 0);
            // A record with two bad phone numbers is one record with an invalid phone.
            foreach (var kind in record.Problems.Select(ProblemKind).Distinct(StringComparer.Ordinal))
            {
                Invalid[kind]++;
            }
        }

        private void Tick(string field, bool present)
        {
            if (present)
            {
                Present[field]++;
            }
        }
    }

    private sealed class LinkCounters
    {
        public long Duplicates { get; set; }

        public long ResidentsWithDuplicates { get; set; }

        public long Elsewhere { get; set; }
    }

    private sealed class LinkTally
    {
        public long Residents { get; private set; }

        public long[] BySourceCount { get; } = new long[4];

        public Dictionary<string, LinkCounters> Sources { get; } = new(StringComparer.Ordinal);

        public Dictionary<(string A, string B), long> Pairs { get; } = [];

        /// <summary>Counts one resident: how many records each system holds for them.</summary>
        public void Add(Dictionary<string, int> held)
        {
            if (held.Count == 0)
            {
                return;
            }

            Residents++;
            BySourceCount[Math.Min(held.Count, 4) - 1]++;
            foreach (var (source, records) in held)
            {
                if (!Sources.TryGetValue(source, out var counters))
                {
                    Sources[source] = counters = new LinkCounters();
                }

                counters.Duplicates += records - 1;
                counters.ResidentsWithDuplicates += records > 1 ? 1 : 0;
                counters.Elsewhere += held.Count > 1 ? records : 0;
            }

            var names = held.Keys.Order(StringComparer.Ordinal).ToList();
            for (var i = 0; i < names.Count; i++)
            {
                for (var j = i + 1; j < names.Count; j++)
                {
                    Pairs[(names[i], names[j])] = Pairs.GetValueOrDefault((names[i], names[j])) + 1;
                }
            }
        }
    }
}
