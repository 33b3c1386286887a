using Dashboard.Domain;
using Dashboard.Features.Breaches;
using Dashboard.Features.Zones;
using Dashboard.IntegrationTests.Alerts;
using Dashboard.Security;
using Dashboard.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.IntegrationTests.Zones;

/// <summary>Supervisors draw, change and end zones; everyone else is refused; the zone rules at ingestion follow the change.</summary>
public class ZoneEditingTests(AlertSourcesApp fixture) : IClassFixture<AlertSourcesApp>
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    private T Use<T>() where T : notnull => fixture.App.Services.GetRequiredService<T>();

    private Task<CurrentUser> UserAsync(string login) => StaffUsers.UserAsync(fixture.Db, login);

    private static ZoneDraft Circle(string name, double lat, double lon, double radius, ZoneKind kind = ZoneKind.Exclusion, TimeOnly? start = null, TimeOnly? end = null) =>
        new(name, kind, ZoneShapeKind.Circle, lat, lon, radius, null, start, end);

    private static ZoneDraft Polygon(string name, ZoneKind kind, params (double Lat, double Lon)[] corners) =>
        new(name, kind, ZoneShapeKind.Polygon, null, null, null, [.. corners.Select(c => new LatLon(c.Lat, c.Lon))], null, null);

    private static readonly (double, double)[] Square = [(51.500, -0.130), (51.500, -0.120), (51.506, -0.120), (51.506, -0.130)];

    private async Task<ListZones.ZoneItem> ZoneAsync(Guid subject, Guid zoneId) =>
        (await Use<ListZones>().HandleAsync(subject, await UserAsync("supervisor1"), Ct))!.Single(z => z.Id == zoneId);

    private Task<long> AuditCountAsync() => Sql.CountAsync(fixture.Db, "SELECT count(*) FROM audit_events WHERE action LIKE 'zone-%'");

    [Fact]
    public async Task Officers_and_auditors_are_refused_every_zone_change_and_nothing_changes()
    {
        var subject = await fixture.SubjectOfAsync("demo-0001");
        var supervisor = await UserAsync("supervisor1");
        var zoneId = Assert.IsType<ActionResult.Done>(await Use<CreateZone>().HandleAsync(subject, Circle("Market square", 51.51, -0.1, 100), supervisor, Ct)).Id!.Value;
        var version = (await ZoneAsync(subject, zoneId)).Version;
        var zones = await Sql.CountAsync(fixture.Db, "SELECT count(*) FROM zones WHERE subject_id = $1", subject);
        var audited = await AuditCountAsync();

        foreach (var login in new[] { "officer1", "auditor1" })
        {
            var user = await UserAsync(login);
            var expected = login == "auditor1" ? "Auditors can read zones but not change them."
                : "Only a supervisor can change zones. Ask your supervisor to draw or change this one.";
            Assert.Equal(expected, Assert.IsType<ActionResult.Refused>(await Use<CreateZone>().HandleAsync(subject, Circle("Park", 51.52, -0.1, 100), user, Ct)).Message);
            Assert.Equal(expected, Assert.IsType<ActionResult.Refused>(await Use<EditZone>().HandleAsync(zoneId, Circle("Park", 51.52, -0.1, 100), version, user, Ct)).Message);
            Assert.Equal(expected, Assert.IsType<ActionResult.Refused>(await Use<DeactivateZone>().HandleAsync(zoneId, version, user, Ct)).Message);
        }

        Assert.Equal(zones, await Sql.CountAsync(fixture.Db, "SELECT count(*) FROM zones WHERE subject_id = $1", subject));
        Assert.Equal(1, await Sql.CountAsync(fixture.Db, "SELECT count(*) FROM zones WHERE id = $1 AND active AND name = 'Market square'", zoneId));
        Assert.Equal(audited, await AuditCountAsync());
        // Each refusal is on record for the auditors, with the subject.
        foreach (var name in new[] { "creating a zone", "changing a zone", "deactivating a zone" })
        {
            Assert.Equal(2, await Sql.CountAsync(fixture.Db,
                "SELECT count(*) FROM audit_events WHERE action = 'access-refused' AND subject_id = $1 AND detail LIKE $2 AND actor_name IN ('Amira Hassan', 'Isla Moreno')",
                subject, $"Refused {name}:%"));
        }
    }

    [Fact]
    public async Task A_supervisor_of_another_team_gets_not_found_and_nothing_changes()
    {
        var subject = await fixture.SubjectOfAsync("demo-0002");
        var zoneId = Assert.IsType<ActionResult.Done>(await Use<CreateZone>().HandleAsync(subject, Circle("Bus station", 51.53, -0.1, 80), await UserAsync("supervisor1"), Ct)).Id!.Value;
        var version = (await ZoneAsync(subject, zoneId)).Version;
        var other = await UserAsync("supervisor2");
        var audited = await AuditCountAsync();

        Assert.IsType<ActionResult.NotFound>(await Use<CreateZone>().HandleAsync(subject, Circle("Park", 51.52, -0.1, 100), other, Ct));
        Assert.IsType<ActionResult.NotFound>(await Use<EditZone>().HandleAsync(zoneId, Circle("Park", 51.52, -0.1, 100), version, other, Ct));
        Assert.IsType<ActionResult.NotFound>(await Use<DeactivateZone>().HandleAsync(zoneId, version, other, Ct));
        Assert.Null(await Use<ListZones>().HandleAsync(subject, other, Ct));

        Assert.Equal(1, await Sql.CountAsync(fixture.Db, "SELECT count(*) FROM zones WHERE id = $1 AND active AND name = 'Bus station'", zoneId));
        Assert.Equal(audited, await AuditCountAsync());
    }

    public static TheoryData<string, ZoneDraft> BadDrafts => new()
    {
        { "Give the zone a name.", Circle("  ", 51.5, -0.1, 100) },
        { "Keep the name to 80 characters or fewer.", Circle(new string('x', 81), 51.5, -0.1, 100) },
        { "The latitude must be between -90 and 90.", Circle("Park", 91, -0.1, 100) },
        { "The longitude must be between -180 and 180.", Circle("Park", 51.5, -181, 100) },
        { "The radius must be between 20 and 5,000 metres.", Circle("Park", 51.5, -0.1, 19) },
        { "The radius must be between 20 and 5,000 metres.", Circle("Park", 51.5, -0.1, 5001) },
        { "Give the radius in metres.", new ZoneDraft("Park", ZoneKind.Exclusion, ZoneShapeKind.Circle, 51.5, -0.1, null, null, null, null) },
        { "A polygon needs at least 3 corners.", Polygon("Park", ZoneKind.Exclusion, (51.5, -0.1), (51.51, -0.1)) },
        { "A polygon can have at most 200 corners.", new ZoneDraft("Park", ZoneKind.Exclusion, ZoneShapeKind.Polygon, null, null, null, Geo.Circle(new(51.5, -0.1), 500, 201), null, null) },
        { "The outline crosses itself: give the corners in order around the area.", Polygon("Bow tie", ZoneKind.Exclusion, (51.500, -0.130), (51.506, -0.120), (51.500, -0.120), (51.506, -0.130)) },
        { "The zone is too small: it must cover at least 1,000 m² (a circle of about 18 m).", Polygon("Tiny", ZoneKind.Exclusion, (51.5, -0.1), (51.5001, -0.1), (51.5001, -0.0999)) },
        { "The zone is too large: it can cover at most 100 km².", Polygon("Huge", ZoneKind.Exclusion, (51.0, -1.0), (51.0, 0.0), (52.0, 0.0), (52.0, -1.0)) },
        { "Exclusion zones apply all day: leave the curfew hours empty.", Circle("Park", 51.5, -0.1, 100, ZoneKind.Exclusion, new(19, 0), new(7, 0)) },
        { "Give both curfew hours, or neither (the zone then applies all day).", Circle("Home", 51.5, -0.1, 100, ZoneKind.Inclusion, new(19, 0)) },
        { "The curfew must start and end at different times.", Circle("Home", 51.5, -0.1, 100, ZoneKind.Inclusion, new(19, 0), new(19, 0)) },
    };

    [Theory]
    [MemberData(nameof(BadDrafts))]
    public async Task A_zone_with_bad_input_is_refused_with_the_exact_message_and_nothing_is_stored(string message, ZoneDraft draft)
    {
        var subject = await fixture.SubjectOfAsync("demo-0003");
        var zones = await Sql.CountAsync(fixture.Db, "SELECT count(*) FROM zones WHERE subject_id = $1", subject);
        var audited = await AuditCountAsync();

        var result = await Use<CreateZone>().HandleAsync(subject, draft, await UserAsync("supervisor1"), Ct);

        Assert.Equal(message, Assert.IsType<ActionResult.Refused>(result).Message);
        Assert.Equal(zones, await Sql.CountAsync(fixture.Db, "SELECT count(*) FROM zones WHERE subject_id = $1", subject));
        Assert.Equal(audited, await AuditCountAsync());
    }

    [Fact]
    public async Task A_supervisor_creates_a_circle_and_a_polygon_edits_one_and_deactivates_the_other_each_audited_in_words()
    {
        var subject = await fixture.SubjectOfAsync("demo-0008");
        var supervisor = await UserAsync("supervisor1");

        var circle = Assert.IsType<ActionResult.Done>(await Use<CreateZone>().HandleAsync(subject, Circle("Victim's street", 51.52, -0.09, 250), supervisor, Ct)).Id!.Value;
        var polygon = Assert.IsType<ActionResult.Done>(await Use<CreateZone>().HandleAsync(subject, Polygon("Hostel", ZoneKind.Inclusion, Square) with
        {
            CurfewStart = new(19, 0),
            CurfewEnd = new(7, 0),
        }, supervisor, Ct)).Id!.Value;

        // The circle is stored as its buffered polygon, with its centre and radius; the polygon as drawn.
        Assert.Equal(1, await Sql.CountAsync(fixture.Db, """
            SELECT count(*) FROM zones WHERE id = $1 AND kind = 'Exclusion' AND radius_m = 250
              AND abs(ST_Area(area) - pi() * 250 * 250) < 0.02 * pi() * 250 * 250 AND ST_Distance(centre, ST_SetSRID(ST_MakePoint(-0.09, 51.52), 4326)::geography) < 0.01
            """, circle));
        Assert.Equal(1, await Sql.CountAsync(fixture.Db, "SELECT count(*) FROM zones WHERE id = $1 AND kind = 'Inclusion' AND centre IS NULL AND ST_NPoints(area::geometry) = 5 AND curfew_start = '19:00'", polygon));
        Assert.Equal(1, await Sql.CountAsync(fixture.Db, """
            SELECT count(*) FROM audit_events WHERE action = 'zone-created' AND entity_id = $1 AND subject_id = $2
              AND detail = 'Created "Victim''s street", exclusion zone, circle of 250 m around 51.52000, -0.09000, applies all day.'
            """, circle.ToString(), subject));
        Assert.Equal(1, await Sql.CountAsync(fixture.Db, """
            SELECT count(*) FROM audit_events WHERE action = 'zone-created' AND entity_id = $1
              AND detail = 'Created "Hostel", inclusion zone, polygon of 4 corners (51.50000, -0.13000; 51.50000, -0.12000; 51.50600, -0.12000; 51.50600, -0.13000), curfew 19:00–07:00 London time.'
            """, polygon.ToString()));

        var seen = await ZoneAsync(subject, circle);
        Assert.Equal(ZoneShapeKind.Circle, seen.Shape);
        var edited = await Use<EditZone>().HandleAsync(circle, Circle("Victim's street and park", 51.52, -0.09, 400), seen.Version, supervisor, Ct);
        Assert.IsType<ActionResult.Done>(edited);
        Assert.Equal(1, await Sql.CountAsync(fixture.Db, """
            SELECT count(*) FROM audit_events WHERE action = 'zone-edited' AND entity_id = $1
              AND detail = 'Before: "Victim''s street", exclusion zone, circle of 250 m around 51.52000, -0.09000, applies all day. After: "Victim''s street and park", exclusion zone, circle of 400 m around 51.52000, -0.09000, applies all day. The zone''s watch starts afresh: only fixes after this change count against it.'
            """, circle.ToString()));

        // The version read before the edit is stale now: the second writer is told.
        var stale = await Use<EditZone>().HandleAsync(circle, Circle("Other name", 51.52, -0.09, 400), seen.Version, supervisor, Ct);
        Assert.Equal("Someone else changed this zone a moment ago. Reload to see their change.", Assert.IsType<ActionResult.Refused>(stale).Message);

        var hostel = await ZoneAsync(subject, polygon);
        Assert.IsType<ActionResult.Done>(await Use<DeactivateZone>().HandleAsync(polygon, hostel.Version, supervisor, Ct));
        Assert.Equal(1, await Sql.CountAsync(fixture.Db, "SELECT count(*) FROM zones WHERE id = $1 AND NOT active", polygon));
        Assert.Equal(1, await Sql.CountAsync(fixture.Db, """
            SELECT count(*) FROM audit_events WHERE action = 'zone-deactivated' AND entity_id = $1
              AND detail LIKE 'Deactivated "Hostel", inclusion zone, polygon of 4 corners (%), curfew 19:00–07:00 London time. It is no longer watched; alerts it raised stay as they are.'
            """, polygon.ToString()));
        Assert.DoesNotContain(await Use<ListZones>().HandleAsync(subject, supervisor, Ct) ?? [], z => z.Id == polygon);
    }

    [Fact]
    public async Task Ingestion_judges_the_next_fixes_against_the_edited_outline_and_raises_one_alert()
    {
        var subject = await fixture.SubjectOfAsync("demo-0009");
        var supervisor = await UserAsync("supervisor1");
        var oldPlace = new LatLon(51.40, -0.30);
        var newPlace = new LatLon(51.45, -0.25);
        var zoneId = Assert.IsType<ActionResult.Done>(await Use<CreateZone>().HandleAsync(subject, Circle("Old address", oldPlace.Lat, oldPlace.Lon, 200), supervisor, Ct)).Id!.Value;
        var version = (await ZoneAsync(subject, zoneId)).Version;
        var beforeEdit = AlertSourcesApp.Ago(TimeSpan.FromSeconds(20));

        Assert.IsType<ActionResult.Done>(await Use<EditZone>().HandleAsync(zoneId, Circle("New address", newPlace.Lat, newPlace.Lon, 200), version, supervisor, Ct));
        var afterEdit = AlertSourcesApp.Ago(TimeSpan.Zero).AddSeconds(1);
        // A late fix from before the edit, inside the new outline, does not count against it; the fresh ones do.
        await fixture.PostFixesAsync("demo-0009", [
            (beforeEdit, newPlace.Lat, newPlace.Lon, 10, 80),
            (afterEdit, newPlace.Lat, newPlace.Lon, 10, 80),
            (afterEdit.AddSeconds(30), newPlace.Lat, newPlace.Lon, 10, 80),
            (afterEdit.AddSeconds(60), newPlace.Lat, newPlace.Lon, 10, 80),
        ]);
        // Fresh fixes at the old place raise nothing: that outline is gone.
        await fixture.PostFixesAsync("demo-0009", [
            (afterEdit.AddSeconds(90), oldPlace.Lat, oldPlace.Lon, 10, 80),
            (afterEdit.AddSeconds(120), oldPlace.Lat, oldPlace.Lon, 10, 80),
            (afterEdit.AddSeconds(150), oldPlace.Lat, oldPlace.Lon, 10, 80),
        ]);

        Assert.Equal(1, await Sql.CountAsync(fixture.Db,
            "SELECT count(*) FROM alerts WHERE zone_id = $1 AND kind = 'ExclusionZoneEntered' AND raised_at = $2 AND summary LIKE 'Inside the exclusion zone New address%'",
            zoneId, afterEdit));
        Assert.Equal(1, await Sql.CountAsync(fixture.Db, "SELECT count(*) FROM alerts WHERE zone_id = $1", zoneId));
    }

    [Fact]
    public async Task Changing_a_zone_during_an_open_episode_raises_no_second_alert_for_the_same_stay_and_ends_it_on_fresh_evidence()
    {
        var subject = await fixture.SubjectOfAsync("demo-0015");
        var supervisor = await UserAsync("supervisor1");
        var place = new LatLon(51.47, -0.35);
        var zoneId = Assert.IsType<ActionResult.Done>(await Use<CreateZone>().HandleAsync(subject, Circle("Shop", place.Lat, place.Lon, 150), supervisor, Ct)).Id!.Value;
        var start = AlertSourcesApp.Ago(TimeSpan.Zero).AddSeconds(1);
        await fixture.PostFixesAsync("demo-0015", [(start, place.Lat, place.Lon, 10, 80), (start.AddSeconds(10), place.Lat, place.Lon, 10, 80)]);
        var alert = (Guid)(await Sql.ScalarAsync(fixture.Db, "SELECT open_alert_id FROM zone_presences WHERE zone_id = $1", zoneId))!;

        // A new name only: the watch is kept as it is.
        Assert.IsType<ActionResult.Done>(await Use<EditZone>().HandleAsync(zoneId, Circle("Corner shop", place.Lat, place.Lon, 150), (await ZoneAsync(subject, zoneId)).Version, supervisor, Ct));
        Assert.Equal(1, await Sql.CountAsync(fixture.Db, "SELECT count(*) FROM zone_presences WHERE zone_id = $1 AND inside AND open_alert_id = $2", zoneId, alert));

        // Moved 60 m, still over the subject: the watch restarts with the episode open, and fresh fixes there raise no second alert.
        var moved = Geo.Offset(place, 60, 90);
        Assert.IsType<ActionResult.Done>(await Use<EditZone>().HandleAsync(zoneId, Circle("Corner shop", moved.Lat, moved.Lon, 150), (await ZoneAsync(subject, zoneId)).Version, supervisor, Ct));
        Assert.Equal(1, await Sql.CountAsync(fixture.Db, "SELECT count(*) FROM zone_presences WHERE zone_id = $1 AND inside IS NULL AND open_alert_id = $2", zoneId, alert));
        await fixture.PostFixesAsync("demo-0015", [(start.AddSeconds(20), place.Lat, place.Lon, 10, 80), (start.AddSeconds(30), place.Lat, place.Lon, 10, 80)]);
        Assert.Equal(1, await Sql.CountAsync(fixture.Db, "SELECT count(*) FROM alerts WHERE zone_id = $1", zoneId));
        Assert.Equal(1, await Sql.CountAsync(fixture.Db, "SELECT count(*) FROM zone_presences WHERE zone_id = $1 AND inside AND open_alert_id = $2", zoneId, alert));

        // Moved 2 km away: fresh fixes confirm the subject clear of it, and the episode ends; still one alert.
        var far = Geo.Offset(place, 2000, 0);
        Assert.IsType<ActionResult.Done>(await Use<EditZone>().HandleAsync(zoneId, Circle("Corner shop", far.Lat, far.Lon, 150), (await ZoneAsync(subject, zoneId)).Version, supervisor, Ct));
        await fixture.PostFixesAsync("demo-0015", [(start.AddSeconds(40), place.Lat, place.Lon, 10, 80)]);
        Assert.Equal(1, await Sql.CountAsync(fixture.Db, "SELECT count(*) FROM zone_presences WHERE zone_id = $1 AND inside IS NULL AND open_alert_id = $2", zoneId, alert));
        await fixture.PostFixesAsync("demo-0015", [(start.AddSeconds(50), place.Lat, place.Lon, 10, 80)]);
        Assert.Equal(1, await Sql.CountAsync(fixture.Db, "SELECT count(*) FROM zone_presences WHERE zone_id = $1 AND inside = false AND open_alert_id IS NULL", zoneId));
        Assert.Equal(1, await Sql.CountAsync(fixture.Db, "SELECT count(*) FROM alerts WHERE zone_id = $1", zoneId));
    }
}
