using Dashboard.Data;
using Dashboard.Data.Entities;
using Dashboard.Domain;
using Dashboard.Features.Breaches;
using Dashboard.Security;
using Microsoft.EntityFrameworkCore;
using NetTopologySuite.Geometries;

namespace Dashboard.Features.Zones;

/// <summary>What the zone use cases share: who may change zones, the stored outline of a draft, and the restart of a zone's watch.</summary>
internal static class ZoneStore
{
    public const int MaxActiveZones = 20;

    /// <summary>Null when the user may change zones; otherwise the refusal.</summary>
    public static ActionResult.Refused? RefuseUnlessSupervisor(CurrentUser user) => user.Role switch
    {
        StaffRole.Supervisor => null,
        StaffRole.Auditor => new("Auditors can read zones but not change them."),
        _ => new("Only a supervisor can change zones. Ask your supervisor to draw or change this one."),
    };

    /// <summary>
    /// An active zone in the user's scope that the user may change, or the answer instead: not found outside the
    /// scope, the refusal (on record) for a role that may not change zones, <paramref name="deactivated"/> for a
    /// zone no longer active.
    /// </summary>
    /// <param name="action">What was refused, in words for the auditors: "changing a zone".</param>
    public static async Task<(Zone? Zone, ActionResult? Answer)> ChangeableAsync(
        DashboardDb db, AccessRefusals refusals, Guid zoneId, CurrentUser user, string action, string deactivated, CancellationToken ct)
    {
        var zone = await db.Zones.Where(z => z.Id == zoneId && Scope.SubjectIds(db, user).Contains(z.SubjectId)).FirstOrDefaultAsync(ct);
        if (zone is null)
        {
            return (null, new ActionResult.NotFound());
        }

        if (RefuseUnlessSupervisor(user) is { } refused)
        {
            await refusals.RoleAsync(user, action, zone.SubjectId, "zone", zoneId, ct);
            return (null, refused);
        }

        return zone.Active ? (zone, null) : (null, new ActionResult.Refused(deactivated));
    }

    /// <summary>Saves a change made to the zone as of <paramref name="version"/>; the refusal when someone else changed it since.</summary>
    public static async Task<ActionResult.Refused?> SaveAsync(DashboardDb db, Zone zone, uint version, CancellationToken ct)
    {
        db.Entry(zone).Property(z => z.Version).OriginalValue = version;
        try
        {
            await db.SaveChangesAsync(ct);
            return null;
        }
        catch (DbUpdateConcurrencyException)
        {
            return new ActionResult.Refused("Someone else changed this zone a moment ago. Reload to see their change.");
        }
    }

    /// <summary>
    /// The outline to store: a circle as its polygon (PostGIS buffers the centre on the geography, as the zone
    /// rules measure in metres), a polygon as given.
    /// </summary>
    public static async Task<Polygon> AreaAsync(DashboardDb db, ZoneDraft draft, CancellationToken ct)
    {
        if (draft.Shape == ZoneShapeKind.Polygon)
        {
            return ZoneDraft.ToPolygon(draft.Corners!);
        }

        var lat = draft.CentreLat!.Value;
        var lon = draft.CentreLon!.Value;
        var radius = draft.RadiusM!.Value;
        var buffered = await db.Database
            .SqlQuery<NetTopologySuite.Geometries.Geometry>($"SELECT ST_Buffer(ST_SetSRID(ST_MakePoint({lon}, {lat}), 4326)::geography, {radius})::geometry AS \"Value\"")
            .SingleAsync(ct);
        var polygon = (Polygon)buffered;
        polygon.SRID = 4326;
        return polygon;
    }

    public static Point? Centre(ZoneDraft draft) =>
        draft.Shape == ZoneShapeKind.Circle ? new Point(draft.CentreLon!.Value, draft.CentreLat!.Value) { SRID = 4326 } : null;

    /// <summary>
    /// Starts the zone's watch afresh, in the caller's transaction: no confirmed side, no evidence, and only
    /// fixes taken after <paramref name="now"/> count. With <paramref name="keepEpisode"/> an open episode
    /// stays open (its alert goes on, or ends when fresh fixes confirm the person is clear of the zone);
    /// without, it is let go. See <see cref="EditZone"/> for why. Moving <c>last_fix_at</c> also makes an
    /// ingestion pass that read the zone before this change fail its optimistic write and run again on the
    /// new outline.
    /// </summary>
    public static Task RestartWatchAsync(DashboardDb db, Guid zoneId, Guid subjectId, DateTimeOffset now, bool keepEpisode, CancellationToken ct) =>
        db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO zone_presences (zone_id, subject_id, inside, since, candidate, candidate_count, candidate_since, last_fix_at, open_alert_id)
            VALUES ({zoneId}, {subjectId}, NULL, NULL, NULL, 0, NULL, {now}, NULL)
            ON CONFLICT (zone_id) DO UPDATE SET inside = NULL, since = NULL, candidate = NULL, candidate_count = 0, candidate_since = NULL,
                last_fix_at = greatest(zone_presences.last_fix_at, excluded.last_fix_at),
                open_alert_id = CASE WHEN {keepEpisode} THEN zone_presences.open_alert_id END
            """, ct);

    /// <summary>A stored zone in words (as <see cref="ZoneDraft.Describe()"/> says a draft).</summary>
    public static string Describe(Zone zone) => ZoneDraft.Describe(zone.Name, zone.Kind,
        zone.Centre is not null && zone.RadiusM is not null ? ZoneShapeKind.Circle : ZoneShapeKind.Polygon,
        zone.Centre is { } c ? new LatLon(c.Y, c.X) : null, zone.RadiusM, Corners(zone.Area), zone.CurfewStart, zone.CurfewEnd);

    public static IReadOnlyList<LatLon> Corners(Polygon area) =>
        ZoneDraft.OpenRing([.. area.ExteriorRing.Coordinates.Select(c => new LatLon(c.Y, c.X))]);
}
