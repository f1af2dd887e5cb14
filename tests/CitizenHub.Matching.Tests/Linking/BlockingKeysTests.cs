using CitizenHub.Contracts;
using CitizenHub.Matching.Linking;
using static CitizenHub.Matching.Tests.Linking.LinkerTests;

namespace CitizenHub.Matching.Tests.Linking;

/// <summary>A true match with one thing wrong must still share a key with its partner, or it is never scored.</summary>
public sealed class BlockingKeysTests
{
    [Fact]
    public void For_GivenAndFamilySwapped_NoBirthDateOrUprn_StillShareTheNameKey()
    {
        var held = P("Morgan", "Hughes", null, "ST16 2AB", "14 Weston Road");
        var swapped = P("Hughes", "Morgan", null, "ST17 4QT", "2 Mill Lane");

        Assert.Contains(Shared(held, swapped), k => k.StartsWith(BlockingKeys.NameOnlyPrefix, StringComparison.Ordinal));
    }

    [Fact]
    public void For_MovedHomeAndTypoInFamilyName_ShareTheBirthDateKey() =>
        Assert.Contains(
            Shared(P("Imogen", "Castellano", (1993, 9, 14), "ST16 2AB", "14 Weston Road"), P("Imogen", "Castelano", (1993, 9, 14), "ST17 4QT", "2 Mill Lane")),
            k => k.StartsWith("dob:", StringComparison.Ordinal));

    [Fact]
    public void For_NoBirthDate_ShareThePostcodeKey() =>
        Assert.Contains(
            Shared(P("Imogen", "Castellano", null, "ST16 2AB", "14 Weston Road"), P("Imogen", "Castellano", null, "ST16 2AB", "Flat 1, 14 Weston Road")),
            k => k.StartsWith("pc:", StringComparison.Ordinal));

    [Fact]
    public void For_DifferentPeopleOfOneFamilyAtOneAddress_ShareNoNameKey() =>
        Assert.DoesNotContain(
            Shared(P("Emma", "Clarke", null, "ST16 2AB", "14 Weston Road"), P("James", "Clarke", null, "ST16 2AB", "14 Weston Road")),
            k => k.StartsWith(BlockingKeys.NameOnlyPrefix, StringComparison.Ordinal));

    [Fact]
    public void For_EveryKindOfKey_WrittenExactlyAsTheStoresHoldThem()
    {
        // The stores keep these keys in their tables: a key written differently after an upgrade would no longer
        // find the golden records indexed before it.
        var record = RecordNormaliser.Normalise(new SourceRecord
        {
            SourceSystem = "ct",
            SourceKey = "1",
            ObservedAt = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero),
            Name = new PersonName(null, "Zoe", "Abbott"),
            DateOfBirth = new PartialDate(1980, 3, 7),
            Addresses = [new PostalAddress(["14 Weston Road"], "Stafford", "st162ab", Uprn: "100031000001")],
            Identifiers = [new Identifier(IdentifierScheme.NiNumber, "AB123456C"), new Identifier(IdentifierScheme.NhsNumber, "943 476 5919"), Identifier.OfScheme("soc-sec-id", "530 4218")],
            Emails = ["Zoe.Abbott@Example.org"],
            Phones = ["01785 223344"],
        });

        Assert.Equal(
            [
                "nhs:9434765919", "ni:AB123456C", "uprn:100031000001", "id:soc-sec-id|5304218", "email:zoe.abbott@example.org", "phone:+441785223344",
                "dob:1980-03-07|Z", "dob:1980-03-07|A", "pc:ST16 2AB|Z", "fy:APT|1980|Z", "nm:ABBOTT|ZOE",
            ],
            BlockingKeys.For(record));
    }

    [Fact]
    public void For_SameInitials_OneBirthDateKey_AndAYearOnlyDateGivesNone()
    {
        var sameInitials = BlockingKeys.For(P("Anna", "Abbott", (1980, 3, 7), null, null));
        var yearOnly = BlockingKeys.For(RecordNormaliser.Normalise(new SourceRecord
        {
            SourceSystem = "ct",
            SourceKey = "2",
            ObservedAt = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero),
            Name = new PersonName(null, "Anna", "Abbott"),
            DateOfBirth = new PartialDate(1980, null, null),
        }));

        Assert.Equal(["dob:1980-03-07|A"], sameInitials.Where(k => k.StartsWith("dob:", StringComparison.Ordinal)));
        Assert.DoesNotContain(yearOnly, k => k.StartsWith("dob:", StringComparison.Ordinal));
        Assert.Contains("fy:APT|1980|A", yearOnly);
    }

    [Fact]
    public void For_KeyLongerThanTheStackBuffer_WrittenWhole()
    {
        var local = new string('x', 300);
        var keys = BlockingKeys.For(P("Zoe", "Abbott", null, null, null, email: $"{local}@example.org"));

        Assert.Contains($"email:{local}@example.org", keys);
    }

    private static List<string> Shared(NormalisedRecord a, NormalisedRecord b) => [.. BlockingKeys.For(a).Intersect(BlockingKeys.For(b))];
}
