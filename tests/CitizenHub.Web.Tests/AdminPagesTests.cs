using CitizenHub.Contracts;
using CitizenHub.Hub;
using CitizenHub.Store;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CitizenHub.Web.Tests;

/// <summary>An administrator's sources page and an auditor's audit trail, in a real browser.</summary>
[Collection(WebSiteCollection.Name)]
public sealed class AdminPagesTests(WebSite site)
{
    [Fact]
    public async Task Auditor_FiltersTheTrail_AndSeesWhoReadWhomAndWhy()
    {
        var agent = await site.SignInAsync("agent", purpose: "council tax enquiry: call 5512");
        await agent.GotoAsync("/search?family=okafor");
        await agent.Locator(".app-result a").First.ClickAsync();
        var resident = agent.Url.Split('/')[^1];
        var auditor = await site.SignInAsync("auditor", purpose: null);

        await auditor.GetByRole(AriaRole.Link, new() { Name = "Audit trail" }).First.ClickAsync();
        await auditor.GetByLabel("Resident reference").FillAsync(resident);
        await auditor.GetByLabel("What").SelectOptionAsync("read");
        await auditor.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();

        // Only reads of this resident (other tests may have read them too), and this one among them.
        var rows = auditor.Locator("tbody tr");
        await Assertions.Expect(rows.First).ToBeVisibleAsync();
        Assert.All(await rows.AllInnerTextsAsync(), row => Assert.Contains("Opened a resident's record", row, StringComparison.Ordinal));
        var read = rows.Filter(new() { HasText = "council tax enquiry: call 5512" });
        await Assertions.Expect(read).ToHaveCountAsync(1);
        await Assertions.Expect(read).ToContainTextAsync("test-agent (agent)");
        await WebSite.ScreenshotAsync(auditor, "audit");
    }

    [Fact]
    public async Task Auditor_ABadFilter_IsShownAgainstItsField()
    {
        var auditor = await site.SignInAsync("auditor", purpose: null);

        var response = await auditor.GotoAsync("/manage/audit?resident=not-a-reference");

        Assert.Equal(400, response!.Status);
        await Assertions.Expect(auditor.Locator(".govuk-error-summary a[href='#resident']")).ToContainTextAsync("citizen must be a citizen id");
    }

    [Fact]
    public async Task Admin_SeesEachSourcesLastSync_AnAgentCannot()
    {
        var admin = await site.SignInAsync("admin");
        await admin.GetByRole(AriaRole.Link, new() { Name = "Sources" }).First.ClickAsync();

        var councilTax = admin.Locator("tbody tr", new() { HasText = "council-tax" });
        await Assertions.Expect(councilTax).ToContainTextAsync("Completed");
        // The rejected row (a quote out of place) is counted.
        await Assertions.Expect(councilTax.Locator("td").Nth(3)).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\s*1(?!\d)"));
        await WebSite.ScreenshotAsync(admin, "sources");
        var agent = await site.SignInAsync("agent");
        Assert.Equal(403, (await agent.GotoAsync("/manage/sources"))!.Status);
    }

    [Fact]
    public async Task Admin_DownloadsTheRowsASyncRejected_AndTheDownloadIsAudited()
    {
        var admin = await site.SignInAsync("admin");
        await admin.GotoAsync("/manage/sources");

        var download = await admin.RunAndWaitForDownloadAsync(() =>
            admin.Locator("tbody tr", new() { HasText = "council-tax" }).GetByRole(AriaRole.Link, new() { NameRegex = new System.Text.RegularExpressions.Regex("^Download") }).ClickAsync());

        var rows = await File.ReadAllLinesAsync((await download.PathAsync())!);
        Assert.EndsWith(".rejects.csv", download.SuggestedFilename, StringComparison.Ordinal);
        Assert.Contains(rows, row => row.StartsWith("council-tax.csv,5,,CT004,a quote is out of place", StringComparison.Ordinal));
        var audit = await site.Services.GetRequiredService<ICitizenStore>().QueryAuditAsync(new AuditQuery(10) { Action = "rejects-download" }, CancellationToken.None);
        Assert.Contains(audit.Entries, e => e.Caller == "test-admin" && e.Fields.Contains("rejects:council-tax"));
    }

    [Fact]
    public async Task Admin_ReplaysAFailedMessage_AndItsRecordArrives()
    {
        // A batch the hub could not apply (its store was away, say), kept with its body as the hub keeps every failure.
        var batch = new SourceRecordBatch(Guid.NewGuid(), "council-tax", 1,
        [
            new SourceRecord
            {
                SourceSystem = "council-tax", SourceKey = "CT900", ObservedAt = TimeProvider.System.GetUtcNow(),
                Name = new PersonName("Mr", "Ambrose", "Quillfeather"), DateOfBirth = new PartialDate(1969, 7, 20),
            },
        ]);
        var store = site.Services.GetRequiredService<ICitizenStore>();
        await store.RecordMessageFailedAsync(HubMessages.Identify(batch), "TimeoutException", HubMessages.Serialize(batch), TimeProvider.System.GetUtcNow(), CancellationToken.None);
        var admin = await site.SignInAsync("admin");
        await admin.GotoAsync("/manage/sources");
        await WebSite.ScreenshotAsync(admin, "sources-failed");

        var failure = admin.Locator("tbody tr", new() { HasText = "TimeoutException" });
        await failure.GetByRole(AriaRole.Button, new() { NameRegex = new System.Text.RegularExpressions.Regex("^Replay") }).ClickAsync();

        await Assertions.Expect(admin.Locator(".govuk-notification-banner")).ToContainTextAsync("was sent again and applied");
        await Assertions.Expect(admin.Locator("tbody tr", new() { HasText = "TimeoutException" })).ToHaveCountAsync(0);
        await admin.GotoAsync("/search?family=quillfeather");
        await Assertions.Expect(admin.Locator(".app-result")).ToHaveCountAsync(1);
    }
}
