using Dashboard.Domain;

namespace Dashboard.Features.Transparency;

/// <summary>
/// Everything the dashboard holds about one person, as the transparency pack shows it. The two long
/// categories (raw location points and the access history) are summarised here and streamed from the
/// database into the ZIP; everything else is small (a few thousand rows a year at most).
/// </summary>
public sealed record TransparencyPackData(
    PackProfile Profile,
    IReadOnlyList<PackCheckIn> CheckIns,
    IReadOnlyList<PackReview> Reviews,
    IReadOnlyList<PackMonitoringReview> MonitoringReviews,
    IReadOnlyList<PackAlert> Alerts,
    IReadOnlyList<PackBreach> Breaches,
    IReadOnlyList<PackNote> Notes,
    IReadOnlyList<PackDeviceEvent> DeviceEvents,
    IReadOnlyList<PackPrompt> Prompts,
    IReadOnlyList<PackPhoto> Photos,
    IReadOnlyList<PackLocationDay> LocationDays,
    PackAccessSummary Access,
    IReadOnlyList<PackRetention> Retention)
{
    public long FixCount => LocationDays.Sum(d => d.Fixes);
}

public sealed record PackProfile(
    Guid Id,
    string CaseReference,
    string GivenName,
    string FamilyName,
    string HomeAddress,
    double HomeLat,
    double HomeLon,
    DateTimeOffset MonitoringStart,
    DateTimeOffset? MonitoringEnd,
    DateOnly ReviewDueOn,
    string Officer,
    string? Team,
    bool ReferencePhotoHeld,
    IReadOnlyList<PackDevice> Devices,
    IReadOnlyList<PackZone> Zones,
    IReadOnlyList<PackAbsence> Absences)
{
    public string Name => $"{GivenName} {FamilyName}";
}

public sealed record PackDevice(string Id, string Model, int? BatteryPct, DateTimeOffset? LastFixAt, DateTimeOffset? LastSeenAt);

public sealed record PackZone(string Name, ZoneKind Kind, bool Active, TimeOnly? CurfewStart, TimeOnly? CurfewEnd, double? RadiusM);

public sealed record PackAbsence(DateTimeOffset From, DateTimeOffset To, string Reason, string RecordedBy, DateTimeOffset RecordedAt, DateTimeOffset? CancelledAt);

public sealed record PackCheckIn(
    Guid Id,
    DateTimeOffset CapturedAt,
    DateTimeOffset ReceivedAt,
    string DeviceId,
    CheckInOutcome Outcome,
    bool Synthetic,
    double MatchScore,
    double LivenessScore,
    int PolicyVersion,
    double AcceptMatch,
    double RejectMatch,
    double AcceptLiveness,
    double RejectLiveness,
    double? Lat,
    double? Lon,
    double? AccuracyM,
    bool PhotoHeld,
    ReviewDecision? Decision,
    string? DecisionReason,
    string? Reviewer,
    DateTimeOffset? DecidedAt);

public sealed record PackReview(Guid CheckInId, DateTimeOffset CreatedAt, DateTimeOffset DueBy, ReviewDecision? Decision, string? Reason, string? Reviewer, DateTimeOffset? DecidedAt);

public sealed record PackMonitoringReview(
    DateOnly DueOn,
    DateTimeOffset ReviewedAt,
    string ReviewedBy,
    IReadOnlyList<ConditionFinding> Conditions,
    bool FrequencyAppropriate,
    string? FrequencyNote,
    string? Representations,
    MonitoringReviewOutcome Outcome,
    string Reasons,
    DateOnly NextDueOn);

public sealed record PackAlert(
    Guid Id,
    DateTimeOffset RaisedAt,
    AlertKind Kind,
    AlertState State,
    string Summary,
    int Occurrences,
    string? AcknowledgedBy,
    DateTimeOffset? AcknowledgedAt,
    string? DismissedBy,
    DateTimeOffset? DismissedAt,
    string? DismissReason,
    string? ReasonableExcuse,
    string? BreachNumber,
    DateTimeOffset? ClosedAt,
    string? ClosedReason,
    BreachState? BreachState = null);

public sealed record PackBreach(
    Guid Id,
    string Number,
    AlertKind Kind,
    BreachState State,
    string Summary,
    string ProposedBy,
    DateTimeOffset ProposedAt,
    string? DecidedBy,
    DateTimeOffset? DecidedAt,
    string? DecisionReason,
    int Alerts);

public sealed record PackNote(DateTimeOffset At, string Author, string Text, DateTimeOffset? EditedAt, string? BreachNumber, bool Correction);

public sealed record PackDeviceEvent(DateTimeOffset At, string DeviceId, DeviceEventKind Kind, string? Detail);

public sealed record PackPrompt(DateTimeOffset DueAt, DateTimeOffset WindowEndsAt, PromptStatus Status, PromptOrigin Origin);

/// <summary>A photo held (its bytes never go into the pack), and when retention deletes it or why it is kept.</summary>
public sealed record PackPhoto(Guid Id, PhotoKind Kind, DateTimeOffset TakenAt, Guid? CheckInId, DateTimeOffset? DeletionDue, string Retention);

/// <summary>One London day of location fixes: how many, when, and the area they cover.</summary>
public sealed record PackLocationDay(
    DateOnly Day,
    long Fixes,
    long GpsFixes,
    DateTimeOffset First,
    DateTimeOffset Last,
    double MinLat,
    double MaxLat,
    double MinLon,
    double MaxLon,
    double CentreLat,
    double CentreLon,
    string ZonesVisited);

/// <summary>The access history up to <see cref="UpToEntry"/>: per person and action, and the latest entries.</summary>
public sealed record PackAccessSummary(long UpToEntry, long Total, IReadOnlyList<PackAccessCount> ByWho, IReadOnlyList<PackAccess> Latest);

public sealed record PackAccessCount(string Who, string? Role, string Action, long Count, DateTimeOffset First, DateTimeOffset Last);

public sealed record PackAccess(long Id, DateTimeOffset At, string Who, string? Role, string Action, string? EntityType, string? EntityId, string? Detail);

/// <summary>One category of data and when it is deleted.</summary>
public sealed record PackRetention(string Category, string Files, long Held, string Rule, string NextDeletion);
