using CitizenHub.Contracts;

namespace CitizenHub.Adapters.Tests;

public sealed class RecordMapperTests
{
    private static readonly DateTimeOffset Observed = new(2026, 11, 1, 2, 0, 0, TimeSpan.Zero);

    private static readonly FieldMapping Mapping = new()
    {
        Key = "ref",
        Title = "title",
        GivenNames = "forenames",
        FamilyName = "surname",
        DateOfBirth = "dob",
        DateFormats = ["dd/MM/yyyy", "yyyyMMdd"],
        AddressLines = ["addr1", "addr2"],
        Town = "town",
        Postcode = "postcode",
        Uprn = "uprn",
        NiNumber = "ni",
        NhsNumber = "nhs",
        Emails = ["email"],
        Phones = ["home", "mobile"],
        Attributes = [new AttributeMapping { Field = "care", Name = "care-package", Sensitivity = "social-care" }, new AttributeMapping { Field = "band" }],
    };

    [Fact]
    public void TryMap_FullRow_FillsEveryCanonicalPart()
    {
        var fields = Row();

        Assert.True(new RecordMapper("council-tax", Mapping).TryMap(fields, Observed, out var record, out var reason), reason);

        Assert.Equal(("council-tax", "CT1", Observed), (record!.SourceSystem, record.SourceKey, record.ObservedAt));
        Assert.Equal(new PersonName("Mrs", "Margaret", "Hughes"), record.Name);
        Assert.Equal(new PartialDate(1950, 3, 4, "04/03/1950"), record.DateOfBirth);
        var address = Assert.Single(record.Addresses);
        Assert.Equal(["14 Weston Road", "Flat 2"], address.Lines);
        Assert.Equal(("Stafford", "st16 3rz", "100031234567"), (address.Town, address.Postcode, address.Uprn));
        Assert.Equal(
            [new Identifier(IdentifierScheme.NiNumber, "JG 10 37 92 A"), new Identifier(IdentifierScheme.NhsNumber, "943 476 5919"), new Identifier(IdentifierScheme.Uprn, "100031234567")],
            record.Identifiers);
        Assert.Equal(["m.hughes@example.org"], record.Emails);
        Assert.Equal(["01785 220114", "07700 900123"], record.Phones);
        Assert.Equal([new SourceAttribute("care-package", "yes", "social-care"), new SourceAttribute("band", "C", "general")], record.Attributes);
    }

    [Fact]
    public void TryMap_PostcodesOfAnyCountry_TellsTheHubSoOnTheAddress()
    {
        var mapping = new FieldMapping { Key = "ref", Postcode = "postcode", PostcodeFormat = PostcodeFormat.Any };

        Assert.True(new RecordMapper("overseas", mapping).TryMap(Row(), Observed, out var record, out var reason), reason);

        Assert.Equal(PostcodeFormat.Any, Assert.Single(record!.Addresses).PostcodeFormat);
        Assert.True(new RecordMapper("council-tax", Mapping).TryMap(Row(), Observed, out var uk, out _));
        Assert.Equal(PostcodeFormat.Uk, Assert.Single(uk!.Addresses).PostcodeFormat);
    }

    [Fact]
    public void TryMap_IdentifiersOfNamedSchemes_EachFromItsField_NiAndNhsByTheirSchemeNames()
    {
        var mapping = new FieldMapping
        {
            Key = "ref",
            Identifiers =
            [
                new IdentifierMapping { Field = "account", Scheme = "council-tax-account", Pattern = "CT[0-9]+" },
                new IdentifierMapping { Field = "ni", Scheme = IdentifierMapping.NiNumberScheme },
                new IdentifierMapping { Field = "nhs", Scheme = IdentifierMapping.NhsNumberScheme },
            ],
        };
        var fields = Row();
        fields["account"] = " CT0042 ";

        Assert.True(new RecordMapper("council-tax", mapping).TryMap(fields, Observed, out var record, out var reason), reason);

        Assert.Equal(
            [new Identifier(IdentifierScheme.Named, "CT0042") { SchemeName = "council-tax-account" }, new Identifier(IdentifierScheme.NiNumber, "JG 10 37 92 A"), new Identifier(IdentifierScheme.NhsNumber, "943 476 5919")],
            record!.Identifiers);
        Assert.Empty(record.Problems);
    }

