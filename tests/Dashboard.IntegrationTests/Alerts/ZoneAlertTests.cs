using Dashboard.Domain;
using Dashboard.Testing;

namespace Dashboard.IntegrationTests.Alerts;

public class ZoneAlertTests(AlertSourcesApp fixture) : IClassFixture<AlertSourcesApp>
{
    private static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

    private async Task<(Guid ZoneId, LatLon Centre, double RadiusM)> ZoneAsync(Guid subject, string kind)
    {
        var id = (Guid)(await Sql.ScalarAsync(fixture.Db, "SELECT id FROM zones WHERE subject_id = $1 AND kind = $2 AND active", subject, kind))!;
        var lat = (double)(await Sql.ScalarAsync(fixture.Db, "SELECT ST_Y(centre::geometry) FROM zones WHERE id = $1", id))!;
        var lon = (double)(await Sql.ScalarAsync(fixture.Db, "SELECT ST_X(centre::geometry) FROM zones WHERE id = $1", id))!;
        var radius = (double)(await Sql.ScalarAsync(fixture.Db, "SELECT radius_m FROM zones WHERE id = $1", id))!;
        return (id, new LatLon(lat, lon), radius);
    }

    private static IEnumerable<(DateTimeOffset, double, double, double, int?)> Walk(DateTimeOffset from, LatLon centre, params double[] metresFromCentre) =>
        metresFromCentre.Select((m, i) =>
        {
            var p = Geo.Offset(centre, m, 90);
            return (from.AddSeconds(30 * i), p.Lat, p.Lon, 10.0, (int?)80);
        });

    /// <summary>01:00 London time last night: inside the demo curfew (19:00 to 07:00).</summary>
    private static DateTimeOffset LastNightAt1am()
    {
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, London).DateTime);
        return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(today.ToDateTime(new TimeOnly(1, 0)), London), TimeSpan.Zero);
    }

    [Fact]
    public async Task Jitter_on_an_exclusion_zone_boundary_raises_nothing()
    {
        var subject = await fixture.SubjectOfAsync("demo-0051");
        var (_, centre, radius) = await ZoneAsync(subject, "Exclusion");
        var from = AlertSourcesApp.Ago(TimeSpan.FromMinutes(30));

        await fixture.PostFixesAsync("demo-0051", Walk(from, centre, [radius + 2000, radius + 2000, .. Enumerable.Range(0, 30).Select(i => i % 2 == 0 ? radius - 5 : radius + 5)]));

        Assert.Equal(0, await Sql.CountAsync(fixture.Db, "SELECT count(*) FROM alerts WHERE subject_id = $1 AND kind = 'ExclusionZoneEntered'", subject));
    }

    [Fact]
    public async Task Walking_into_an_exclusion_zone_and_out_and_in_again_raises_one_alert_per_episode_and_a_retried_batch_raises_nothing()
    {
        var subject = await fixture.SubjectOfAsync("demo-0052");
        var (zoneId, centre, radius) = await ZoneAsync(subject, "Exclusion");
        var from = AlertSourcesApp.Ago(TimeSpan.FromMinutes(30));
        var far = radius + 1000;
        var firstVisit = Walk(from, centre, far, far, 0, 10, 20, 30, far, far, far).ToList();
        var secondVisit = Walk(from.AddMinutes(10), centre, 0, 0, 0, far).ToList();

        await fixture.PostFixesAsync("demo-0052", firstVisit);
        await fixture.PostFixesAsync("demo-0052", firstVisit);
        await fixture.PostFixesAsync("demo-0052", secondVisit);

        Assert.Equal(2, await Sql.CountAsync(fixture.Db, """
            SELECT count(*) FROM alerts WHERE subject_id = $1 AND kind = 'ExclusionZoneEntered' AND zone_id = $2
              AND state = 'Open' AND occurrences = 1 AND location IS NOT NULL
            """, subject, zoneId));
        Assert.Equal(1, await Sql.CountAsync(fixture.Db,
            "SELECT count(*) FROM alerts WHERE zone_id = $1 AND episode_key = $2 AND raised_at = $3",
            zoneId, $"zone:{zoneId}:{firstVisit[2].Item1.UtcDateTime:O}", firstVisit[2].Item1));
        Assert.Equal(1, await Sql.CountAsync(fixture.Db,
            "SELECT count(*) FROM alerts WHERE zone_id = $1 AND episode_key = $2", zoneId, $"zone:{zoneId}:{secondVisit[0].Item1.UtcDateTime:O}"));
    }

    [Fact]
    public async Task Leaving_home_during_the_curfew_raises_one_alert_from_the_first_fix_away()
    {
        var subject = await fixture.SubjectOfAsync("demo-0053");
        var (zoneId, home, _) = await ZoneAsync(subject, "Inclusion");
        var night = LastNightAt1am();
        var walk = Walk(night, home, 0, 0, 0, 2000, 2100, 2200, 2300, 2400).ToList();

        await fixture.PostFixesAsync("demo-0053", walk);

        Assert.Equal(1, await Sql.CountAsync(fixture.Db, """
            SELECT count(*) FROM alerts WHERE subject_id = $1 AND kind = 'InclusionZoneLeft' AND zone_id = $2 AND state = 'Open'
              AND raised_at = $3 AND episode_key = $4
            """, subject, zoneId, walk[3].Item1, $"zone:{zoneId}:{walk[3].Item1.UtcDateTime:O}"));
    }

    [Fact]
    public async Task Leaving_home_during_the_curfew_inside_an_authorised_absence_is_recorded_as_covered()
    {
        var subject = await fixture.SubjectOfAsync("demo-0054");
        var (zoneId, home, _) = await ZoneAsync(subject, "Inclusion");
        var night = LastNightAt1am();
        var officer = (Guid)(await Sql.ScalarAsync(fixture.Db, "SELECT officer_id FROM subjects WHERE id = $1", subject))!;
        await Sql.ExecuteAsync(fixture.Db, """
            INSERT INTO absences (id, subject_id, "from", "to", reason, recorded_by, recorded_at)
            VALUES ($1, $2, $3, $4, 'Night shift at work', $5, now())
            """, Guid.NewGuid(), subject, night.AddMinutes(-30), night.AddHours(3), officer);

        await fixture.PostFixesAsync("demo-0054", Walk(night, home, 0, 0, 2000, 2000, 2000));

        Assert.Equal(1, await Sql.CountAsync(fixture.Db,
            "SELECT count(*) FROM alerts WHERE subject_id = $1 AND kind = 'InclusionZoneLeft' AND zone_id = $2 AND state = 'Covered' AND covered_by_absence_id IS NOT NULL",
            subject, zoneId));
        Assert.Equal(0, await Sql.CountAsync(fixture.Db, "SELECT count(*) FROM alerts WHERE subject_id = $1 AND kind = 'InclusionZoneLeft' AND state = 'Open'", subject));
    }
}
