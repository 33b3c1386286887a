using Dashboard.Domain;
using NetTopologySuite.Geometries;

namespace Dashboard.Data.Entities;

/// <summary>A person on supervision.</summary>
public sealed class Subject
{
    public Guid Id { get; set; }
    public required string CaseReference { get; set; }
    public required string GivenName { get; set; }
    public required string FamilyName { get; set; }
    public Guid OfficerId { get; set; }
    public required string HomeAddress { get; set; }
    public required Point Home { get; set; }
    public DateTimeOffset MonitoringStart { get; set; }
    public DateTimeOffset? MonitoringEnd { get; set; }
    public Guid? ReferencePhotoId { get; set; }
    public DateOnly ReviewDueOn { get; set; }
}

public sealed class Device
{
    /// <summary>The platform's device id (demo-0001, ...).</summary>
    public required string Id { get; set; }
    public Guid SubjectId { get; set; }
    public required string Model { get; set; }
    public int? BatteryPct { get; set; }
    public DateTimeOffset? LastFixAt { get; set; }
    public DateTimeOffset? LastSeenAt { get; set; }
    /// <summary>Consecutive fixes without GPS (network estimates); a run of them raises NoGpsFix.</summary>
    public int NonGpsFixRun { get; set; }
    /// <summary>When the current run of fixes without GPS began (it may have begun several batches ago).</summary>
    public DateTimeOffset? NonGpsRunSince { get; set; }
}

/// <summary>A photo lives in its own table so that list queries never load it.</summary>
public sealed class Photo
{
    public Guid Id { get; set; }
    public Guid SubjectId { get; set; }
    public PhotoKind Kind { get; set; }
    public required byte[] Jpeg { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>Kept past its retention period while set (a court or investigation asked for it).</summary>
    public bool LegalHold { get; set; }
    /// <summary>Retention deletes the photo after this time unless it is evidence in a breach.</summary>
    public DateTimeOffset? RetainUntil { get; set; }
}

public sealed class Zone
{
    public Guid Id { get; set; }
    public Guid SubjectId { get; set; }
    public required string Name { get; set; }
    public ZoneKind Kind { get; set; }
    /// <summary>The zone's area as a geography polygon (a circle is stored as its polygon).</summary>
    public required Polygon Area { get; set; }
    /// <summary>Set when the zone was drawn as a circle, so it can be edited as one.</summary>
    public Point? Centre { get; set; }
    public double? RadiusM { get; set; }
    /// <summary>Inclusion zones: the curfew hours (Europe/London) in which the subject must be inside.</summary>
    public TimeOnly? CurfewStart { get; set; }
    public TimeOnly? CurfewEnd { get; set; }
    public bool Active { get; set; } = true;
    public uint Version { get; set; }
}

/// <summary>
/// Where a subject stands against one zone, with hysteresis: a change of side counts only after it has
/// held for a few fixes, so jitter on the boundary raises nothing.
/// </summary>
public sealed class ZonePresence
{
    public Guid ZoneId { get; set; }
    public Guid SubjectId { get; set; }
    /// <summary>The confirmed side: true inside, false outside, null before the first fix.</summary>
    public bool? Inside { get; set; }
    public DateTimeOffset? Since { get; set; }
    /// <summary>The side the latest fixes point to while it is not yet confirmed.</summary>
    public bool? Candidate { get; set; }
    public int CandidateCount { get; set; }
    public DateTimeOffset? CandidateSince { get; set; }
    public DateTimeOffset? LastFixAt { get; set; }
    /// <summary>The alert of the current violation episode, if any.</summary>
    public Guid? OpenAlertId { get; set; }
}