    [Theory]
    [InlineData("CT0042X")] // the pattern must match the whole value
    [InlineData("42")]
    public void TryMap_IdentifierNotMatchingItsPattern_KeptRawAndFlaggedWithoutTheValue(string value)
    {
        var mapping = new FieldMapping { Key = "ref", Identifiers = [new IdentifierMapping { Field = "account", Scheme = "council-tax-account", Pattern = "CT[0-9]+" }] };
        var fields = Row();
        fields["account"] = value;

        Assert.True(new RecordMapper("council-tax", mapping).TryMap(fields, Observed, out var record, out _));

        Assert.Empty(record!.Identifiers);
        Assert.Equal(value, record.RawFields["account"]);
        var problem = Assert.Single(record.Problems);
        Assert.Equal("field 'account' is not a council-tax-account (it does not match the mapping's Pattern); kept raw, not used", problem);
    }

    [Theory]
    [InlineData("", "passport", null, "Mapping.Identifiers[0] names no Field.")]
    [InlineData("p", "Passport Number", null, "Mapping.Identifiers[0].Scheme must be a name of lower-case letters, digits and hyphens (council-tax-account).")]
    [InlineData("p", "passport", "[0-9", "Mapping.Identifiers[0].Pattern is not a regular expression.")]
    public void New_IdentifierMappingThatCannotBeUsed_SaysWhichAndWhy(string field, string scheme, string? pattern, string expected)
    {
        var mapping = new FieldMapping { Key = "ref", Identifiers = [new IdentifierMapping { Field = field, Scheme = scheme, Pattern = pattern }] };

        var error = Assert.Throws<ArgumentException>(() => new RecordMapper("passports", mapping));

        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryMap_AgeAtObservation_IsOnEveryRecordOfTheSource()
    {
        var mapping = new FieldMapping { Key = "ref", AgeAtObservation = new AgeMapping { AtLeast = 16 } };

        Assert.True(new RecordMapper("electoral-register", mapping).TryMap(Row(), Observed, out var record, out var reason), reason);
        Assert.True(new RecordMapper("council-tax", Mapping).TryMap(Row(), Observed, out var silent, out _));

        Assert.Equal(new AgeRange(16, null), record!.AgeAtObservation);
        Assert.Null(silent!.AgeAtObservation);
    }

    [Fact]
    public void TryMap_DateOfDeath_ReadWithTheDateFormats_AndOneThatIsNotADate_KeptRawAndFlagged()
    {
        var mapping = new FieldMapping { Key = "ref", DateOfBirth = "dob", DateOfDeath = "died", DateFormats = ["dd/MM/yyyy"] };
        var died = Row();
        died["died"] = "17/09/2024";
        var garbled = Row();
        garbled["died"] = "last Tuesday";

        Assert.True(new RecordMapper("deaths", mapping).TryMap(died, Observed, out var record, out var reason), reason);
        Assert.True(new RecordMapper("deaths", mapping).TryMap(garbled, Observed, out var kept, out _));

        Assert.Equal(new PartialDate(2024, 9, 17, "17/09/2024"), record!.DateOfDeath);
        Assert.Null(kept!.DateOfDeath);
        Assert.Equal(["field 'died' is not a date in the format dd/MM/yyyy; kept raw, not used"], kept.Problems);
        Assert.Equal("last Tuesday", kept.RawFields["died"]);
        Assert.Equal(new PartialDate(1950, 3, 4, "04/03/1950"), kept.DateOfBirth);
    }

    [Theory]
    [InlineData(null, null, "Mapping.AgeAtObservation gives neither AtLeast nor Under.")]
    [InlineData(25, 16, "Mapping.AgeAtObservation must be ages from 0 to 130, AtLeast below Under.")]
    [InlineData(-1, null, "Mapping.AgeAtObservation must be ages from 0 to 130, AtLeast below Under.")]
    [InlineData(null, 200, "Mapping.AgeAtObservation must be ages from 0 to 130, AtLeast below Under.")]
    public void New_AgeAtObservationThatCannotBeSo_SaysWhy(int? atLeast, int? under, string expected)
    {
        var mapping = new FieldMapping { Key = "ref", AgeAtObservation = new AgeMapping { AtLeast = atLeast, Under = under } };

        var error = Assert.Throws<ArgumentException>(() => new RecordMapper("electoral-register", mapping));

        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryMap_KeepsEveryRawFieldExactlyAsGiven()
    {
        var fields = Row();
        fields["unmapped"] = "  kept as is  ";

        new RecordMapper("council-tax", Mapping).TryMap(fields, Observed, out var record, out _);

        Assert.Equal(fields.Count, record!.RawFields.Count);
        Assert.Equal("  kept as is  ", record.RawFields["unmapped"]);
        Assert.Equal("JG 10 37 92 A", record.RawFields["ni"]);
    }

    [Fact]
    public void TryMap_BlankFields_AreAbsent()
    {
        var fields = Row();
        foreach (var name in new[] { "title", "dob", "addr2", "nhs", "email", "mobile" })
        {
            fields[name] = "   ";
        }

        new RecordMapper("council-tax", Mapping).TryMap(fields, Observed, out var record, out _);

        Assert.Null(record!.Name!.Title);
        Assert.Null(record.DateOfBirth);
        Assert.Equal(["14 Weston Road"], record.Addresses[0].Lines);
        Assert.DoesNotContain(record.Identifiers, i => i.Scheme == IdentifierScheme.NhsNumber);
        Assert.Empty(record.Emails);
        Assert.Equal(["01785 220114"], record.Phones);
    }

    [Fact]
    public void TryMap_NoKey_IsRefusedNamingTheKeyField()
    {
        var fields = Row();
        fields["ref"] = "";

        Assert.False(new RecordMapper("council-tax", Mapping).TryMap(fields, Observed, out var record, out var reason));

        Assert.Null(record);
        Assert.Equal("key field 'ref' is empty", reason);
    }

    [Theory]
    [InlineData("31/02/1975")]
    [InlineData("1975-02-13")]
    [InlineData("yesterday")]
    public void TryMap_DateFittingNoFormat_KeepsTheRecordWithTheDateRawAndAProblemNamingFieldAndFormatsNotValue(string dob)
    {
        var fields = Row();
        fields["dob"] = dob;

        Assert.True(new RecordMapper("council-tax", Mapping).TryMap(fields, Observed, out var record, out _));

        Assert.Null(record!.DateOfBirth);
        Assert.Equal(dob, record.RawFields["dob"]);
        var problem = Assert.Single(record.Problems);
        Assert.Equal("field 'dob' is not a date in the format dd/MM/yyyy or yyyyMMdd; kept raw, not used", problem);
        Assert.DoesNotContain(dob, problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("D", true)]
    [InlineData(" d ", true)]
    [InlineData("A", false)]
    [InlineData("", false)]
    public void TryMap_DeletionMarker_MakesATombstoneOfTheRowsKey(string status, bool deleted)
    {
        var fields = Row();
        fields["status"] = status;
        var mapping = new FieldMapping
        {
            Key = "ref", FamilyName = "surname", DateOfBirth = "dob", DateFormats = ["dd/MM/yyyy"],
            Deleted = new DeletionMarker { Field = "status", Values = ["D"] },
        };

        Assert.True(new RecordMapper("council-tax", mapping).TryMap(fields, Observed, out var record, out _));

        Assert.Equal(deleted, record!.Deleted);
        Assert.Equal(deleted, record.Name is null);
        Assert.Contains("status", mapping.ReferencedFields());
    }

    [Fact]
    public void TryMap_DeletionMarkerWithoutValues_TakesAnyValueAsDeleted()
    {
        var fields = Row();
        fields["deleted_at"] = "2026-11-30T10:00:00Z";
        var mapping = new FieldMapping { Key = "ref", Deleted = new DeletionMarker { Field = "deleted_at" } };

        Assert.True(new RecordMapper("council-tax", mapping).TryMap(fields, Observed, out var deleted, out _));
        fields["deleted_at"] = " ";
        Assert.True(new RecordMapper("council-tax", mapping).TryMap(fields, Observed, out var kept, out _));

        Assert.True(deleted!.Deleted);
        Assert.False(kept!.Deleted);
    }

    [Fact]
    public void TryMap_SecondDateFormat_IsTriedWhenTheFirstDoesNotFit()
    {
        var fields = Row();
        fields["dob"] = "19500304";

        new RecordMapper("council-tax", Mapping).TryMap(fields, Observed, out var record, out _);

        Assert.Equal(new PartialDate(1950, 3, 4, "19500304"), record!.DateOfBirth);
    }

    [Fact]
    public void TryMap_NoDateFormatsConfigured_UsesTheDefaults()
    {
        var mapping = new FieldMapping { Key = "ref", DateOfBirth = "dob" };
        var mapper = new RecordMapper("x", mapping);

        Assert.True(mapper.TryMap(new Dictionary<string, string?> { ["ref"] = "1", ["dob"] = "1950-03-04" }, Observed, out var iso, out _));
        Assert.True(mapper.TryMap(new Dictionary<string, string?> { ["ref"] = "2", ["dob"] = "04/03/1950" }, Observed, out var uk, out _));
        Assert.Equal(iso!.DateOfBirth! with { Raw = null }, uk!.DateOfBirth! with { Raw = null });
    }

    [Fact]
    public void TryMap_FieldNamesInAnotherCase_StillFound()
    {
        var fields = new Dictionary<string, string?>(StringComparer.Ordinal) { ["REF"] = "CT9", ["SURNAME"] = "Hughes" };

        Assert.True(new RecordMapper("x", new FieldMapping { Key = "ref", FamilyName = "surname" }).TryMap(fields, Observed, out var record, out _));

        Assert.Equal(("CT9", "Hughes"), (record!.SourceKey, record.Name!.FamilyName));
    }

    [Fact]
    public void Constructor_MappingWithoutKey_Throws() =>
        Assert.Throws<ArgumentException>(() => new RecordMapper("x", new FieldMapping()));

    [Fact]
    public void ReferencedFields_ListsEachMappedFieldOnce()
    {
        var mapping = new FieldMapping
        {
            Key = "ref", FamilyName = "surname", Phones = ["phone", "PHONE"], AddressLines = ["a1"],
            Identifiers = [new IdentifierMapping { Field = "passport_no", Scheme = "passport" }],
        };

        Assert.Equal(["ref", "surname", "a1", "passport_no", "phone"], mapping.ReferencedFields());
    }

    private static Dictionary<string, string?> Row() => new(StringComparer.OrdinalIgnoreCase)
    {
        ["ref"] = "CT1",
        ["title"] = "Mrs",
        ["forenames"] = "Margaret",
        ["surname"] = "Hughes",
        ["dob"] = "04/03/1950",
        ["addr1"] = "14 Weston Road",
        ["addr2"] = "Flat 2",
        ["town"] = "Stafford",
        ["postcode"] = "st16 3rz",
        ["uprn"] = "100031234567",
        ["ni"] = "JG 10 37 92 A",
        ["nhs"] = "943 476 5919",
        ["email"] = "m.hughes@example.org",
        ["home"] = "01785 220114",
        ["mobile"] = "07700 900123",
        ["care"] = "yes",
        ["band"] = "C",
    };
}
