using System.Globalization;
using CitizenHub.Store;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CitizenHub.Web.Tests;

/// <summary>The hub's report: read by an administrator in the page, downloaded as one file that renders with nothing fetched.</summary>
[Collection(WebSiteCollection.Name)]
public sealed class ReportPageTests(WebSite site)
{
    [Fact]
    public async Task Admin_ReadsTheReportBesideSources_AnAgentCannot()
    {
        var admin = await site.SignInAsync("admin");
        await admin.GetByRole(AriaRole.Link, new() { Name = "Report", Exact = true }).First.ClickAsync();

        await Assertions.Expect(admin.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("How well the hub knows the council's residents");
        // Every chart an image with a name, and its figures in a table: the records held are the store's.
        var held = (await site.Services.GetRequiredService<ICitizenStore>().GetSourcesAsync(CancellationToken.None)).Sum(s => s.RecordsHeld);
        var glance = admin.Locator(".govuk-summary-list__row", new() { HasText = "Records held" });
        await Assertions.Expect(glance).ToContainTextAsync($"{held.ToString("N0", CultureInfo.GetCultureInfo("en-GB"))} from 2 systems");
        await Assertions.Expect(admin.GetByRole(AriaRole.Img, new() { Name = "Residents known to both of two systems" })).ToBeVisibleAsync();
        await Assertions.Expect(admin.Locator("table caption", new() { HasText = "Residents known to both of two systems" })).ToHaveCountAsync(1);
        Assert.True(await admin.Locator("svg[role=img]").CountAsync() >= 6);
        await WebSite.ScreenshotAsync(admin, "report");

        var agent = await site.SignInAsync("agent");
        Assert.Equal(403, (await agent.GotoAsync("/manage/report"))!.Status);
        Assert.Equal(403, (await agent.GotoAsync("/manage/report/file"))!.Status);
    }

    [Fact]
    public async Task TheFile_OpenedFromDisk_RendersChartsAndTables_FetchingNothing()
    {
        // A look-up, so that the report has some use to show.
        var agent = await site.SignInAsync("agent", purpose: "council tax enquiry: call 7781");
        await agent.GotoAsync("/search?family=okafor");
        await agent.Locator(".app-result a").First.ClickAsync();
        var admin = await site.SignInAsync("admin");
        await admin.GotoAsync("/manage/report");
        var download = await admin.RunAndWaitForDownloadAsync(() => admin.GetByRole(AriaRole.Link, new() { NameRegex = new System.Text.RegularExpressions.Regex("^Download this report") }).ClickAsync());
        var file = Path.Combine(WebSite.Screenshots, "report.html");
        await download.SaveAsAsync(file);
        Assert.Matches(@"^citizenhub-report-\d{4}-\d{2}-\d{2}\.html$", download.SuggestedFilename);

        // A browser with no hub to talk to: every request it makes is recorded, and only the file itself may be one.
        var reader = await site.NewPageAsync(javaScript: false);
        var requested = new List<string>();
        reader.Request += (_, request) => requested.Add(request.Url);
        await reader.GotoAsync(new Uri(file).AbsoluteUri);
        var shot = await reader.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(WebSite.Screenshots, "report-file.png"), FullPage = true });

        Assert.Equal([new Uri(file).AbsoluteUri], requested);
        await Assertions.Expect(reader.Locator("svg[role=img]").First).ToBeVisibleAsync();
        var (colours, inked) = await PixelsAsync(shot);
        // Not blank: headings, figures and charts in several colours over much of the page.
        Assert.True(colours >= 50, $"{colours} distinct colours");
        Assert.InRange(inked, 0.03, 0.9);
    }

    /// <summary>How many distinct colours the PNG holds, and the share of its pixels that are not white (read by the browser's own decoder).</summary>
    private async Task<(int Colours, double Inked)> PixelsAsync(byte[] png)
    {
        var decoder = await site.NewPageAsync();
        var counted = await decoder.EvaluateAsync<double[]>(
            """
            async (data) => {
                const image = new Image();
                image.src = 'data:image/png;base64,' + data;
                await image.decode();
                const canvas = document.createElement('canvas');
                canvas.width = image.width;
                canvas.height = image.height;
                const context = canvas.getContext('2d');
                context.drawImage(image, 0, 0);
                const pixels = context.getImageData(0, 0, image.width, image.height).data;
                const colours = new Set();
                let inked = 0;
                for (let i = 0; i < pixels.length; i += 4) {
                    colours.add((pixels[i] << 16) | (pixels[i + 1] << 8) | pixels[i + 2]);
                    if (pixels[i] < 240 || pixels[i + 1] < 240 || pixels[i + 2] < 240) inked++;
                }
                return [colours.size, inked / (pixels.length / 4)];
            }
            """,
            Convert.ToBase64String(png));
        return ((int)counted[0], counted[1]);
    }
}
