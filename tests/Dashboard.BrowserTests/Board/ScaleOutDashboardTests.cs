using Dashboard.Ingestion;
using Dashboard.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Dashboard.BrowserTests.Board;

/// <summary>Two instances sharing one database and the Redis backplane; the page is served by the second.</summary>
public sealed class ScaleOutDashboardTests : IAsyncLifetime
{
    private DashboardApp _a = null!;
    private DashboardApp _b = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        var redis = Environment.GetEnvironmentVariable("DASHBOARD_TEST_REDIS")
            ?? throw new InvalidOperationException("DASHBOARD_TEST_REDIS is not set: run the tests with ./scripts/test.sh.");
        var connectionString = await TestPostgres.CreateMigratedDatabaseAsync("scaleoutpage");
        var settings = new Dictionary<string, string?> { ["Redis:Configuration"] = redis };
        _a = new DashboardApp(connectionString) { Kestrel = true, SeedDemo = true, Settings = settings }.Start();
        _b = new DashboardApp(connectionString) { Kestrel = true, Settings = settings }.Start();
        _playwright = await Playwright.CreateAsync();
        _browser = await BrowserFixture.LaunchChromiumAsync(_playwright);
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    [Fact]
    public async Task A_check_in_posted_to_one_instance_appears_on_a_dashboard_served_by_the_other()
    {
        var (_, key) = await _a.Services.GetRequiredService<IngestKeys>().CreateAsync("Scale-out page test", CancellationToken.None);
        var page = await BrowserFixture.SignedInPageAsync(_browser, _b.BaseAddress, "officer1");
        await Assertions.Expect(page.GetByTestId("live-state")).ToHaveTextAsync("Live", new() { Timeout = 15_000 });
        using var partner = new HttpClient { BaseAddress = _a.BaseAddress };
        partner.DefaultRequestHeaders.Authorization = new("Bearer", key);

        var response = await partner.PostAsync(new Uri("/api/v1/checkins", UriKind.Relative), IngestionApp.Json(
            $$"""{"eventId":"{{Guid.NewGuid()}}","deviceId":"demo-0007","capturedAt":"{{IngestionApp.Now()}}","matchScore":0.3,"livenessScore":0.9}"""));
        response.EnsureSuccessStatusCode();
        var checkInId = (await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<SubmitCheckIn.Response>(response.Content))!.CheckInId;

        var item = page.Locator($"[data-testid='feed-item'][data-checkin-id='{checkInId}']");
        await Assertions.Expect(item).ToHaveCountAsync(1, new() { Timeout = 5_000 });
        await Assertions.Expect(item).ToContainTextAsync("Failed");
    }
}
