using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CitizenHub.Api.Reporting;
using CitizenHub.Contracts;
using CitizenHub.Matching.Identity;
using CitizenHub.Store;
using CitizenHub.TestKit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CitizenHub.Api.Tests.Reporting;

/// <summary>
/// The report's figures for <see cref="ReportCouncil"/>, synced through the real hub, each known by construction; then a
/// steward's merge and split, and staff look-ups through the API.
/// </summary>
public sealed class HubReportBuilderTests(HubReportBuilderTests.Council council) : IClassFixture<HubReportBuilderTests.Council>
{
    private const string CouncilTax = "council-tax", Benefits = "housing-benefits", Register = "electoral-register";

    private readonly EmbeddedHub _hub = council.Hub;
    private readonly HubReport _report = council.Report;
    private readonly DateTimeOffset _syncedAt = council.SyncedAt;
    private readonly DateTimeOffset _asAt = council.AsAt;

    /// <summary>The council synced once, worked on, and reported on, for every test of the class (each only reads it).</summary>
    public sealed class Council : IAsyncLifetime
    {
        public EmbeddedHub Hub { get; } = new();

        public HubReport Report { get; private set; } = null!;

        public DateTimeOffset SyncedAt { get; private set; }

        public DateTimeOffset AsAt { get; private set; }

        public async Task InitializeAsync()
        {
            await Hub.StartAsync(ReportCouncil.CouncilTax, ReportCouncil.HousingBenefits, configure: root => root["Sources"] = ReportCouncil.SourcesConfig());
            Hub.Replace(Register + ".csv", ReportCouncil.ElectoralRegister);
            SyncedAt = TimeProvider.System.GetUtcNow();
            foreach (var source in ReportCouncil.Sources)
            {
                var summary = await Hub.SyncAsync(source);
                Assert.True(summary.Succeeded, summary.Error);
            }

            var store = Hub.Services.GetRequiredService<ICitizenStore>();
            var stewardship = Hub.Services.GetRequiredService<IStewardship>();
            // Castellano is one person (a merge); the benefits system's Kelly is not the register's (a split). Whitfield waits.
            var open = await store.GetReviewsAsync(new ReviewQuery(ReviewStatus.Open, 10), CancellationToken.None);
            Assert.Equal(["HB5", "HB6"], open.Select(r => r.Record.SourceKey).Order());
            Assert.Equal(StewardOutcomeKind.Applied, (await stewardship.DecideAsync(open.Single(r => r.Record.SourceKey == "HB5").ReviewId, true, "test-steward", null, CancellationToken.None)).Kind);
            var kelly = (await store.GetSourceRecordAsync(Benefits, "HB4", CancellationToken.None))!.CitizenId;
            Assert.Equal(StewardOutcomeKind.Applied, (await stewardship.SplitAsync(kelly, new SourceRecordRef(Benefits, "HB4"), "test-steward", null, CancellationToken.None)).Kind);

            // Three reads by an agent, a read and a history by a steward; a search, which is not a look-up of one resident.
            var hughes = (await store.GetSourceRecordAsync(CouncilTax, "CT1", CancellationToken.None))!.CitizenId;
            using var agent = Hub.ClientFor("agent", "council tax enquiry: call 1234");
            using var steward = Hub.ClientFor("steward", "Checking a pair");
            (await agent.GetAsync(new Uri("/citizens?family=hughes", UriKind.Relative))).EnsureSuccessStatusCode();
            for (var i = 0; i < 3; i++)
            {
                (await agent.GetAsync(new Uri($"/citizens/{hughes}", UriKind.Relative))).EnsureSuccessStatusCode();
            }

            (await steward.GetAsync(new Uri($"/citizens/{hughes}", UriKind.Relative))).EnsureSuccessStatusCode();
            (await steward.GetAsync(new Uri($"/citizens/{hughes}/history", UriKind.Relative))).EnsureSuccessStatusCode();

            // Ten days on: the open pair has waited between one and four weeks, and today's look-ups are ten days back.
            AsAt = TimeProvider.System.GetUtcNow().AddDays(10);
            Report = await new HubReportBuilder(store, new FakeTimeProvider(AsAt)).BuildAsync(CancellationToken.None);
        }

