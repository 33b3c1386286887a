using System.Text.RegularExpressions;
using Dashboard.Testing;
using Dashboard.Testing.Reports;
using Microsoft.Playwright;

namespace Dashboard.BrowserTests.Reports;

/// <summary>An auditor's bulk export on /reports: the progress the page shows while the ZIP downloads, and cancelling it.</summary>
public class BulkExportTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task An_auditor_sees_a_bulk_export_progress_and_cancels_it()
    {
        // Breaches of a day of their own, long ago, so the date filter finds exactly these.
        var day = new DateTimeOffset(2025, 5, 20, 9, 0, 0, TimeSpan.Zero);
        var ids = new List<Guid>();
        for (var i = 0; i < 80; i++)
        {
            ids.Add((await ReportSeed.BreachAsync(fixture.App.Services, fixture.App.ConnectionString, $"demo-{(i % 60) + 1:0000}", evidence: 20, trailDays: 1, fixSeconds: 0, end: day.AddMinutes(i))).BreachId);
        }

        var page = await fixture.SignedInPageAsync("auditor1", "/reports");
        var errors = BrowserFixture.CollectErrors(page);
        await page.GetByLabel("Proposed from (date)").FillAsync("2025-05-20");
        await page.GetByLabel("Proposed to (date)").FillAsync("2025-05-20");
        await page.GetByRole(AriaRole.Button, new() { Name = "Find matching breaches" }).ClickAsync();
        var status = page.GetByTestId("reports-status");
        await Assertions.Expect(status).ToHaveTextAsync("80 breaches match.");

        var downloading = page.WaitForDownloadAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Export 80 reports as ZIP" }).ClickAsync();

        // The bar's value rises report by report while the download runs, and says so in words.
        var bar = status.GetByRole(AriaRole.Progressbar, new() { Name = "Export progress" });
        await Assertions.Expect(bar).ToHaveAttributeAsync("aria-valuenow", new Regex("^[1-9][0-9]*$"), new() { Timeout = 20_000 });
        var first = int.Parse((await bar.GetAttributeAsync("aria-valuenow"))!, System.Globalization.CultureInfo.InvariantCulture);
        await Assertions.Expect(bar).ToHaveAttributeAsync("aria-valuemax", "80");
        await Assertions.Expect(status).ToContainTextAsync(new Regex(@"\d+ of 80 reports written"));
        var cancel = page.GetByRole(AriaRole.Button, new() { Name = "Cancel export" });
        await Assertions.Expect(cancel).ToBeVisibleAsync();
        await BrowserFixture.AssertAccessibleAsync(page);
        await page.WaitForFunctionAsync(
            "([el, n]) => Number(el.getAttribute('aria-valuenow')) > n", new object[] { await bar.ElementHandleAsync(), first }, new() { Timeout = 20_000 });
        await BrowserFixture.ScreenshotAsync(page, "reports-bulk-running");

        await cancel.ClickAsync();

        await Assertions.Expect(status).ToContainTextAsync(new Regex(@"Cancelled after \d+ of 80 reports; the download was stopped and is incomplete\."), new() { Timeout = 15_000 });
        await Assertions.Expect(cancel).ToBeHiddenAsync();
        var done = int.Parse((await bar.GetAttributeAsync("aria-valuenow"))!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(done, first + 1, 79);
        Assert.Contains($"Cancelled after {done} of 80", await status.TextContentAsync(), StringComparison.Ordinal);
        // The browser's download failed rather than ending as a complete file.
        var download = await downloading;
        Assert.NotNull(await download.FailureAsync().WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(done, await Sql.CountAsync(fixture.App.ConnectionString, "SELECT count(*) FROM report_exports WHERE breach_id = ANY($1)", ids.ToArray()));
        await BrowserFixture.ScreenshotAsync(page, "reports-bulk-cancelled");
        Assert.Empty(errors);
    }
}
