using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using Dashboard.Features.Breaches;
using Dashboard.Ingestion;
using Dashboard.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Dashboard.BrowserTests.Security;

/// <summary>The seeded app on Kestrel with map tiles from an external tile server, and Chromium.</summary>
public sealed class TiledBrowserFixture : IAsyncLifetime
{
    public const string TileUrl = "https://{s}.tiles.probation.example/osm/{z}/{x}/{y}.png";

    private IPlaywright? _playwright;

    public DashboardApp App { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public string Key { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var connectionString = await TestPostgres.CreateMigratedDatabaseAsync(nameof(TiledBrowserFixture));
        App = new DashboardApp(connectionString)
        {
            SeedDemo = true,
            Kestrel = true,
            Settings = new Dictionary<string, string?> { ["Map:TileUrl"] = TileUrl, ["Map:Attribution"] = "Test tiles" },
        }.Start();
        (_, Key) = await App.Services.GetRequiredService<IngestKeys>().CreateAsync("Test platform", CancellationToken.None);
        _playwright = await Playwright.CreateAsync();
        Browser = await BrowserFixture.LaunchChromiumAsync(_playwright);
    }

    public HttpClient Partner()
    {
        var client = App.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        return client;
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright?.Dispose();
        await App.DisposeAsync();
    }
}

/// <summary>
/// The Content-Security-Policy lets every page work: no console errors or warnings, no uncaught errors and no
/// <c>securitypolicyviolation</c> events while using the dashboard, a review, a subject's map (with tiles
/// from the configured tile server) and a breach.
/// </summary>
public class ContentSecurityPolicyTests(TiledBrowserFixture fixture) : IClassFixture<TiledBrowserFixture>
{
    // A 1x1 transparent PNG: what the stand-in tile server answers.
    private static readonly byte[] Tile = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=");

    private async Task<Guid> CheckInAsync(string device, double match)
    {
        using var partner = fixture.Partner();
        var fixes = string.Join(",", Enumerable.Range(1, 5).Select(i => string.Create(CultureInfo.InvariantCulture,
            $$"""{"eventId":"{{Guid.NewGuid()}}","deviceId":"{{device}}","at":"{{IngestionApp.Now(-60 * i)}}","lat":{{51.5101 + i * 0.0007}},"lon":{{-0.1342 - i * 0.0005}},"accuracyM":15}""")));
        (await partner.PostAsync(new Uri("/api/v1/locations", UriKind.Relative), IngestionApp.Json($"[{fixes}]"))).EnsureSuccessStatusCode();
        var photo = Convert.ToBase64String(Dashboard.Simulator.SyntheticFace.Render(1001, 3));
        var posted = await partner.PostAsync(new Uri("/api/v1/checkins", UriKind.Relative), IngestionApp.Json(string.Create(CultureInfo.InvariantCulture,
            $$"""{"eventId":"{{Guid.NewGuid()}}","deviceId":"{{device}}","capturedAt":"{{IngestionApp.Now()}}","matchScore":{{match}},"livenessScore":0.9,"location":{"lat":51.5101,"lon":-0.1342,"accuracyM":12},"photoJpegBase64":"{{photo}}"}""")));
        posted.EnsureSuccessStatusCode();
        return System.Text.Json.JsonDocument.Parse(await posted.Content.ReadAsStringAsync()).RootElement.GetProperty("checkInId").GetGuid();
    }

    [Fact]
    public async Task Using_the_dashboard_a_review_a_subject_map_a_breach_and_a_report_export_raises_no_policy_violation_or_console_error()
    {
        var cs = fixture.App.ConnectionString;
        var borderline = await CheckInAsync("demo-0001", 0.66);
        var failed = await CheckInAsync("demo-0007", 0.1);
        var alert = (Guid)(await Sql.ScalarAsync(cs, "SELECT id FROM alerts WHERE check_in_id = $1", failed))!;
        var subject = (Guid)(await Sql.ScalarAsync(cs, "SELECT subject_id FROM devices WHERE id = 'demo-0001'"))!;
        var officer1 = await StaffUsers.UserAsync(cs, "officer1");
        var proposed = await fixture.App.Services.GetRequiredService<ProposeBreach>()
            .HandleAsync(new([alert], "Face did not match at the check-in; no answer to a call."), officer1, CancellationToken.None);
        var breach = Assert.IsType<ActionResult.Done>(proposed).Id;

        var context = await fixture.Browser.NewContextAsync(new() { BaseURL = fixture.App.BaseAddress.ToString(), ViewportSize = new() { Width = 1366, Height = 900 } });
        var tiles = new ConcurrentQueue<string>();
        await context.RouteAsync("https://*.tiles.probation.example/**", async route =>
        {
            tiles.Enqueue(route.Request.Url);
            await route.FulfillAsync(new() { Status = 200, ContentType = "image/png", BodyBytes = Tile });
        });
        var problems = new ConcurrentQueue<string>();
        await context.ExposeFunctionAsync("__reportPolicyViolation", (string violation) => problems.Enqueue("CSP violation: " + violation));
        await context.AddInitScriptAsync("""
            document.addEventListener('securitypolicyviolation', e =>
              window.__reportPolicyViolation(`${e.violatedDirective} blocked ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`));
            """);
        var page = await context.NewPageAsync();
        page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning")
            {
                problems.Enqueue($"console {message.Type} on {page.Url}: {message.Text}");
            }
        };
        page.PageError += (_, error) => problems.Enqueue($"page error on {page.Url}: {error}");