        public async Task DisposeAsync() => await Hub.DisposeAsync();
    }

    [Fact]
    public void Completeness_CountsEachFieldsUsableValuesPerSource()
    {
        Assert.Equal([CouncilTax, Register, Benefits], _report.Sources.Select(s => s.Source));
        Assert.Equal(19, _report.Records);
        // Council tax: Shah's second birth date is 31 February and Adeyemi's postcode is not one; two pairs have no birth date or NI number.
        AssertPresent(CouncilTax, 7, name: 7, dob: 4, postcode: 6, ni: 5, nhs: 0, uprn: 1, email: 1, phone: 1);
        // Benefits: Nowak has no given name and an impossible NI number; Hughes's NHS number fails its check.
        AssertPresent(Benefits, 6, name: 5, dob: 4, postcode: 6, ni: 3, nhs: 1, uprn: 0, email: 1, phone: 1);
        // The register: Patel's UPRN is letters, Hughes's phone is two digits.
        AssertPresent(Register, 6, name: 6, dob: 6, postcode: 6, ni: 6, nhs: 0, uprn: 1, email: 0, phone: 0);
    }

    [Fact]
    public void InvalidValues_AreCountedByKind_FromTheRecordsProblems()
    {
        AssertInvalid(CouncilTax, (ReportFields.Postcode, 1), (ReportFields.DateOfBirth, 1));
        AssertInvalid(Benefits, (ReportFields.NiNumber, 1), (ReportFields.NhsNumber, 1));
        AssertInvalid(Register, (ReportFields.Uprn, 1), (ReportFields.Phone, 1));
    }

    [Fact]
    public void DuplicatesAndLinksElsewhere_ArePerSource()
    {
        // Shah is in council tax twice; Whitfield (council tax, benefits), Kelly after the split (benefits), Nowak (benefits)
        // and Patel and Kelly (the register) are known to their own system only.
        Assert.Equal((1L, 1L, 6L), Figures(CouncilTax));
        Assert.Equal((0L, 0L, 3L), Figures(Benefits));
        Assert.Equal((0L, 0L, 4L), Figures(Register));

        (long, long, long) Figures(string source) =>
            _report.Sources.Single(s => s.Source == source) is var s ? (s.DuplicateRecords, s.ResidentsWithDuplicates, s.LinkedElsewhere) : default;
    }

    [Fact]
    public void Overlap_CountsResidentsKnownToBothOfTwoSources_AndBySourceCount()
    {
        var overlap = _report.Overlap;
        // Hughes, Adeyemi; Shah, Bello, Castellano (merged); Kelly twice, Nowak, Patel, Whitfield twice (undecided).
        Assert.Equal(11, overlap.Residents);
        Assert.Equal([6L, 3L, 2L, 0L], overlap.BySourceCount);
        Assert.Equal(5, overlap.JoinedUp);
        Assert.Equal(4, overlap.Both(CouncilTax, Register)); // Hughes, Adeyemi, Shah, Bello
        Assert.Equal(3, overlap.Both(CouncilTax, Benefits)); // Hughes, Adeyemi, Castellano
        Assert.Equal(2, overlap.Both(Benefits, Register)); // Hughes, Adeyemi: Kelly was split apart
    }

    [Fact]
    public void ReviewBacklog_CountsOpenPairsByAge()
    {
        Assert.Equal(1, _report.Reviews.Open);
        Assert.Equal([0L, 0L, 1L, 0L], _report.Reviews.ByAge);
        Assert.InRange(_report.Reviews.OldestSince!.Value, _syncedAt, _asAt.AddDays(-10));
    }

    [Fact]
    public void MergesAndSplits_AreCountedOnTheDayTheyHappened()
    {
        var period = Assert.Single(_report.MergesAndSplits.Periods);
        Assert.False(_report.MergesAndSplits.Weekly);
        Assert.Equal((DateOnly.FromDateTime(_syncedAt.UtcDateTime), 1L, 1L), (period.Start, period.Merges, period.Splits));
    }

