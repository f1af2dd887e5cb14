using System.Text;
using CitizenHub.Adapters.Testing;
using CitizenHub.Contracts;

namespace CitizenHub.Adapters.Csv.Tests;

public sealed class CsvSourceAdapterTests : IDisposable
{
    private static readonly FieldMapping Mapping = new()
    {
        Key = "ref",
        GivenNames = "forenames",
        FamilyName = "surname",
        DateOfBirth = "dob",
        AddressLines = ["address"],
    };

    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task ReadAsync_HeaderAndRows_YieldsRecordsWithKeysAndValues()
    {
        var path = _folder.Write("people.csv", "ref,forenames,surname,dob,address\nCT1,Margaret,Hughes,04/03/1950,14 Weston Road\nCT2,John,Smith,,\n");

        var records = Accepted(await ReadAllAsync(path));

        Assert.Equal(["CT1", "CT2"], records.Select(r => r.SourceKey));
        Assert.Equal("Hughes", records[0].Name!.FamilyName);
        Assert.Equal(new PartialDate(1950, 3, 4, "04/03/1950"), records[0].DateOfBirth);
        Assert.Null(records[1].DateOfBirth);
    }

    [Theory]
    [InlineData("|")]
    [InlineData("\\t")]
    [InlineData(";")]
    public async Task ReadAsync_OtherDelimiters_SplitFieldsOnThem(string delimiter)
    {
        var actual = delimiter == "\\t" ? "\t" : delimiter;
        var path = _folder.Write("people.txt", string.Join(actual, "ref", "forenames", "surname", "dob", "address") + "\n" + string.Join(actual, "CT1", "Margaret", "Hughes", "04/03/1950", "14, Weston Road") + "\n");

        var record = Assert.Single(Accepted(await ReadAllAsync(path, new CsvSourceOptions { Delimiter = delimiter })));

        Assert.Equal(("CT1", "14, Weston Road"), (record.SourceKey, record.Addresses[0].Lines[0]));
    }

    [Fact]
    public async Task ReadAsync_QuotedCommaAndNewline_KeepsFieldWholeAndLaterLinesRight()
    {
        var path = _folder.Write(
            "people.csv",
            "ref,forenames,surname,dob,address\nCT1,Margaret,Hughes,04/03/1950,\"Flat 3, Castle House\nEastgate Street\"\nCT2,Amy,Tur\"ner,,6 Oulton Road\n");

        var results = await ReadAllAsync(path);

        Assert.Equal("Flat 3, Castle House\nEastgate Street", Assert.Single(Accepted(results)).Addresses[0].Lines[0]);
        // The bad row starts on physical line 4: the quoted newline took line 3.
        Assert.Equal(new InputPosition("people.csv", 4, Key: "CT2"), Assert.Single(Rejected(results)).Position);
    }

    [Fact]
    public async Task ReadAsync_CrlfLineEndings_ReadLikeLf()
    {
        var path = _folder.Write("people.csv", "ref,forenames,surname,dob,address\r\nCT1,Margaret,Hughes,04/03/1950,14 Weston Road\r\nCT2,John,Smith,,x\r\n");

        var records = Accepted(await ReadAllAsync(path));

        Assert.Equal(["CT1", "CT2"], records.Select(r => r.SourceKey));
        Assert.Equal("14 Weston Road", records[0].Addresses[0].Lines[0]);
    }

