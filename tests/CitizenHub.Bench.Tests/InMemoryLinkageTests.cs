using CitizenHub.Matching;
using CitizenHub.Matching.Scoring;

namespace CitizenHub.Bench.Tests;

/// <summary>
/// The matching core on a small generated population: guards against a change that starts merging the hard
/// pairs or loses most links. The 20,000-person numbers are measured by <c>citizenhub bench</c>, not here.
/// </summary>
public sealed class InMemoryLinkageTests
{
    private static readonly LabelledPopulation Population = LabelledPopulation.Generate(new PopulationOptions { Persons = 1500, Seed = 11 });

    [Fact]
    public void Run_SmallPopulation_NeverMergesTwinsOrSpousesAndKeepsPrecisionHigh()
    {
        var result = InMemoryLinkage.Run(Population, MatchModel.Default);

        Assert.Equal(0, result.Report.Twins.FalselyMerged);
        Assert.Equal(0, result.Report.Spouses.FalselyMerged);
        Assert.True(result.Report.Precision >= 0.99, $"precision {result.Report.Precision:0.0000}");
        Assert.True(result.Report.Recall >= 0.8, $"recall {result.Report.Recall:0.0000}");
        Assert.Equal(result.Report.TruePairs - result.Report.CorrectPairs, result.Mistakes.Count(m => m.Kind == "missed"));
        Assert.Equal(result.Report.PredictedPairs - result.Report.CorrectPairs, result.Mistakes.Count(m => m.Kind.StartsWith("false", StringComparison.Ordinal)));
    }

    [Fact]
    public void Run_SmallPopulation_CountsThePairsLinkedOnANameAlone_ByHowCommonTheNameIs()
    {
        var result = InMemoryLinkage.Run(Population, MatchModel.Default);

        Assert.NotEmpty(result.NameAlone);
        Assert.True(result.NameAlone.Sum(b => b.SamePerson) > result.NameAlone.Sum(b => b.Strangers));
        Assert.True(result.NameAlone.Sum(b => b.SamePerson + b.Strangers) <= result.Report.PredictedPairs);
        Assert.Equal(result.NameAlone.Select(b => b.AtLeast).Order(), result.NameAlone.Select(b => b.AtLeast));
    }

    [Fact]
    public void Estimate_FromGeneratedRecords_AgreementWeighsForAndDisagreementAgainst()
    {
        var records = Population.Records.Select(r => RecordNormaliser.Normalise(r.Record)).ToList();

        var result = ParameterEstimation.Estimate(records, MatchModel.Default, randomPairs: 50_000);

        Assert.True(result.Converged);
        Assert.InRange(result.MatchShare, 0.05, 0.99);
        var model = MatchModel.Default.WithParameters(result.Parameters);
        Assert.True(model.Weight(MatchFields.DateOfBirthIndex, Levels.DobExact) > 5);
        Assert.True(model.Weight(MatchFields.DateOfBirthIndex, Levels.DobDifferent) < 0);
        Assert.True(model.Weight(MatchFields.FamilyNameIndex, Levels.FamilyExact) > 3);
        Assert.True(model.Weight(MatchFields.FamilyNameIndex, Levels.FamilyDifferent) < 0);
        Assert.True(model.Weight(MatchFields.AddressIndex, Levels.AddressUprn) > 5);
        Assert.All(result.Parameters.SelectMany(c => c.Levels.Skip(1)), l => Assert.InRange(l.M, 0, 1));
    }

    [Fact]
    public void Estimate_RecordsWithNoPostcode_EstimatesFromDatesOfBirth_AndSaysWhatItKeptAsItStarted()
    {
        // A source whose postcodes are all outside the UK format: none survives normalising, so no pair shares one.
        var records = Population.Records
            .Select(r => RecordNormaliser.Normalise(r.Record with { Addresses = [.. r.Record.Addresses.Select(a => a with { Postcode = null })] }))
            .ToList();

        var result = ParameterEstimation.Estimate(records, MatchModel.Default, randomPairs: 50_000);

        Assert.Contains(result.NotEstimated, n => n.Contains("postcode", StringComparison.Ordinal));
        var dateOfBirth = result.Parameters[MatchFields.DateOfBirthIndex];
        Assert.Contains(result.NotEstimated, n => n.StartsWith(dateOfBirth.Comparison, StringComparison.Ordinal));
        Assert.Equal(
            MatchModel.Default.Comparisons[MatchFields.DateOfBirthIndex].Levels.Select(l => l.M),
            dateOfBirth.Levels.Select(l => l.M));
        var model = MatchModel.Default.WithParameters(result.Parameters);
        Assert.True(model.Weight(MatchFields.FamilyNameIndex, Levels.FamilyExact) > 3);
    }

