using Dashboard.Domain;
using NetTopologySuite.Geometries;

namespace Dashboard.Data.Entities;

/// <summary>Raised by a machine; a person acknowledges, dismisses or proposes a breach from it.</summary>
public sealed class Alert
{
    public Guid Id { get; set; }
    public Guid SubjectId { get; set; }
    public AlertKind Kind { get; set; }
    public AlertState State { get; set; }
    /// <summary>One alert per subject, kind and episode: repeats of the same episode find this row.</summary>
    public required string EpisodeKey { get; set; }
    public DateTimeOffset RaisedAt { get; set; }
    public required string Summary { get; set; }
    public Guid? CheckInId { get; set; }
    public Guid? PromptId { get; set; }
    public Guid? ZoneId { get; set; }
    public Guid? DeviceEventId { get; set; }
    public Point? Location { get; set; }
    public Guid? AcknowledgedBy { get; set; }
    public DateTimeOffset? AcknowledgedAt { get; set; }
    public Guid? DismissedBy { get; set; }
    public DateTimeOffset? DismissedAt { get; set; }
    public string? DismissReason { get; set; }
    public string? ReasonableExcuse { get; set; }
    public Guid? CoveredByAbsenceId { get; set; }
    public Guid? BreachId { get; set; }
    public Guid? ExcuseBy { get; set; }
    public DateTimeOffset? ExcuseAt { get; set; }
    /// <summary>Device incidents close themselves when the condition clears.</summary>
    public DateTimeOffset? ClosedAt { get; set; }
    public string? ClosedReason { get; set; }
    /// <summary>How often the same episode was reported (a storm of fixes or events raises one alert).</summary>
    public int Occurrences { get; set; } = 1;
    public DateTimeOffset? LastOccurredAt { get; set; }
    /// <summary>Device alerts of one episode (signal lost, no GPS fix, offline) share an incident.</summary>
    public Guid? IncidentId { get; set; }
    public uint Version { get; set; }
}

/// <summary>
/// One episode of a device problem: the related device alerts group under it, and it closes itself,
/// with a record, when the condition clears (fixes arrive again, GPS returns).
/// </summary>
public sealed class DeviceIncident
{
    public Guid Id { get; set; }
    public Guid SubjectId { get; set; }
    public required string DeviceId { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? ClosedAt { get; set; }
    public string? CloseSummary { get; set; }
}

public sealed class Breach
{
    public Guid Id { get; set; }
    /// <summary>The human-facing number (B-2026-000123).</summary>
    public required string Number { get; set; }
    public Guid SubjectId { get; set; }
    public AlertKind Kind { get; set; }
    public required string Summary { get; set; }
    public BreachState State { get; set; }
    public Guid ProposedBy { get; set; }
    public DateTimeOffset ProposedAt { get; set; }
    public Guid? DecidedBy { get; set; }
    public DateTimeOffset? DecidedAt { get; set; }
    public string? DecisionReason { get; set; }
    public uint Version { get; set; }
}

public sealed class BreachAlert
{
    public Guid BreachId { get; set; }
    public Guid AlertId { get; set; }
}

public sealed class Note
{
    public Guid Id { get; set; }
    public Guid SubjectId { get; set; }
    public Guid? BreachId { get; set; }
    public Guid AuthorId { get; set; }
    public DateTimeOffset At { get; set; }
    public required string Text { get; set; }
    /// <summary>A correction is a new note pointing at the one it corrects.</summary>
    public Guid? CorrectsNoteId { get; set; }
    /// <summary>Notes can be edited by their author for 24 hours; after that a correction is a new note.</summary>
    public DateTimeOffset? EditedAt { get; set; }
    public uint Version { get; set; }
}

/// <summary>A scheduled, authorised absence (hospital appointment, work shift).</summary>
public sealed class Absence
{
    public Guid Id { get; set; }
    public Guid SubjectId { get; set; }
    public DateTimeOffset From { get; set; }
    public DateTimeOffset To { get; set; }
    public required string Reason { get; set; }
    public Guid RecordedBy { get; set; }
    public DateTimeOffset RecordedAt { get; set; }
    public DateTimeOffset? CancelledAt { get; set; }
    public Guid? CancelledBy { get; set; }
}
