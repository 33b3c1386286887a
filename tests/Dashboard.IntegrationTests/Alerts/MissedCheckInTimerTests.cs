using Dashboard.Features.Alerts.Sources;
using Dashboard.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.IntegrationTests.Alerts;

public class MissedCheckInTimerTests(AlertSourcesApp fixture) : IClassFixture<AlertSourcesApp>
{
    private static async Task<Guid> ExpiredPromptAsync(string connectionString, Guid subjectId, string deviceId, DateTimeOffset windowEndsAt)
    {
        var id = Guid.NewGuid();
        await Sql.ExecuteAsync(connectionString, """
            INSERT INTO prompts (id, subject_id, device_id, due_at, window_ends_at, status, origin)
            VALUES ($1, $2, $3, $4 - interval '15 minutes', $4, 'Pending', 'Scheduled')
            """, id, subjectId, deviceId, windowEndsAt);
        return id;
    }

    [Fact]
    public async Task A_prompt_answered_in_time_raises_nothing()
    {
        var subject = await fixture.SubjectOfAsync("demo-0031");
        var prompt = await ExpiredPromptAsync(fixture.Db, subject, "demo-0031", DateTimeOffset.UtcNow.AddSeconds(2));
        await Sql.ExecuteAsync(fixture.Db, "UPDATE prompts SET status = 'Answered' WHERE id = $1", prompt);

        await Task.Delay(3000);

        Assert.Equal(0, await Sql.CountAsync(fixture.Db, "SELECT count(*) FROM alerts WHERE prompt_id = $1", prompt));
    }

    [Fact]
    public async Task A_prompt_whose_window_passed_is_marked_missed_with_exactly_one_alert()
    {
        var subject = await fixture.SubjectOfAsync("demo-0032");
        var prompt = await ExpiredPromptAsync(fixture.Db, subject, "demo-0032", DateTimeOffset.UtcNow.AddMinutes(-1));

        Assert.Equal(1, await AlertSourcesApp.EventuallyAsync(fixture.Db, 1, "SELECT count(*) FROM alerts WHERE prompt_id = $1", prompt));
        await fixture.App.Services.GetRequiredService<AlertTimers>().RunOnceAsync(CancellationToken.None);

        Assert.Equal("Missed", await Sql.ScalarAsync(fixture.Db, "SELECT status FROM prompts WHERE id = $1", prompt));
        Assert.Equal(1, await Sql.CountAsync(fixture.Db, """
            SELECT count(*) FROM alerts WHERE prompt_id = $1 AND subject_id = $2 AND kind = 'MissedCheckIn' AND state = 'Open'
              AND episode_key = 'prompt:' || $1::text AND occurrences = 1 AND covered_by_absence_id IS NULL
            """, prompt, subject));
        Assert.Equal(0, await Sql.CountAsync(fixture.Db, "SELECT count(*) FROM prompts WHERE status = 'Pending' AND window_ends_at < now() - interval '10 seconds'"));
    }

