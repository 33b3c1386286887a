using Dashboard.Features.Reports;
using Dashboard.Features.Reports.Pdf;
using Dashboard.Testing;
using Dashboard.Testing.Reports;
using Microsoft.Playwright;

namespace Dashboard.BrowserTests.Reports;

public class ReportTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task An_auditor_exports_a_breach_report_and_verifies_it_on_the_verification_page()
    {
        var seeded = await ReportSeed.BreachAsync(fixture.App.Services, fixture.App.ConnectionString, "demo-0001", evidence: 20, trailDays: 2, fixSeconds: 120);
        var page = await fixture.SignedInPageAsync("auditor1", $"/breaches/{seeded.BreachId}");
        var errors = BrowserFixture.CollectErrors(page);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Breach {seeded.Number}" })).ToBeVisibleAsync();

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("report-download").ClickAsync());
        var path = Path.Combine(Path.GetTempPath(), $"report-{Guid.NewGuid():N}.pdf");
        await download.SaveAsAsync(path);
        Assert.StartsWith("breach-report-", download.SuggestedFilename, StringComparison.Ordinal);
        await BrowserFixture.AssertAccessibleAsync(page);
        await BrowserFixture.ScreenshotAsync(page, "breach-report-panel");

        await page.GotoAsync("/reports/verify");
        await BrowserFixture.WaitInteractiveAsync(page);
        await page.Locator("#report-file").SetInputFilesAsync(path);
        var result = page.GetByTestId("verify-result");
        await Assertions.Expect(result).ToHaveAttributeAsync("data-matches", "true", new() { Timeout = 15_000 });
        await Assertions.Expect(result).ToContainTextAsync("Matches report");
        await Assertions.Expect(result).ToContainTextAsync(seeded.Number);
        await BrowserFixture.AssertAccessibleAsync(page);
        await BrowserFixture.ScreenshotAsync(page, "reports-verify");

        // One changed byte: no match.
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[bytes.Length / 3] ^= 0x20;
        await page.Locator("#report-file").SetInputFilesAsync(new FilePayload { Name = "changed.pdf", MimeType = "application/pdf", Buffer = bytes });
        await Assertions.Expect(result).ToHaveAttributeAsync("data-matches", "false", new() { Timeout = 15_000 });
        await Assertions.Expect(result).ToContainTextAsync("Does not match");

        var reports = await fixture.SignedInPageAsync("auditor1", "/reports");
        await Assertions.Expect(reports.GetByRole(AriaRole.Heading, new() { Name = "Export breach reports in bulk" })).ToBeVisibleAsync();
        await BrowserFixture.AssertAccessibleAsync(reports);
        await BrowserFixture.ScreenshotAsync(reports, "reports");
        Assert.Empty(errors);
        File.Delete(path);
    }

    [Fact]
    public async Task An_officer_includes_the_photos_and_the_pasted_fingerprint_finds_that_export()
    {
        var seeded = await ReportSeed.BreachAsync(fixture.App.Services, fixture.App.ConnectionString, "demo-0007", evidence: 10, trailDays: 1, fixSeconds: 0, photos: 2);
        var page = await fixture.SignedInPageAsync("officer1", $"/breaches/{seeded.BreachId}");
        var errors = BrowserFixture.CollectErrors(page);
        var link = page.GetByTestId("report-download");
        await Assertions.Expect(link).Not.ToHaveAttributeAsync("href", new System.Text.RegularExpressions.Regex("photos"));

        await page.GetByRole(AriaRole.Checkbox, new() { Name = "Include the check-in photos" }).CheckAsync();
        await Assertions.Expect(link).ToHaveAttributeAsync("href", new System.Text.RegularExpressions.Regex(@"\?photos=true$"));
        var download = await page.RunAndWaitForDownloadAsync(() => link.ClickAsync());

        var bytes = await File.ReadAllBytesAsync((await download.PathAsync())!);
        using (var document = UglyToad.PdfPig.PdfDocument.Open(bytes))
        {
            Assert.Equal(2, document.GetPages().Sum(p => p.GetImages().Count()));
        }

        var officer = await StaffUsers.UserAsync(fixture.App.ConnectionString, "officer1");
        var hash = PdfSeal.Check(bytes)!;
        var exportedAt = (DateTime)(await Sql.ScalarAsync(fixture.App.ConnectionString, "SELECT exported_at FROM report_exports WHERE sha256 = $1 AND includes_photos", hash))!;

        // A fingerprint pasted from the printed page, spaces and capitals as they come.
        await page.GotoAsync("/reports/verify");
        await BrowserFixture.WaitInteractiveAsync(page);
        await page.GetByLabel("Fingerprint (64 characters, 0-9 and a-f)").FocusAsync();
        await page.Keyboard.InsertTextAsync($" {hash[..32].ToUpperInvariant()} {hash[32..]} ");
        await page.GetByRole(AriaRole.Button, new() { Name = "Check" }).ClickAsync();

        var result = page.GetByTestId("verify-result");
        await Assertions.Expect(result).ToHaveAttributeAsync("data-matches", "true", new() { Timeout = 15_000 });
        await Assertions.Expect(result).ToContainTextAsync("Matches an export on record.");
        await Assertions.Expect(result).ToContainTextAsync(", with photos)");
        await Assertions.Expect(result).ToContainTextAsync($"Exported by{officer.Name}, {ReportTime.London(exportedAt)} ({ReportTime.Utc(exportedAt)})");
        await Assertions.Expect(result).ToContainTextAsync(hash);
        await BrowserFixture.AssertAccessibleAsync(page);
        Assert.Empty(errors);
    }
}