    [Fact]
    public async Task ReadAsync_Utf8ByteOrderMark_FirstHeaderStillMatches()
    {
        var path = _folder.File("people.csv");
        await File.WriteAllTextAsync(path, "ref,forenames,surname,dob,address\nCT1,Zoë,Clarke,,\n", new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        TempDirectory.Finished(path);

        var record = Assert.Single(Accepted(await ReadAllAsync(path)));

        Assert.Equal(("CT1", "Zoë"), (record.SourceKey, record.Name!.GivenNames));
    }

    [Fact]
    public async Task ReadAsync_Windows1252_DecodesAccents()
    {
        var path = _folder.File("people.csv");
        await File.WriteAllBytesAsync(path, [.. Encoding.ASCII.GetBytes("ref,forenames,surname,dob,address\nCT1,Ren"), 0xE9, .. Encoding.ASCII.GetBytes(",Dubois,,\n")]);
        TempDirectory.Finished(path);

        var record = Assert.Single(Accepted(await ReadAllAsync(path, new CsvSourceOptions { Encoding = "windows-1252" })));

        Assert.Equal("René", record.Name!.GivenNames);
    }

    [Fact]
    public async Task ReadAsync_InvalidUtf8InOneRow_RejectsThatRowOnly()
    {
        var path = _folder.File("people.csv");
        await File.WriteAllBytesAsync(path, [.. Encoding.ASCII.GetBytes("ref,forenames,surname,dob,address\nCT1,Ren"), 0xE9, .. Encoding.ASCII.GetBytes(",Dubois,,\nCT2,Amy,Turner,,\n")]);
        TempDirectory.Finished(path);

        var results = await ReadAllAsync(path);

        Assert.Equal("CT2", Assert.Single(Accepted(results)).SourceKey);
        var reject = Assert.Single(Rejected(results));
        Assert.Equal((new InputPosition("people.csv", 2, Key: "CT1"), "bytes that are not valid utf-8"), (reject.Position, reject.Reason));
    }

    [Fact]
    public async Task ReadAsync_WrongFieldCount_RejectedWithLineAndCounts()
    {
        var path = _folder.Write("people.csv", "ref,forenames,surname,dob,address\nCT1,Margaret,Hughes,04/03/1950\nCT2,Amy,Turner,,x,extra\nCT3,John,Smith,,\n");

        var results = await ReadAllAsync(path);

        Assert.Equal("CT3", Assert.Single(Accepted(results)).SourceKey);
        Assert.Equal(
            [(new InputPosition("people.csv", 2), "expected 5 fields, found 4", "CT1,Margaret,Hughes,04/03/1950"),
             (new InputPosition("people.csv", 3), "expected 5 fields, found 6", "CT2,Amy,Turner,,x,extra")],
            Rejected(results).Select(r => (r.Position, r.Reason, r.RawText)));
    }

    [Fact]
    public async Task ReadAsync_QuoteOutOfPlace_RejectsTheRow()
    {
        var path = _folder.Write("people.csv", "ref,forenames,surname,dob,address\nCT1,Marg\"aret,Hughes,,\nCT2,Amy,Turner,,\n");

        var results = await ReadAllAsync(path);

        Assert.Equal("CT2", Assert.Single(Accepted(results)).SourceKey);
        Assert.Equal("a quote is out of place", Assert.Single(Rejected(results)).Reason);
    }

    [Fact]
    public async Task ReadAsync_BadDate_KeepsTheRecordWithTheDateRawAndFlagged()
    {
        var path = _folder.Write("people.csv", "ref,forenames,surname,dob,address\nCT1,Amy,Turner,31/02/1975,x\n");

        var results = await ReadAllAsync(path);

        Assert.Empty(Rejected(results));
        var record = Assert.Single(Accepted(results));
        Assert.Null(record.DateOfBirth);
        Assert.Equal("31/02/1975", record.RawFields["dob"]);
        Assert.Contains("'dob'", Assert.Single(record.Problems), StringComparison.Ordinal);
        Assert.DoesNotContain("31/02", record.Problems[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_HeaderLacksAMappedField_ThrowsNamingIt()
    {
        var path = _folder.Write("people.csv", "ref,forenames,surname,address\nCT1,Amy,Turner,x\n");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ReadAllAsync(path));

        Assert.Equal("people.csv has no field named 'dob', which the mapping reads.", error.Message);
    }

    [Fact]
    public async Task ReadAsync_NoHeader_UsesConfiguredColumns()
    {
        var path = _folder.Write("people.csv", "CT1,Margaret,Hughes,04/03/1950,14 Weston Road\n");

        var record = Assert.Single(Accepted(await ReadAllAsync(path, new CsvSourceOptions { HasHeader = false, Columns = ["ref", "forenames", "surname", "dob", "address"] })));

        Assert.Equal(("CT1", "Hughes"), (record.SourceKey, record.Name!.FamilyName));
    }

    [Fact]
    public async Task ReadAsync_WholeFile_EndsWithACheckpointNamingTheFile()
    {
        var path = _folder.Write("people.csv", "ref,forenames,surname,dob,address\nCT1,A,B,,\n");

        var results = await ReadAllAsync(path);

        Assert.IsType<SourceReadResult.CheckpointReached>(results[^1]);
        Assert.Single(results.OfType<SourceReadResult.CheckpointReached>());
    }

    [Fact]
    public async Task ReadAsync_FromTheCheckpointOfTheSameFile_ReadsNothing_AndAChangedFileIsReadAgain()
    {
        var path = _folder.Write("people.csv", "ref,forenames,surname,dob,address\nCT1,A,B,,\n");
        var checkpoint = (await ReadAllAsync(path)).OfType<SourceReadResult.CheckpointReached>().Single().Cursor;

        var again = await ReadAllAsync(path, since: checkpoint);
        _folder.Write("people.csv", "ref,forenames,surname,dob,address\nCT1,A,B,,\nCT2,C,D,,\n");
        var changed = await ReadAllAsync(path, since: checkpoint);

        Assert.Empty(again);
        Assert.Equal(["CT1", "CT2"], Accepted(changed).Select(r => r.SourceKey));
    }

    [Fact]
    public void Constructor_NoHeaderAndNoColumns_Throws() =>
        Assert.Throws<InvalidOperationException>(() => new CsvSourceAdapter("people", _folder.File("x.csv"), new CsvSourceOptions { HasHeader = false }, Mapping));

    [Fact]
    public async Task ReadAsync_EmptyFile_YieldsNothing()
    {
        var path = _folder.Write("people.csv", "");

        Assert.Empty(await ReadAllAsync(path));
    }

    [Fact]
    public async Task ReadAsync_Cancelled_StopsBetweenRecords()
    {
        var path = _folder.Write("people.csv", "ref,forenames,surname,dob,address\nCT1,A,B,,\nCT2,C,D,,\nCT3,E,F,,\n");
        using var cancel = new CancellationTokenSource();
        var read = new List<string>();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var item in Adapter(path).ReadAsync(SourceCursor.Start, cancel.Token))
            {
                read.Add(((SourceReadResult.Accepted)item).Record.SourceKey);
                await cancel.CancelAsync();
            }
        });

        Assert.Equal(["CT1"], read);
    }

