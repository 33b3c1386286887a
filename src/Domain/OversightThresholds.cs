namespace Dashboard.Domain;

/// <summary>The four thresholds of a matching policy, as a supervisor proposes them.</summary>
public sealed record ThresholdValues(double AcceptMatch, double RejectMatch, double AcceptLiveness, double RejectLiveness)
{
    public MatchingPolicy AsPolicy(int version) => new(version, AcceptMatch, RejectMatch, AcceptLiveness, RejectLiveness);

    public static ThresholdValues Of(MatchingPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return new(policy.AcceptMatch, policy.RejectMatch, policy.AcceptLiveness, policy.RejectLiveness);
    }
}

/// <summary>Who acts on a threshold proposal.</summary>
public sealed record ThresholdActor(Guid Id, StaffRole Role);

/// <summary>What a decision on a threshold proposal needs to know about it.</summary>
public sealed record ThresholdProposalFacts(ProposalState State, Guid ProposedBy, DateTimeOffset EffectiveFrom);

/// <summary>
/// The four-eyes rule for the matching thresholds: a supervisor proposes, a different supervisor approves
/// or rejects, the proposer may withdraw. A change never reaches back: it takes effect at a stated time far
/// enough ahead that every app instance has re-read the policy versions before then.
/// </summary>
public static class ThresholdRules
{
    /// <summary>
    /// The least time between an approval and the moment the new version takes effect. Every instance
    /// re-reads the versions at least every 30 seconds, so with this lead each one knows the new version
    /// before the first check-in it must judge.
    /// </summary>
    public static readonly TimeSpan MinimumLead = TimeSpan.FromMinutes(5);

    /// <summary>The longest past period a what-if replay covers.</summary>
    public static readonly TimeSpan LongestReplay = TimeSpan.FromDays(366);

    public const int MinimumReasonLength = 10;
    public const int MaximumReasonLength = 2000;

    public static Refusal? CanPropose(StaffRole role, ThresholdValues values, DateTimeOffset effectiveFrom, string? reason, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (role != StaffRole.Supervisor)
        {
            return new Refusal("Only supervisors propose changes to the matching thresholds.");
        }

        if (Invalid(values) is { } invalid)
        {
            return invalid;
        }

        if (ReasonRefusal(reason, "Say why the thresholds should change") is { } missing)
        {
            return missing;
        }

        return effectiveFrom < now + MinimumLead
            ? new Refusal($"The change must take effect at least {MinimumLead.TotalMinutes:0} minutes from now: check-ins already judged keep their outcome.")
            : null;
    }

    /// <summary>Values a policy can hold: each within 0..1, and each reject threshold at or below its accept threshold.</summary>
    public static Refusal? Invalid(ThresholdValues values)
    {
        ArgumentNullException.ThrowIfNull(values);
        double[] all = [values.AcceptMatch, values.RejectMatch, values.AcceptLiveness, values.RejectLiveness];
        if (all.Any(v => double.IsNaN(v) || v < 0 || v > 1))
        {
            return new Refusal("Every threshold is a score between 0.00 and 1.00.");
        }

        if (values.RejectMatch > values.AcceptMatch)
        {
            return new Refusal("The match reject threshold must not be above the match accept threshold.");
        }

        return values.RejectLiveness > values.AcceptLiveness
            ? new Refusal("The liveness reject threshold must not be above the liveness accept threshold.")
            : null;
    }

    /// <summary>
    /// Approving needs a supervisor other than the proposer, a proposal still open, and an effective time
    /// that is still far enough ahead and later than every version already in force or scheduled.
    /// </summary>
    public static Refusal? CanApprove(ThresholdActor actor, ThresholdProposalFacts proposal, DateTimeOffset now, DateTimeOffset latestVersionFrom)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(proposal);
        if (Decider(actor, proposal, "approve") is { } refusal)
        {
            return refusal;
        }

        if (proposal.EffectiveFrom < now + MinimumLead)
        {
            return new Refusal($"Its effective time is less than {MinimumLead.TotalMinutes:0} minutes away or has passed. Reject it and propose the change again with a later time.");
        }

        return proposal.EffectiveFrom <= latestVersionFrom
            ? new Refusal("A later threshold change is already scheduled. Reject this one, or propose it again to take effect after that change.")
            : null;
    }

    public static Refusal? CanReject(ThresholdActor actor, ThresholdProposalFacts proposal, string? reason)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(proposal);
        return Decider(actor, proposal, "reject") ?? ReasonRefusal(reason, "Say why the change is rejected");
    }

    public static Refusal? CanWithdraw(ThresholdActor actor, ThresholdProposalFacts proposal)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(proposal);
        if (actor.Id != proposal.ProposedBy)
        {
            return new Refusal("Only the supervisor who proposed the change can withdraw it.");
        }

        return proposal.State != ProposalState.Proposed ? Closed(proposal.State) : null;
    }

    public static Refusal? CanReplay(StaffRole role, DateTimeOffset from, DateTimeOffset to, DateTimeOffset now)
    {
        if (role != StaffRole.Supervisor)
        {
            return new Refusal("Only supervisors run a what-if replay.");
        }

        if (to <= from)
        {
            return new Refusal("The period must end after it starts.");
        }

        if (from > now)
        {
            return new Refusal("The period must start in the past.");
        }

        return to - from > LongestReplay ? new Refusal("Replay at most a year at a time.") : null;
    }

    private static Refusal? Decider(ThresholdActor actor, ThresholdProposalFacts proposal, string verb)
    {
        if (actor.Role != StaffRole.Supervisor)
        {
            return new Refusal($"Only supervisors {verb} threshold changes.");
        }

        if (actor.Id == proposal.ProposedBy)
        {
            return new Refusal($"A different supervisor must {verb} this change: you proposed it.");
        }

        return proposal.State != ProposalState.Proposed ? Closed(proposal.State) : null;
    }

    private static Refusal Closed(ProposalState state) => new($"This proposal was already {state.ToString().ToLowerInvariant()}.");

    private static Refusal? ReasonRefusal(string? reason, string ask)
    {
        var length = reason?.Trim().Length ?? 0;
        if (length < MinimumReasonLength)
        {
            return new Refusal($"{ask} (at least {MinimumReasonLength} characters).");
        }

        return length > MaximumReasonLength ? new Refusal($"Keep the reason under {MaximumReasonLength:N0} characters.") : null;
    }
}
