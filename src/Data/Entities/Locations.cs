using Dashboard.Domain;
using NetTopologySuite.Geometries;

namespace Dashboard.Data.Entities;

/// <summary>
/// One GPS fix. The table is partitioned by day and written with binary COPY; EF Core only reads it.
/// </summary>
public sealed class LocationPing
{
    public required string DeviceId { get; set; }
    public DateTimeOffset At { get; set; }
    public Guid SubjectId { get; set; }
    public required Point Location { get; set; }
    public double AccuracyM { get; set; }
    public short? BatteryPct { get; set; }
    public Guid? EventId { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
}

public sealed class DeviceEvent
{
    public Guid Id { get; set; }
    public Guid EventId { get; set; }
    public required string DeviceId { get; set; }
    public Guid SubjectId { get; set; }
    public DateTimeOffset At { get; set; }
    public DeviceEventKind Kind { get; set; }
    public string? Detail { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
}
