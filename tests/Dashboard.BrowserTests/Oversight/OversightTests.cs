using Dashboard.Testing;
using Microsoft.Playwright;

namespace Dashboard.BrowserTests.Oversight;

public class OversightTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task A_supervisor_replays_and_proposes_a_threshold_change_and_another_supervisor_approves_it()
    {
        var officer = await fixture.SignedInPageAsync("officer1", "/");
        await officer.GotoAsync("/oversight/thresholds");
        await Assertions.Expect(officer.GetByRole(AriaRole.Heading, new() { Name = "No access" })).ToBeVisibleAsync();
        await Assertions.Expect(officer.GetByRole(AriaRole.Button, new() { Name = "Run what-if replay" })).ToHaveCountAsync(0);

        var proposer = await fixture.SignedInPageAsync("supervisor1", "/oversight/thresholds");
        var errors = BrowserFixture.CollectErrors(proposer);
        await Assertions.Expect(proposer.GetByRole(AriaRole.Heading, new() { Name = "Matching thresholds" })).ToBeVisibleAsync();
        await Assertions.Expect(proposer.GetByTestId("policy-versions")).ToContainTextAsync("v1 (in force)");
        await BrowserFixture.AssertAccessibleAsync(proposer);

        await proposer.GetByLabel("Match accept threshold").FillAsync("0.90");
        await proposer.GetByLabel("Match accept threshold").PressAsync("Tab");
        await proposer.GetByRole(AriaRole.Button, new() { Name = "Run what-if replay" }).ClickAsync();
        await Assertions.Expect(proposer.GetByTestId("replay-summary")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Assertions.Expect(proposer.GetByTestId("replay-headline")).ToContainTextAsync("check-ins from");
        await proposer.GetByLabel("Reason for the change").FillAsync("Older watches verify too many poor photos.");
        await BrowserFixture.AssertAccessibleAsync(proposer);
        await BrowserFixture.ScreenshotAsync(proposer, "oversight-replay");
        await proposer.GetByRole(AriaRole.Button, new() { Name = "Propose change" }).ClickAsync();
        var proposal = proposer.Locator("[data-proposal-id]").First;
        await Assertions.Expect(proposal).ToContainTextAsync("Awaiting a second supervisor");
        await Assertions.Expect(proposal.GetByRole(AriaRole.Button, new() { Name = "Approve" })).ToHaveCountAsync(0);
        await Assertions.Expect(proposal.GetByRole(AriaRole.Button, new() { Name = "Withdraw" })).ToBeVisibleAsync();

        var approver = await fixture.SignedInPageAsync("supervisor2", "/oversight/thresholds");
        var pending = approver.Locator("[data-proposal-id]").First;
        await Assertions.Expect(pending).ToContainTextAsync("proposed by");
        await pending.GetByText("The replay the proposer saw").ClickAsync();
        await Assertions.Expect(pending.GetByTestId("replay-summary")).ToBeVisibleAsync();
        await BrowserFixture.AssertAccessibleAsync(approver);
        await pending.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await Assertions.Expect(pending).ToContainTextAsync("Approved as v2");
        await Assertions.Expect(approver.GetByTestId("policy-versions")).ToContainTextAsync("v2 (scheduled)");
        await BrowserFixture.ScreenshotAsync(approver, "oversight-approved");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task The_review_queue_the_review_form_the_dashboard_card_and_the_burden_panel_pass_the_accessibility_scan()
    {
        var subject = (Guid)(await Sql.ScalarAsync(fixture.App.ConnectionString,
            "SELECT s.id FROM subjects s JOIN staff o ON o.id = s.officer_id WHERE o.login_name = 'officer1' ORDER BY s.case_reference LIMIT 1"))!;
        await Sql.ExecuteAsync(fixture.App.ConnectionString, "UPDATE subjects SET review_due_on = current_date - 3 WHERE id = $1", subject);

        var supervisor = await fixture.SignedInPageAsync("supervisor1", "/");
        await Assertions.Expect(supervisor.GetByTestId("overdue-reviews-card")).ToBeVisibleAsync();
        await supervisor.GetByTestId("overdue-reviews-card").ClickAsync();
        await Assertions.Expect(supervisor.GetByTestId("monitoring-review-queue")).ToBeVisibleAsync();
        await Assertions.Expect(supervisor.Locator($"tr[data-subject-id='{subject}']")).ToContainTextAsync("Overdue since");
        await BrowserFixture.AssertAccessibleAsync(supervisor);

        var officer = await fixture.SignedInPageAsync("officer1", $"/oversight/reviews/{subject}");
        await Assertions.Expect(officer.GetByRole(AriaRole.Button, new() { Name = "Record review" })).ToBeVisibleAsync();
        await BrowserFixture.AssertAccessibleAsync(officer);
        await BrowserFixture.ScreenshotAsync(officer, "oversight-review-form");

        await officer.GotoAsync($"/subjects/{subject}");
        await BrowserFixture.WaitInteractiveAsync(officer);
        await Assertions.Expect(officer.GetByTestId("burden-panel")).ToBeVisibleAsync();
        await BrowserFixture.AssertAccessibleAsync(officer);
        await BrowserFixture.ScreenshotAsync(officer, "oversight-burden");
    }
}
