namespace CitizenHub.Adapters.Testing;

/// <summary>Reading an adapter to the end, as the runner does, for tests to look at what it yielded.</summary>
public static class AdapterReads
{
    public static async Task<List<SourceReadResult>> ReadAllAsync(ISourceAdapter adapter, SourceCursor? since = null)
    {
        ArgumentNullException.ThrowIfNull(adapter);
        var results = new List<SourceReadResult>();
        await foreach (var item in adapter.ReadAsync(since ?? SourceCursor.Start, CancellationToken.None))
        {
            results.Add(item);
        }

        return results;
    }

    /// <summary>The keys of the accepted records, in the order read.</summary>
    public static List<string> Keys(IEnumerable<SourceReadResult> results) =>
        [.. results.OfType<SourceReadResult.Accepted>().Select(a => a.Record.SourceKey)];
}
