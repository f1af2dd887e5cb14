using CitizenHub.Adapters.Testing;
using Microsoft.Extensions.Time.Testing;

namespace CitizenHub.Adapters.Csv.Tests;

/// <summary>What keeps a file source from losing or hiding records: whole files only, limits, keys written twice, broken quoting.</summary>
public sealed class FileSafeguardTests : IDisposable
{
    private const string Header = "ref,forenames,surname\n";
    private static readonly FieldMapping Mapping = new() { Key = "ref", GivenNames = "forenames", FamilyName = "surname" };

    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task ReadAsync_UnclosedQuote_FailsTheFileWithTheLineItOpenedOnAndYieldsNothing()
    {
        var path = _folder.Write("people.csv", Header + "CT1,Amy,Turner\nCT2,\"John,Smith\nCT3,Mary,Jones\nCT4,Ann,Lee\nCT5,Raj,Shah\n");
        var yielded = new List<SourceReadResult>();

        var error = await Assert.ThrowsAnyAsync<InvalidOperationException>(async () =>
        {
            await foreach (var item in Csv(path).ReadAsync(SourceCursor.Start, CancellationToken.None))
            {
                yielded.Add(item);
            }
        });

        Assert.Empty(yielded);
        Assert.Contains("people.csv", error.Message, StringComparison.Ordinal);
        Assert.Contains("line 3", error.Message, StringComparison.Ordinal);
        Assert.Contains("6 lines read", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("John", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_RowOverMaxRowBytes_RejectedWithItsLineAndKey_OnlyItsStartKept_AndTheRestRead()
    {
        var huge = new string('x', 5_000);
        var path = _folder.Write("people.csv", Header + $"CT1,Amy,Turner\nCT2,\"{huge}\nstill {huge}\",Smith\nCT3,Mary,Jones\n");

        var results = await AdapterReads.ReadAllAsync(Csv(path, new CsvSourceOptions { MaxRowBytes = 1_000, StableFor = TimeSpan.Zero }));

        Assert.Equal(["CT1", "CT3"], AdapterReads.Keys(results));
        var reject = Assert.Single(results.OfType<SourceReadResult.Rejected>()).Input;
        Assert.Equal(new InputPosition("people.csv", 3, Key: "CT2"), reject.Position);
        Assert.Contains("MaxRowBytes (1000 bytes)", reject.Reason, StringComparison.Ordinal);
        Assert.Equal(1_000, reject.RawText!.Length);
    }

    [Fact]
    public async Task ReadAsync_FixedWidthLineOverMaxRowBytes_RejectedWithItsLine()
    {
        var path = _folder.Write("electoral.dat", "E0000001HUGHES    \nE0000002" + new string(' ', 300) + "\nE0000003PATEL     \n");
        var options = new FixedWidthSourceOptions
        {
            MaxRowBytes = 100,
            Columns = [new FixedWidthColumn { Name = "ref", Start = 1, Length = 8 }, new FixedWidthColumn { Name = "surname", Start = 9, Length = 10 }],
        };

        var results = await AdapterReads.ReadAllAsync(new FixedWidthSourceAdapter("electoral", path, options, new FieldMapping { Key = "ref", FamilyName = "surname" }));

        Assert.Equal(["E0000001", "E0000003"], AdapterReads.Keys(results));
        var reject = Assert.Single(results.OfType<SourceReadResult.Rejected>()).Input;
        Assert.Equal(new InputPosition("electoral.dat", 2, Key: "E0000002"), reject.Position);
    }

    [Fact]
    public async Task ReadAsync_KeyOnTwoRows_EveryCopyRejectedWithTheOtherLines_ByDefault()
    {
        var path = _folder.Write("people.csv", Header + "CT1,Amy,Turner\nCT2,John,Smith\nCT1,Amy,Turner-Jones\nCT3,Mary,Jones\n");

        var results = await AdapterReads.ReadAllAsync(Csv(path));

        Assert.Equal(["CT2", "CT3"], AdapterReads.Keys(results));
        var rejects = results.OfType<SourceReadResult.Rejected>().Select(r => r.Input).ToList();
        Assert.Equal([new InputPosition("people.csv", 2, Key: "CT1"), new InputPosition("people.csv", 4, Key: "CT1")], rejects.Select(r => r.Position));
        Assert.All(rejects, r => Assert.Equal(RejectKind.DuplicateKey, r.Kind));
        Assert.Contains("also on line 4", rejects[0].Reason, StringComparison.Ordinal);
        Assert.Contains("also on line 2", rejects[1].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_KeyOnTwoRows_WithDuplicateKeysLast_TheLastWinsAndTheEarlierIsRejectedNamingIt()
    {
        var path = _folder.Write("people.csv", Header + "CT1,Amy,Turner\nCT2,John,Smith\nCT1,Amy,Turner-Jones\n");

        var results = await AdapterReads.ReadAllAsync(Csv(path, new CsvSourceOptions { DuplicateKeys = DuplicateKeyRule.Last }));

        var accepted = results.OfType<SourceReadResult.Accepted>().Select(a => a.Record).ToList();
        Assert.Equal(["CT2", "CT1"], accepted.Select(r => r.SourceKey));
        Assert.Equal("Turner-Jones", accepted[1].Name!.FamilyName);
        var reject = Assert.Single(results.OfType<SourceReadResult.Rejected>()).Input;
        Assert.Equal((new InputPosition("people.csv", 2, Key: "CT1"), RejectKind.DuplicateKey), (reject.Position, reject.Kind));
        Assert.Contains("line 4, which wins", reject.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_SingleFileWrittenToJustNow_IsNotRead_AndSaysItMayStillBeBeingWritten()
    {
        var path = _folder.Write("people.csv", Header + "CT1,Amy,Turner\n");
        var now = File.GetLastWriteTimeUtc(path) + TimeSpan.FromSeconds(3);
        var adapter = new CsvSourceAdapter("people", path, new CsvSourceOptions(), Mapping, new FakeTimeProvider(new DateTimeOffset(now, TimeSpan.Zero)));

        var error = await Assert.ThrowsAsync<IOException>(() => AdapterReads.ReadAllAsync(adapter));

        Assert.Contains("StableFor", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_SingleFileWithMarkerConfigured_IsReadOnlyOnceTheMarkerExists()
    {
        var path = _folder.Write("people.csv", Header + "CT1,Amy,Turner\n");
        var adapter = Csv(path, new CsvSourceOptions { MarkerExtension = ".done" });

        var error = await Assert.ThrowsAsync<IOException>(() => AdapterReads.ReadAllAsync(adapter));
        _folder.Write("people.csv.done", "");
        var results = await AdapterReads.ReadAllAsync(adapter);

        Assert.Contains("people.csv.done", error.Message, StringComparison.Ordinal);
        Assert.Equal(["CT1"], AdapterReads.Keys(results));
    }

    [Fact]
    public async Task ReadAsync_FileThatGrowsWhileRead_FailsRatherThanEndWithACheckpoint()
    {
        var path = _folder.Write("people.csv", Header + "CT1,Amy,Turner\nCT2,John,Smith\n");
        var results = new List<SourceReadResult>();

        await Assert.ThrowsAsync<IOException>(async () =>
        {
            await foreach (var item in Csv(path, new CsvSourceOptions { StableFor = TimeSpan.Zero }).ReadAsync(SourceCursor.Start, CancellationToken.None))
            {
                if (results.Count == 0)
                {
                    await File.AppendAllTextAsync(path, "CT3,Mary,Jones\n");
                }

                results.Add(item);
            }
        });

        Assert.DoesNotContain(results, r => r is SourceReadResult.CheckpointReached);
    }

    [Fact]
    public async Task ReadAsync_SameContentUnderAnotherName_IsKnownByItsCheckpoint()
    {
        var first = _folder.Write("people-1.csv", Header + "CT1,Amy,Turner\n");
        var second = _folder.Write("people-2.csv", Header + "CT1,Amy,Turner\n");
        var checkpoint = (await AdapterReads.ReadAllAsync(Csv(first))).OfType<SourceReadResult.CheckpointReached>().Single().Cursor;

        Assert.Empty(await AdapterReads.ReadAllAsync(Csv(second), checkpoint));
    }

    private static CsvSourceAdapter Csv(string path, CsvSourceOptions? options = null) => new("people", path, options ?? new CsvSourceOptions(), Mapping);
}
