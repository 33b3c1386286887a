using Dashboard.Domain;
using NetTopologySuite.Geometries;

namespace Dashboard.Data.Entities;

/// <summary>A version of the matching thresholds. Check-ins point at the version that judged them.</summary>
public sealed class PolicyVersion
{
    public int Version { get; set; }
    public double AcceptMatch { get; set; }
    public double RejectMatch { get; set; }
    public double AcceptLiveness { get; set; }
    public double RejectLiveness { get; set; }
    public DateTimeOffset EffectiveFrom { get; set; }
    public required string Reason { get; set; }
    public Guid? ProposedBy { get; set; }
    public Guid? ApprovedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    public MatchingPolicy ToPolicy() => new(Version, AcceptMatch, RejectMatch, AcceptLiveness, RejectLiveness);
}

/// <summary>A request to the watch to take a photo; check-ins answer prompts.</summary>
public sealed class Prompt
{
    public Guid Id { get; set; }
    public Guid SubjectId { get; set; }
    public required string DeviceId { get; set; }
    public DateTimeOffset DueAt { get; set; }
    public DateTimeOffset WindowEndsAt { get; set; }
    public PromptStatus Status { get; set; }
    public PromptOrigin Origin { get; set; }
    public Guid? CheckInId { get; set; }
    /// <summary>For a re-prompt after an inconclusive review: the check-in it follows up.</summary>
    public Guid? FollowsCheckInId { get; set; }
    public uint Version { get; set; }
}

public sealed class CheckIn
{
    public Guid Id { get; set; }
    public Guid EventId { get; set; }
    public Guid SubjectId { get; set; }
    public required string DeviceId { get; set; }
    public Guid? PromptId { get; set; }
    public DateTimeOffset CapturedAt { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    public double MatchScore { get; set; }
    public double LivenessScore { get; set; }
    public CheckInOutcome Outcome { get; set; }
    public int PolicyVersion { get; set; }
    public double AcceptMatch { get; set; }
    public double RejectMatch { get; set; }
    public double AcceptLiveness { get; set; }
    public double RejectLiveness { get; set; }
    public Point? Location { get; set; }
    public double? AccuracyM { get; set; }
    public Guid? PhotoId { get; set; }
    /// <summary>Set when the check-in is recorded with Missed outcome by the timer (no photo, no scores).</summary>
    public bool Synthetic { get; set; }
}

/// <summary>The review of a borderline check-in: claim, decision, consequences.</summary>
public sealed class Review
{
    public Guid Id { get; set; }
    public Guid CheckInId { get; set; }
    public Guid SubjectId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset DueBy { get; set; }
    public Guid? ClaimedBy { get; set; }
    public DateTimeOffset? ClaimedUntil { get; set; }
    public ReviewDecision? Decision { get; set; }
    public string? Reason { get; set; }
    public Guid? DecidedBy { get; set; }
    public DateTimeOffset? DecidedAt { get; set; }
    /// <summary>An inconclusive review asks for a fresh check-in; this is the prompt it created.</summary>
    public Guid? RepromptId { get; set; }
    public uint Version { get; set; }
}
