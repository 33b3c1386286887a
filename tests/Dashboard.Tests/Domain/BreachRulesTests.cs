using Dashboard.Domain;

namespace Dashboard.Tests.Domain;

public class BreachRulesTests
{
    private static readonly Guid North = Guid.NewGuid();
    private static readonly Guid South = Guid.NewGuid();
    private static readonly BreachActor Proposer = new(Guid.NewGuid(), StaffRole.Officer, North);
    private static readonly BreachActor Supervisor = new(Guid.NewGuid(), StaffRole.Supervisor, North);
    private static readonly BreachActor OtherTeamSupervisor = new(Guid.NewGuid(), StaffRole.Supervisor, South);
    private static readonly BreachActor TeamlessSupervisor = new(Guid.NewGuid(), StaffRole.Supervisor, null);
    private static readonly BreachActor OtherOfficer = new(Guid.NewGuid(), StaffRole.Officer, North);
    private static readonly BreachActor Auditor = new(Guid.NewGuid(), StaffRole.Auditor, null);

    private static Refusal? Check(BreachAction action, BreachActor actor, BreachState state = BreachState.Proposed, Guid? proposedBy = null, string? reason = "Two failed check-ins in a day.") =>
        BreachRules.Check(state, action, actor, proposedBy ?? Proposer.Id, North, reason);

    [Theory]
    [InlineData(BreachAction.Confirm)]
    [InlineData(BreachAction.Reject)]
    public void The_proposer_cannot_decide_their_own_breach_even_as_a_supervisor(BreachAction action)
    {
        Assert.Equal("You proposed this breach: another supervisor must decide it (four-eyes rule).", Check(action, Supervisor, proposedBy: Supervisor.Id)?.Message);
    }

    [Theory]
    [InlineData(BreachAction.Confirm)]
    [InlineData(BreachAction.Reject)]
    public void An_officer_or_an_auditor_cannot_confirm_or_reject(BreachAction action)
    {
        Assert.Equal("Only a supervisor can confirm or reject a breach.", Check(action, Proposer)?.Message);
        Assert.Equal("Only a supervisor can confirm or reject a breach.", Check(action, OtherOfficer)?.Message);
        Assert.Equal("Only a supervisor can confirm or reject a breach.", Check(action, Auditor)?.Message);
    }

    [Theory]
    [InlineData(BreachAction.Confirm)]
    [InlineData(BreachAction.Reject)]
    public void A_supervisor_of_another_team_or_of_none_cannot_decide(BreachAction action)
    {
        Assert.Equal("Only a supervisor of this person's team can decide this breach.", Check(action, OtherTeamSupervisor)?.Message);
        Assert.Equal("Only a supervisor of this person's team can decide this breach.", Check(action, TeamlessSupervisor)?.Message);
        Assert.Equal("Only a supervisor of this person's team can decide this breach.",
            BreachRules.Check(BreachState.Proposed, action, Supervisor, Proposer.Id, null, "reason")?.Message);
    }

    [Fact]
    public void Only_the_proposer_can_withdraw()
    {
        Assert.Equal("Only the person who proposed this breach can withdraw it.", Check(BreachAction.Withdraw, Supervisor)?.Message);
        Assert.Equal("Only the person who proposed this breach can withdraw it.", Check(BreachAction.Withdraw, OtherOfficer)?.Message);
        Assert.Null(Check(BreachAction.Withdraw, Proposer));
    }

    [Theory]
    [InlineData(BreachAction.Confirm, "Give a reason for confirming this breach.")]
    [InlineData(BreachAction.Reject, "Give a reason for rejecting this breach.")]
    [InlineData(BreachAction.Withdraw, "Give a reason for withdrawing this breach.")]
    public void Every_decision_needs_a_reason(BreachAction action, string message)
    {
        var actor = action == BreachAction.Withdraw ? Proposer : Supervisor;

        Assert.Equal(message, Check(action, actor, reason: null)?.Message);
        Assert.Equal(message, Check(action, actor, reason: "   ")?.Message);
        Assert.Equal("Keep the reason under 4,000 characters.", Check(action, actor, reason: new string('x', 4001))?.Message);
        Assert.Null(Check(action, actor, reason: new string('x', 4000)));
    }

