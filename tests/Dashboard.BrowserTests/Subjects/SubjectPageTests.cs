using Dashboard.Testing;
using Microsoft.Playwright;

namespace Dashboard.BrowserTests.Subjects;

public class SubjectPageTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task An_officer_sees_a_check_in_arrive_live_adds_a_note_by_keyboard_and_records_an_absence()
    {
        var subjectId = (Guid)(await Sql.ScalarAsync(fixture.App.ConnectionString, "SELECT subject_id FROM devices WHERE id = 'demo-0037'"))!;
        var page = await fixture.SignedInPageAsync("officer1", $"/subjects/{subjectId}");
        var errors = BrowserFixture.CollectErrors(page);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Match scores over time" })).ToBeVisibleAsync();
        await BrowserFixture.AssertAccessibleAsync(page);

        // A failed check-in arrives: the page shows it and its alert without a reload.
        await fixture.PostCheckInAsync("demo-0037", match: 0.12);
        await Assertions.Expect(page.GetByTestId("open-alerts")).ToContainTextAsync("Identity not verified", new() { Timeout = 10_000 });
        await Assertions.Expect(page.GetByRole(AriaRole.Img, new() { Name = "Match scores of the last", Exact = false })).ToHaveAttributeAsync("aria-label", new System.Text.RegularExpressions.Regex("1 failed"));
        await Assertions.Expect(page.GetByTestId("violation-count")).ToContainTextAsync("1 violation on record");

        // Keyboard only: type the note, Tab to the button, Enter.
        await page.GetByLabel("New note").FocusAsync();
        await page.Keyboard.TypeAsync("Called: says the camera was fogged after a shower.");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByTestId("notes")).ToContainTextAsync("Called: says the camera was fogged after a shower.");
        await Assertions.Expect(page.GetByTestId("notes").GetByRole(AriaRole.Button, new() { Name = "Edit", Exact = false })).ToBeVisibleAsync();

        var london = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Europe/London"));
        await page.GetByTestId("absence-from").FillAsync(london.AddHours(2).ToString("yyyy-MM-ddTHH:mm", System.Globalization.CultureInfo.InvariantCulture));
        await page.GetByTestId("absence-to").FillAsync(london.AddHours(1).ToString("yyyy-MM-ddTHH:mm", System.Globalization.CultureInfo.InvariantCulture));
        await page.GetByTestId("absence-reason").FillAsync("Hospital appointment");
        await page.GetByRole(AriaRole.Button, new() { Name = "Record absence" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("absence-error")).ToHaveTextAsync("The absence must end after it starts.");
        await page.GetByTestId("absence-to").FillAsync(london.AddHours(4).ToString("yyyy-MM-ddTHH:mm", System.Globalization.CultureInfo.InvariantCulture));
        await page.GetByRole(AriaRole.Button, new() { Name = "Record absence" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("absences")).ToContainTextAsync("Hospital appointment");
        await Assertions.Expect(page.GetByTestId("absences")).ToContainTextAsync(london.AddHours(2).ToString("dd MMM HH:mm", System.Globalization.CultureInfo.GetCultureInfo("en-GB")));

        Assert.Equal(1, await Sql.CountAsync(fixture.App.ConnectionString, "SELECT count(*) FROM notes WHERE subject_id = $1", subjectId));
        Assert.Equal(1, await Sql.CountAsync(fixture.App.ConnectionString, "SELECT count(*) FROM absences WHERE subject_id = $1", subjectId));
        await BrowserFixture.AssertAccessibleAsync(page);
        await BrowserFixture.ScreenshotAsync(page, "subject-page");
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task An_auditor_reads_the_subject_page_without_any_way_to_write()
    {
        var subjectId = (Guid)(await Sql.ScalarAsync(fixture.App.ConnectionString, "SELECT subject_id FROM devices WHERE id = 'demo-0043'"))!;
        var page = await fixture.SignedInPageAsync("auditor1", $"/subjects/{subjectId}");

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Notes" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Add note" })).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Record absence" })).ToHaveCountAsync(0);
        await BrowserFixture.AssertAccessibleAsync(page);
    }

    [Fact]
    public async Task Opening_a_persons_page_is_recorded_once_per_quarter_hour_for_their_access_history_and_a_refused_page_not_at_all()
    {
        var db = fixture.App.ConnectionString;
        var own = (Guid)(await Sql.ScalarAsync(db, "SELECT subject_id FROM devices WHERE id = 'demo-0043'"))!;
        var other = (Guid)(await Sql.ScalarAsync(db, "SELECT subject_id FROM devices WHERE id = 'demo-0046'"))!;
        const string Views = "SELECT count(*) FROM audit_events a JOIN staff s ON s.id = a.actor_id WHERE s.login_name = 'officer1' AND a.action = 'record-viewed' AND a.subject_id = $1 AND a.detail = 'Opened the subject page.'";

        var page = await fixture.SignedInPageAsync("officer1", $"/subjects/{own}");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Match scores over time" })).ToBeVisibleAsync();
        for (var wait = 0; await Sql.CountAsync(db, Views, own) == 0; wait++)
        {
            Assert.True(wait < 100, "Opening the page was not recorded.");
            await Task.Delay(100);
        }

        await page.ReloadAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Match scores over time" })).ToBeVisibleAsync();
        await BrowserFixture.WaitInteractiveAsync(page);
        await Task.Delay(1000);
        Assert.Equal(1, await Sql.CountAsync(db, Views, own));

        // Another officer's person: the page shows nothing, so nothing was viewed.
        await page.GotoAsync($"/subjects/{other}");
        await BrowserFixture.WaitInteractiveAsync(page);
        await Task.Delay(1000);
        Assert.Equal(0, await Sql.CountAsync(db, "SELECT count(*) FROM audit_events WHERE action = 'record-viewed' AND subject_id = $1", other));
    }
}
