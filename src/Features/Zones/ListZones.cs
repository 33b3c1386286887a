using Dashboard.Data;
using Dashboard.Domain;
using Dashboard.Security;
using Microsoft.EntityFrameworkCore;

namespace Dashboard.Features.Zones;

/// <summary>The active zones of a subject in scope, as the zone editor needs them (with their row versions).</summary>
public sealed class ListZones(IDbContextFactory<DashboardDb> dbFactory)
{
    public sealed record ZoneItem(Guid Id, string Name, ZoneKind Kind, ZoneShapeKind Shape, LatLon? Centre, double? RadiusM,
        IReadOnlyList<LatLon> Corners, TimeOnly? CurfewStart, TimeOnly? CurfewEnd, uint Version, string Description);

    /// <summary>Null when the subject is out of scope or does not exist.</summary>
    public async Task<IReadOnlyList<ZoneItem>?> HandleAsync(Guid subjectId, CurrentUser user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!await Scope.SubjectIds(db, user).AnyAsync(id => id == subjectId, ct))
        {
            return null;
        }

        var zones = await db.Zones.AsNoTracking().Where(z => z.SubjectId == subjectId && z.Active).OrderBy(z => z.Name).ThenBy(z => z.Id).ToListAsync(ct);
        return zones.Select(z => new ZoneItem(z.Id, z.Name, z.Kind,
                z.Centre is not null && z.RadiusM is not null ? ZoneShapeKind.Circle : ZoneShapeKind.Polygon,
                z.Centre is { } c ? new LatLon(c.Y, c.X) : null, z.RadiusM, ZoneStore.Corners(z.Area), z.CurfewStart, z.CurfewEnd, z.Version,
                ZoneStore.Describe(z)))
            .ToList();
    }
}
