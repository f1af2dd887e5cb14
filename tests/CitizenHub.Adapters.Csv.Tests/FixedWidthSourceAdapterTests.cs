using System.Globalization;
using System.Text;
using CitizenHub.Adapters.Testing;
using CitizenHub.Contracts;

namespace CitizenHub.Adapters.Csv.Tests;

public sealed class FixedWidthSourceAdapterTests : IDisposable
{
    // elector_no 1-8, surname 9-28, forenames 29-48, dob 49-56 (yyyyMMdd)
    internal static readonly FixedWidthSourceOptions Layout = new()
    {
        SkipLines = 1,
        Columns =
        [
            new FixedWidthColumn { Name = "elector_no", Start = 1, Length = 8 },
            new FixedWidthColumn { Name = "surname", Start = 9, Length = 20 },
            new FixedWidthColumn { Name = "forenames", Start = 29, Length = 20 },
            new FixedWidthColumn { Name = "dob", Start = 49, Length = 8 },
        ],
    };

    internal static readonly FieldMapping Mapping = new()
    {
        Key = "elector_no",
        FamilyName = "surname",
        GivenNames = "forenames",
        DateOfBirth = "dob",
        DateFormats = ["yyyyMMdd"],
    };

    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task ReadAsync_CutsFieldsByPositionAndTrims()
    {
        var path = Write(Header(), Line("E0000001", "HUGHES", "MARGARET ANN", "19500304"), "", Line("E0000002", "O'BRIEN", "SEAN", ""));

        var results = await ReadAllAsync(path);

        var records = results.OfType<SourceReadResult.Accepted>().Select(a => a.Record).ToList();
        Assert.Equal(["E0000001", "E0000002"], records.Select(r => r.SourceKey));
        Assert.Equal(new PersonName(null, "MARGARET ANN", "HUGHES"), records[0].Name);
        Assert.Equal(new PartialDate(1950, 3, 4, "19500304"), records[0].DateOfBirth);
        Assert.Null(records[1].DateOfBirth);
        Assert.IsType<SourceReadResult.CheckpointReached>(results[^1]);
    }

    [Fact]
    public async Task ReadAsync_ShortLine_RejectedWithItsLineAndKey_AndABadDateKeepsItsRecord()
    {
        var path = Write(Header(), "E0000001HUGHES", Line("E0000002", "SMITH", "JOHN", "19753102"), Line("E0000003", "PATEL", "PRIYA", "19791117"));

        var results = await ReadAllAsync(path);

        var reject = Assert.Single(results.OfType<SourceReadResult.Rejected>()).Input;
        Assert.Equal(new InputPosition("electoral.dat", 2, Key: "E0000001"), reject.Position);
        Assert.Equal("line is 14 characters; the layout's last field starts at 49", reject.Reason);
        var accepted = results.OfType<SourceReadResult.Accepted>().Select(a => a.Record).ToList();
        Assert.Equal(["E0000002", "E0000003"], accepted.Select(r => r.SourceKey));
        Assert.Null(accepted[0].DateOfBirth);
        Assert.Single(accepted[0].Problems);
    }

    [Fact]
    public async Task ReadAsync_Windows1252_DecodesAccents()
    {
        var path = _folder.File("electoral.dat");
        await File.WriteAllBytesAsync(path, CodePagesEncodingProvider.Instance.GetEncoding(1252)!.GetBytes(Header() + "\n" + Line("E0000001", "DUBOIS", "RENÉ", "") + "\n"));
        TempDirectory.Finished(path);

        var record = (await ReadAllAsync(path, "windows-1252")).OfType<SourceReadResult.Accepted>().Single().Record;

        Assert.Equal("RENÉ", record.Name!.GivenNames);
    }

    [Fact]
    public void Constructor_LayoutLacksAMappedField_ThrowsNamingIt()
    {
        var mapping = new FieldMapping { Key = "elector_no", Postcode = "postcode" };

        var error = Assert.Throws<InvalidOperationException>(() => new FixedWidthSourceAdapter("electoral", _folder.File("x.dat"), Layout, mapping));

        Assert.Contains("'postcode'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_ColumnWithoutLength_ThrowsNamingIt()
    {
        var layout = new FixedWidthSourceOptions { Columns = [new FixedWidthColumn { Name = "elector_no", Start = 1 }] };

        var error = Assert.Throws<InvalidOperationException>(() => new FixedWidthSourceAdapter("electoral", _folder.File("x.dat"), layout, new FieldMapping { Key = "elector_no" }));

        Assert.Contains("FixedWidth.Columns[0]", error.Message, StringComparison.Ordinal);
    }

    internal static string Line(string no, string surname, string forenames, string dob) =>
        string.Create(CultureInfo.InvariantCulture, $"{no,-8}{surname,-20}{forenames,-20}{dob,-8}");

    internal static string Header() => "ELECTORAL REGISTER EXTRACT 2026-11-01";

    private string Write(params string[] lines) => _folder.Write("electoral.dat", string.Join("\r\n", lines) + "\r\n");

    private static async Task<List<SourceReadResult>> ReadAllAsync(string path, string encoding = "utf-8")
    {
        var options = new FixedWidthSourceOptions { SkipLines = Layout.SkipLines, Columns = Layout.Columns, Encoding = encoding };
        var results = new List<SourceReadResult>();
        await foreach (var item in new FixedWidthSourceAdapter("electoral", path, options, Mapping).ReadAsync(SourceCursor.Start, CancellationToken.None))
        {
            results.Add(item);
        }

        return results;
    }
}

/// <summary>The fixed-width adapter against the adapter conformance kit.</summary>
public sealed class FixedWidthSourceAdapterConformanceTests : SourceAdapterConformance
{
    protected override string SourceSystem => "electoral";

    protected override Task<ISourceAdapter> CreateSourceAsync(int goodRecords, bool withBadInput)
    {
        var lines = new List<string> { FixedWidthSourceAdapterTests.Header() };
        for (var i = 1; i <= goodRecords; i++)
        {
            lines.Add(FixedWidthSourceAdapterTests.Line($"E{i:D7}", $"FAMILY{i}", $"GIVEN{i}", "19500304"));
        }

        if (withBadInput)
        {
            lines.Insert(3, "E9999999TRUNCATED");
        }

        var path = Folder.Write("electoral.dat", string.Join("\n", lines) + "\n");
        return Task.FromResult<ISourceAdapter>(new FixedWidthSourceAdapter(SourceSystem, path, FixedWidthSourceAdapterTests.Layout, FixedWidthSourceAdapterTests.Mapping));
    }
}
