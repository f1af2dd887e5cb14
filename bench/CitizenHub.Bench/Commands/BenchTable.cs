namespace CitizenHub.Bench.Commands;

/// <summary>The benches' result table: one "measure  value" line each, the values in one column.</summary>
internal static class BenchTable
{
    public static async Task WriteAsync(TextWriter output, IReadOnlyCollection<(string Measure, string Value)> rows)
    {
        var width = rows.Max(r => r.Measure.Length);
        foreach (var (measure, value) in rows)
        {
            await output.WriteLineAsync($"{measure.PadRight(width)}  {value}").ConfigureAwait(false);
        }
    }
}
