namespace Dashboard.Data.Entities;

/// <summary>
/// One entry of the append-only, hash-chained audit log. A trigger refuses UPDATE and DELETE.
/// </summary>
public sealed class AuditEvent
{
    public long Id { get; set; }
    public DateTimeOffset At { get; set; }
    public Guid? ActorId { get; set; }
    public required string ActorName { get; set; }
    public required string Action { get; set; }
    public Guid? SubjectId { get; set; }
    public string? EntityType { get; set; }
    public string? EntityId { get; set; }
    public string? Detail { get; set; }
    public required byte[] PreviousHash { get; set; }
    public required byte[] Hash { get; set; }
}

/// <summary>A report exported as PDF, with the hash that later verifies it.</summary>
public sealed class ReportExport
{
    public Guid Id { get; set; }
    public required string ReportNumber { get; set; }
    public Guid BreachId { get; set; }
    public Guid ExportedBy { get; set; }
    public DateTimeOffset ExportedAt { get; set; }
    public required string Sha256 { get; set; }
    public int PageCount { get; set; }
    public bool IncludesPhotos { get; set; }
}

/// <summary>An integration partner (the device platform) and its hashed ingest key.</summary>
public sealed class IngestClient
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    /// <summary>The first characters of the key, shown so people can tell keys apart.</summary>
    public required string KeyPrefix { get; set; }
    public required byte[] KeySalt { get; set; }
    public required byte[] KeyHash { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}
