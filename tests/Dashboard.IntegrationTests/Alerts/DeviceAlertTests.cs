using System.Net;
using Dashboard.Features.Alerts.Sources;
using Dashboard.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.IntegrationTests.Alerts;

public class DeviceAlertTests(AlertSourcesApp fixture) : IClassFixture<AlertSourcesApp>
{
    private static IEnumerable<(DateTimeOffset, double, double, double, int?)> Fixes(DateTimeOffset from, int count, double accuracyM, int? battery = 80) =>
        Enumerable.Range(0, count).Select(i => (from.AddSeconds(10 * i), 51.5, -0.12, accuracyM, battery));

    [Fact]
    public async Task A_storm_of_tamper_events_raises_one_alert_and_a_repeated_event_id_raises_nothing()
    {
        var subject = await fixture.SubjectOfAsync("demo-0041");
        var repeated = Guid.NewGuid();
        Assert.Equal(HttpStatusCode.Accepted, await fixture.PostDeviceEventAsync("demo-0041", "strapTamper", repeated));
        for (var i = 0; i < 19; i++)
        {
            Assert.Equal(HttpStatusCode.Accepted, await fixture.PostDeviceEventAsync("demo-0041", "strapTamper"));
        }

        Assert.Equal(HttpStatusCode.OK, await fixture.PostDeviceEventAsync("demo-0041", "strapTamper", repeated));

        Assert.Equal(1, await Sql.CountAsync(fixture.Db, "SELECT count(*) FROM alerts WHERE subject_id = $1 AND kind = 'DeviceTamper'", subject));
        Assert.Equal(1, await Sql.CountAsync(fixture.Db, """
            SELECT count(*) FROM alerts a JOIN device_events e ON e.id = a.device_event_id
            WHERE a.subject_id = $1 AND a.kind = 'DeviceTamper' AND a.state = 'Open' AND a.occurrences = 20
              AND e.event_id = $2 AND a.episode_key = 'device-event:' || e.id::text
            """, subject, repeated));
    }

    [Fact]
    public async Task Low_battery_fixes_raise_one_alert_that_closes_when_the_battery_is_back_and_charging_ends_the_next_one()
    {
        var subject = await fixture.SubjectOfAsync("demo-0042");
        var start = AlertSourcesApp.Ago(TimeSpan.FromMinutes(10));
        await fixture.PostFixesAsync("demo-0042", Fixes(start, 3, 8, battery: 14));
        await fixture.PostFixesAsync("demo-0042", Fixes(start.AddMinutes(1), 3, 8, battery: 12));
        await fixture.PostFixesAsync("demo-0042", Fixes(start.AddMinutes(2), 3, 8, battery: 20));
        Assert.Equal(1, await Sql.CountAsync(fixture.Db,
            "SELECT count(*) FROM alerts WHERE subject_id = $1 AND kind = 'LowBattery' AND state = 'Open' AND occurrences = 2", subject));

        await fixture.PostFixesAsync("demo-0042", Fixes(start.AddMinutes(3), 1, 8, battery: 26));
        Assert.Equal(1, await Sql.CountAsync(fixture.Db, """
            SELECT count(*) FROM alerts WHERE subject_id = $1 AND kind = 'LowBattery' AND state = 'Closed'
              AND closed_at IS NOT NULL AND closed_reason LIKE 'Cleared: battery back at 26% at %'
            """, subject));

        Assert.Equal(HttpStatusCode.Accepted, await fixture.PostDeviceEventAsync("demo-0042", "lowBattery"));
        Assert.Equal(HttpStatusCode.Accepted, await fixture.PostDeviceEventAsync("demo-0042", "lowBattery"));
        Assert.Equal(1, await Sql.CountAsync(fixture.Db, "SELECT count(*) FROM alerts WHERE subject_id = $1 AND kind = 'LowBattery' AND state = 'Open' AND occurrences = 2", subject));
        Assert.Equal(HttpStatusCode.Accepted, await fixture.PostDeviceEventAsync("demo-0042", "charging"));

        Assert.Equal(0, await Sql.CountAsync(fixture.Db, "SELECT count(*) FROM alerts WHERE subject_id = $1 AND kind = 'LowBattery' AND state = 'Open'", subject));
        Assert.Equal(1, await Sql.CountAsync(fixture.Db,
            "SELECT count(*) FROM alerts WHERE subject_id = $1 AND kind = 'LowBattery' AND state = 'Closed' AND closed_reason LIKE 'Cleared: device demo-0042 started charging at %'", subject));
    }

