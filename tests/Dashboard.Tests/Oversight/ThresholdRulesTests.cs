using Dashboard.Domain;

namespace Dashboard.Tests.Oversight;

/// <summary>The four-eyes rule for threshold changes.</summary>
public class ThresholdRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private static readonly ThresholdActor Proposer = new(Guid.NewGuid(), StaffRole.Supervisor);
    private static readonly ThresholdActor Second = new(Guid.NewGuid(), StaffRole.Supervisor);
    private static readonly ThresholdActor Officer = new(Guid.NewGuid(), StaffRole.Officer);
    private static readonly ThresholdActor Auditor = new(Guid.NewGuid(), StaffRole.Auditor);
    private static readonly ThresholdValues Values = new(0.85, 0.55, 0.70, 0.30);
    private static readonly DateTimeOffset Tomorrow = Now.AddDays(1);
    private static readonly DateTimeOffset VersionOneFrom = DateTimeOffset.UnixEpoch;

    private static ThresholdProposalFacts Open(DateTimeOffset? from = null) => new(ProposalState.Proposed, Proposer.Id, from ?? Tomorrow);

    [Fact]
    public void The_proposer_cannot_approve_or_reject_their_own_change()
    {
        Assert.Equal("A different supervisor must approve this change: you proposed it.", ThresholdRules.CanApprove(Proposer, Open(), Now, VersionOneFrom)?.Message);
        Assert.Equal("A different supervisor must reject this change: you proposed it.", ThresholdRules.CanReject(Proposer, Open(), "Not needed after all.")?.Message);
    }

    [Fact]
    public void Officers_and_auditors_cannot_propose_approve_or_reject()
    {
        foreach (var actor in new[] { Officer, Auditor })
        {
            Assert.Equal("Only supervisors propose changes to the matching thresholds.", ThresholdRules.CanPropose(actor.Role, Values, Tomorrow, "Fewer false failures.", Now)?.Message);
            Assert.Equal("Only supervisors approve threshold changes.", ThresholdRules.CanApprove(actor, Open(), Now, VersionOneFrom)?.Message);
            Assert.Equal("Only supervisors reject threshold changes.", ThresholdRules.CanReject(actor, Open(), "Not needed after all.")?.Message);
        }
    }

    [Fact]
    public void Only_the_proposer_can_withdraw()
    {
        Assert.Equal("Only the supervisor who proposed the change can withdraw it.", ThresholdRules.CanWithdraw(Second, Open())?.Message);
        Assert.Null(ThresholdRules.CanWithdraw(Proposer, Open()));
    }

    [Theory]
    [InlineData(ProposalState.Approved)]
    [InlineData(ProposalState.Rejected)]
    [InlineData(ProposalState.Withdrawn)]
    public void A_decided_proposal_cannot_be_decided_or_withdrawn_again(ProposalState state)
    {
        var closed = new ThresholdProposalFacts(state, Proposer.Id, Tomorrow);
        var message = $"This proposal was already {state.ToString().ToLowerInvariant()}.";
        Assert.Equal(message, ThresholdRules.CanApprove(Second, closed, Now, VersionOneFrom)?.Message);
        Assert.Equal(message, ThresholdRules.CanReject(Second, closed, "Not needed after all.")?.Message);
        Assert.Equal(message, ThresholdRules.CanWithdraw(Proposer, closed)?.Message);
    }

    [Fact]
    public void A_different_supervisor_approves_an_open_proposal_ahead_of_its_effective_time()
    {
        Assert.Null(ThresholdRules.CanApprove(Second, Open(), Now, VersionOneFrom));
        Assert.Null(ThresholdRules.CanApprove(Second, Open(Now + ThresholdRules.MinimumLead), Now, VersionOneFrom));
    }

    [Fact]
    public void Approval_is_refused_once_the_effective_time_is_too_close_or_past_so_nothing_is_judged_retroactively()
    {
        var tooClose = ThresholdRules.CanApprove(Second, Open(Now + ThresholdRules.MinimumLead - TimeSpan.FromSeconds(1)), Now, VersionOneFrom);
        var past = ThresholdRules.CanApprove(Second, Open(Now.AddHours(-1)), Now, VersionOneFrom);

        Assert.StartsWith("Its effective time is less than 5 minutes away or has passed.", tooClose?.Message, StringComparison.Ordinal);
        Assert.Equal(tooClose, past);
    }

    [Fact]
    public void Approval_is_refused_when_a_later_change_is_already_scheduled()
    {
        Assert.StartsWith("A later threshold change is already scheduled.", ThresholdRules.CanApprove(Second, Open(), Now, Tomorrow.AddHours(1))?.Message, StringComparison.Ordinal);
        Assert.NotNull(ThresholdRules.CanApprove(Second, Open(), Now, Tomorrow));
    }

    [Fact]
    public void Rejecting_needs_a_reason()
    {
        Assert.Equal("Say why the change is rejected (at least 10 characters).", ThresholdRules.CanReject(Second, Open(), "  no ")?.Message);
        Assert.Null(ThresholdRules.CanReject(Second, Open(), "The replay contradicts 40 reviewer decisions."));
    }

    [Fact]
    public void A_proposal_needs_a_reason_valid_values_and_an_effective_time_ahead()
    {
        Assert.Equal("Say why the thresholds should change (at least 10 characters).", ThresholdRules.CanPropose(StaffRole.Supervisor, Values, Tomorrow, null, Now)?.Message);
        Assert.Equal("Every threshold is a score between 0.00 and 1.00.", ThresholdRules.CanPropose(StaffRole.Supervisor, Values with { AcceptMatch = 1.01 }, Tomorrow, "Fewer false failures.", Now)?.Message);
        Assert.Equal("Every threshold is a score between 0.00 and 1.00.", ThresholdRules.CanPropose(StaffRole.Supervisor, Values with { RejectLiveness = double.NaN }, Tomorrow, "Fewer false failures.", Now)?.Message);
        Assert.Equal("The match reject threshold must not be above the match accept threshold.", ThresholdRules.CanPropose(StaffRole.Supervisor, Values with { RejectMatch = 0.9 }, Tomorrow, "Fewer false failures.", Now)?.Message);
        Assert.Equal("The liveness reject threshold must not be above the liveness accept threshold.", ThresholdRules.CanPropose(StaffRole.Supervisor, Values with { RejectLiveness = 0.8 }, Tomorrow, "Fewer false failures.", Now)?.Message);
        Assert.StartsWith("The change must take effect at least 5 minutes from now", ThresholdRules.CanPropose(StaffRole.Supervisor, Values, Now.AddMinutes(4), "Fewer false failures.", Now)?.Message, StringComparison.Ordinal);
        Assert.Null(ThresholdRules.CanPropose(StaffRole.Supervisor, Values, Tomorrow, "Fewer false failures.", Now));
    }

    [Fact]
    public void A_replay_covers_a_past_period_of_at_most_a_year_and_only_supervisors_run_it()
    {
        Assert.Equal("Only supervisors run a what-if replay.", ThresholdRules.CanReplay(StaffRole.Officer, Now.AddDays(-7), Now, Now)?.Message);
        Assert.Equal("The period must end after it starts.", ThresholdRules.CanReplay(StaffRole.Supervisor, Now, Now, Now)?.Message);
        Assert.Equal("The period must start in the past.", ThresholdRules.CanReplay(StaffRole.Supervisor, Now.AddDays(1), Now.AddDays(2), Now)?.Message);
        Assert.Equal("Replay at most a year at a time.", ThresholdRules.CanReplay(StaffRole.Supervisor, Now.AddDays(-400), Now, Now)?.Message);
        Assert.Null(ThresholdRules.CanReplay(StaffRole.Supervisor, Now.AddDays(-30), Now, Now));
    }
}
