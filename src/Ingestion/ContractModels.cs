using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Dashboard.Ingestion;

// The request shapes of the ingestion contract, for the OpenAPI document. The endpoints read the JSON
// themselves, so that every bad field gets its own error; these records only describe it.

/// <summary>One check-in.</summary>
public sealed record CheckInRequest(
    [property: Description("Unique per event; a resend with the same eventId is answered with the first result.")] Guid EventId,
    [property: Description("The device's id, as registered (demo-0001, ...)."), MaxLength(64)] string DeviceId,
    [property: Description("The prompt this check-in answers; when absent, the pending prompt whose window covers capturedAt.")] Guid? PromptId,
    [property: Description("RFC 3339 with an offset; at most 5 minutes in the future, at most 30 days old.")] DateTimeOffset CapturedAt,
    [property: Description("Face-match score from 0 to 1."), Range(0.0, 1.0)] double MatchScore,
    [property: Description("Liveness score from 0 to 1."), Range(0.0, 1.0)] double LivenessScore,
    [property: Description("Where the photo was taken.")] LocationRequest? Location,
    [property: Description("The photo: a JPEG of at most 1 MiB, base64-encoded.")] string? PhotoJpegBase64);

/// <summary>A GPS position.</summary>
public sealed record LocationRequest(
    [property: Range(-90.0, 90.0)] double Lat,
    [property: Range(-180.0, 180.0)] double Lon,
    [property: Description("Radius of the 68% confidence circle, in metres."), Range(0.0, 100000.0)] double AccuracyM);

/// <summary>One location fix of a batch.</summary>
public sealed record LocationFixRequest(
    [property: Description("Optional; a resend with the same eventId (or the same deviceId and at) counts as a duplicate.")] Guid? EventId,
    [property: MaxLength(64)] string DeviceId,
    [property: Description("RFC 3339 with an offset.")] DateTimeOffset At,
    [property: Range(-90.0, 90.0)] double Lat,
    [property: Range(-180.0, 180.0)] double Lon,
    [property: Range(0.0, 100000.0)] double AccuracyM,
    [property: Range(0, 100)] int? BatteryPct);

/// <summary>One device event.</summary>
public sealed record DeviceEventRequest(
    Guid EventId,
    [property: MaxLength(64)] string DeviceId,
    [property: Description("RFC 3339 with an offset.")] DateTimeOffset At,
    [property: Description("strapTamper, lowBattery, noGpsFix, signalLost, powerOff, powerOn or charging.")] string Kind,
    [property: MaxLength(1000)] string? Detail);
