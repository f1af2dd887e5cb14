using System.Reflection;
using System.Text.Json;

namespace CitizenHub.Contracts.Tests;

public sealed class ContractSurfaceTests
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// MassTransit routes by type name, so renaming or moving a contract breaks a running deployment.
    /// A change here must be deliberate: update this list in the same commit, and say so.
    /// </summary>
    [Fact]
    public void PublicTypes_AreTheApprovedSet()
    {
        var types = typeof(SourceRecord).Assembly.GetExportedTypes().Select(t => t.FullName).Order(StringComparer.Ordinal);

        Assert.Equal(
            [
                "CitizenHub.Contracts.AddressKind",
                "CitizenHub.Contracts.AgeRange",
                "CitizenHub.Contracts.CitizenChanged",
                "CitizenHub.Contracts.CitizenCreated",
                "CitizenHub.Contracts.CitizenErased",
                "CitizenHub.Contracts.CitizenRestrictionChanged",
                "CitizenHub.Contracts.CitizenSplit",
                "CitizenHub.Contracts.CitizensMerged",
                "CitizenHub.Contracts.Identifier",
                "CitizenHub.Contracts.IdentifierScheme",
                "CitizenHub.Contracts.PartialDate",
                "CitizenHub.Contracts.PersonName",
                "CitizenHub.Contracts.PostalAddress",
                "CitizenHub.Contracts.PostcodeFormat",
                "CitizenHub.Contracts.SourceAttribute",
                "CitizenHub.Contracts.SourceRecord",
                "CitizenHub.Contracts.SourceRecordBatch",
                "CitizenHub.Contracts.SourceRecordRef",
                "CitizenHub.Contracts.SourceRecordsRemoved",
                "CitizenHub.Contracts.SyncRunCompleted",
                "CitizenHub.Contracts.SyncRunStarted",
            ],
            types);
    }

    [Fact]
    public void Contracts_AreImmutable()
    {
        var setters = typeof(SourceRecord).Assembly.GetExportedTypes()
            .SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            .Where(p => p.SetMethod is { IsPublic: true } setter
                && !setter.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(System.Runtime.CompilerServices.IsExternalInit)))
            .Select(p => $"{p.DeclaringType!.Name}.{p.Name}");

        Assert.Empty(setters);
    }

    [Fact]
    public void SourceRecordBatch_RoundTripsThroughJson_WithRawValuesIntact()
    {
        var batch = new SourceRecordBatch(Guid.NewGuid(), "council-tax", 3,
        [
            new SourceRecord
            {
                SourceSystem = "council-tax",
                SourceKey = "CT001",
                ObservedAt = new DateTimeOffset(2026, 11, 1, 2, 0, 0, TimeSpan.Zero),
                Name = new PersonName("Mrs", "Margaret", "Hughes", PreviousFamilyNames: ["Lee"]),
                DateOfBirth = new PartialDate(1950, 3, 4, "04/03/1950"),
                Addresses = [new PostalAddress(["14 Weston Road"], "Stafford", "st162ab", ValidFrom: new DateOnly(2001, 5, 1))],
                Identifiers = [new Identifier(IdentifierScheme.NiNumber, "JG 10 37 92 A")],
                Attributes = [new SourceAttribute("band", "C"), new SourceAttribute("care-package", "yes", "social-care")],
                RawFields = new Dictionary<string, string?> { ["surname"] = "Hughes", ["notes"] = null },
            },
        ]);

        var json = JsonSerializer.Serialize(batch, Json);
        var back = JsonSerializer.Deserialize<SourceRecordBatch>(json, Json)!;

        Assert.Equal(json, JsonSerializer.Serialize(back, Json));
        var record = Assert.Single(back.Records);
        Assert.Equal("04/03/1950", record.DateOfBirth!.Raw);
        Assert.Equal("JG 10 37 92 A", record.Identifiers[0].Value);
        Assert.Equal("social-care", record.Attributes[1].Sensitivity);
        Assert.Null(record.RawFields["notes"]);
    }
}
