using System.Net;
using Dashboard.Domain;
using Dashboard.Features.Breaches;
using Dashboard.Security;
using Dashboard.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.IntegrationTests.Breaches;

/// <summary>
/// officer1 (team North, supervisor1) holds demo-0001, demo-0007, ...; officer4 (team South, supervisor2)
/// holds demo-0004, demo-0010, .... Breaches are made the real way: a failed check-in through the
/// ingestion API raises IdentityNotVerified, and a person proposes a breach from it.
/// </summary>
public class BreachWorkflowTests(IngestionApp fixture, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<IngestionApp>
{
    private const string Reason = "Two failed check-ins on one day, and no contact since.";

    private ProposeBreach Propose => fixture.App.Services.GetRequiredService<ProposeBreach>();
    private DecideBreach Decide => fixture.App.Services.GetRequiredService<DecideBreach>();
    private GetBreach Get => fixture.App.Services.GetRequiredService<GetBreach>();
    private ListBreaches List => fixture.App.Services.GetRequiredService<ListBreaches>();
    private AddBreachNote AddNote => fixture.App.Services.GetRequiredService<AddBreachNote>();
    private string Db => fixture.App.ConnectionString;

    private Task<CurrentUser> UserAsync(string login) => StaffUsers.UserAsync(Db, login);

    /// <summary>A second supervisor of team North, so two people can decide at once.</summary>
    private async Task<CurrentUser> SecondNorthSupervisorAsync()
    {
        await Sql.ExecuteAsync(Db, """
            INSERT INTO staff (id, login_name, display_name, role, team_id, active)
            SELECT gen_random_uuid(), 'supervisor1b', 'Second North Supervisor', 'Supervisor', team_id, true FROM staff WHERE login_name = 'supervisor1'
            ON CONFLICT DO NOTHING
            """);
        return await UserAsync("supervisor1b");
    }

    private async Task<Guid> FailedCheckInAlertAsync(string device)
    {
        var checkIn = await fixture.PostCheckInAsync(device, match: 0.1, liveness: 0.9);
        return (Guid)(await Sql.ScalarAsync(Db, "SELECT id FROM alerts WHERE check_in_id = $1 AND kind = 'IdentityNotVerified'", checkIn))!;
    }

    private async Task<(Guid Breach, Guid[] Alerts)> ProposedAsync(string device, string proposer = "officer1", int alerts = 1)
    {
        if (proposer == "supervisor1")
        {
            // A supervisor's proposal needs another supervisor of the team to decide it.
            await SecondNorthSupervisorAsync();
        }

        var ids = new Guid[alerts];
        for (var i = 0; i < alerts; i++)
        {
            ids[i] = await FailedCheckInAlertAsync(device);
        }

        var result = await Propose.HandleAsync(new(ids, "Identity not verified at check-ins."), await UserAsync(proposer), CancellationToken.None);
        var done = Assert.IsType<ActionResult.Done>(result);
        return (done.Id!.Value, ids);
    }

    private Task<object?> StateAsync(Guid breach) => Sql.ScalarAsync(Db, "SELECT state FROM breaches WHERE id = $1", breach);

    private Task<long> AuditRowsAsync(Guid breach) =>
        Sql.CountAsync(Db, "SELECT count(*) FROM audit_events WHERE entity_type = 'breach' AND entity_id = $1", breach.ToString());

    [Fact]
    public async Task The_proposer_cannot_confirm_or_reject_their_own_breach_even_as_supervisor_of_the_team()
    {
        var (breach, _) = await ProposedAsync("demo-0001", proposer: "supervisor1");
        var supervisor1 = await UserAsync("supervisor1");

        var confirm = await Decide.HandleAsync(new(breach, BreachAction.Confirm, Reason), supervisor1, CancellationToken.None);
        var reject = await Decide.HandleAsync(new(breach, BreachAction.Reject, Reason), supervisor1, CancellationToken.None);

        Assert.Equal("You proposed this breach: another supervisor must decide it (four-eyes rule).", Assert.IsType<ActionResult.Refused>(confirm).Message);
        Assert.Equal("You proposed this breach: another supervisor must decide it (four-eyes rule).", Assert.IsType<ActionResult.Refused>(reject).Message);
        Assert.Equal("Proposed", await StateAsync(breach));
        Assert.Equal(1, await AuditRowsAsync(breach));
    }

    [Fact]
    public async Task A_supervisor_with_no_other_supervisor_on_the_caseload_cannot_propose_a_breach_nobody_could_decide()
    {
        // Team South has one supervisor (supervisor2); demo-0004 is officer4's, in team South.
        var alert = await FailedCheckInAlertAsync("demo-0004");

        var result = await Propose.HandleAsync(new([alert], "Identity not verified at check-in."), await UserAsync("supervisor2"), CancellationToken.None);

        Assert.Equal(ProposeBreach.LoneSupervisor, Assert.IsType<ActionResult.Refused>(result).Message);
        Assert.Equal("Open", await Sql.ScalarAsync(Db, "SELECT state FROM alerts WHERE id = $1", alert));
        Assert.Equal(0, await Sql.CountAsync(Db, "SELECT count(*) FROM breach_alerts WHERE alert_id = $1", alert));
    }

    [Fact]
    public async Task An_officer_cannot_confirm_a_breach_even_on_their_own_caseload()
    {
        var (breach, _) = await ProposedAsync("demo-0007", proposer: "supervisor1");
        var officer1 = await UserAsync("officer1");

        var result = await Decide.HandleAsync(new(breach, BreachAction.Confirm, Reason), officer1, CancellationToken.None);

        Assert.Equal("Only a supervisor can confirm or reject a breach.", Assert.IsType<ActionResult.Refused>(result).Message);
        Assert.Equal("Proposed", await StateAsync(breach));
        Assert.Equal(1, await AuditRowsAsync(breach));
    }

    [Fact]
    public async Task A_supervisor_of_the_other_team_cannot_see_or_confirm_and_nothing_changes()
    {
        var (breach, _) = await ProposedAsync("demo-0013");
        var supervisor2 = await UserAsync("supervisor2");

        Assert.IsType<ActionResult.NotFound>(await Decide.HandleAsync(new(breach, BreachAction.Confirm, Reason), supervisor2, CancellationToken.None));
        Assert.Null(await Get.HandleAsync(breach, supervisor2, CancellationToken.None));
        Assert.Equal("Proposed", await StateAsync(breach));
        Assert.Equal(1, await AuditRowsAsync(breach));
    }

    [Fact]
    public async Task An_officer_of_another_caseload_gets_not_found_for_reading_deciding_and_noting_and_nothing_changes()
    {
        var (breach, _) = await ProposedAsync("demo-0019");
        var officer4 = await UserAsync("officer4");
        var officer2 = await UserAsync("officer2");
        using var officer4Client = await fixture.SignedInClientAsync("officer4");

        Assert.Null(await Get.HandleAsync(breach, officer4, CancellationToken.None));
        Assert.IsType<ActionResult.NotFound>(await Decide.HandleAsync(new(breach, BreachAction.Withdraw, Reason), officer4, CancellationToken.None));
        Assert.IsType<ActionResult.NotFound>(await Decide.HandleAsync(new(breach, BreachAction.Confirm, Reason), officer2, CancellationToken.None));
        Assert.IsType<ActionResult.NotFound>(await AddNote.HandleAsync(new(breach, "Looking into it."), officer4, CancellationToken.None));
        Assert.DoesNotContain((await List.HandleAsync(new(), officer4, CancellationToken.None)).Items, i => i.Id == breach);
        var page = await officer4Client.GetAsync(new Uri($"/breaches/{breach}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.Equal("Proposed", await StateAsync(breach));
        Assert.Equal(0, await Sql.CountAsync(Db, "SELECT count(*) FROM notes WHERE breach_id = $1", breach));
        // The proposal, and the page's refusal recorded for the auditors; no decision, no note.
        Assert.Equal(1, await Sql.CountAsync(Db, "SELECT count(*) FROM audit_events WHERE entity_type = 'breach' AND entity_id = $1 AND action <> 'access-refused'", breach.ToString()));
        Assert.Equal(1, await Sql.CountAsync(Db, "SELECT count(*) FROM audit_events a JOIN staff s ON s.id = a.actor_id WHERE a.entity_id = $1 AND a.action = 'access-refused' AND s.login_name = 'officer4'", breach.ToString()));
    }

    [Fact]
    public async Task A_concurrent_confirm_and_reject_leave_exactly_one_decision_standing()
    {
        var supervisor1 = await UserAsync("supervisor1");
        var second = await SecondNorthSupervisorAsync();
        for (var round = 0; round < 4; round++)
        {
            var (breach, alerts) = await ProposedAsync("demo-0025");
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var confirm = Task.Run(async () => { await gate.Task; return await Decide.HandleAsync(new(breach, BreachAction.Confirm, "Confirmed: no excuse given."), supervisor1, CancellationToken.None); });
            var reject = Task.Run(async () => { await gate.Task; return await Decide.HandleAsync(new(breach, BreachAction.Reject, "Rejected: the device camera was faulty."), second, CancellationToken.None); });
            gate.SetResult();
            var results = await Task.WhenAll(confirm, reject);

            Assert.Single(results, r => r is ActionResult.Done);
            var refused = Assert.IsType<ActionResult.Refused>(Assert.Single(results, r => r is not ActionResult.Done));
            Assert.Matches("(confirmed|rejected) this breach a moment ago; your decision was not recorded\\.|^This breach has already been (confirmed|rejected)\\.$", refused.Message);
            // Which way the loser learnt it (refused at the version check, or read the decision already made).
            output.WriteLine($"Round {round}: {(results[0] is ActionResult.Done ? "confirm" : "reject")} stood; the other was told: {refused.Message}");
            var confirmWon = results[0] is ActionResult.Done;
            Assert.Equal(confirmWon ? "Confirmed" : "Rejected", await StateAsync(breach));
            Assert.Equal(1, await Sql.CountAsync(Db, "SELECT count(*) FROM audit_events WHERE entity_type = 'breach' AND entity_id = $1 AND action IN ('breach-confirmed', 'breach-rejected')", breach.ToString()));
            Assert.Equal(confirmWon ? "BreachProposed" : "Acknowledged", await Sql.ScalarAsync(Db, "SELECT state FROM alerts WHERE id = $1", alerts[0]));
        }
    }

    [Fact]
    public async Task Only_the_proposer_can_withdraw_and_the_alerts_return_to_the_officer()
    {
        var (breach, alerts) = await ProposedAsync("demo-0031", alerts: 2);
        var supervisor1 = await UserAsync("supervisor1");
        var officer1 = await UserAsync("officer1");

        var bySupervisor = await Decide.HandleAsync(new(breach, BreachAction.Withdraw, Reason), supervisor1, CancellationToken.None);
        var byProposer = await Decide.HandleAsync(new(breach, BreachAction.Withdraw, "Proposed on the wrong person's alerts."), officer1, CancellationToken.None);

        Assert.Equal("Only the person who proposed this breach can withdraw it.", Assert.IsType<ActionResult.Refused>(bySupervisor).Message);
        Assert.IsType<ActionResult.Done>(byProposer);
        Assert.Equal("Withdrawn", await StateAsync(breach));
        Assert.Equal(2, await Sql.CountAsync(Db, "SELECT count(*) FROM alerts WHERE id = ANY($1) AND state = 'Acknowledged' AND breach_id IS NULL", alerts));
        // The evidence link stays for the record.
        Assert.Equal(2, await Sql.CountAsync(Db, "SELECT count(*) FROM breach_alerts WHERE breach_id = $1", breach));
        Assert.Equal(1, await Sql.CountAsync(Db, "SELECT count(*) FROM audit_events WHERE entity_type = 'breach' AND entity_id = $1 AND action = 'breach-withdrawn' AND actor_id = $2 AND detail LIKE '%Reason: Proposed on the wrong person''s alerts.%'", breach.ToString(), officer1.Id));
    }

    [Fact]
    public async Task A_rejected_breach_returns_its_alerts_which_can_be_proposed_again()
    {
        var (breach, alerts) = await ProposedAsync("demo-0037");
        var supervisor1 = await UserAsync("supervisor1");
        var officer1 = await UserAsync("officer1");

        Assert.IsType<ActionResult.Done>(await Decide.HandleAsync(new(breach, BreachAction.Reject, "The photo was too dark to judge."), supervisor1, CancellationToken.None));
        var again = await Propose.HandleAsync(new(alerts, "Proposed again with a clearer account."), officer1, CancellationToken.None);

        Assert.Equal("Rejected", await StateAsync(breach));
        Assert.IsType<ActionResult.Done>(again);
        Assert.Equal("BreachProposed", await Sql.ScalarAsync(Db, "SELECT state FROM alerts WHERE id = $1", alerts[0]));
    }

    [Fact]
    public async Task A_decision_without_a_reason_or_an_empty_note_stores_nothing()
    {
        var (breach, alerts) = await ProposedAsync("demo-0043");
        var supervisor1 = await UserAsync("supervisor1");

        var confirm = await Decide.HandleAsync(new(breach, BreachAction.Confirm, "  "), supervisor1, CancellationToken.None);
        var reject = await Decide.HandleAsync(new(breach, BreachAction.Reject, null), supervisor1, CancellationToken.None);
        var note = await AddNote.HandleAsync(new(breach, " "), supervisor1, CancellationToken.None);

        Assert.Equal("Give a reason for confirming this breach.", Assert.IsType<ActionResult.Refused>(confirm).Message);
        Assert.Equal("Give a reason for rejecting this breach.", Assert.IsType<ActionResult.Refused>(reject).Message);
        Assert.Equal("Write the note first.", Assert.IsType<ActionResult.Refused>(note).Message);
        Assert.Equal(1, await Sql.CountAsync(Db, "SELECT count(*) FROM breaches WHERE id = $1 AND state = 'Proposed' AND decided_by IS NULL AND decision_reason IS NULL", breach));
        Assert.Equal("BreachProposed", await Sql.ScalarAsync(Db, "SELECT state FROM alerts WHERE id = $1", alerts[0]));
        Assert.Equal(0, await Sql.CountAsync(Db, "SELECT count(*) FROM notes WHERE breach_id = $1", breach));
        Assert.Equal(1, await AuditRowsAsync(breach));
    }

    [Fact]
    public async Task An_auditor_reads_a_breach_but_cannot_decide_or_note_it()
    {
        var (breach, _) = await ProposedAsync("demo-0049");
        var auditor = await UserAsync("auditor1");

        var details = await Get.HandleAsync(breach, auditor, CancellationToken.None);

        Assert.NotNull(details);
        Assert.False(details.CanConfirmOrReject || details.CanWithdraw || details.CanAddNote);
        Assert.Equal("Auditors can read breaches but not decide them.", Assert.IsType<ActionResult.Refused>(await Decide.HandleAsync(new(breach, BreachAction.Confirm, Reason), auditor, CancellationToken.None)).Message);
        Assert.Equal("Auditors can read notes but not add them.", Assert.IsType<ActionResult.Refused>(await AddNote.HandleAsync(new(breach, "Seen."), auditor, CancellationToken.None)).Message);
    }

    [Fact]
    public async Task Every_transition_and_note_is_audited_and_the_breach_shows_its_evidence_notes_and_history()
    {
        var (breach, alerts) = await ProposedAsync("demo-0055");
        var supervisor1 = await UserAsync("supervisor1");
        var officer1 = await UserAsync("officer1");

        var before = await Get.HandleAsync(breach, supervisor1, CancellationToken.None);
        var proposerView = await Get.HandleAsync(breach, officer1, CancellationToken.None);
        Assert.IsType<ActionResult.Done>(await AddNote.HandleAsync(new(breach, "Phoned the subject: no answer."), officer1, CancellationToken.None));
        Assert.IsType<ActionResult.Done>(await Decide.HandleAsync(new(breach, BreachAction.Confirm, Reason), supervisor1, CancellationToken.None));
        var after = await Get.HandleAsync(breach, officer1, CancellationToken.None);

        Assert.True(before!.CanConfirmOrReject);
        Assert.False(before.CanWithdraw);
        Assert.True(proposerView!.CanWithdraw);
        Assert.False(proposerView.CanConfirmOrReject);
        Assert.NotNull(after);
        Assert.Equal(BreachState.Confirmed, after.State);
        Assert.Equal(supervisor1.Name, after.DecidedBy);
        Assert.Equal(Reason, after.DecisionReason);
        Assert.False(after.CanWithdraw || after.CanConfirmOrReject);
        var alert = Assert.Single(after.Alerts);
        Assert.Equal(alerts[0], alert.Id);
        var checkIn = Assert.Single(after.CheckIns);
        Assert.Equal(0.1, checkIn.MatchScore, 3);
        Assert.Equal(CheckInOutcome.Failed, checkIn.Outcome);
        Assert.Equal(1, checkIn.Policy.Version);
        Assert.Equal("Phoned the subject: no answer.", Assert.Single(after.Notes).Text);
        Assert.Equal(["breach-proposed", "breach-confirmed"], after.History.Select(h => h.Action));
        Assert.Equal([officer1.Name, supervisor1.Name], after.History.Select(h => h.Who));
        Assert.Contains($"Reason: {Reason}", after.History[1].Detail, StringComparison.Ordinal);
        Assert.Equal(1, await Sql.CountAsync(Db, "SELECT count(*) FROM audit_events WHERE entity_type = 'breach-note' AND entity_id = $1 AND action = 'breach-note-added'", breach.ToString()));
        Assert.Equal(1, await Sql.CountAsync(Db, "SELECT count(*) FROM audit_events WHERE entity_type = 'breach' AND entity_id = $1 AND action = 'breach-confirmed' AND actor_id = $2", breach.ToString(), supervisor1.Id));
        var listed = await fixture.App.Services.GetRequiredService<Dashboard.Features.Alerts.ListAlerts>()
            .HandleAsync(new(Subject: after.CaseReference, PageSize: 100), officer1, CancellationToken.None);
        var inBreach = Assert.Single(listed.Items, i => i.Id == alerts[0]);
        Assert.Equal("Breach confirmed", inBreach.StateText);
        Assert.Equal(after.Number, inBreach.BreachNumber);
    }

    [Fact]
    public async Task The_list_is_scoped_newest_first_and_shows_a_supervisor_what_awaits_their_decision()
    {
        var (byOfficer, _) = await ProposedAsync("demo-0001");
        var (bySupervisor, _) = await ProposedAsync("demo-0007", proposer: "supervisor1");
        var supervisor1 = await UserAsync("supervisor1");
        var officer1 = await UserAsync("officer1");

        var awaiting = await List.HandleAsync(new(AwaitingMyDecision: true, PageSize: 100), supervisor1, CancellationToken.None);
        var officerAwaiting = await List.HandleAsync(new(AwaitingMyDecision: true), officer1, CancellationToken.None);
        var all = await List.HandleAsync(new(PageSize: 100), supervisor1, CancellationToken.None);
        var firstPage = await List.HandleAsync(new(PageSize: 1), supervisor1, CancellationToken.None);
        var confirmed = await List.HandleAsync(new(State: BreachState.Confirmed, PageSize: 100), supervisor1, CancellationToken.None);

        Assert.Contains(awaiting.Items, i => i.Id == byOfficer);
        Assert.DoesNotContain(awaiting.Items, i => i.Id == bySupervisor);
        Assert.All(awaiting.Items, i => Assert.Equal(BreachState.Proposed, i.State));
        Assert.Empty(officerAwaiting.Items);
        Assert.Equal(all.Items.OrderByDescending(i => i.ProposedAt).Select(i => i.Id), all.Items.Select(i => i.Id));
        Assert.Equal(bySupervisor, Assert.Single(firstPage.Items).Id);
        Assert.Equal(all.Total, firstPage.Total);
        Assert.Equal(all.Total, firstPage.PageCount);
        Assert.All(confirmed.Items, i => Assert.Equal(BreachState.Confirmed, i.State));
    }

    [Fact]
    public async Task The_breach_page_offers_each_person_only_the_actions_they_may_take()
    {
        var (breach, _) = await ProposedAsync("demo-0013");
        using var supervisor = await fixture.SignedInClientAsync("supervisor1");
        using var proposer = await fixture.SignedInClientAsync("officer1");
        using var auditor = await fixture.SignedInClientAsync("auditor1");

        var supervisorPage = WebUtility.HtmlDecode(await supervisor.GetStringAsync(new Uri($"/breaches/{breach}", UriKind.Relative)));
        var proposerPage = WebUtility.HtmlDecode(await proposer.GetStringAsync(new Uri($"/breaches/{breach}", UriKind.Relative)));
        var auditorPage = WebUtility.HtmlDecode(await auditor.GetStringAsync(new Uri($"/breaches/{breach}", UriKind.Relative)));
        var missing = await supervisor.GetAsync(new Uri($"/breaches/{Guid.NewGuid()}", UriKind.Relative));

        Assert.Contains("Confirm breach", supervisorPage, StringComparison.Ordinal);
        Assert.Contains("Reject breach", supervisorPage, StringComparison.Ordinal);
        Assert.DoesNotContain("Withdraw proposal", supervisorPage, StringComparison.Ordinal);
        Assert.Contains("Withdraw proposal", proposerPage, StringComparison.Ordinal);
        Assert.DoesNotContain("Confirm breach", proposerPage, StringComparison.Ordinal);
        Assert.DoesNotContain("Confirm breach", auditorPage, StringComparison.Ordinal);
        Assert.DoesNotContain("Withdraw proposal", auditorPage, StringComparison.Ordinal);
        Assert.DoesNotContain("Add note", auditorPage, StringComparison.Ordinal);
        Assert.Contains("Identity not verified at check-ins.", auditorPage, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }
}