    [Fact]
    public void Trends_GiveEachRunsRecordsRejectsLinkageAndDuration()
    {
        // Council tax came first: only Shah's second record found someone. Then benefits: Hughes and Adeyemi. Then the register:
        // all but Patel.
        AssertRun(CouncilTax, records: 7, linkage: 1 / 7.0);
        AssertRun(Benefits, records: 6, linkage: 2 / 6.0);
        AssertRun(Register, records: 6, linkage: 5 / 6.0);

        void AssertRun(string source, int records, double linkage)
        {
            var run = Assert.Single(_report.Trends.Single(t => t.Source == source).Runs);
            Assert.Equal(("Completed", records, 0), (run.Status, run.Records, run.Rejects));
            Assert.Equal(linkage, run.LinkageRate!.Value, precision: 6);
            Assert.InRange(run.Duration!.Value, TimeSpan.Zero, _asAt - _syncedAt);
        }
    }

    [Fact]
    public void LookUps_AreReadsOfOneResident_PerDayByRoleAndByPurpose()
    {
        var usage = _report.Usage;
        Assert.Equal(HubReportBuilder.UsageDays, usage.PerDay.Count);
        Assert.Equal(DateOnly.FromDateTime(_asAt.UtcDateTime), usage.PerDay[^1].Day);
        var busy = Assert.Single(usage.PerDay, d => d.Total > 0);
        Assert.Equal(DateOnly.FromDateTime(_syncedAt.UtcDateTime), busy.Day);
        Assert.Equal(new Dictionary<string, long> { ["agent"] = 3, ["steward"] = 2 }, busy.ByRole);
        // The words before the colon, folded: the call reference is not a purpose.
        Assert.Equal([new("council tax enquiry", 3), new("checking a pair", 2)], usage.ByPurpose);
    }

    [Fact]
    public async Task TheApi_AnswersAnAdmin_AndRefusesAnAgent()
    {
        using var admin = _hub.ClientFor("admin");
        using var agent = _hub.ClientFor("agent");

        var report = await admin.GetFromJsonAsync<JsonElement>("/report");
        using var refused = await agent.GetAsync(new Uri("/report", UriKind.Relative));

        Assert.Equal(11, report.GetProperty("overlap").GetProperty("residents").GetInt64());
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Theory]
    [InlineData("postcode: not valid, kept raw and not used as evidence", ReportFields.Postcode)]
    [InlineData("NI number: not valid, kept raw and not used as evidence", ReportFields.NiNumber)]
    [InlineData("date of birth: after the record was observed", ReportFields.DateOfBirth)]
    [InlineData("field 'dob' is not a date in the format dd/MM/yyyy; kept raw, not used", ReportFields.DateOfBirth)]
    [InlineData("something new: the hub learnt another check", ReportFields.Other)]
    public void ProblemKind_ReadsTheFieldFromTheProblemsWording(string problem, string kind) =>
        Assert.Equal(kind, HubReportBuilder.ProblemKind(problem));

    private void AssertPresent(string source, long records, long name, long dob, long postcode, long ni, long nhs, long uprn, long email, long phone)
    {
        var quality = _report.Sources.Single(s => s.Source == source);
        Assert.Equal(records, quality.Records);
        Assert.Equal(
            new Dictionary<string, long>
            {
                [ReportFields.Name] = name, [ReportFields.DateOfBirth] = dob, [ReportFields.Postcode] = postcode, [ReportFields.NiNumber] = ni,
                [ReportFields.NhsNumber] = nhs, [ReportFields.Uprn] = uprn, [ReportFields.Email] = email, [ReportFields.Phone] = phone,
            },
            quality.Present);
    }

    private void AssertInvalid(string source, params (string Kind, long Count)[] expected)
    {
        var invalid = _report.Sources.Single(s => s.Source == source).Invalid;
        Assert.Equal(ReportFields.InvalidKinds.ToDictionary(k => k, k => expected.FirstOrDefault(e => e.Kind == k).Count), invalid);
    }
}
