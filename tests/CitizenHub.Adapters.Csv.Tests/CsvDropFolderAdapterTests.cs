using System.Globalization;
using CitizenHub.Adapters.Testing;
using Microsoft.Extensions.Time.Testing;

namespace CitizenHub.Adapters.Csv.Tests;

public sealed class CsvDropFolderAdapterTests : IDisposable
{
    private static readonly FieldMapping Mapping = new() { Key = "ref", FamilyName = "surname" };
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 2, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _folder = new();
    private readonly FakeTimeProvider _time = new(Now);

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task ReadAsync_FinishedFiles_ReadInNameOrderWithACheckpointAfterEach()
    {
        Drop("b.csv", "ref,surname\nB1,Hughes\n", Now.AddMinutes(-5));
        Drop("a.csv", "ref,surname\nA1,Smith\nA2,Patel\n", Now.AddMinutes(-5));
        Drop("notes.txt", "ignored", Now.AddMinutes(-5));

        var results = await AdapterReads.ReadAllAsync(Adapter());

        Assert.Equal(["A1", "A2", "B1"], AdapterReads.Keys(results));
        Assert.Equal(2, results.OfType<SourceReadResult.CheckpointReached>().Count());
    }

    [Fact]
    public async Task ReadAsync_FileStillBeingWritten_IsLeftForTheNextRun()
    {
        Drop("a.csv", "ref,surname\nA1,Smith\n", Now.AddMinutes(-5));
        Drop("b.csv", "ref,surname\nB1,Hugh", Now.AddSeconds(-2));

        var first = await AdapterReads.ReadAllAsync(Adapter());
        _time.Advance(TimeSpan.FromMinutes(1));
        var second = await AdapterReads.ReadAllAsync(Adapter(), (first.OfType<SourceReadResult.CheckpointReached>().Last()).Cursor);

        Assert.Equal(["A1"], AdapterReads.Keys(first));
        Assert.Equal(["B1"], AdapterReads.Keys(second));
    }

    [Fact]
    public async Task ReadAsync_MarkerConfigured_ReadsOnlyFilesWithTheirMarker()
    {
        Drop("a.csv", "ref,surname\nA1,Smith\n", Now.AddMinutes(-5));
        Drop("a.csv.done", "", Now.AddMinutes(-5));
        Drop("b.csv", "ref,surname\nB1,Hughes\n", Now.AddMinutes(-5));

        var results = await AdapterReads.ReadAllAsync(Adapter(new CsvSourceOptions { Folder = _folder.Path, MarkerExtension = ".done" }));

        Assert.Equal(["A1"], AdapterReads.Keys(results));
    }

    [Fact]
    public async Task OnCommittedAsync_ArchivesTheFilesTheCursorNames_AndTheyAreNotReadAgain()
    {
        Drop("a.csv", "ref,surname\nA1,Smith\n", Now.AddMinutes(-5));
        Drop("b.csv", "ref,surname\nB1,Hughes\n", Now.AddMinutes(-5));
        var adapter = Adapter();
        var afterA = (await AdapterReads.ReadAllAsync(adapter)).OfType<SourceReadResult.CheckpointReached>().First().Cursor;

        await adapter.OnCommittedAsync(afterA, CancellationToken.None);

        var archived = Path.Combine(_folder.Path, "archive", Now.ToString("yyyyMMdd", CultureInfo.InvariantCulture), "a.csv");
        Assert.True(File.Exists(archived));
        Assert.False(File.Exists(_folder.File("a.csv")));
        Assert.Equal(["B1"], AdapterReads.Keys(await AdapterReads.ReadAllAsync(adapter, afterA)));
        Assert.Equal(["B1"], AdapterReads.Keys(await AdapterReads.ReadAllAsync(adapter)));
    }

    [Fact]
    public async Task OnCommittedAsync_FileWithRejectedRows_GetsItsRejectsBesideItInTheArchive()
    {
        Drop("a.csv", "ref,surname\nA1,Smith\nA2,Patel,extra\n", Now.AddMinutes(-5));
        Drop("b.csv", "ref,surname\nB1,Hughes\n", Now.AddMinutes(-5));
        var adapter = Adapter();
        var end = (await AdapterReads.ReadAllAsync(adapter)).OfType<SourceReadResult.CheckpointReached>().Last().Cursor;

        await adapter.OnCommittedAsync(end, CancellationToken.None);

        var archive = Path.Combine(_folder.Path, "archive", Now.ToString("yyyyMMdd", CultureInfo.InvariantCulture));
        Assert.Equal(["line,key,reason,raw", "3,,\"expected 2 fields, found 3\",\"A2,Patel,extra\""], File.ReadAllLines(Path.Combine(archive, "a.csv.rejects.csv")));
        Assert.False(File.Exists(Path.Combine(archive, "b.csv.rejects.csv")));
    }

