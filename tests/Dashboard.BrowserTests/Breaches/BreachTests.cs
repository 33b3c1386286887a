using System.Globalization;
using Dashboard.Domain;
using Dashboard.Features.Breaches;
using Dashboard.Security;
using Dashboard.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Dashboard.BrowserTests.Breaches;

public class BreachTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private Task<CurrentUser> UserAsync(string login) => StaffUsers.UserAsync(fixture.App.ConnectionString, login);

    /// <summary>A failed check-in with a position, and fixes around it, raise an IdentityNotVerified alert with a trail.</summary>
    private async Task<Guid> FailedCheckInAlertAsync(string device)
    {
        using var partner = fixture.Partner();
        var fixes = string.Join(",", Enumerable.Range(1, 5).Select(i => string.Create(CultureInfo.InvariantCulture,
            $$"""{"eventId":"{{Guid.NewGuid()}}","deviceId":"{{device}}","at":"{{IngestionApp.Now(-60 * i)}}","lat":{{51.5101 + i * 0.0007}},"lon":{{-0.1342 - i * 0.0005}},"accuracyM":15}""")));
        (await partner.PostAsync(new Uri("/api/v1/locations", UriKind.Relative), IngestionApp.Json($"[{fixes}]"))).EnsureSuccessStatusCode();
        var posted = await partner.PostAsync(new Uri("/api/v1/checkins", UriKind.Relative), IngestionApp.Json(
            $$$"""{"eventId":"{{{Guid.NewGuid()}}}","deviceId":"{{{device}}}","capturedAt":"{{{IngestionApp.Now()}}}","matchScore":0.1,"livenessScore":0.9,"location":{"lat":51.5101,"lon":-0.1342,"accuracyM":12}}"""));
        posted.EnsureSuccessStatusCode();
        var checkIn = System.Text.Json.JsonDocument.Parse(await posted.Content.ReadAsStringAsync()).RootElement.GetProperty("checkInId").GetGuid();
        return (Guid)(await Sql.ScalarAsync(fixture.App.ConnectionString, "SELECT id FROM alerts WHERE check_in_id = $1", checkIn))!;
    }

    [Fact]
    public async Task A_proposal_appears_live_for_the_supervisor_who_confirms_it_by_keyboard_and_the_proposer_sees_the_decision_live()
    {
        var alert = await FailedCheckInAlertAsync("demo-0001");
        var officer1 = await UserAsync("officer1");
        var supervisor1 = await UserAsync("supervisor1");

        var supervisor = await fixture.SignedInPageAsync("supervisor1", "/breaches");
        var errors = BrowserFixture.CollectErrors(supervisor);
        await Assertions.Expect(supervisor.GetByRole(AriaRole.Radio, new() { Name = "Awaiting my decision" })).ToBeCheckedAsync();

        // officer1 proposes (as the alerts page does); the supervisor's list shows it without a reload.
        var proposed = await fixture.App.Services.GetRequiredService<ProposeBreach>()
            .HandleAsync(new([alert], "Face did not match at the 14:00 check-in; the subject did not answer a call."), officer1, CancellationToken.None);
        var done = Assert.IsType<ActionResult.Done>(proposed);
        var row = supervisor.Locator($"tr[data-breach-id='{done.Id}']");
        await Assertions.Expect(row).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await Assertions.Expect(row.GetByTestId("breach-state")).ToHaveTextAsync("Proposed");
        await Assertions.Expect(supervisor.GetByTestId("breach-announcement")).ToContainTextAsync($"New breach proposal {done.Number} by {officer1.Name}.");
        await BrowserFixture.AssertAccessibleAsync(supervisor);
        await BrowserFixture.ScreenshotAsync(supervisor, "breaches-list");

        // The proposer watches the same breach: withdraw is offered, confirm is not.
        var officer = await fixture.SignedInPageAsync("officer1", $"/breaches/{done.Id}");
        await Assertions.Expect(officer.GetByRole(AriaRole.Button, new() { Name = "Withdraw proposal" })).ToBeVisibleAsync();
        await Assertions.Expect(officer.GetByRole(AriaRole.Button, new() { Name = "Confirm breach" })).ToHaveCountAsync(0);

        // Keyboard only: open the breach from the list, write the reason, confirm, and confirm again.
        await row.GetByRole(AriaRole.Link).FocusAsync();
        await supervisor.Keyboard.PressAsync("Enter");
        await Assertions.Expect(supervisor.GetByRole(AriaRole.Heading, new() { Name = $"Breach {done.Number}" })).ToBeVisibleAsync();
        await Assertions.Expect(supervisor.GetByRole(AriaRole.Button, new() { Name = "Withdraw proposal" })).ToHaveCountAsync(0);
        var map = supervisor.GetByTestId("trail-map");
        await Assertions.Expect(map.Locator(".leaflet-control-scale")).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await BrowserFixture.AssertAccessibleAsync(supervisor);
        await BrowserFixture.ScreenshotAsync(supervisor, "breach-proposed");

        await supervisor.GetByLabel("Reason for your decision (required)").FocusAsync();
        await supervisor.Keyboard.TypeAsync("Not the enrolled person, and no reasonable excuse given.");
        await supervisor.Keyboard.PressAsync("Tab");
        await Assertions.Expect(supervisor.GetByRole(AriaRole.Button, new() { Name = "Confirm breach" })).ToBeFocusedAsync();
        await supervisor.Keyboard.PressAsync("Enter");
        var yes = supervisor.GetByRole(AriaRole.Button, new() { Name = "Yes, confirm the breach" });
        await Assertions.Expect(yes).ToBeFocusedAsync();
        await supervisor.Keyboard.PressAsync("Enter");

        await Assertions.Expect(supervisor.GetByTestId("breach-message")).ToHaveTextAsync("You confirmed this breach.");
        var history = supervisor.GetByTestId("breach-history").Locator("li");
        await Assertions.Expect(history).ToHaveCountAsync(2);
        await Assertions.Expect(history.Nth(0)).ToContainTextAsync($"Proposed by {officer1.Name}");
        await Assertions.Expect(history.Nth(1)).ToContainTextAsync($"Confirmed by {supervisor1.Name}");
        await Assertions.Expect(history.Nth(1)).ToContainTextAsync("Reason: Not the enrolled person, and no reasonable excuse given.");
        await BrowserFixture.AssertAccessibleAsync(supervisor);
        await BrowserFixture.ScreenshotAsync(supervisor, "breach-confirmed");
        await supervisor.GetByRole(AriaRole.Button, new() { Name = "Switch to dark theme" }).ClickAsync();
        await Assertions.Expect(supervisor.GetByRole(AriaRole.Button, new() { Name = "Switch to light theme" })).ToBeVisibleAsync();
        await BrowserFixture.AssertAccessibleAsync(supervisor);
        await BrowserFixture.ScreenshotAsync(supervisor, "breach-confirmed-dark");

        // The proposer's open page follows without a reload.
        await Assertions.Expect(officer.GetByTestId("breach-message")).ToHaveTextAsync($"{supervisor1.Name} confirmed this breach.", new() { Timeout = 10_000 });
        await Assertions.Expect(officer.GetByRole(AriaRole.Button, new() { Name = "Withdraw proposal" })).ToHaveCountAsync(0);
        await Assertions.Expect(officer.GetByTestId("breach-history").Locator("li")).ToHaveCountAsync(2);
        Assert.Equal("Confirmed", await Sql.ScalarAsync(fixture.App.ConnectionString, "SELECT state FROM breaches WHERE id = $1", done.Id!.Value));
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }
}
