using System.Text.Json;
using Dashboard.Domain;
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
    ILiveNotifier live,
    IOptions<IngestionOptions> options,
    TimeProvider clock)
{
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

    public static readonly TimeSpan ReviewDeadline = TimeSpan.FromHours(2);

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
            if (f.TryGet(name, out var v) && v.ValueKind == JsonValueKind.String)
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

    private async Task<IResult> StoreAsync(Input input, KnownDevice device, CancellationToken ct)
    {
        var policy = await policies.CurrentAsync(ct);
        var outcome = policy.Classify(input.MatchScore, input.LivenessScore);
        var now = clock.GetUtcNow();
        var checkInId = Guid.CreateVersion7();
        var photoId = input.Photo is null ? (Guid?)null : Guid.CreateVersion7();

        await using var connection = await dataSource.OpenConnectionAsync(ct);
        if (input.PromptId is { } promptId && !await PromptBelongsAsync(connection, promptId, device.SubjectId, ct))
        {
            return IngestionRequests.Invalid("promptId", "No such prompt for this device.");
        }

        await using var tx = await connection.BeginTransactionAsync(ct);
        await using (var insert = new NpgsqlBatch(connection, tx))
        {
            if (photoId is not null)
            {
                insert.BatchCommands.Add(Command(
                    "INSERT INTO photos (id, subject_id, kind, jpeg, created_at, legal_hold) VALUES ($1, $2, 'CheckIn', $3, $4, false)",
                    photoId.Value, device.SubjectId, input.Photo!, now));
            }

            var location = input.Location is { } loc ? Data.Geometry.Point(loc.Lat, loc.Lon) : null;
            var checkIn = new NpgsqlBatchCommand("""
                INSERT INTO check_ins (id, event_id, subject_id, device_id, prompt_id, captured_at, received_at, match_score,
                    liveness_score, outcome, policy_version, accept_match, reject_match, accept_liveness, reject_liveness,
                    location, accuracy_m, photo_id, synthetic)
                VALUES ($1, $2, $3, $4,
                    coalesce($5, (SELECT p.id FROM prompts p WHERE p.subject_id = $3 AND p.status = 'Pending'
                                  AND p.due_at <= $6 + interval '1 minute' AND p.window_ends_at >= $6 ORDER BY p.due_at LIMIT 1)),
                    $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, false)
                ON CONFLICT (event_id) DO NOTHING
                RETURNING prompt_id
                """);
            checkIn.Parameters.Add(new() { Value = checkInId });
            checkIn.Parameters.Add(new() { Value = input.EventId });
            checkIn.Parameters.Add(new() { Value = device.SubjectId });
            checkIn.Parameters.Add(new() { Value = device.Id });
            checkIn.Parameters.Add(new() { Value = (object?)input.PromptId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
            checkIn.Parameters.Add(new() { Value = input.CapturedAt });
            checkIn.Parameters.Add(new() { Value = now });
            checkIn.Parameters.Add(new() { Value = input.MatchScore });
            checkIn.Parameters.Add(new() { Value = input.LivenessScore });
            checkIn.Parameters.Add(new() { Value = outcome.ToString() });
            checkIn.Parameters.Add(new() { Value = policy.Version });
            checkIn.Parameters.Add(new() { Value = policy.AcceptMatch });
            checkIn.Parameters.Add(new() { Value = policy.RejectMatch });
            checkIn.Parameters.Add(new() { Value = policy.AcceptLiveness });
            checkIn.Parameters.Add(new() { Value = policy.RejectLiveness });
            checkIn.Parameters.Add(new() { Value = (object?)location ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Geography });
            checkIn.Parameters.Add(new() { Value = (object?)input.Location?.AccuracyM ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Double });
            checkIn.Parameters.Add(new() { Value = (object?)photoId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
            insert.BatchCommands.Add(checkIn);

            // Only the check-in's INSERT returns rows: the reader starts on its result.
            await using var reader = await insert.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct))
            {
                // The eventId was stored before (or is being stored by a concurrent repeat, which the
                // unique index made us wait for): answer with the first result, store nothing.
                await reader.DisposeAsync();
                await tx.RollbackAsync(ct);
                return await FirstResultAsync(connection, input.EventId, ct);
            }

            var linkedPrompt = reader.IsDBNull(0) ? (Guid?)null : reader.GetGuid(0);
            await reader.DisposeAsync();
            await FollowUpAsync(connection, tx, checkInId, linkedPrompt, device, input, outcome, policy, now, ct);
            await tx.CommitAsync(ct);

            await live.CheckInReceivedAsync(
                new CheckInReceived(checkInId, device.SubjectId, device.Id, linkedPrompt, input.CapturedAt, now, outcome,
                    input.MatchScore, input.LivenessScore, policy.Version),
                CancellationToken.None);
        }

        return Results.Json(new Response(checkInId, outcome.ToString()), statusCode: StatusCodes.Status202Accepted);
    }

    /// <summary>The prompt is answered; a borderline check-in waits for a person; a failed one raises an alert.</summary>
    private static async Task FollowUpAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid checkInId, Guid? promptId,
        KnownDevice device, Input input, CheckInOutcome outcome, MatchingPolicy policy, DateTimeOffset now, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(connection, tx);
        if (promptId is not null)
        {
            batch.BatchCommands.Add(Command(
                "UPDATE prompts SET status = 'Answered', check_in_id = $1 WHERE id = $2 AND status IN ('Pending', 'Missed') AND check_in_id IS NULL",
                checkInId, promptId.Value));
        }

        if (outcome == CheckInOutcome.Borderline)
        {
            batch.BatchCommands.Add(Command(
                "INSERT INTO reviews (id, check_in_id, subject_id, created_at, due_by) VALUES ($1, $2, $3, $4, $5)",
                Guid.CreateVersion7(), checkInId, device.SubjectId, now, now + ReviewDeadline));
        }

        if (outcome == CheckInOutcome.Failed)
        {
            batch.BatchCommands.Add(Command(
                """
                INSERT INTO alerts (id, subject_id, kind, state, episode_key, raised_at, summary, check_in_id, prompt_id)
                VALUES ($1, $2, 'IdentityNotVerified', 'Open', $3, $4, $5, $6, $7)
                ON CONFLICT (subject_id, kind, episode_key) DO NOTHING
                """,
                Guid.CreateVersion7(), device.SubjectId, "check-in:" + checkInId, now,
                "Face match failed. " + policy.Explain(input.MatchScore, input.LivenessScore), checkInId, (object?)promptId ?? DBNull.Value));
        }

        batch.BatchCommands.Add(Command(
            "UPDATE devices SET last_seen_at = greatest(coalesce(last_seen_at, $2), $2) WHERE id = $1",
            device.Id, now));
        await batch.ExecuteNonQueryAsync(ct);
    }

    private static async Task<bool> PromptBelongsAsync(NpgsqlConnection connection, Guid promptId, Guid subjectId, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("SELECT 1 FROM prompts WHERE id = $1 AND subject_id = $2", connection);
        command.Parameters.AddWithValue(promptId);
        command.Parameters.AddWithValue(subjectId);
        return await command.ExecuteScalarAsync(ct) is not null;
    }

    private static async Task<IResult> FirstResultAsync(NpgsqlConnection connection, Guid eventId, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("SELECT id, outcome FROM check_ins WHERE event_id = $1", connection);
        command.Parameters.AddWithValue(eventId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            throw new InvalidOperationException("A check-in conflicted on its eventId but cannot be found.");
        }

        return Results.Json(new Response(reader.GetGuid(0), reader.GetString(1)), statusCode: StatusCodes.Status200OK);
    }

    internal static NpgsqlBatchCommand Command(string sql, params object[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        return command;
    }
}
