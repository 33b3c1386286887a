using Dashboard.Domain;
using Dashboard.Live;
using Npgsql;

namespace Dashboard.Features.Alerts.Sources;

/// <summary>An alert that closed itself because its condition cleared.</summary>
public sealed record ClosedAlert(Guid AlertId, Guid SubjectId, AlertKind Kind, DateTimeOffset At);

/// <summary>
/// The device incident: signal lost, no GPS fix and device offline of one episode share it (one open
/// incident per device, held by a unique partial index), and it closes itself with a record when fixes of
/// GPS quality come back. All inside the caller's transaction.
/// </summary>
public sealed class DeviceIncidents(ILiveNotifier live)
{
    /// <summary>The device's open incident, opened now if there is none; answers its id.</summary>
    public static async Task<Guid> OpenOrJoinAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid subjectId, string deviceId, DateTimeOffset startedAt, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            await using (var insert = new NpgsqlCommand("""
                INSERT INTO device_incidents (id, subject_id, device_id, started_at) VALUES ($1, $2, $3, $4)
                ON CONFLICT (device_id) WHERE closed_at IS NULL DO NOTHING
                RETURNING id
                """, connection, transaction))
            {
                insert.Parameters.AddWithValue(Guid.CreateVersion7());
                insert.Parameters.AddWithValue(subjectId);
                insert.Parameters.AddWithValue(deviceId);
                insert.Parameters.AddWithValue(startedAt);
                if (await insert.ExecuteScalarAsync(ct) is Guid opened)
                {
                    return opened;
                }
            }

            // Another batch or instance holds it open: a new statement sees its commit.
            await using var open = new NpgsqlCommand("SELECT id FROM device_incidents WHERE device_id = $1 AND closed_at IS NULL", connection, transaction);
            open.Parameters.AddWithValue(deviceId);
            if (await open.ExecuteScalarAsync(ct) is Guid joined)
            {
                return joined;
            }

            if (attempt >= 2)
            {
                throw new InvalidOperationException($"Could not open or find the incident of device {deviceId}.");
            }
        }
    }

    /// <summary>Closes incidents of devices with GPS back: (device ids, GPS-back times, now, time zone) -> closed alerts.</summary>
    internal const string CloseSql = """
        WITH back AS (
            SELECT * FROM unnest($1::text[], $2::timestamptz[]) AS u(device_id, at)
        ), closed AS (
            UPDATE device_incidents i SET closed_at = $3,
                close_summary = 'Cleared: fixes with GPS quality again from '
                    || to_char(b.at AT TIME ZONE $4, 'HH24:MI on DD Mon YYYY') || ' (' || $4 || ' time).'
            FROM back b
            WHERE i.device_id = b.device_id AND i.closed_at IS NULL AND i.started_at <= b.at
            RETURNING i.id, i.close_summary
        )
        UPDATE alerts a SET state = 'Closed', closed_at = $3, closed_reason = c.close_summary
        FROM closed c
        WHERE a.incident_id = c.id AND a.state IN ('Open', 'Acknowledged')
        RETURNING a.id, a.subject_id, a.kind
        """;

    /// <summary>Ends low-battery episodes: (subject ids, reasons, now) -> closed alerts.</summary>
    internal const string EndLowBatterySql = """
        UPDATE alerts a SET state = 'Closed', closed_at = $3, closed_reason = u.reason
        FROM unnest($1::uuid[], $2::text[]) AS u(subject_id, reason)
        WHERE a.subject_id = u.subject_id AND a.kind = 'LowBattery' AND a.state IN ('Open', 'Acknowledged')
        RETURNING a.id, a.subject_id, a.kind
        """;

    internal static void AddCloseParameters(NpgsqlParameterCollection p, IReadOnlyList<(string DeviceId, DateTimeOffset GpsBackAt)> devices, DateTimeOffset now, string timeZone)
    {
        p.AddWithValue(devices.Select(d => d.DeviceId).ToArray());
        p.AddWithValue(devices.Select(d => d.GpsBackAt).ToArray());
        p.AddWithValue(now);
        p.AddWithValue(timeZone);
    }

    internal static void AddEndLowBatteryParameters(NpgsqlParameterCollection p, IReadOnlyList<(Guid SubjectId, string Reason)> subjects, DateTimeOffset now)
    {
        p.AddWithValue(subjects.Select(s => s.SubjectId).ToArray());
        p.AddWithValue(subjects.Select(s => s.Reason).ToArray());
        p.AddWithValue(now);
    }

    /// <summary>Reads (alert id, subject id, kind) rows of alerts closed at <paramref name="now"/>.</summary>
    internal static async Task<List<ClosedAlert>> ReadClosedAsync(NpgsqlDataReader reader, DateTimeOffset now, CancellationToken ct)
    {
        var closed = new List<ClosedAlert>();
        while (await reader.ReadAsync(ct))
        {
            closed.Add(new ClosedAlert(reader.GetGuid(0), reader.GetGuid(1), Enum.Parse<AlertKind>(reader.GetString(2)), now));
        }

        return closed;
    }

    /// <summary>
    /// Closes the open incidents of devices whose fixes have GPS quality again (only incidents that started
    /// before that fix), and closes their still-active alerts with the record of what cleared and when.
    /// </summary>
    public static async Task<List<ClosedAlert>> CloseAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<(string DeviceId, DateTimeOffset GpsBackAt)> devices,
        DateTimeOffset now, string timeZone, CancellationToken ct)
    {
        var closed = new List<ClosedAlert>();
        if (devices.Count == 0)
        {
            return closed;
        }

        await using var command = new NpgsqlCommand(CloseSql, connection, transaction);
        AddCloseParameters(command.Parameters, devices, now, timeZone);
        await using var reader = await command.ExecuteReaderAsync(ct);
        closed.AddRange(await ReadClosedAsync(reader, now, ct));
        return closed;
    }

    /// <summary>
    /// Ends the low-battery episodes of subjects (battery back up, or charging): their active alerts close
    /// with the record, and the next low battery is a new alert.
    /// </summary>
    public static async Task<List<ClosedAlert>> EndLowBatteryAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<(Guid SubjectId, string Reason)> subjects, DateTimeOffset now, CancellationToken ct)
    {
        var closed = new List<ClosedAlert>();
        if (subjects.Count == 0)
        {
            return closed;
        }

        await using var command = new NpgsqlCommand(EndLowBatterySql, connection, transaction);
        AddEndLowBatteryParameters(command.Parameters, subjects, now);
        await using var reader = await command.ExecuteReaderAsync(ct);
        closed.AddRange(await ReadClosedAsync(reader, now, ct));
        return closed;
    }

    /// <summary>Tells the pages about alerts that closed themselves; call after the commit.</summary>
    public async Task PublishClosedAsync(IEnumerable<ClosedAlert> alerts)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        foreach (var alert in alerts)
        {
            await live.AlertChangedAsync(new AlertChanged(alert.AlertId, alert.SubjectId, alert.Kind, AlertState.Closed, alert.At), CancellationToken.None);
        }
    }

    /// <summary>Words for a time in the local time zone of the service.</summary>
    public static string LocalTime(DateTimeOffset at, TimeZoneInfo timeZone) =>
        TimeZoneInfo.ConvertTime(at, timeZone).ToString("HH:mm 'on' d MMM yyyy", System.Globalization.CultureInfo.InvariantCulture);
}
