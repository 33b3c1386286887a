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
    /// <summary>Device incidents close themselves when the condition clears.</summary>
    public DateTimeOffset? ClosedAt { get; set; }
    public uint Version { get; set; }
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
}