    [Fact]
    public async Task A_run_of_fixes_without_gps_and_a_signal_lost_event_share_one_incident_that_closes_itself_when_gps_returns()
    {
        var subject = await fixture.SubjectOfAsync("demo-0043");
        var start = AlertSourcesApp.Ago(TimeSpan.FromMinutes(5));
        await fixture.PostFixesAsync("demo-0043", Fixes(start, 3, 500));
        Assert.Equal(0, await Sql.CountAsync(fixture.Db, "SELECT count(*) FROM alerts WHERE subject_id = $1 AND kind = 'NoGpsFix'", subject));
        // The run began with the first batch, though the second crossed the limit: the incident starts then.
        await fixture.PostFixesAsync("demo-0043", Fixes(start.AddSeconds(30), 10, 500));
        Assert.Equal(HttpStatusCode.Accepted, await fixture.PostDeviceEventAsync("demo-0043", "signalLost", at: start.AddMinutes(2)));

        Assert.Equal(1, await Sql.CountAsync(fixture.Db, "SELECT count(*) FROM device_incidents WHERE device_id = 'demo-0043' AND closed_at IS NULL"));
        Assert.Equal(1, await Sql.CountAsync(fixture.Db, """
            SELECT count(*) FROM alerts a JOIN device_incidents i ON i.id = a.incident_id
            WHERE a.subject_id = $1 AND a.kind = 'NoGpsFix' AND a.state = 'Open' AND a.occurrences = 2
              AND a.episode_key = 'incident:' || i.id::text AND i.started_at = $2 AND a.raised_at = $2
            """, subject, start));

        await fixture.PostFixesAsync("demo-0043", Fixes(start.AddMinutes(3), 2, 8));

        Assert.Equal(0, await Sql.CountAsync(fixture.Db, "SELECT count(*) FROM device_incidents WHERE device_id = 'demo-0043' AND closed_at IS NULL"));
        Assert.Equal(1, await Sql.CountAsync(fixture.Db, """
            SELECT count(*) FROM alerts a JOIN device_incidents i ON i.id = a.incident_id
            WHERE a.subject_id = $1 AND a.kind = 'NoGpsFix' AND a.state = 'Closed' AND a.closed_at = i.closed_at
              AND a.closed_reason = i.close_summary AND i.close_summary LIKE 'Cleared: fixes with GPS quality again from %'
            """, subject));
        Assert.Equal(0, await Sql.CountAsync(fixture.Db, "SELECT non_gps_fix_run FROM devices WHERE id = 'demo-0043'"));
    }

    [Fact]
    public async Task A_retried_batch_of_fixes_without_gps_does_not_count_towards_the_run_twice()
    {
        var subject = await fixture.SubjectOfAsync("demo-0045");
        var start = AlertSourcesApp.Ago(TimeSpan.FromMinutes(5));
        var batch = Fixes(start, 3, 500).ToList();

        await fixture.PostFixesAsync("demo-0045", batch);
        await fixture.PostFixesAsync("demo-0045", batch);
        await fixture.PostFixesAsync("demo-0045", [.. batch.Take(2), .. Fixes(start.AddSeconds(30), 1, 500)]);

        // 3 fixes, the same 3 again, then 2 of them and 1 new: a run of 4, short of the limit of 5.
        Assert.Equal(4, await Sql.CountAsync(fixture.Db, "SELECT non_gps_fix_run FROM devices WHERE id = 'demo-0045'"));
        Assert.Equal(0, await Sql.CountAsync(fixture.Db, "SELECT count(*) FROM alerts WHERE subject_id = $1 AND kind = 'NoGpsFix'", subject));
        Assert.Equal(4, await Sql.CountAsync(fixture.Db, "SELECT count(*) FROM location_pings WHERE device_id = 'demo-0045' AND at >= $1", start));

        await fixture.PostFixesAsync("demo-0045", Fixes(start.AddSeconds(40), 1, 500));

        Assert.Equal(1, await Sql.CountAsync(fixture.Db, "SELECT count(*) FROM alerts WHERE subject_id = $1 AND kind = 'NoGpsFix' AND state = 'Open'", subject));
    }

    [Fact]
    public async Task A_silent_device_opens_one_offline_incident_that_a_signal_lost_event_joins_and_fixes_close()
    {
        var subject = await fixture.SubjectOfAsync("demo-0044");
        var lastFix = AlertSourcesApp.Ago(TimeSpan.FromMinutes(45));
        await fixture.PostFixesAsync("demo-0044", Fixes(lastFix, 1, 8));
        await Sql.ExecuteAsync(fixture.Db, "UPDATE devices SET last_fix_at = $2 WHERE id = $1", "demo-0044", lastFix);

        Assert.Equal(1, await AlertSourcesApp.EventuallyAsync(fixture.Db, 1, "SELECT count(*) FROM alerts WHERE subject_id = $1 AND kind = 'DeviceOffline'", subject));
        await fixture.App.Services.GetRequiredService<AlertTimers>().RunOnceAsync(CancellationToken.None);
        Assert.Equal(HttpStatusCode.Accepted, await fixture.PostDeviceEventAsync("demo-0044", "signalLost", at: lastFix.AddMinutes(40)));

        Assert.Equal(1, await Sql.CountAsync(fixture.Db, "SELECT count(*) FROM alerts WHERE subject_id = $1 AND kind = 'DeviceOffline' AND state = 'Open'", subject));
        Assert.Equal(1, await Sql.CountAsync(fixture.Db, "SELECT count(DISTINCT incident_id) FROM alerts WHERE subject_id = $1 AND kind IN ('DeviceOffline', 'NoGpsFix')", subject));
        Assert.Equal(1, await Sql.CountAsync(fixture.Db, "SELECT count(*) FROM device_incidents WHERE device_id = 'demo-0044' AND closed_at IS NULL AND started_at = $1", lastFix));

        await fixture.PostFixesAsync("demo-0044", Fixes(AlertSourcesApp.Ago(TimeSpan.FromSeconds(20)), 2, 8));

        Assert.Equal(2, await Sql.CountAsync(fixture.Db,
            "SELECT count(*) FROM alerts WHERE subject_id = $1 AND kind IN ('DeviceOffline', 'NoGpsFix') AND state = 'Closed' AND closed_reason LIKE 'Cleared:%'", subject));
        await fixture.App.Services.GetRequiredService<AlertTimers>().RunOnceAsync(CancellationToken.None);
        Assert.Equal(1, await Sql.CountAsync(fixture.Db, "SELECT count(*) FROM alerts WHERE subject_id = $1 AND kind = 'DeviceOffline'", subject));
    }
}