    [Fact]
    public async Task ReadAsync_FileDroppedAgainUnderTheSameNameWithNewContent_IsRead()
    {
        Drop("claims.csv", "ref,surname\nA1,Smith\n", Now.AddMinutes(-5));
        var adapter = Adapter();
        var monday = (await AdapterReads.ReadAllAsync(adapter)).OfType<SourceReadResult.CheckpointReached>().Last().Cursor;
        await adapter.OnCommittedAsync(monday, CancellationToken.None);

        Drop("claims.csv", "ref,surname\nA2,Patel\n", Now.AddMinutes(-1));
        var tuesday = await AdapterReads.ReadAllAsync(adapter, monday);

        Assert.Equal(["A2"], AdapterReads.Keys(tuesday));
    }

    [Fact]
    public async Task ReadAsync_FileDroppedAgainUnchanged_IsNotReadAgainButArchived()
    {
        Drop("claims.csv", "ref,surname\nA1,Smith\n", Now.AddMinutes(-5));
        var adapter = Adapter();
        var monday = (await AdapterReads.ReadAllAsync(adapter)).OfType<SourceReadResult.CheckpointReached>().Last().Cursor;
        await adapter.OnCommittedAsync(monday, CancellationToken.None);

        Drop("claims.csv", "ref,surname\nA1,Smith\n", Now.AddMinutes(-1));
        var again = await AdapterReads.ReadAllAsync(adapter, monday);
        await adapter.OnCommittedAsync(again.OfType<SourceReadResult.CheckpointReached>().Last().Cursor, CancellationToken.None);

        Assert.Empty(AdapterReads.Keys(again));
        Assert.False(File.Exists(_folder.File("claims.csv")));
    }

    [Fact]
    public async Task OnCommittedAsync_FileOfTheSameNameDroppedSinceItWasRead_IsLeftForTheNextRun()
    {
        Drop("claims.csv", "ref,surname\nA1,Smith\n", Now.AddMinutes(-5));
        var adapter = Adapter();
        var read = (await AdapterReads.ReadAllAsync(adapter)).OfType<SourceReadResult.CheckpointReached>().Last().Cursor;

        Drop("claims.csv", "ref,surname\nA2,Patel\n", Now.AddMinutes(-1));
        await adapter.OnCommittedAsync(read, CancellationToken.None);

        Assert.Equal(["A2"], AdapterReads.Keys(await AdapterReads.ReadAllAsync(adapter, read)));
    }

    [Fact]
    public async Task ReadAsync_FolderMissing_Throws()
    {
        var adapter = new CsvDropFolderAdapter("drops", _folder.File("nowhere"), new CsvSourceOptions(), Mapping, _time);

        await Assert.ThrowsAsync<DirectoryNotFoundException>(() => AdapterReads.ReadAllAsync(adapter));
    }

    private void Drop(string name, string content, DateTimeOffset writtenAt)
    {
        var path = _folder.Write(name, content);
        File.SetLastWriteTimeUtc(path, writtenAt.UtcDateTime);
    }

    private CsvDropFolderAdapter Adapter(CsvSourceOptions? options = null) =>
        new("drops", _folder.Path, options ?? new CsvSourceOptions { Folder = _folder.Path }, Mapping, _time);
}

/// <summary>The drop-folder adapter against the adapter conformance kit: records spread over three files.</summary>
public sealed class CsvDropFolderAdapterConformanceTests : SourceAdapterConformance
{
    // The bad row has a field more than the header: its fields may have shifted, so the adapter does not trust the
    // first one as its key (a wrong key would count another record as seen).
    protected override bool BadInputHasKey => false;

    protected override string SourceSystem => "benefits";

    protected override Task<ISourceAdapter> CreateSourceAsync(int goodRecords, bool withBadInput)
    {
        var drop = Path.Combine(Folder.Path, "drop");
        Directory.CreateDirectory(drop);
        for (var file = 0; file < 3; file++)
        {
            var rows = Enumerable.Range(1, goodRecords).Where(i => i % 3 == file).Select(i => $"HB{i},Family{i}\n");
            var bad = withBadInput && file == 1 ? "HB99,Family99,extra\n" : "";
            var path = Path.Combine(drop, $"claims-{file}.csv");
            File.WriteAllText(path, "ref,surname\n" + string.Concat(rows) + bad);
            File.SetLastWriteTimeUtc(path, DateTime.UnixEpoch.AddYears(50));
        }

        var options = new CsvSourceOptions { Folder = drop };
        return Task.FromResult<ISourceAdapter>(new CsvDropFolderAdapter(SourceSystem, drop, options, new FieldMapping { Key = "ref", FamilyName = "surname" }, TimeProvider.System));
    }
}
