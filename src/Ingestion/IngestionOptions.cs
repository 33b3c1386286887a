using System.ComponentModel.DataAnnotations;

namespace Dashboard.Ingestion;

/// <summary>The <c>Ingestion</c> section.</summary>
public sealed class IngestionOptions
{
    public const string Section = "Ingestion";

    /// <summary>
    /// An ingest key created for the demo device platform when the demo service is seeded, so that the
    /// README's curl examples work against a fresh start. Set only in Development.
    /// </summary>
    public string? DemoKey { get; set; }

    /// <summary>Fixes and events older than this are refused (a device buffering for longer is faulty).</summary>
    [Range(1, 365)]
    public int MaxAgeDays { get; set; } = 30;

    /// <summary>Largest check-in body: a 1 MiB photo in base64 plus the fields.</summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxCheckInBodyBytes { get; set; } = 1_500_000;

    /// <summary>Largest location batch body (10,000 fixes).</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxLocationsBodyBytes { get; set; } = 4 * 1024 * 1024;

    [Range(1024, 1024 * 1024)]
    public int MaxDeviceEventBodyBytes { get; set; } = 16 * 1024;

    /// <summary>Requests a second each ingest key may make, on average.</summary>
    [Range(1, 1_000_000)]
    public int RateLimitPerSecond { get; set; } = 5_000;

    /// <summary>Requests an ingest key may make at once after a quiet spell.</summary>
    [Range(1, 1_000_000)]
    public int RateLimitBurst { get; set; } = 10_000;

    public const int MaxFixesPerBatch = 10_000;
    public const int MaxPhotoBytes = 1024 * 1024;
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);
}
