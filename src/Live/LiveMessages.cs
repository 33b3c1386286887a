using Dashboard.Domain;

namespace Dashboard.Live;

// The live channel's server-to-client messages: small summaries (ids, outcome, time), never a photo.

public sealed record CheckInReceived(
    Guid CheckInId,
    Guid SubjectId,
    string DeviceId,
    Guid? PromptId,
    DateTimeOffset CapturedAt,
    DateTimeOffset ReceivedAt,
    CheckInOutcome Outcome,
    double MatchScore,
    double LivenessScore,
    int PolicyVersion);

public sealed record ReviewChanged(Guid ReviewId, Guid CheckInId, Guid SubjectId, string State, string? ClaimedBy, DateTimeOffset At);

public sealed record AlertRaised(Guid AlertId, Guid SubjectId, AlertKind Kind, string Summary, DateTimeOffset RaisedAt);

public sealed record AlertChanged(Guid AlertId, Guid SubjectId, AlertKind Kind, AlertState State, DateTimeOffset At);

public sealed record BreachChanged(Guid BreachId, Guid SubjectId, string Number, BreachState State, string By, DateTimeOffset At);

public sealed record DeviceStatusChanged(
    string DeviceId,
    Guid SubjectId,
    int? BatteryPct,
    DateTimeOffset? LastFixAt,
    double? Lat,
    double? Lon,
    DateTimeOffset At);

/// <summary>A subject's zones changed (drawn, changed or deactivated): open maps of the subject redraw them.</summary>
public sealed record ZonesChanged(Guid SubjectId, Guid ZoneId, string Change, DateTimeOffset At);

/// <summary>
/// Publishes to the live channel. Callers publish only after their transaction committed, so a page
/// never shows what was rolled back.
/// </summary>
public interface ILiveNotifier
{
    Task CheckInReceivedAsync(CheckInReceived message, CancellationToken ct);
    Task ReviewChangedAsync(ReviewChanged message, CancellationToken ct);
    Task AlertRaisedAsync(AlertRaised message, CancellationToken ct);
    Task AlertChangedAsync(AlertChanged message, CancellationToken ct);
    Task BreachChangedAsync(BreachChanged message, CancellationToken ct);
    Task DeviceStatusChangedAsync(IReadOnlyList<DeviceStatusChanged> messages, CancellationToken ct);
    Task ZonesChangedAsync(ZonesChanged message, CancellationToken ct);
}
