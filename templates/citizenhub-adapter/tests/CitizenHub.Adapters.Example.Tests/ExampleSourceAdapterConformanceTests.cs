using System.Text.Json;
using CitizenHub.Adapters.Testing;

namespace CitizenHub.Adapters.Example.Tests;

/// <summary>The Example adapter against the adapter conformance kit. Keep it passing as you change the adapter.</summary>
public sealed class ExampleSourceAdapterConformanceTests : SourceAdapterConformance
{
    protected override string SourceSystem => "example";

    protected override Task<ISourceAdapter> CreateSourceAsync(int goodRecords, bool withBadInput)
    {
        var lines = Enumerable.Range(1, goodRecords)
            .Select(i => JsonSerializer.Serialize(new Dictionary<string, string> { ["id"] = $"EX{i}", ["surname"] = $"Family{i}", ["dob"] = "1950-03-04" }))
            .ToList();
        if (withBadInput)
        {
            // A row whose key reads but whose name is not text: rejected, and the reject keeps its key.
            lines.Insert(2, """{ "id": "EX-BAD", "surname": { "family": "Nested" }, "dob": "1950-03-04" }""");
        }

        var path = Folder.Write("export.jsonl", string.Join("\n", lines) + "\n");
        var mapping = new FieldMapping { Key = "id", FamilyName = "surname", DateOfBirth = "dob", DateFormats = ["yyyy-MM-dd"] };
        return Task.FromResult<ISourceAdapter>(new ExampleSourceAdapter(SourceSystem, path, mapping));
    }
}
