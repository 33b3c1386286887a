using System.IO.Compression;
using Microsoft.Playwright;

namespace Dashboard.BrowserTests.Transparency;

public class TransparencyPageTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task An_auditor_finds_a_person_by_keyboard_and_downloads_their_pack_with_raw_points()
    {
        var page = await fixture.SignedInPageAsync("auditor1", "/");
        var errors = BrowserFixture.CollectErrors(page);
        await page.GetByRole(AriaRole.Link, new() { Name = "Transparency packs" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Transparency packs", Exact = true })).ToBeVisibleAsync();
        await BrowserFixture.WaitInteractiveAsync(page);

        await page.GetByLabel("Name or case reference").FillAsync("EM-2026-0001");
        await page.GetByLabel("Name or case reference").PressAsync("Enter");
        var person = page.GetByRole(AriaRole.Radio, new() { Name = "EM-2026-0001" });
        await Assertions.Expect(person).ToBeCheckedAsync();
        await page.GetByLabel("Include raw location points").CheckAsync();
        var export = page.GetByTestId("transparency-export");
        await Assertions.Expect(export).ToBeEnabledAsync();

        var download = await page.RunAndWaitForDownloadAsync(() => export.ClickAsync());
        Assert.StartsWith("transparency-pack-EM-2026-0001-", download.SuggestedFilename, StringComparison.Ordinal);
        var path = Path.Combine(Path.GetTempPath(), $"pack-{Guid.NewGuid():N}.zip");
        await download.SaveAsAsync(path);
        using (var zip = ZipFile.OpenRead(path))
        {
            Assert.Contains(zip.Entries, e => e.FullName == "transparency-pack.pdf");
            Assert.Contains(zip.Entries, e => e.FullName == "location-points.csv");
        }

        await Assertions.Expect(page.GetByTestId("transparency-status")).ToContainTextAsync("with raw location points");
        await BrowserFixture.AssertAccessibleAsync(page);
        await BrowserFixture.ScreenshotAsync(page, "transparency");
        Assert.Empty(errors);
        File.Delete(path);
    }

    [Fact]
    public async Task An_officer_does_not_see_the_page_in_the_menu_and_is_refused_it()
    {
        var page = await fixture.SignedInPageAsync("officer1", "/");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Transparency packs" })).ToHaveCountAsync(0);
        await page.GotoAsync("/transparency");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Transparency packs", Exact = true })).ToHaveCountAsync(0);
    }
}
