using CitizenHub.Contracts;
using CitizenHub.Matching;
using CitizenHub.Matching.Linking;
using CitizenHub.Matching.Scoring;
using CitizenHub.Adapters.Testing;
using CitizenHub.Store;
using CitizenHub.Store.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace CitizenHub.Hub.Tests;

/// <summary>A resolver on a fresh store of one kind, for tests of what its commands leave behind; each derived class names the store.</summary>
public abstract class ResolverOnAStore : IAsyncLifetime
{
    private readonly Guid _runId = Guid.NewGuid();
    private ICitizenStore? _store;
    private RecordResolver? _resolver;
    private int _sequence;
    private TempDirectory? _sqliteFolder;

    protected ICitizenStore Store => _store ?? throw new InvalidOperationException("The store is made in InitializeAsync.");

    protected RecordResolver Resolver => _resolver ?? throw new InvalidOperationException("The resolver is made in InitializeAsync.");

    protected Guid RunId => _runId;

    protected abstract Task<ICitizenStore> CreateStoreAsync();

    public async Task InitializeAsync()
    {
        _store = await CreateStoreAsync();
        await _store.MigrateAsync(CancellationToken.None);
        _resolver = NewResolver(_store);
    }

    /// <summary>A resolver on the given store, as every test's is.</summary>
    protected static RecordResolver NewResolver(ICitizenStore store)
    {
        var catalog = new SourceCatalog([], new SurvivorshipRanks(new Dictionary<string, int> { ["ct"] = 1, ["hb"] = 2 }));
        return new RecordResolver(
            store, catalog, new FakeTimeProvider(new DateTimeOffset(2026, 11, 2, 3, 0, 0, TimeSpan.Zero)), new Linker(new PairScorer(MatchModel.Default)));
    }

    public virtual async Task DisposeAsync()
    {
        switch (_store)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync();
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }

        if (_sqliteFolder is not null)
        {
            // Pooled connections hold the file open; release them so the folder can go.
            SqliteConnection.ClearAllPools();
            _sqliteFolder.Dispose();
        }
    }

    /// <summary>A SQLite store in a fresh folder, deleted after the test: what a SQLite derived class makes.</summary>
    protected Task<ICitizenStore> SqliteStoreAsync()
    {
        _sqliteFolder ??= new TempDirectory();
        return Task.FromResult<ICitizenStore>(new SqliteCitizenStore($"Data Source={_sqliteFolder.File("hub.db")}"));
    }

    protected async Task<List<CitizenLink>> LinksAsync()
    {
        var links = new List<CitizenLink>();
        await foreach (var link in Store.ReadLinksAsync(CancellationToken.None))
        {
            links.Add(link);
        }

        return links;
    }

    protected int NextSequence() => Interlocked.Increment(ref _sequence);

    protected Task<IReadOnlyList<object>> ApplyAsync(params SourceRecord[] records) =>
        Resolver.ApplyAsync(new SourceRecordBatch(_runId, records[0].SourceSystem, NextSequence(), records), CancellationToken.None);

    protected Task<IReadOnlyList<object>> RemoveAsync(string system, params string[] keys) =>
        Resolver.RemoveAsync(new SourceRecordsRemoved(_runId, system, NextSequence(), keys, new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero)), CancellationToken.None);

    protected async Task<string> CitizenOfAsync(string system, string key) =>
        (await Store.GetSourceRecordAsync(system, key, CancellationToken.None))!.CitizenId;
}
