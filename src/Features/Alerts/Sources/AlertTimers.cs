using Dashboard.Domain;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Dashboard.Features.Alerts.Sources;

/// <summary>
/// The timer rules: a prompt whose window passed with no check-in is missed (<c>MissedCheckIn</c>), and a
/// device silent for too long is offline (<c>DeviceOffline</c>). Safe on several instances and across
/// restarts because the database is the only coordinator: each pass claims rows with
/// <c>FOR UPDATE SKIP LOCKED</c>, changes them and raises their alerts in one transaction, and the unique
/// episode index refuses a second alert for the same prompt or incident. Nothing is held in memory.
/// </summary>
public sealed class AlertTimers(
    NpgsqlDataSource dataSource,
    AlertRaiser raiser,
    IOptions<AlertOptions> options,
    Simulator.DemoBackfill demoBackfill,
    TimeProvider clock,
    ILogger<AlertTimers> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.TimersEnabled)
        {
            return;
        }

        // With demo traffic, the simulator first replays the day so far; its prompts are not missed meanwhile.
        await demoBackfill.Completed.WaitAsync(stoppingToken);
        using var timer = new PeriodicTimer(options.Value.TimerInterval, clock);
        do
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Alert timers could not run; will retry in {Interval}", options.Value.TimerInterval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One pass of both timers; answers how many prompts were missed and devices went offline.</summary>
    public async Task<(int Missed, int Offline)> RunOnceAsync(CancellationToken ct)
    {
        var missed = 0;
        int count;
        do
        {
            count = await MarkMissedPromptsAsync(ct);
            missed += count;
        }
        while (count == options.Value.TimerBatchSize && !ct.IsCancellationRequested);

        var offline = 0;
        do
        {
            count = await OpenOfflineIncidentsAsync(ct);
            offline += count;
        }
        while (count == options.Value.TimerBatchSize && !ct.IsCancellationRequested);

        if (missed + offline > 0)
        {
            logger.LogInformation("Alert timers: {Missed} prompts missed, {Offline} devices offline", missed, offline);
        }

        return (missed, offline);
    }

    /// <summary>
    /// Marks one batch of expired pending prompts Missed and raises their alerts (episode: the prompt), in
    /// one transaction. Rows another instance is handling are skipped, not waited for.
    /// </summary>
    public async Task<int> MarkMissedPromptsAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var zone = TimeZoneInfo.FindSystemTimeZoneById(options.Value.CurfewTimeZone);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var missed = new List<(Guid PromptId, Guid SubjectId, DateTimeOffset DueAt, DateTimeOffset WindowEndsAt)>();
        await using (var claim = new NpgsqlCommand("""
            WITH due AS (
                SELECT id FROM prompts
                WHERE status = 'Pending' AND window_ends_at <= $1
                ORDER BY window_ends_at
                LIMIT $2
                FOR UPDATE SKIP LOCKED
            )
            UPDATE prompts p SET status = 'Missed' FROM due
            WHERE p.id = due.id
            RETURNING p.id, p.subject_id, p.due_at, p.window_ends_at
            """, connection, tx))
        {
            claim.Parameters.AddWithValue(now);
            claim.Parameters.AddWithValue(options.Value.TimerBatchSize);
            await using var reader = await claim.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                missed.Add((reader.GetGuid(0), reader.GetGuid(1), reader.GetFieldValue<DateTimeOffset>(2), reader.GetFieldValue<DateTimeOffset>(3)));
            }
        }

        var raised = new List<RaisedAlert>(missed.Count);
        foreach (var prompt in missed)
        {
            raised.Add(await raiser.RaiseAsync(connection, tx, new AlertCandidate(
                prompt.SubjectId,
                AlertKind.MissedCheckIn,
                EpisodeKey: "prompt:" + prompt.PromptId,
                At: prompt.WindowEndsAt,
                Summary: $"No check-in for the prompt of {DeviceIncidents.LocalTime(prompt.DueAt, zone)}; its window closed at {DeviceIncidents.LocalTime(prompt.WindowEndsAt, zone)}.",
                PromptId: prompt.PromptId), ct));
        }

        await tx.CommitAsync(ct);
        await raiser.PublishAsync(raised);
        return missed.Count;
    }

    /// <summary>
    /// Opens the incident of one batch of devices silent for longer than the limit and raises
    /// <c>DeviceOffline</c> in it (one per incident). Devices of ended monitoring, and devices that never
    /// sent a fix, are left alone.
    /// </summary>
    public async Task<int> OpenOfflineIncidentsAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var limit = options.Value.DeviceOfflineAfter;
        var zone = TimeZoneInfo.FindSystemTimeZoneById(options.Value.CurfewTimeZone);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var silent = new List<(string DeviceId, Guid SubjectId, DateTimeOffset LastFixAt)>();
        await using (var claim = new NpgsqlCommand("""
            SELECT d.id, d.subject_id, d.last_fix_at FROM devices d
            JOIN subjects s ON s.id = d.subject_id
            WHERE d.last_fix_at < $1
              AND (s.monitoring_end IS NULL OR s.monitoring_end > $2)
              AND NOT EXISTS (
                  SELECT 1 FROM device_incidents i JOIN alerts a ON a.incident_id = i.id AND a.kind = 'DeviceOffline'
                  WHERE i.device_id = d.id AND i.closed_at IS NULL)
            ORDER BY d.last_fix_at
            LIMIT $3
            FOR UPDATE OF d SKIP LOCKED
            """, connection, tx))
        {
            claim.Parameters.AddWithValue(now - limit);
            claim.Parameters.AddWithValue(now);
            claim.Parameters.AddWithValue(options.Value.TimerBatchSize);
            await using var reader = await claim.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                silent.Add((reader.GetString(0), reader.GetGuid(1), reader.GetFieldValue<DateTimeOffset>(2)));
            }
        }

        var raised = new List<RaisedAlert>(silent.Count);
        foreach (var device in silent)
        {
            // The episode began with the silence, so a backlog of fixes from after it clears the incident.
            var incident = await DeviceIncidents.OpenOrJoinAsync(connection, tx, device.SubjectId, device.DeviceId, device.LastFixAt, ct);
            raised.Add(await raiser.RaiseAsync(connection, tx, new AlertCandidate(
                device.SubjectId,
                AlertKind.DeviceOffline,
                EpisodeKey: "incident:" + incident,
                At: now,
                Summary: $"No fix from device {device.DeviceId} since {DeviceIncidents.LocalTime(device.LastFixAt, zone)} ({limit.TotalMinutes:0} minutes or more).",
                IncidentId: incident), ct));
        }

        await tx.CommitAsync(ct);
        await raiser.PublishAsync(raised);
        return silent.Count;
    }
}
