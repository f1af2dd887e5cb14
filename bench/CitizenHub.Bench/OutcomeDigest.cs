using System.Security.Cryptography;
using System.Text;
using CitizenHub.Matching.Identity;

namespace CitizenHub.Bench;

/// <summary>
/// Short digests of what a run decided, to say whether two builds decided the same on the same data: the partition of
/// records into citizens (whatever the citizens' ids, which differ from run to run) and the open reviews. Equal digests
/// are the same links and the same reviews; any record moved, or any review more or fewer, changes them.
/// </summary>
internal static class OutcomeDigest
{
    public static string Partition(IEnumerable<RecordLink> links)
    {
        ArgumentNullException.ThrowIfNull(links);
        var citizens = links
            .GroupBy(l => l.CitizenId, StringComparer.Ordinal)
            .Select(c => string.Join('|', c.Select(l => Member(l.SourceSystem, l.SourceKey)).Order(StringComparer.Ordinal)));
        return Of(citizens);
    }

    public static string Reviews(IEnumerable<ReviewItem> reviews)
    {
        ArgumentNullException.ThrowIfNull(reviews);
        return Of(reviews.Select(r => Member(r.Record.SourceSystem, r.Record.SourceKey) + ">" + Member(r.Candidate.SourceSystem, r.Candidate.SourceKey)));
    }

    // Lengths first, so no system or key can run into the next.
    private static string Member(string system, string key) => $"{system.Length}:{system}{key.Length}:{key}";

    private static string Of(IEnumerable<string> items) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', items.Order(StringComparer.Ordinal)))))[..16];
}