    [Theory]
    [InlineData(BreachState.Confirmed, "This breach has already been confirmed.")]
    [InlineData(BreachState.Rejected, "This breach has already been rejected.")]
    [InlineData(BreachState.Withdrawn, "This breach was withdrawn by its proposer.")]
    public void A_decided_breach_refuses_every_further_action(BreachState state, string message)
    {
        Assert.Equal(message, Check(BreachAction.Confirm, Supervisor, state)?.Message);
        Assert.Equal(message, Check(BreachAction.Reject, Supervisor, state)?.Message);
        Assert.Equal(message, Check(BreachAction.Withdraw, Proposer, state)?.Message);
    }

    [Theory]
    [InlineData(BreachAction.Confirm, BreachState.Confirmed, null)]
    [InlineData(BreachAction.Reject, BreachState.Rejected, AlertAction.ReturnFromBreach)]
    [InlineData(BreachAction.Withdraw, BreachState.Withdrawn, AlertAction.ReturnFromBreach)]
    public void A_supervisor_of_the_team_who_did_not_propose_decides_and_the_alerts_follow(BreachAction action, BreachState after, AlertAction? alerts)
    {
        var actor = action == BreachAction.Withdraw ? Proposer : Supervisor;

        Assert.Null(Check(action, actor));
        Assert.Equal(after, BreachRules.After(action));
        Assert.Equal(alerts, BreachRules.AlertsAfter(action));
    }

    [Fact]
    public void Alerts_of_a_breach_that_did_not_stand_return_to_acknowledged()
    {
        Assert.Null(AlertRules.Check(AlertState.BreachProposed, AlertAction.ReturnFromBreach));
        Assert.Equal(AlertState.Acknowledged, AlertRules.After(AlertAction.ReturnFromBreach, AlertState.BreachProposed));
        Assert.NotNull(AlertRules.Check(AlertState.Acknowledged, AlertAction.ReturnFromBreach));
    }

    [Fact]
    public void A_supervisor_can_propose_and_an_auditor_cannot()
    {
        var subject = Guid.NewGuid();
        (Guid, AlertState)[] alerts = [(subject, AlertState.Open)];

        Assert.Null(BreachRules.CanPropose(Supervisor, alerts, "Summary"));
        Assert.Null(BreachRules.CanPropose(Proposer, alerts, "Summary"));
        Assert.Equal("Only officers and supervisors can propose a breach.", BreachRules.CanPropose(Auditor, alerts, "Summary")?.Message);
    }

    [Fact]
    public void A_proposal_needs_alerts_of_one_subject_still_with_a_person_and_a_summary()
    {
        var subject = Guid.NewGuid();

        Assert.Equal("Select at least one alert.", BreachRules.CanPropose(Proposer, [], "Summary")?.Message);
        Assert.Equal("A breach is about one person: select alerts of the same subject.",
            BreachRules.CanPropose(Proposer, [(subject, AlertState.Open), (Guid.NewGuid(), AlertState.Open)], "Summary")?.Message);
        Assert.Equal("An alert that is dismissed cannot become evidence of a new breach.",
            BreachRules.CanPropose(Proposer, [(subject, AlertState.Open), (subject, AlertState.Dismissed)], "Summary")?.Message);
        Assert.Equal("An alert that is breach proposed cannot become evidence of a new breach.",
            BreachRules.CanPropose(Proposer, [(subject, AlertState.BreachProposed)], "Summary")?.Message);
        Assert.Equal("Write a summary of the breach.", BreachRules.CanPropose(Proposer, [(subject, AlertState.Acknowledged)], " ")?.Message);
        Assert.Equal("Keep the summary under 4,000 characters.", BreachRules.CanPropose(Proposer, [(subject, AlertState.Acknowledged)], new string('s', 4001))?.Message);
    }

    [Fact]
    public void Breach_numbers_read_year_and_six_digits()
    {
        Assert.Equal("B-2026-000123", BreachRules.FormatNumber(2026, 123));
    }
}
