using System.Net;
using System.Net.Http.Headers;
using Dashboard.Testing;
using Microsoft.Playwright;

namespace Dashboard.BrowserTests.Admin;

public class IngestKeysPageTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private async Task<HttpStatusCode> PostCheckInWithAsync(string key)
    {
        using var http = new HttpClient { BaseAddress = fixture.App.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var response = await http.PostAsync(new Uri("/api/v1/checkins", UriKind.Relative), IngestionApp.Json(
            $$"""{"eventId":"{{Guid.NewGuid()}}","deviceId":"demo-0001","capturedAt":"{{IngestionApp.Now()}}","matchScore":0.9,"livenessScore":0.9}"""));
        return response.StatusCode;
    }

    [Fact]
    public async Task A_supervisor_creates_a_key_shown_once_copies_it_and_revokes_it_after_confirming()
    {
        var page = await fixture.SignedInPageAsync("supervisor1", "/admin/ingest-keys");
        await page.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new() { Origin = fixture.App.BaseAddress.GetLeftPart(UriPartial.Authority) });
        var errors = BrowserFixture.CollectErrors(page);
        await Assertions.Expect(page.GetByTestId("keys")).ToContainTextAsync("Test platform");
        await BrowserFixture.AssertAccessibleAsync(page);

        await page.GetByRole(AriaRole.Textbox, new() { Name = "Device platform" }).FillAsync("Tag supplier C");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();
        var field = page.GetByRole(AriaRole.Textbox, new() { Name = "New ingest key" });
        await Assertions.Expect(field).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("^dk_[a-z0-9]{8}_[a-z0-9]{40}$"));
        var key = await field.InputValueAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Copy key" }).ClickAsync();
        await Assertions.Expect(page.GetByText("The key is on the clipboard.")).ToBeVisibleAsync();
        Assert.Equal(key, await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
        await BrowserFixture.AssertAccessibleAsync(page);
        await BrowserFixture.ScreenshotAsync(page, "ingest-keys-created");
        Assert.Equal(HttpStatusCode.Accepted, await PostCheckInWithAsync(key));

        // Shown once: after a reload only the prefix is left.
        await page.ReloadAsync();
        await BrowserFixture.WaitInteractiveAsync(page);
        var prefix = key.Split('_')[1];
        var row = page.Locator($"[data-testid='key-row'][data-prefix='{prefix}']");
        await Assertions.Expect(row).ToContainTextAsync("Active");
        Assert.DoesNotContain(key, await page.ContentAsync(), StringComparison.Ordinal);

        await row.GetByRole(AriaRole.Button, new() { Name = "Revoke the key of Tag supplier C" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Assertions.Expect(dialog).ToContainTextAsync("Revoke this ingest key?");
        await BrowserFixture.AssertAccessibleAsync(page);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Revoke key" }).ClickAsync();

        await Assertions.Expect(row).ToContainTextAsync("Revoked");
        Assert.Equal(HttpStatusCode.Unauthorized, await PostCheckInWithAsync(key));
        await BrowserFixture.AssertAccessibleAsync(page);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task An_officer_cannot_open_the_page_and_has_no_link_to_it()
    {
        var page = await fixture.SignedInPageAsync("officer1", "/");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Ingest keys" })).ToHaveCountAsync(0);

        await page.GotoAsync("/admin/ingest-keys");

        Assert.Contains("/account/access-denied", page.Url, StringComparison.Ordinal);
    }
}
