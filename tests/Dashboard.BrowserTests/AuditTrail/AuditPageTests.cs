using Microsoft.Playwright;

namespace Dashboard.BrowserTests.AuditTrail;

public class AuditPageTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task An_auditor_filters_the_log_and_verifies_the_chain()
    {
        var page = await fixture.SignedInPageAsync("auditor1", "/audit");
        var errors = BrowserFixture.CollectErrors(page);
        await Assertions.Expect(page.GetByTestId("audit-grid")).ToContainTextAsync("sign-in", new() { Timeout = 10_000 });
        await BrowserFixture.AssertAccessibleAsync(page);

        await page.GetByLabel("User").FillAsync("auditor");
        await Assertions.Expect(page.GetByTestId("audit-grid").Locator("tbody tr").First).ToContainTextAsync("Isla Moreno");
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("audit-verification")).ToContainTextAsync("Intact. The chain is intact:");
        await BrowserFixture.AssertAccessibleAsync(page);
        await BrowserFixture.ScreenshotAsync(page, "audit");
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }
}