    [Fact]
    public async Task A_late_check_in_for_a_missed_prompt_keeps_the_alert_and_says_when_it_came()
    {
        var subject = await fixture.SubjectOfAsync("demo-0034");
        var prompt = await ExpiredPromptAsync(fixture.Db, subject, "demo-0034", DateTimeOffset.UtcNow.AddMinutes(-3));
        Assert.Equal(1, await AlertSourcesApp.EventuallyAsync(fixture.Db, 1, "SELECT count(*) FROM alerts WHERE prompt_id = $1", prompt));
        var capturedAt = DateTimeOffset.UtcNow.AddSeconds(-20);

        using var client = fixture.Partner();
        var response = await client.PostAsync(new Uri("/api/v1/checkins", UriKind.Relative), IngestionApp.Json($$"""
            {"eventId":"{{Guid.NewGuid()}}","deviceId":"demo-0034","promptId":"{{prompt}}","capturedAt":"{{capturedAt:O}}","matchScore":0.93,"livenessScore":0.9}
            """));

        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("Answered", await Sql.ScalarAsync(fixture.Db, "SELECT status FROM prompts WHERE id = $1", prompt));
        var summary = (string)(await Sql.ScalarAsync(fixture.Db, "SELECT summary FROM alerts WHERE prompt_id = $1 AND kind = 'MissedCheckIn' AND state = 'Open'", prompt))!;
        var london = TimeZoneInfo.ConvertTime(capturedAt, TimeZoneInfo.FindSystemTimeZoneById("Europe/London"));
        Assert.StartsWith("No check-in for the prompt of ", summary, StringComparison.Ordinal);
        Assert.EndsWith($"A late check-in was taken at {london:HH:mm} on {london.ToString("d MMM yyyy", System.Globalization.CultureInfo.InvariantCulture)} (Verified).", summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missed_prompt_inside_an_authorised_absence_is_recorded_as_covered()
    {
        var subject = await fixture.SubjectOfAsync("demo-0033");
        var officer = (Guid)(await Sql.ScalarAsync(fixture.Db, "SELECT officer_id FROM subjects WHERE id = $1", subject))!;
        var absence = Guid.NewGuid();
        await Sql.ExecuteAsync(fixture.Db, """
            INSERT INTO absences (id, subject_id, "from", "to", reason, recorded_by, recorded_at)
            VALUES ($1, $2, now() - interval '2 hours', now() + interval '1 hour', 'Hospital appointment', $3, now())
            """, absence, subject, officer);
        var prompt = await ExpiredPromptAsync(fixture.Db, subject, "demo-0033", DateTimeOffset.UtcNow.AddMinutes(-5));

        Assert.Equal(1, await AlertSourcesApp.EventuallyAsync(fixture.Db, 1, "SELECT count(*) FROM alerts WHERE prompt_id = $1", prompt));

        Assert.Equal(1, await Sql.CountAsync(fixture.Db,
            "SELECT count(*) FROM alerts WHERE prompt_id = $1 AND kind = 'MissedCheckIn' AND state = 'Covered' AND covered_by_absence_id = $2", prompt, absence));
    }

    [Fact]
    public async Task Two_instances_and_a_restart_mid_way_raise_exactly_one_alert_per_missed_prompt()
    {
        var connectionString = await TestPostgres.CreateMigratedDatabaseAsync("MissedCheckInTwoInstances");
        // Seed with the timers off, then queue up expired prompts for both instances to race over.
        await using (var seeder = new DashboardApp(connectionString) { SeedDemo = true, Settings = { ["Alerts:TimersEnabled"] = "false" } }.Start())
        {
            await Sql.ExecuteAsync(connectionString, """
                INSERT INTO prompts (id, subject_id, device_id, due_at, window_ends_at, status, origin)
                SELECT gen_random_uuid(), d.subject_id, d.id, now() - make_interval(mins => 20 + g), now() - make_interval(mins => 5 + g), 'Pending', 'Scheduled'
                FROM devices d CROSS JOIN generate_series(1, 10) AS g
                """);
        }

        const int expected = 600;
        var small = AlertSourcesApp.FastTimers(batchSize: 7);
        var first = new DashboardApp(connectionString) { Settings = small };
        await using var second = new DashboardApp(connectionString) { Settings = small };
        first.Start();
        second.Start();
        // Both instances also race by hand, and the first one dies mid-way and comes back.
        var racing = Task.WhenAll(
            first.Services.GetRequiredService<AlertTimers>().MarkMissedPromptsAsync(CancellationToken.None),
            second.Services.GetRequiredService<AlertTimers>().MarkMissedPromptsAsync(CancellationToken.None));
        await racing;
        await first.DisposeAsync();
        Assert.True(await Sql.CountAsync(connectionString, "SELECT count(*) FROM alerts WHERE kind = 'MissedCheckIn'") >= 14);
        await using var restarted = new DashboardApp(connectionString) { Settings = small }.Start();

        Assert.Equal(0, await AlertSourcesApp.EventuallyAsync(connectionString, 0, "SELECT count(*) FROM prompts WHERE status = 'Pending' AND window_ends_at < now()"));
        await Task.WhenAll(
            restarted.Services.GetRequiredService<AlertTimers>().RunOnceAsync(CancellationToken.None),
            second.Services.GetRequiredService<AlertTimers>().RunOnceAsync(CancellationToken.None));

        Assert.Equal(expected, await Sql.CountAsync(connectionString, "SELECT count(*) FROM prompts WHERE status = 'Missed'"));
        Assert.Equal(expected, await Sql.CountAsync(connectionString, "SELECT count(*) FROM alerts WHERE kind = 'MissedCheckIn'"));
        Assert.Equal(0, await Sql.CountAsync(connectionString, """
            SELECT count(*) FROM prompts p
            WHERE p.status = 'Missed' AND (SELECT count(*) FROM alerts a WHERE a.prompt_id = p.id AND a.kind = 'MissedCheckIn' AND a.occurrences = 1) <> 1
            """));
    }
}
