using CitizenHub.Adapters.Testing;
using Microsoft.Extensions.Configuration;

namespace CitizenHub.Adapters.Csv.Tests;

public sealed class CsvSourceAdapterFactoryTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Create_RelativePath_IsResolvedAgainstTheConfigurationFolder()
    {
        _folder.Write("people.csv", "ref\nCT1\n");
        var source = Source(new Dictionary<string, string?> { ["Csv:Path"] = "people.csv" });

        var adapter = new CsvSourceAdapterFactory().Create(source, TimeProvider.System);

        var keys = new List<string>();
        await foreach (var item in adapter.ReadAsync(SourceCursor.Start, CancellationToken.None))
        {
            if (item is SourceReadResult.Accepted accepted)
            {
                keys.Add(accepted.Record.SourceKey);
            }
        }

        Assert.Equal(["CT1"], keys);
    }

    [Fact]
    public void Create_NoPath_ThrowsNamingTheSetting()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            new CsvSourceAdapterFactory().Create(Source(new Dictionary<string, string?> { ["Csv:Delimiter"] = "|" }), TimeProvider.System));

        Assert.Equal("Source 'people': give Csv.Path (one file) or Csv.Folder (a drop folder), not both or neither.", error.Message);
    }

    private SourceDefinition Source(Dictionary<string, string?> settings) =>
        new("people", "Csv", new FieldMapping { Key = "ref" }, new ConfigurationBuilder().AddInMemoryCollection(settings).Build(), _folder.Path);
}
