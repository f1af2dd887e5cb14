using System.Diagnostics;
using CitizenHub.Bench.Linking;
using CitizenHub.Matching;
using CitizenHub.Matching.Linking;
using CitizenHub.Matching.Scoring;

namespace CitizenHub.Bench;

/// <summary>What the linking speed benchmark measured.</summary>
/// <param name="GoldenRecords">Golden records in the index before the timed records arrive.</param>
/// <param name="Linked">Records scored and linked in the timed run (after a fifth of those asked for, linked untimed to warm up).</param>
/// <param name="LinkSeconds">Wall time of the timed run: blocking, scoring, deciding and adding to the index.</param>
/// <param name="CandidateCitizens">Candidate citizens scored in the timed run (blocking's output).</param>
/// <param name="NormaliseSeconds">Time to normalise the timed records beforehand (not in <paramref name="LinkSeconds"/>).</param>
public sealed record LinkingSpeedReport(
    int GoldenRecords,
    int Linked,
    double LinkSeconds,
    long CandidateCitizens,
    long CandidatePairs,
    int NewCitizens,
    int Links,
    int Merges,
    double NormaliseSeconds,
    double IndexBuildSeconds,
    long PeakWorkingSetBytes,
    IReadOnlyList<(string Kind, int Keys, double MeanRecords, int LargestBlock)> Blocks,
    GcDuringRun Gc)
{
    public double RecordsPerSecond => Linked / LinkSeconds;
}

/// <summary>What the garbage collector did during a timed run, so its share of the time is read from the report rather than guessed.</summary>
/// <param name="PauseSeconds">Time the program was paused for collections.</param>
/// <param name="AllocatedBytes">Bytes allocated by the linking thread.</param>
public sealed record GcDuringRun(double PauseSeconds, int Gen0, int Gen1, int Gen2, long AllocatedBytes)
{
    internal static Func<GcDuringRun> Start()
    {
        var (pause, gen0, gen1, gen2, allocated) = (GC.GetTotalPauseDuration(), GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetAllocatedBytesForCurrentThread());
        return () => new GcDuringRun(
            (GC.GetTotalPauseDuration() - pause).TotalSeconds,
            GC.CollectionCount(0) - gen0,
            GC.CollectionCount(1) - gen1,
            GC.CollectionCount(2) - gen2,
            GC.GetAllocatedBytesForCurrentThread() - allocated);
    }
}

/// <summary>
/// Scoring and linking speed on one core against a large in-memory index of golden records: each generated
/// person's first source record becomes a golden record, then the other sources' records are linked one by one
/// (blocking, Fellegi–Sunter scoring, the link decision, and adding the record to the index), on one thread.
/// </summary>
public static class LinkingSpeedBench
{
    public static LinkingSpeedReport Run(int goldenRecords, int linked, int seed, TextWriter progress)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(goldenRecords, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(linked, 1);
        ArgumentNullException.ThrowIfNull(progress);

        progress.WriteLine($"generating {goldenRecords:N0} persons (seed {seed})…");
        var population = LabelledPopulation.Generate(new PopulationOptions { Persons = goldenRecords, Seed = seed });
        var firsts = new List<GeneratedRecord>(goldenRecords);
        var rest = new List<GeneratedRecord>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var record in population.Records)
        {
            (seen.Add(record.PersonId) ? firsts : rest).Add(record);
        }

        if (rest.Count < linked)
        {
            throw new ArgumentOutOfRangeException(nameof(linked), $"The population has {rest.Count:N0} further records; ask for fewer or more persons.");
        }

        progress.WriteLine($"indexing {firsts.Count:N0} golden records…");
        var index = new CandidateIndex();
        var build = Stopwatch.StartNew();
        foreach (var record in firsts)
        {
            index.Apply(RecordNormaliser.Normalise(record.Record), LinkDecision.New([]));
        }

        build.Stop();
        // Every other record of the population, in a fixed shuffled order, so sources are interleaved as a
        // night's syncs would not be but a day's updates are.
        var shuffle = new Random(seed);
        var incoming = rest.Select(r => (Order: shuffle.Next(), Record: r)).OrderBy(x => x.Order).Take(linked).Select(x => x.Record).ToList();
        var normaliseTimer = Stopwatch.StartNew();
        var normalised = incoming.Select(r => RecordNormaliser.Normalise(r.Record)).ToList();
        normaliseTimer.Stop();
        population = null;
        rest.Clear();

        var linker = new Linker(new PairScorer(MatchModel.Default));
        int created = 0, links = 0, merges = 0;
        // Warm up untimed (the JIT's tiered compilation reaches its optimised code after a few thousand calls, as
        // it has long before a night's sync is an hour old), then time the rest.
        var warmUp = normalised.Count / 5;
        for (var i = 0; i < warmUp; i++)
        {
            index.Link(normalised[i], linker, upcoming: normalised[i + 1]);
        }

        normalised = normalised.Skip(warmUp).ToList();
        GC.Collect();
        progress.WriteLine($"linking {normalised.Count:N0} records on one thread (after {warmUp:N0} to warm up)…");
        var (citizensBefore, recordsBefore) = (index.CandidateCitizensServed, index.CandidateRecordsServed);
        var gc = GcDuringRun.Start();
        var timer = Stopwatch.StartNew();
        for (var i = 0; i < normalised.Count; i++)
        {
            var (decision, _) = index.Link(normalised[i], linker, upcoming: i + 1 < normalised.Count ? normalised[i + 1] : null);
            if (decision.CitizenId is null)
            {
                created++;
            }
            else
            {
                links++;
                merges += decision.Absorbed.Count;
            }
        }

        timer.Stop();
        var collections = gc();
        return new LinkingSpeedReport(
            firsts.Count, normalised.Count, timer.Elapsed.TotalSeconds,
            index.CandidateCitizensServed - citizensBefore, index.CandidateRecordsServed - recordsBefore, created, links, merges,
            normaliseTimer.Elapsed.TotalSeconds, build.Elapsed.TotalSeconds, PeakWorkingSet(), index.BlockStatistics(), collections);
    }

    private static long PeakWorkingSet()
    {
        using var process = Process.GetCurrentProcess();
        return process.PeakWorkingSet64;
    }
}
