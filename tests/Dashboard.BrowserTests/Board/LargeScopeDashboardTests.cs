using Dashboard.Ingestion;
using Dashboard.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Dashboard.BrowserTests.Board;

/// <summary>A scope larger than the grid (here a grid of 4 people; auditors see all 60 demo people).</summary>
public sealed class LargeScopeDashboardTests : IAsyncLifetime
{
    private DashboardApp _app = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        var connectionString = await TestPostgres.CreateMigratedDatabaseAsync("largescopeboard");
        _app = new DashboardApp(connectionString)
        {
            Kestrel = true,
            SeedDemo = true,
            Settings = new Dictionary<string, string?> { ["Board:GridSize"] = "4" },
        }.Start();
        _playwright = await Playwright.CreateAsync();
        _browser = await BrowserFixture.LaunchChromiumAsync(_playwright);
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task A_check_in_of_someone_beyond_the_grid_still_reaches_the_feed_and_the_counts_and_the_page_says_the_grid_is_partial()
    {
        var (_, key) = await _app.Services.GetRequiredService<IngestKeys>().CreateAsync("Large scope page test", CancellationToken.None);
        var page = await BrowserFixture.SignedInPageAsync(_browser, _app.BaseAddress, "auditor1");
        await Assertions.Expect(page.GetByTestId("live-state")).ToHaveTextAsync("Live", new() { Timeout = 15_000 });
        await Assertions.Expect(page.GetByTestId("grid-limited")).ToContainTextAsync("first 4 of 60 people");
        var subject = (Guid)(await Sql.ScalarAsync(_app.ConnectionString, "SELECT subject_id FROM devices WHERE id = 'demo-0060'"))!;
        Assert.Equal(0, await page.Locator($"tr[data-subject-id='{subject}']").CountAsync());
        var failed = page.GetByTestId("counter-failed").Locator(".counter__count");
        var failedBefore = int.Parse(await failed.InnerTextAsync(), System.Globalization.CultureInfo.InvariantCulture);

        using var partner = new HttpClient { BaseAddress = _app.BaseAddress };
        partner.DefaultRequestHeaders.Authorization = new("Bearer", key);
        var response = await partner.PostAsync(new Uri("/api/v1/checkins", UriKind.Relative), IngestionApp.Json(
            $$"""{"eventId":"{{Guid.NewGuid()}}","deviceId":"demo-0060","capturedAt":"{{IngestionApp.Now()}}","matchScore":0.3,"livenessScore":0.9}"""));
        response.EnsureSuccessStatusCode();
        var checkInId = (await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<SubmitCheckIn.Response>(response.Content))!.CheckInId;

        var item = page.Locator($"[data-testid='feed-item'][data-checkin-id='{checkInId}']");
        await Assertions.Expect(item).ToHaveCountAsync(1, new() { Timeout = 5_000 });
        await Assertions.Expect(item).ToContainTextAsync("Failed");
        var caseReference = (string)(await Sql.ScalarAsync(_app.ConnectionString, "SELECT case_reference FROM subjects WHERE id = $1", subject))!;
        await Assertions.Expect(item).ToContainTextAsync(caseReference);
        await Assertions.Expect(failed).ToHaveTextAsync((failedBefore + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        await BrowserFixture.AssertAccessibleAsync(page);
    }
}
