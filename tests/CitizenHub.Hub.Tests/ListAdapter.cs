using System.Runtime.CompilerServices;
using CitizenHub.Adapters;

namespace CitizenHub.Hub.Tests;

/// <summary>A source that yields the given results in order (and, if told, then fails).</summary>
internal sealed class ListAdapter(params SourceReadResult[] items) : ISourceAdapter
{
    public Exception? ThrowAtEnd { get; init; }

    public async IAsyncEnumerable<SourceReadResult> ReadAsync(SourceCursor since, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var item in items)
        {
            await Task.Yield();
            yield return item;
        }

        if (ThrowAtEnd is not null)
        {
            throw ThrowAtEnd;
        }
    }
}

/// <summary>The "List" adapter kind; a test swaps in another list through <see cref="Current"/>.</summary>
internal sealed class ListAdapterFactory(ISourceAdapter adapter) : ISourceAdapterFactory
{
    public ISourceAdapter Current { get; set; } = adapter;

    public string Kind => "List";

    public ISourceAdapter Create(SourceDefinition source, TimeProvider timeProvider) => Current;
}
