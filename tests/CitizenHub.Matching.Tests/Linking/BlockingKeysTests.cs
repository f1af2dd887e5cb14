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

    private static List<string> Shared(NormalisedRecord a, NormalisedRecord b) => [.. BlockingKeys.For(a).Intersect(BlockingKeys.For(b))];
}
