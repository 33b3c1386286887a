using Dashboard.Testing;
using Microsoft.Playwright;

namespace Dashboard.BrowserTests.Board;

public class DashboardPageTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private static ILocator FeedItem(IPage page, Guid checkInId) =>
        page.Locator($"[data-testid='feed-item'][data-checkin-id='{checkInId}']");

    /// <summary>A pending prompt of today for the device, so the grid has a cell to fill.</summary>
    private async Task<Guid> PromptDueNowAsync(string deviceId)
    {
        var subject = (Guid)(await Sql.ScalarAsync(fixture.App.ConnectionString, "SELECT subject_id FROM devices WHERE id = $1", deviceId))!;
        var promptId = Guid.NewGuid();
        await Sql.ExecuteAsync(fixture.App.ConnectionString,
            "INSERT INTO prompts (id, subject_id, device_id, due_at, window_ends_at, status, origin) VALUES ($1, $2, $3, now() - interval '1 minute', now() + interval '14 minutes', 'Pending', 'Scheduled')",
            promptId, subject, deviceId);
        return promptId;
    }

    [Fact]
    public async Task A_check_in_appears_in_the_feed_and_the_grid_without_reload_and_the_page_passes_axe()
    {
        var promptId = await PromptDueNowAsync("demo-0013");
        var page = await fixture.SignedInPageAsync("officer1");
        var errors = BrowserFixture.CollectErrors(page);
        await Assertions.Expect(page.GetByTestId("live-state")).ToHaveTextAsync("Live", new() { Timeout = 15_000 });
        var cell = page.Locator($"td[data-prompt-id='{promptId}']");
        await Assertions.Expect(cell).ToHaveAttributeAsync("data-outcome", "Pending");

        var checkInId = await fixture.PostCheckInAsync("demo-0013", match: 0.62, promptId: promptId);

        await Assertions.Expect(FeedItem(page, checkInId)).ToBeVisibleAsync(new() { Timeout = 5_000 });
        await Assertions.Expect(FeedItem(page, checkInId)).ToContainTextAsync("Borderline");
        await Assertions.Expect(cell).ToHaveAttributeAsync("data-outcome", "Borderline");
        await Assertions.Expect(cell).ToHaveAttributeAsync("data-checkin-id", checkInId.ToString());
        await BrowserFixture.ScreenshotAsync(page, "dashboard-officer");
        await BrowserFixture.AssertAccessibleAsync(page);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task Outcomes_posted_while_the_page_is_offline_all_appear_once_after_it_reconnects()
    {
        var page = await fixture.SignedInPageAsync("officer1");
        await Assertions.Expect(page.GetByTestId("live-state")).ToHaveTextAsync("Live", new() { Timeout = 15_000 });

        await page.Context.SetOfflineAsync(true);
        var posted = new List<Guid>();
        foreach (var device in new[] { "demo-0019", "demo-0025", "demo-0031" })
        {
            posted.Add(await fixture.PostCheckInAsync(device));
        }

        await Task.Delay(1500);
        await page.Context.SetOfflineAsync(false);

        foreach (var id in posted)
        {
            await Assertions.Expect(FeedItem(page, id)).ToHaveCountAsync(1, new() { Timeout = 20_000 });
        }

        var shown = await page.Locator("[data-testid='feed-item']").EvaluateAllAsync<string[]>("items => items.map(i => i.dataset.checkinId)");
        Assert.Equal(shown.Length, shown.Distinct().Count());
    }

    [Fact]
    public async Task Pausing_the_feed_holds_new_outcomes_until_resumed()
    {
        var page = await fixture.SignedInPageAsync("officer1");
        await Assertions.Expect(page.GetByTestId("live-state")).ToHaveTextAsync("Live", new() { Timeout = 15_000 });
        await page.GetByRole(AriaRole.Button, new() { Name = "Pause" }).ClickAsync();

        var held = await fixture.PostCheckInAsync("demo-0037");

        await Assertions.Expect(page.GetByTestId("feed-waiting")).ToContainTextAsync("1 new outcome is waiting", new() { Timeout = 5_000 });
        await Assertions.Expect(FeedItem(page, held)).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Button, new() { Name = "Resume" }).ClickAsync();
        await Assertions.Expect(FeedItem(page, held)).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task Choosing_the_failed_counter_filters_the_feed_to_failed_outcomes()
    {
        var failed = await fixture.PostCheckInAsync("demo-0043", match: 0.2);
        var verified = await fixture.PostCheckInAsync("demo-0049", match: 0.95);
        var page = await fixture.SignedInPageAsync("officer1");

        await page.GetByTestId("counter-failed").ClickAsync();

        await Assertions.Expect(page.GetByTestId("counter-failed")).ToHaveAttributeAsync("aria-pressed", "true");
        await Assertions.Expect(FeedItem(page, failed)).ToHaveCountAsync(1);
        await Assertions.Expect(FeedItem(page, verified)).ToHaveCountAsync(0);
    }
}
