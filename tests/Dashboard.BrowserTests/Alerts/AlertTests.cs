using Dashboard.Domain;
using Dashboard.Features.Alerts.Sources;
using Dashboard.Live;
using Dashboard.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Npgsql;

namespace Dashboard.BrowserTests.Alerts;

public class AlertTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private string Db => fixture.App.ConnectionString;

    private async Task<Guid> SubjectAsync(string device) => (Guid)(await Sql.ScalarAsync(Db, "SELECT subject_id FROM devices WHERE id = $1", device))!;

    /// <summary>A failed check-in through the ingestion API raises IdentityNotVerified in the same transaction.</summary>
    private async Task<Guid> FailedCheckInAlertAsync(string device)
    {
        var checkIn = await fixture.PostCheckInAsync(device, match: 0.1, liveness: 0.9);
        return (Guid)(await Sql.ScalarAsync(Db, "SELECT id FROM alerts WHERE check_in_id = $1 AND kind = 'IdentityNotVerified'", checkIn))!;
    }

    private async Task<Guid> InsertAlertAsync(string device, AlertKind kind, double hoursAgo)
    {
        var id = Guid.CreateVersion7();
        await Sql.ExecuteAsync(Db, """
            INSERT INTO alerts (id, subject_id, kind, state, episode_key, raised_at, summary)
            SELECT $1, subject_id, $2, 'Open', $1::text, now() - make_interval(secs => $3), 'Browser test ' || $2 FROM devices WHERE id = $4
            """, id, kind.ToString(), hoursAgo * 3600, device);
        return id;
    }

    private static async Task<int> BadgeAsync(IPage page) =>
        int.Parse(await page.GetByTestId("alert-badge").GetAttributeAsync("data-count") ?? "0", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task An_officer_sees_a_new_alert_arrive_live_acknowledges_it_and_proposes_a_breach_from_two_alerts_which_the_supervisor_confirms()
    {
        // The supervisor watches the proposals awaiting their decision in another browser context.
        var supervisor = await fixture.SignedInPageAsync("supervisor1", "/breaches");
        await Assertions.Expect(supervisor.GetByRole(AriaRole.Radio, new() { Name = "Awaiting my decision" })).ToBeCheckedAsync();

        var missed = await InsertAlertAsync("demo-0007", AlertKind.MissedCheckIn, 3);
        var zone = await InsertAlertAsync("demo-0007", AlertKind.InclusionZoneLeft, 2);
        var page = await fixture.SignedInPageAsync("officer1", "/alerts");
        var errors = BrowserFixture.CollectErrors(page);
        await Assertions.Expect(page.Locator($"[data-alert-select='{zone}']")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Assertions.Expect(page.GetByTestId("alerts-live")).ToHaveAttributeAsync("data-live-state", "Connected", new() { Timeout = 15_000 });
        var before = await BadgeAsync(page);
        // The hub adds the connection to the caseload's group just after the client reports it connected.
        await Task.Delay(1_000);

        // A failed check-in arrives: the row, the badge and the snackbar appear without a reload.
        var alert = await FailedCheckInAlertAsync("demo-0001");
        var row = page.Locator("tr", new() { Has = page.Locator($"[data-alert-id='{alert}']") });
        await Assertions.Expect(row).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await Assertions.Expect(row).ToContainTextAsync("Identity not verified");
        await Assertions.Expect(page.GetByTestId("alert-badge")).ToHaveAttributeAsync("data-count", (before + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator(".mud-snackbar").Filter(new() { HasText = "New alert: Identity not verified" })).ToBeVisibleAsync();
        await BrowserFixture.AssertAccessibleAsync(page);
        await BrowserFixture.ScreenshotAsync(page, "alerts-new-alert");

        // Acknowledge it from the keyboard.
        await row.GetByTestId("acknowledge").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(row.GetByTestId("alert-state")).ToHaveTextAsync("Acknowledged", new() { Timeout = 10_000 });
        await Assertions.Expect(page.GetByTestId("alert-badge")).ToHaveAttributeAsync("data-count", before.ToString(System.Globalization.CultureInfo.InvariantCulture), new() { Timeout = 10_000 });
        Assert.Equal("Acknowledged", await Sql.ScalarAsync(Db, "SELECT state FROM alerts WHERE id = $1", alert));

        // Two alerts of one subject become one proposed breach with a summary.
        await page.Locator($"[data-alert-select='{missed}']").Locator("xpath=descendant-or-self::input").CheckAsync();
        await page.Locator($"[data-alert-select='{zone}']").Locator("xpath=descendant-or-self::input").CheckAsync();
        await Assertions.Expect(page.GetByTestId("selected-count")).ToHaveTextAsync("2 alerts selected");
        await page.GetByTestId("propose-breach").ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Assertions.Expect(dialog).ToBeVisibleAsync();
        await dialog.GetByTestId("dialog-submit").ClickAsync();
        await Assertions.Expect(dialog).ToContainTextAsync("Write a summary of the breach.");
        await dialog.GetByLabel("Summary of the breach").FillAsync("Missed the 14:00 check-in and was out of the curfew zone the same evening.");
        await BrowserFixture.ScreenshotAsync(page, "alerts-propose-breach");
        await dialog.GetByTestId("dialog-submit").ClickAsync();

        await Assertions.Expect(page.GetByTestId("alerts-message")).ToContainTextAsync("proposed for", new() { Timeout = 10_000 });
        var breachId = (Guid)(await Sql.ScalarAsync(Db, "SELECT breach_id FROM breach_alerts WHERE alert_id = $1", missed))!;
        Assert.Equal(2, await Sql.CountAsync(Db, "SELECT count(*) FROM alerts WHERE breach_id = $1 AND state = 'BreachProposed' AND id IN ($2, $3)", breachId, missed, zone));
        await page.GetByTestId("breach-link").ClickAsync();
        await page.WaitForURLAsync($"**/breaches/{breachId}");

        // The supervisor sees the proposal arrive without a reload, opens it and confirms it with a reason.
        var proposal = supervisor.Locator($"tr[data-breach-id='{breachId}']");
        await Assertions.Expect(proposal).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await proposal.GetByRole(AriaRole.Link).ClickAsync();
        await supervisor.GetByLabel("Reason for your decision (required)").FillAsync("Two breaches of conditions on one day, no excuse offered.");
        await supervisor.GetByRole(AriaRole.Button, new() { Name = "Confirm breach" }).ClickAsync();
        await supervisor.GetByRole(AriaRole.Button, new() { Name = "Yes, confirm the breach" }).ClickAsync();
        var history = supervisor.GetByTestId("breach-history").Locator("li");
        await Assertions.Expect(history).ToHaveCountAsync(2);
        await Assertions.Expect(history.Nth(0)).ToContainTextAsync("Proposed by Amira Hassan");
        await Assertions.Expect(history.Nth(1)).ToContainTextAsync("Confirmed by Grace Lindqvist");
        await Assertions.Expect(page.GetByTestId("breach-history").Locator("li")).ToHaveCountAsync(2, new() { Timeout = 10_000 });
        Assert.Equal("Confirmed", await Sql.ScalarAsync(Db, "SELECT state FROM breaches WHERE id = $1", breachId));
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task The_alerts_page_and_the_alert_load_panel_pass_an_accessibility_scan()
    {
        await InsertAlertAsync("demo-0013", AlertKind.LowBattery, 1);
        var officer = await fixture.SignedInPageAsync("officer1", "/alerts");
        await Assertions.Expect(officer.Locator("[data-alert-select]").First).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await BrowserFixture.AssertAccessibleAsync(officer);
        await BrowserFixture.ScreenshotAsync(officer, "alerts");

        var supervisor = await fixture.SignedInPageAsync("supervisor1", "/alerts/load");
        await Assertions.Expect(supervisor.GetByTestId("load-raised")).ToBeVisibleAsync();
        await BrowserFixture.AssertAccessibleAsync(supervisor);
        await BrowserFixture.ScreenshotAsync(supervisor, "alert-load");
    }
}
