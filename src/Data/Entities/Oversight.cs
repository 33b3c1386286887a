using Dashboard.Domain;

namespace Dashboard.Data.Entities;

/// <summary>
/// A supervisor's proposal to change the matching thresholds. A different supervisor approves it; the
/// approval creates the <see cref="PolicyVersion"/> that judges check-ins from <see cref="EffectiveFrom"/>.
/// </summary>
public sealed class ThresholdProposal
{
    public Guid Id { get; set; }
    public double AcceptMatch { get; set; }
    public double RejectMatch { get; set; }
    public double AcceptLiveness { get; set; }
    public double RejectLiveness { get; set; }
    public DateTimeOffset EffectiveFrom { get; set; }
    public required string Reason { get; set; }
    /// <summary>The what-if replay the proposer saw (JSON), kept so the approver and auditors see the same figures.</summary>
    public string? ReplaySummary { get; set; }
    public Guid ProposedBy { get; set; }
    public DateTimeOffset ProposedAt { get; set; }
    public ProposalState State { get; set; }
    public Guid? DecidedBy { get; set; }
    public DateTimeOffset? DecidedAt { get; set; }
    public string? DecisionReason { get; set; }
    /// <summary>The policy version the approval created.</summary>
    public int? PolicyVersion { get; set; }
    public uint Version { get; set; }
}

/// <summary>A periodic review of whether the monitoring of one person is still necessary and proportionate.</summary>
public sealed class MonitoringReview
{
    public Guid Id { get; set; }
    public Guid SubjectId { get; set; }
    /// <summary>The due date this review answered.</summary>
    public DateOnly DueOn { get; set; }
    public Guid ReviewedBy { get; set; }
    public DateTimeOffset ReviewedAt { get; set; }
    /// <summary>Each condition with whether it is still necessary and why (JSON array).</summary>
    public required string Conditions { get; set; }
    public bool FrequencyAppropriate { get; set; }
    public string? FrequencyNote { get; set; }
    /// <summary>Representations received from the person, in their words or summarised.</summary>
    public string? Representations { get; set; }
    public MonitoringReviewOutcome Outcome { get; set; }
    public required string Reasons { get; set; }
    public DateOnly NextDueOn { get; set; }
}
