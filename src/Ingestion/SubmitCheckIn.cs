using System.Text.Json;
using Dashboard.Domain;
using Dashboard.Features.Alerts.Sources;
using Dashboard.Live;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Dashboard.Ingestion;

/// <summary>
/// <c>POST /api/v1/checkins</c>: one check-in, judged by the policy in effect, stored once per eventId.
/// A repeat of an eventId answers 200 with the first result and stores nothing.
/// </summary>
public sealed class SubmitCheckIn(
    NpgsqlDataSource dataSource,
    DeviceDirectory devices,
    PolicyCache policies,
    CheckInWriter writer,
    ILiveNotifier live,
    IOptions<IngestionOptions> options,
    IOptions<Features.Reviews.ReviewOptions> reviews,
    TimeProvider clock)
{
    private static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

    public sealed record Response(Guid CheckInId, string Outcome);

    private sealed record Input(
        Guid EventId,
        string DeviceId,
        Guid? PromptId,
        DateTimeOffset CapturedAt,
        double MatchScore,
        double LivenessScore,
        (double Lat, double Lon, double AccuracyM)? Location,
        byte[]? Photo);


    public async Task<IResult> HandleAsync(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var ct = http.RequestAborted;
        var (document, error) = await IngestionRequests.ReadJsonAsync(http, options.Value.MaxCheckInBodyBytes);
        if (error is not null)
        {
            return error;
        }

        using (document)
        {
            var errors = new Dictionary<string, List<string>>();
            var input = Parse(document!.RootElement, errors);
            if (input is null)
            {
                return IngestionRequests.Invalid(errors);
            }

            var device = await devices.FindAsync(input.DeviceId, ct);
            if (device is null)
            {
                return IngestionRequests.UnknownDevice(input.DeviceId);
            }

            return await StoreAsync(input, device, ct);
        }
    }

    private Input? Parse(JsonElement root, Dictionary<string, List<string>> errors)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            errors["body"] = ["Must be a JSON object."];
            return null;
        }

        var now = clock.GetUtcNow();
        var f = new JsonFields(root, "", errors, now);
        var eventId = f.Uuid("eventId", required: true);
        var deviceId = f.Text("deviceId", required: true, maxLength: 64);
        var promptId = f.Uuid("promptId", required: false);
        var capturedAt = f.Timestamp("capturedAt", required: true, TimeSpan.FromDays(options.Value.MaxAgeDays));
        var match = f.Number("matchScore", required: true, 0, 1);
        var liveness = f.Number("livenessScore", required: true, 0, 1);
        (double, double, double)? location = null;
        if (f.Nested("location", required: false) is { } l)
        {
            var lat = l.Number("lat", required: true, -90, 90);
            var lon = l.Number("lon", required: true, -180, 180);
            var accuracy = l.Number("accuracyM", required: true, 0, 100_000);
            if (lat is not null && lon is not null && accuracy is not null)
            {
                location = (lat.Value, lon.Value, accuracy.Value);
            }
        }

        var photo = ReadPhoto(f);
        if (f.HasErrors)
        {
            return null;
        }

        return new Input(eventId!.Value, deviceId!, promptId, capturedAt!.Value, match!.Value, liveness!.Value, location, photo);
    }

    private static byte[]? ReadPhoto(JsonFields f)
    {
        const string name = "photoJpegBase64";
        var base64 = f.Text(name, required: false, maxLength: ((IngestionOptions.MaxPhotoBytes + 2) / 3 * 4) + 4);
        if (base64 is null)
        {
            // Text() refused it; say "too large" only when that was the reason.
            if (f.TryGet(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetStringLengthSafe() > ((IngestionOptions.MaxPhotoBytes + 2) / 3 * 4) + 4)
            {
                f.Error(name, "Is over 1 MiB: photos must be at most 1,048,576 bytes.");
            }

            return null;
        }

        var bytes = new byte[(base64.Length / 4 * 3) + 3];
        if (!Convert.TryFromBase64String(base64, bytes, out var length))
        {
            f.Error(name, "Is not valid base64.");
            return null;
        }

        if (length > IngestionOptions.MaxPhotoBytes)
        {
            f.Error(name, "Is over 1 MiB: photos must be at most 1,048,576 bytes.");
            return null;
        }

        // A JPEG starts with the SOI marker followed by another marker.
        if (length < 4 || bytes[0] != 0xFF || bytes[1] != 0xD8 || bytes[2] != 0xFF)
        {
            f.Error(name, "Is not a JPEG image.");
            return null;
        }

        return bytes[..length];
    }

    /// <summary>
    /// One statement, so one round trip and one commit: the check-in and, only if it is new, its photo,
    /// the prompt it answers, its review (borderline) or alert (failed), and the device's last-seen time.
    /// The unique index on event_id makes a concurrent repeat wait for the first and then do nothing.
    /// </summary>
    private const string InsertSql = """
        WITH ins AS (
            INSERT INTO check_ins (id, event_id, subject_id, device_id, prompt_id, captured_at, received_at, match_score,
                liveness_score, outcome, policy_version, accept_match, reject_match, accept_liveness, reject_liveness,
                location, accuracy_m, photo_id, synthetic)
            VALUES ($1, $2, $3, $4,
                -- The bounded due_at range keeps this on the (subject_id, due_at) index: windows are at most 4 hours.
                coalesce($5, (SELECT p.id FROM prompts p WHERE p.subject_id = $3 AND p.status = 'Pending'
                              AND p.due_at BETWEEN $6 - interval '4 hours' AND $6 + interval '1 minute'
                              AND p.window_ends_at >= $6 ORDER BY p.due_at LIMIT 1)),
                $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, false)
            ON CONFLICT (event_id) DO NOTHING
            RETURNING id, prompt_id
        ), photo AS (
            INSERT INTO photos (id, subject_id, kind, jpeg, created_at, legal_hold)
            SELECT $18, $3, 'CheckIn', $19, $7, false FROM ins WHERE $19::bytea IS NOT NULL
        ), prompt AS (
            UPDATE prompts p SET status = 'Answered', check_in_id = ins.id FROM ins
            WHERE p.id = ins.prompt_id AND p.status IN ('Pending', 'Missed') AND p.check_in_id IS NULL
            RETURNING p.id
        ), late AS (
            -- A prompt already called missed is answered late: its alert stays for the officer to judge,
            -- and says when the late check-in came and what it showed.
            UPDATE alerts a SET summary = left(a.summary || ' ' || $24, 1000) FROM prompt
            WHERE a.prompt_id = prompt.id AND a.kind = 'MissedCheckIn' AND a.state IN ('Open', 'Acknowledged')
            RETURNING a.id, a.state
        ), review AS (
            INSERT INTO reviews (id, check_in_id, subject_id, created_at, due_by)
            SELECT $20, ins.id, $3, $7, $7 + $21 FROM ins WHERE $10 = 'Borderline'
        ), alert AS (
            INSERT INTO alerts (id, subject_id, kind, state, episode_key, raised_at, summary, check_in_id, prompt_id)
            SELECT $22, $3, 'IdentityNotVerified', 'Open', 'check-in:' || ins.id, $7, $23, ins.id, ins.prompt_id FROM ins WHERE $10 = 'Failed'
            ON CONFLICT (subject_id, kind, episode_key) DO NOTHING
        ), seen AS (
            -- At most every 10 seconds: a device row updated by every check-in would serialize them.
            UPDATE devices SET last_seen_at = $7
            WHERE id = $4 AND (last_seen_at IS NULL OR last_seen_at < $7 - interval '10 seconds') AND EXISTS (SELECT 1 FROM ins)
        )
        SELECT ins.prompt_id, late.id, late.state FROM ins LEFT JOIN late ON true
        """;

    private async Task<IResult> StoreAsync(Input input, KnownDevice device, CancellationToken ct)
    {
        var policy = await policies.CurrentAsync(ct);
        var outcome = policy.Classify(input.MatchScore, input.LivenessScore);
        var now = clock.GetUtcNow();
        var checkInId = Guid.CreateVersion7();
        var photoId = input.Photo is null ? (Guid?)null : Guid.CreateVersion7();

        if (input.PromptId is { } promptId && !await PromptBelongsAsync(promptId, device.SubjectId, ct))
        {
            return IngestionRequests.Invalid("promptId", "No such prompt for this device.");
        }

        var location = input.Location is { } loc ? Data.Geometry.Point(loc.Lat, loc.Lon) : null;
        var insert = new NpgsqlBatchCommand(InsertSql);
        var p = insert.Parameters;
        p.Add(new() { Value = checkInId });
        p.Add(new() { Value = input.EventId });
        p.Add(new() { Value = device.SubjectId });
        p.Add(new() { Value = device.Id });
        p.Add(new() { Value = (object?)input.PromptId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
        p.Add(new() { Value = input.CapturedAt });
        p.Add(new() { Value = now });
        p.Add(new() { Value = input.MatchScore });
        p.Add(new() { Value = input.LivenessScore });
        p.Add(new() { Value = outcome.ToString(), NpgsqlDbType = NpgsqlDbType.Text });
        p.Add(new() { Value = policy.Version });
        p.Add(new() { Value = policy.AcceptMatch });
        p.Add(new() { Value = policy.RejectMatch });
        p.Add(new() { Value = policy.AcceptLiveness });
        p.Add(new() { Value = policy.RejectLiveness });
        p.Add(new() { Value = (object?)location ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Geography });
        p.Add(new() { Value = (object?)input.Location?.AccuracyM ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Double });
        p.Add(new() { Value = (object?)photoId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
        p.Add(new() { Value = (object?)input.Photo ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bytea });
        p.Add(new() { Value = Guid.CreateVersion7() });
        p.Add(new() { Value = TimeSpan.FromMinutes(reviews.Value.DeadlineMinutes), NpgsqlDbType = NpgsqlDbType.Interval });
        var alertId = Guid.CreateVersion7();
        var alertSummary = "Face match failed. " + policy.Explain(input.MatchScore, input.LivenessScore);
        p.Add(new() { Value = alertId });
        p.Add(new() { Value = alertSummary, NpgsqlDbType = NpgsqlDbType.Text });
        p.Add(new() { Value = LateNote(input.CapturedAt, outcome), NpgsqlDbType = NpgsqlDbType.Text });

        var row = await writer.WriteAsync(insert, ct);
        if (row is null)
        {
            // The eventId was stored before (or by a concurrent repeat, which the unique index made
            // us wait for): answer with the first result, store nothing.
            return await FirstResultAsync(input.EventId, ct);
        }

        var linkedPrompt = row[0] as Guid?;
        // The writer answers after the commit: a page never sees something rolled back.
        await live.CheckInReceivedAsync(
            new CheckInReceived(checkInId, device.SubjectId, device.Id, linkedPrompt, input.CapturedAt, now, outcome,
                input.MatchScore, input.LivenessScore, policy.Version),
            CancellationToken.None);
        if (row[1] is Guid lateAlertId)
        {
            await live.AlertChangedAsync(
                new AlertChanged(lateAlertId, device.SubjectId, AlertKind.MissedCheckIn, Enum.Parse<AlertState>((string)row[2]!), now),
                CancellationToken.None);
        }

        if (outcome == CheckInOutcome.Failed)
        {
            // The failed check-in's alert committed with it (one per check-in: a repeat stored nothing).
            await live.AlertRaisedAsync(new AlertRaised(alertId, device.SubjectId, AlertKind.IdentityNotVerified, alertSummary, now), CancellationToken.None);
        }

        return Results.Json(new Response(checkInId, outcome.ToString()), statusCode: StatusCodes.Status202Accepted);
    }

    /// <summary>What a missed-check-in alert gains when the prompt is answered after all.</summary>
    internal static string LateNote(DateTimeOffset capturedAt, CheckInOutcome outcome) =>
        $"A late check-in was taken at {DeviceIncidents.LocalTime(capturedAt, London)} ({outcome}).";

    private async Task<bool> PromptBelongsAsync(Guid promptId, Guid subjectId, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("SELECT 1 FROM prompts WHERE id = $1 AND subject_id = $2");
        command.Parameters.AddWithValue(promptId);
        command.Parameters.AddWithValue(subjectId);
        return await command.ExecuteScalarAsync(ct) is not null;
    }

    private async Task<IResult> FirstResultAsync(Guid eventId, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("SELECT id, outcome FROM check_ins WHERE event_id = $1");
        command.Parameters.AddWithValue(eventId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            throw new InvalidOperationException("A check-in conflicted on its eventId but cannot be found.");
        }

        return Results.Json(new Response(reader.GetGuid(0), reader.GetString(1)), statusCode: StatusCodes.Status200OK);
    }
}

internal static class JsonElementExtensions
{
    /// <summary>The length of a string value, or 0 when it cannot be read as text.</summary>
    public static int GetStringLengthSafe(this JsonElement element)
    {
        try
        {
            return element.GetString()?.Length ?? 0;
        }
        catch (InvalidOperationException)
        {
            return 0;
        }
    }
}
