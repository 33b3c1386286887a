using System.Text.Json;
using Dashboard.Domain;
using Dashboard.Features.Alerts.Sources;
using Dashboard.Live;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Dashboard.Ingestion;

/// <summary>
/// <c>POST /api/v1/device-events</c>: strap tamper, low battery, no GPS fix and the like. Idempotent on eventId.
/// </summary>
public sealed class SubmitDeviceEvent(
    NpgsqlDataSource dataSource,
    DeviceDirectory devices,
    DeviceEventAlerts alerts,
    ILiveNotifier live,
    IOptions<IngestionOptions> options,
    TimeProvider clock)
{
    public sealed record Response(Guid DeviceEventId);

    public async Task<IResult> HandleAsync(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var ct = http.RequestAborted;
        var (document, error) = await IngestionRequests.ReadJsonAsync(http, options.Value.MaxDeviceEventBodyBytes);
        if (error is not null)
        {
            return error;
        }

        using (document)
        {
            var root = document!.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return IngestionRequests.Invalid("body", "Must be a JSON object.");
            }

            var errors = new Dictionary<string, List<string>>();
            var now = clock.GetUtcNow();
            var f = new JsonFields(root, "", errors, now);
            var eventId = f.Uuid("eventId", required: true);
            var deviceId = f.Text("deviceId", required: true, maxLength: 64);
            var at = f.Timestamp("at", required: true, TimeSpan.FromDays(options.Value.MaxAgeDays));
            var kindText = f.Text("kind", required: true, maxLength: 32);
            DeviceEventKind kind = default;
            // Exactly one of the names: Enum.TryParse would also take numbers and comma lists.
            var known = Enum.GetNames<DeviceEventKind>().FirstOrDefault(n => string.Equals(n, kindText, StringComparison.OrdinalIgnoreCase));
            if (known is not null)
            {
                kind = Enum.Parse<DeviceEventKind>(known);
            }
            else if (kindText is not null)
            {
                f.Error("kind", "Must be one of: " + string.Join(", ", Enum.GetNames<DeviceEventKind>().Select(n => char.ToLowerInvariant(n[0]) + n[1..])) + ".");
            }

            var detail = f.Text("detail", required: false, maxLength: 1000);
            if (f.HasErrors)
            {
                return IngestionRequests.Invalid(errors);
            }

            var device = await devices.FindAsync(deviceId!, ct);
            if (device is null)
            {
                return IngestionRequests.UnknownDevice(deviceId!);
            }

            await using var connection = await dataSource.OpenConnectionAsync(ct);
            await using var tx = await connection.BeginTransactionAsync(ct);
            var id = Guid.CreateVersion7();
            await using (var insert = new NpgsqlCommand("""
                INSERT INTO device_events (id, event_id, device_id, subject_id, at, kind, detail, received_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                ON CONFLICT (event_id) DO NOTHING
                """, connection, tx))
            {
                insert.Parameters.AddWithValue(id);
                insert.Parameters.AddWithValue(eventId!.Value);
                insert.Parameters.AddWithValue(device.Id);
                insert.Parameters.AddWithValue(device.SubjectId);
                insert.Parameters.AddWithValue(at!.Value);
                insert.Parameters.AddWithValue(kind.ToString());
                insert.Parameters.AddWithValue((object?)detail ?? DBNull.Value);
                insert.Parameters.AddWithValue(now);
                if (await insert.ExecuteNonQueryAsync(ct) == 0)
                {
                    await tx.RollbackAsync(ct);
                    await using var first = new NpgsqlCommand("SELECT id FROM device_events WHERE event_id = $1", connection);
                    first.Parameters.AddWithValue(eventId.Value);
                    return Results.Json(new Response((Guid)(await first.ExecuteScalarAsync(ct))!), statusCode: StatusCodes.Status200OK);
                }
            }

            await using (var seen = new NpgsqlCommand("UPDATE devices SET last_seen_at = greatest(coalesce(last_seen_at, $2), $2) WHERE id = $1", connection, tx))
            {
                seen.Parameters.AddWithValue(device.Id);
                seen.Parameters.AddWithValue(now);
                await seen.ExecuteNonQueryAsync(ct);
            }

            // In the event's own transaction: the alert is stored with the event or not at all.
            var effects = await alerts.ApplyAsync(connection, tx, new StoredDeviceEvent(id, device.Id, device.SubjectId, at.Value, kind, detail), ct);
            await tx.CommitAsync(ct);
            await alerts.PublishAsync(effects);
            await live.DeviceStatusChangedAsync([new DeviceStatusChanged(device.Id, device.SubjectId, null, null, null, null, now)], CancellationToken.None);
            return Results.Json(new Response(id), statusCode: StatusCodes.Status202Accepted);
        }
    }
}