    [Fact]
    public void Estimate_RecordsSharingNeitherADateOfBirthNorAPostcode_SaysThereAreNoPairsToEstimateFrom()
    {
        var records = Population.Records.Take(200)
            .Select(r => RecordNormaliser.Normalise(r.Record with { DateOfBirth = null, Addresses = [] }))
            .ToList();

        var error = Assert.Throws<ArgumentException>(() => ParameterEstimation.Estimate(records, MatchModel.Default, randomPairs: 1_000));

        Assert.Contains("no candidate pairs", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Estimate_FromGeneratedRecords_EstimatesEveryComparison()
    {
        var records = Population.Records.Select(r => RecordNormaliser.Normalise(r.Record)).ToList();

        Assert.Empty(ParameterEstimation.Estimate(records, MatchModel.Default, randomPairs: 50_000).NotEstimated);
    }

    [Fact]
    public void Estimate_TwoNamedSchemes_EachGetsItsOwnParameters_TheCarefullyKeptOneWeighingMore()
    {
        // Every record holds a council-tax account that is its person's own, and a library card that is a stranger's
        // for one record in three (cards reissued, mistyped): the account's agreement must come out stronger
        // evidence, and its disagreement stronger evidence against.
        var random = new Random(5);
        var records = Population.Records.Select(r => RecordNormaliser.Normalise(r.Record) with
        {
            SchemeIdentifiers =
            [
                $"council-tax-account|{r.PersonId}",
                $"library-card|{(random.Next(3) == 0 ? "L" + random.Next(1_000_000) : r.PersonId)}",
            ],
        }).ToList();

        var result = ParameterEstimation.Estimate(records, MatchModel.Default, randomPairs: 50_000);
        var model = MatchModel.Default.WithParameters(result.Parameters);

        var account = model.Schemes.Single(s => s.Comparison == "identifier:council-tax-account").Levels;
        var card = model.Schemes.Single(s => s.Comparison == "identifier:library-card").Levels;
        Assert.True(account[Levels.Exact].M > card[Levels.Exact].M + 0.15, $"m(exact): account {account[Levels.Exact].M:0.000}, card {card[Levels.Exact].M:0.000}");
        Assert.True(account[Levels.Different].Weight < card[Levels.Different].Weight - 1, $"different: account {account[Levels.Different].Weight:0.0}, card {card[Levels.Different].Weight:0.0}");
        Assert.True(account[Levels.Exact].Weight > 10);
        Assert.DoesNotContain(result.NotEstimated, n => n.Contains("identifier:", StringComparison.Ordinal));
    }

    [Fact]
    public void Estimate_ASchemeOneRecordHolds_KeepsTheIdentifierComparisonsM_AndSaysSo()
    {
        var records = Population.Records.Select((r, i) => RecordNormaliser.Normalise(r.Record) with
        {
            SchemeIdentifiers = i == 0 ? ["passport|P1"] : [],
        }).ToList();

        var result = ParameterEstimation.Estimate(records, MatchModel.Default, randomPairs: 5_000);

        var passport = result.Parameters.Single(p => p.Comparison == "identifier:passport");
        Assert.Equal(result.Parameters[MatchFields.IdentifierIndex].Levels.Select(l => l.M), passport.Levels.Select(l => l.M));
        Assert.Contains(result.NotEstimated, n => n.StartsWith("identifier:passport: no candidate pair", StringComparison.Ordinal));
        Assert.Contains(result.NotEstimated, n => n.StartsWith("identifier:passport: no random pair", StringComparison.Ordinal));
    }

    [Fact]
    public void LinkingSpeedBench_SmallIndex_LinksEveryRecordItWasAsked()
    {
        var report = LinkingSpeedBench.Run(goldenRecords: 500, linked: 200, seed: 2, TextWriter.Null);

        Assert.Equal(500, report.GoldenRecords);
        Assert.Equal(160, report.Linked); // a fifth of those asked for warm up, untimed
        Assert.Equal(report.Linked, report.Links + report.NewCitizens);
        Assert.True(report.Links > report.NewCitizens, "most further records of a generated person should find their golden record");
        Assert.True(report.CandidateCitizens >= report.Links);
        Assert.Contains(report.Blocks, b => b.Kind == "pc:" && b.Keys > 0 && b.LargestBlock >= 1);
        Assert.Contains(report.Blocks, b => b.Kind == "nm:" && b.Keys > 0);
        Assert.True(report.Gc.AllocatedBytes > 0, "the run allocates; the report must have measured it");
    }
}