        // The dashboard.
        await page.GotoAsync($"/account/dev-sign-in?user=officer1&returnUrl={Uri.EscapeDataString("/")}");
        await BrowserFixture.WaitInteractiveAsync(page);
        await Assertions.Expect(page.Locator("tr[data-subject-id]").First).ToBeVisibleAsync();

        // A review: photo, scores and the capture location on a tiled map.
        await page.GotoAsync($"/reviews/{borderline}");
        await BrowserFixture.WaitInteractiveAsync(page);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Why this is borderline" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Img, new() { Name = "Photo taken at the check-in", Exact = false })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("img.leaflet-tile-loaded").First).ToBeAttachedAsync(new() { Timeout = 15_000 });

        // The subject's map with its trail over tiles from the tile server.
        await page.GotoAsync($"/subjects/{subject}");
        await BrowserFixture.WaitInteractiveAsync(page);
        var map = page.GetByTestId("subject-trail-map");
        await Assertions.Expect(map.Locator(".leaflet-control-scale")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Assertions.Expect(map.Locator("img.leaflet-tile-loaded").First).ToBeAttachedAsync(new() { Timeout = 15_000 });

        // The breach, as its supervisor sees it.
        await page.GotoAsync($"/account/dev-sign-in?user=supervisor1&returnUrl={Uri.EscapeDataString($"/breaches/{breach}")}");
        await BrowserFixture.WaitInteractiveAsync(page);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Breach", Exact = false }).First).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Confirm breach" })).ToBeVisibleAsync();

        // Its report, exported and then verified.
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("report-download").ClickAsync());
        var pdf = Path.Combine(Path.GetTempPath(), $"csp-report-{Guid.NewGuid():N}.pdf");
        await download.SaveAsAsync(pdf);
        await page.GotoAsync("/reports/verify");
        await BrowserFixture.WaitInteractiveAsync(page);
        await page.Locator("#report-file").SetInputFilesAsync(pdf);
        await Assertions.Expect(page.GetByTestId("verify-result")).ToHaveAttributeAsync("data-matches", "true", new() { Timeout = 15_000 });
        File.Delete(pdf);
        await page.GotoAsync("/breaches");
        await BrowserFixture.WaitInteractiveAsync(page);
        await Assertions.Expect(page.Locator($"tr[data-breach-id='{breach}']")).ToBeVisibleAsync(new() { Timeout = 10_000 });
        // Late reports (a tile, a style) arrive after the last page settles.
        await page.WaitForTimeoutAsync(500);

        Assert.NotEmpty(tiles);
        Assert.True(problems.IsEmpty, string.Join("\n", problems));
        await context.CloseAsync();
    }

    [Theory]
    [InlineData("/account/not-provisioned", "Your account is not set up in the dashboard")]
    [InlineData("/account/sign-in-failed", "Sign-in did not complete")]
    [InlineData("/account/access-denied", "No access")]
    public async Task The_sign_in_refusal_pages_pass_an_accessibility_scan(string path, string heading)
    {
        var context = await fixture.Browser.NewContextAsync(new() { BaseURL = fixture.App.BaseAddress.ToString() });
        var page = await context.NewPageAsync();
        var errors = BrowserFixture.CollectErrors(page);

        await page.GotoAsync(path);

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = heading, Level = 1 })).ToBeVisibleAsync();
        await BrowserFixture.AssertAccessibleAsync(page);
        await BrowserFixture.ScreenshotAsync(page, path.Trim('/').Replace('/', '-'));
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        await context.CloseAsync();
    }
}
