using Dashboard.Domain;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Dashboard.Features.Prompts;

/// <summary>
/// Creates each subject's prompts for today and tomorrow (London days), ahead of time. Idempotent
/// and safe on several instances: a prompt is unique by subject and time. Only future prompts are
/// created, so a restart never invents prompts a device was never sent.
/// </summary>
public sealed class PromptScheduler(
    NpgsqlDataSource dataSource,
    IOptions<ScheduleOptions> schedule,
    IOptions<MatchingOptions> matching,
    IOptions<Simulator.SimulatorOptions> simulator,
    TimeProvider clock,
    ILogger<PromptScheduler> logger) : BackgroundService
{
    private static readonly TimeSpan RunEvery = TimeSpan.FromMinutes(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(RunEvery, clock);
        do
        {
            try
            {
                var created = await ScheduleAsync(stoppingToken);
                if (created > 0)
                {
                    logger.LogInformation("Scheduled {Count} prompts", created);
                }
            }
            catch (NpgsqlException ex)
            {
                logger.LogWarning(ex, "Could not schedule prompts; will retry in {Minutes} minutes", RunEvery.TotalMinutes);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Creates the missing future prompts of today and tomorrow; returns how many it created.</summary>
    public async Task<int> ScheduleAsync(CancellationToken ct)
    {
        var options = schedule.Value;
        var zone = TimeZoneInfo.FindSystemTimeZoneById(options.TimeZone);
        var now = clock.GetUtcNow();
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
        var window = TimeSpan.FromMinutes(matching.Value.ResponseWindowMinutes);
        // The demo service starts with today's earlier prompts too, so the simulator can answer them
        // (backdated) and a fresh start shows a day in progress rather than an empty board.
        var earliest = simulator.Value.Enabled == true ? TimeZoneInfo.ConvertTimeToUtc(today.ToDateTime(TimeOnly.MinValue), zone) : now;

        var subjects = new List<(Guid SubjectId, string DeviceId)>();
        await using (var command = dataSource.CreateCommand("""
            SELECT s.id, d.id FROM subjects s JOIN devices d ON d.subject_id = s.id
            WHERE s.monitoring_end IS NULL OR s.monitoring_end > $1
            """))
        {
            command.Parameters.AddWithValue(now);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                subjects.Add((reader.GetGuid(0), reader.GetString(1)));
            }
        }

        var ids = new List<Guid>();
        var subjectIds = new List<Guid>();
        var deviceIds = new List<string>();
        var due = new List<DateTimeOffset>();
        foreach (var (subjectId, deviceId) in subjects)
        {
            foreach (var day in new[] { today, today.AddDays(1) })
            {
                foreach (var at in PromptSchedule.ForDay(subjectId, day, options).Where(t => t > earliest))
                {
                    ids.Add(Guid.CreateVersion7());
                    subjectIds.Add(subjectId);
                    deviceIds.Add(deviceId);
                    due.Add(at);
                }
            }
        }

        if (ids.Count == 0)
        {
            return 0;
        }

        await using var insert = dataSource.CreateCommand("""
            INSERT INTO prompts (id, subject_id, device_id, due_at, window_ends_at, status, origin)
            SELECT u.id, u.subject_id, u.device_id, u.due_at, u.due_at + $5, 'Pending', 'Scheduled'
            FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[]) AS u(id, subject_id, device_id, due_at)
            ON CONFLICT (subject_id, due_at) DO NOTHING
            """);
        insert.Parameters.AddWithValue(ids.ToArray());
        insert.Parameters.AddWithValue(subjectIds.ToArray());
        insert.Parameters.AddWithValue(deviceIds.ToArray());
        insert.Parameters.AddWithValue(due.ToArray());
        insert.Parameters.AddWithValue(window);
        return await insert.ExecuteNonQueryAsync(ct);
    }
}
