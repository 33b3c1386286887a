using Dashboard.Testing;
using Microsoft.Playwright;

namespace Dashboard.BrowserTests.Reviews;

public class ReviewTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task An_officer_opens_and_decides_not_the_same_person_by_keyboard_only_and_the_supervisor_sees_the_claim_live()
    {
        var photo = Convert.ToBase64String(Dashboard.Simulator.SyntheticFace.Render(1001, 3));
        using var partner = fixture.Partner();
        var posted = await partner.PostAsync(new Uri("/api/v1/checkins", UriKind.Relative), IngestionApp.Json(
            $$"""{"eventId":"{{Guid.NewGuid()}}","deviceId":"demo-0019","capturedAt":"{{IngestionApp.Now()}}","matchScore":0.66,"livenessScore":0.9,"location":{"lat":51.5101,"lon":-0.1342,"accuracyM":12},"photoJpegBase64":"{{photo}}"}"""));
        posted.EnsureSuccessStatusCode();
        var checkInId = System.Text.Json.JsonDocument.Parse(await posted.Content.ReadAsStringAsync()).RootElement.GetProperty("checkInId").GetGuid();

        var supervisor = await fixture.SignedInPageAsync("supervisor1", "/reviews");
        var row = supervisor.Locator($"tr[data-checkin-id='{checkInId}']");
        await Assertions.Expect(row.GetByTestId("claimed-by")).ToHaveTextAsync("—");

        var officer = await fixture.SignedInPageAsync("officer1", "/reviews");
        var errors = BrowserFixture.CollectErrors(officer);
        // Keyboard only: focus the item's link, open it with Enter, decide with a number key.
        await officer.Locator($"tr[data-checkin-id='{checkInId}'] a").FocusAsync();
        await officer.Keyboard.PressAsync("Enter");
        await Assertions.Expect(officer.GetByRole(AriaRole.Heading, new() { Name = "Why this is borderline" })).ToBeVisibleAsync();
        await Assertions.Expect(officer.GetByRole(AriaRole.Img, new() { Name = "Photo taken at the check-in", Exact = false })).ToBeVisibleAsync();

        // The supervisor's queue shows the claim without reload.
        await Assertions.Expect(row.GetByTestId("claimed-by")).ToHaveTextAsync("Amira Hassan", new() { Timeout = 5_000 });

        // The capture location on a map drawn without any tile server, with a scale bar.
        var map = officer.GetByTestId("trail-map");
        await Assertions.Expect(map.Locator(".leaflet-control-scale")).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await Assertions.Expect(map.Locator("path.leaflet-interactive")).ToHaveCountAsync(2);
        await BrowserFixture.AssertAccessibleAsync(officer);
        await BrowserFixture.ScreenshotAsync(officer, "review-screen");
        await officer.Keyboard.PressAsync("3");
        await Assertions.Expect(officer.GetByTestId("pending-decision")).ToContainTextAsync("Not the same person");
        await officer.Keyboard.TypeAsync("Different face shape and hair; not the enrolled person.");
        await officer.Keyboard.PressAsync("Control+Enter");

        await Assertions.Expect(officer.GetByTestId("review-message")).ToHaveTextAsync("Decided: Not the same person.");
        await Assertions.Expect(officer.GetByTestId("decision")).ToContainTextAsync("Not the same person — decided by Amira Hassan");
        Assert.Equal(1, await Sql.CountAsync(fixture.App.ConnectionString,
            "SELECT count(*) FROM alerts WHERE check_in_id = $1 AND kind = 'IdentityNotVerified' AND state = 'Open'", checkInId));
        await Assertions.Expect(row).ToHaveCountAsync(0, new() { Timeout = 5_000 });

        // The officer finds the alert the decision raised on the subject's page: an alert, not a breach.
        var subjectId = (Guid)(await Sql.ScalarAsync(fixture.App.ConnectionString, "SELECT subject_id FROM devices WHERE id = 'demo-0019'"))!;
        await officer.GotoAsync($"/subjects/{subjectId}");
        await Assertions.Expect(officer.GetByTestId("open-alerts")).ToContainTextAsync("Identity not verified");
        await Assertions.Expect(officer.GetByText("Not the same person (decided by Amira Hassan)", new() { Exact = false })).ToBeVisibleAsync();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task The_review_queue_passes_an_accessibility_scan()
    {
        await fixture.PostCheckInAsync("demo-0025", match: 0.7);
        var page = await fixture.SignedInPageAsync("officer1", "/reviews");

        await Assertions.Expect(page.GetByTestId("review-queue")).ToBeVisibleAsync();
        await BrowserFixture.AssertAccessibleAsync(page);
        await BrowserFixture.ScreenshotAsync(page, "review-queue");
    }

    [Fact]
    public async Task The_review_quality_panel_passes_an_accessibility_scan()
    {
        var page = await fixture.SignedInPageAsync("supervisor1", "/reviews/quality");

        await Assertions.Expect(page.GetByTestId("quality-waiting")).ToBeVisibleAsync();
        await BrowserFixture.AssertAccessibleAsync(page);
        await BrowserFixture.ScreenshotAsync(page, "review-quality");
    }
}
