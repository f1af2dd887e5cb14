using CitizenHub.Bench.Commands;

namespace CitizenHub.Bench.Tests.Commands;

/// <summary>
/// <c>citizenhub-bench febrl</c> on files of FEBRL's form made up here (the public sets are read from outside the
/// repository, and a test must not depend on them), and its configuration through <c>citizenhub config validate</c>.
/// </summary>
public sealed class FebrlBenchTests : CommandLineTest
{
    private const string Header = "rec_id, given_name, surname, street_number, address_1, address_2, suburb, postcode, state, date_of_birth, soc_sec_id";

    [Fact]
    public async Task BenchFebrl_FourLinkedAcrossTwoFiles_ScoresTheHubsLinksAgainstTheRecordIds()
    {
        // Three people in both files, their copies alike but for case and spacing; a fourth and a fifth in one file each.
        Folder.Write("febrl_dataset4a.csv", $"""
            {Header}
            rec-1-org, maia, keeble, 12, pinkerton circuit, , richlands, 4560, vic, 19611214, 4066625
            rec-2-org, oscar, brannigan, 38, salkauskas crescent, kela, dapto, 4566, nsw, 19480930, 4365168
            rec-3-org, tilly, oxenford, 8, stanley street, miami, winston hills, 4223, nsw, 19751111, 5304218
            rec-4-org, jasper, quennell, 77, fitzroy road, , bega, 2550, nsw, 19900102, 1234567

            """);
        Folder.Write("febrl_dataset4b.csv", $"""
            {Header}
            rec-1-dup-0, maia, keeble, 12, pinkerton circuit, , richlands, 4560, vic, 19611214, 4066625
            rec-2-dup-0, oscar, brannigan, 38, salkauskas  crescent, kela, dapto, 4566, nsw, 19480930, 4365168
            rec-3-dup-0, TILLY, oxenford, 8, stanley street, miami, winston hills, 4223, nsw, 19751111, 5304218
            rec-5-dup-0, wren, abernethy, 3, kooyong place, , toowong, 4066, qld, 19330405, 7654321

            """);

        var code = await RunAsync("febrl", "--data", Folder.Path, "--set", "4");

        Assert.Equal(0, code);
        var table = Table(Output.ToString());
        Assert.Equal(("8", "5", "0"), (table["records"], table["persons"], table["records not held"]));
        Assert.Equal(("3", "3", "3"), (table["true pairs"], table["predicted pairs"], table["correct pairs"]));
        Assert.Equal(("1.0000", "1.0000"), (table["precision"], table["recall"]));
    }

    [Theory]
    [InlineData("4")]
    [InlineData("3")]
    public async Task Configuration_AsTheRepositoryHoldsIt_IsValid(string set)
    {
        foreach (var file in new[] { "febrl_dataset3.csv", "febrl_dataset4a.csv", "febrl_dataset4b.csv" })
        {
            Folder.Write(file, Header + "\n");
        }

        var (config, files) = FebrlBench.WriteConfiguration(set, Folder.Path, Folder.Path);
        var code = await RunCitizenHubAsync("config", "validate", "--config", config);

        Assert.Equal(0, code);
        Assert.All(files, f => Assert.StartsWith(Folder.Path, f.File, StringComparison.Ordinal));
    }

    [Fact]
    public async Task BenchFebrl_DataFolderWithoutTheFiles_ExitsTwoSayingWhere()
    {
        var code = await RunAsync("febrl", "--data", Folder.Path);

        Assert.Equal(2, code);
        Assert.Equal($"citizenhub-bench: no febrl_dataset4a.csv in {Folder.Path}: give the folder of the FEBRL files with --data", Error.ToString().TrimEnd());
    }

    [Fact]
    public async Task ReadTruth_RecordIds_OriginalAndCopiesAreOnePerson()
    {
        var file = Folder.Write("febrl_dataset3.csv", $"{Header}\nrec-7-org, a\nrec-7-dup-2, b\nrec-8-dup-0, c\n");

        var truth = await FebrlBench.ReadTruthAsync([("febrl-3", file)], CancellationToken.None);

        Assert.Equal(
            new Dictionary<RecordRef, string> { [new("febrl-3", "rec-7-org")] = "7", [new("febrl-3", "rec-7-dup-2")] = "7", [new("febrl-3", "rec-8-dup-0")] = "8" },
            truth.PersonByRecord);
    }
}