    [Fact]
    public async Task ReadAsync_ObservedAt_IsTheFilesLastWriteTime()
    {
        var path = _folder.Write("people.csv", "ref,forenames,surname,dob,address\nCT1,A,B,,\n");
        var written = new DateTime(2026, 11, 21, 23, 30, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(path, written);

        var record = Assert.Single(Accepted(await ReadAllAsync(path)));

        Assert.Equal(new DateTimeOffset(written), record.ObservedAt);
    }

    [Fact]
    public async Task ReadAsync_UnknownEncoding_ThrowsNamingIt()
    {
        var path = _folder.Write("people.csv", "ref\n");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ReadAllAsync(path, new CsvSourceOptions { Encoding = "ebcdic" }));

        Assert.Contains("'ebcdic'", error.Message, StringComparison.Ordinal);
    }

    private static CsvSourceAdapter Adapter(string path, CsvSourceOptions? options = null) =>
        new("people", path, options ?? new CsvSourceOptions(), Mapping);

    private static async Task<List<SourceReadResult>> ReadAllAsync(string path, CsvSourceOptions? options = null, SourceCursor? since = null)
    {
        var results = new List<SourceReadResult>();
        await foreach (var item in Adapter(path, options).ReadAsync(since ?? SourceCursor.Start, CancellationToken.None))
        {
            results.Add(item);
        }

        return results;
    }

    private static List<SourceRecord> Accepted(List<SourceReadResult> results) =>
        [.. results.OfType<SourceReadResult.Accepted>().Select(a => a.Record)];

    private static List<RejectedInput> Rejected(List<SourceReadResult> results) =>
        [.. results.OfType<SourceReadResult.Rejected>().Select(r => r.Input)];
}
