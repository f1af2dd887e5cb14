using System.Globalization;
using System.Text;
using CitizenHub.Adapters.Testing;

namespace CitizenHub.Adapters.Csv.Tests;

/// <summary>The CSV adapter against the adapter conformance kit.</summary>
public sealed class CsvSourceAdapterConformanceTests : SourceAdapterConformance
{
    protected override string SourceSystem => "council-tax";

    protected override Task<ISourceAdapter> CreateSourceAsync(int goodRecords, bool withBadInput)
    {
        var text = new StringBuilder("ref,forenames,surname,dob\n");
        for (var i = 1; i <= goodRecords; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"CT{i},Given{i},Family{i},0{i % 9 + 1}/03/1950\n");
            if (withBadInput && i == 3)
            {
                text.Append("CT99,Bad,\"Quote\"d,01/01/1970\n");
            }
        }

        var path = Folder.Write("council-tax.csv", text.ToString());
        var mapping = new FieldMapping { Key = "ref", GivenNames = "forenames", FamilyName = "surname", DateOfBirth = "dob" };
        return Task.FromResult<ISourceAdapter>(new CsvSourceAdapter(SourceSystem, path, new CsvSourceOptions(), mapping));
    }
}
