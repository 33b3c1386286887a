using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Dashboard.Ingestion;

// The request shapes of the ingestion contract, for the OpenAPI document. The endpoints read the JSON
// themselves, so that every bad field gets its own error; these classes only describe it.

/// <summary>One check-in.</summary>
public sealed class CheckInRequest
{
    [Required, Description("Unique per event; a resend with the same eventId is answered with the first result.")]
    public Guid EventId { get; init; }

    [Required, MaxLength(64), Description("The device's id, as registered (demo-0001, ...).")]
    public string DeviceId { get; init; } = "";

    [Description("The prompt this check-in answers; when absent, the pending prompt whose window covers capturedAt.")]
    public Guid? PromptId { get; init; }

    [Required, Description("RFC 3339 with an offset; at most 5 minutes in the future, at most 30 days old.")]
    public DateTimeOffset CapturedAt { get; init; }

    [Required, Range(0.0, 1.0), Description("Face-match score from 0 to 1.")]
    public double MatchScore { get; init; }

    [Required, Range(0.0, 1.0), Description("Liveness score from 0 to 1.")]
    public double LivenessScore { get; init; }

    [Description("Where the photo was taken.")]
    public LocationRequest? Location { get; init; }

    [Description("The photo: a JPEG of at most 1 MiB, base64-encoded.")]
    public string? PhotoJpegBase64 { get; init; }
}

/// <summary>A GPS position.</summary>
public sealed class LocationRequest
{
    [Required, Range(-90.0, 90.0)]
    public double Lat { get; init; }

    [Required, Range(-180.0, 180.0)]
    public double Lon { get; init; }

    [Required, Range(0.0, 100000.0), Description("Radius of the 68% confidence circle, in metres.")]
    public double AccuracyM { get; init; }
}

/// <summary>One location fix of a batch.</summary>
public sealed class LocationFixRequest
{
    [Description("Optional; a resend with the same eventId and at (or the same deviceId and at) counts as a duplicate.")]
    public Guid? EventId { get; init; }

    [Required, MaxLength(64)]
    public string DeviceId { get; init; } = "";

    [Required, Description("RFC 3339 with an offset.")]
    public DateTimeOffset At { get; init; }

    [Required, Range(-90.0, 90.0)]
    public double Lat { get; init; }

    [Required, Range(-180.0, 180.0)]
    public double Lon { get; init; }

    [Required, Range(0.0, 100000.0)]
    public double AccuracyM { get; init; }

    [Range(0, 100)]
    public int? BatteryPct { get; init; }
}

/// <summary>One device event.</summary>
public sealed class DeviceEventRequest
{
    [Required]
    public Guid EventId { get; init; }

    [Required, MaxLength(64)]
    public string DeviceId { get; init; } = "";

    [Required, Description("RFC 3339 with an offset.")]
    public DateTimeOffset At { get; init; }

    [Required, Description("strapTamper, lowBattery, noGpsFix, signalLost, powerOff, powerOn or charging.")]
    public string Kind { get; init; } = "";

    [MaxLength(1000)]
    public string? Detail { get; init; }
}
