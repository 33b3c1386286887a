using Dashboard.Audit;
using Dashboard.Data;
using Dashboard.Features.Breaches;
using Dashboard.Live;
using Dashboard.Security;
using Microsoft.EntityFrameworkCore;

namespace Dashboard.Features.Zones;

/// <summary>
/// A supervisor ends a zone of a subject of their team. The zone is kept (alerts and the audit log name it)
/// but no longer drawn or watched; its watch state goes. Alerts it raised stay as they are.
/// </summary>
public sealed class DeactivateZone(AccessRefusals refusals, IDbContextFactory<DashboardDb> dbFactory, AuditLog audit, ILiveNotifier live, TimeProvider clock)
{
    public async Task<ActionResult> HandleAsync(Guid zoneId, uint version, CurrentUser user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var zone = await db.Zones.Where(z => z.Id == zoneId && Scope.SubjectIds(db, user).Contains(z.SubjectId)).FirstOrDefaultAsync(ct);
        if (zone is null)
        {
            return new ActionResult.NotFound();
        }

        if (ZoneStore.RefuseUnlessSupervisor(user) is { } refused)
        {
            await refusals.RoleAsync(user, "deactivating a zone", zone.SubjectId, "zone", zoneId, ct);
            return refused;
        }

        if (!zone.Active)
        {
            return new ActionResult.Refused("This zone is already deactivated.");
        }

        zone.Active = false;
        db.Entry(zone).Property(z => z.Version).OriginalValue = version;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return new ActionResult.Refused("Someone else changed this zone a moment ago. Reload to see their change.");
        }

        await db.ZonePresences.Where(p => p.ZoneId == zone.Id).ExecuteDeleteAsync(ct);
        await audit.AppendAsync(db, new AuditEntry(user.Id, user.Name, "zone-deactivated", zone.SubjectId, "zone", zone.Id.ToString(),
            $"Deactivated {ZoneStore.Describe(zone)}. It is no longer watched; alerts it raised stay as they are."), ct);
        await tx.CommitAsync(ct);
        await live.ZonesChangedAsync(new ZonesChanged(zone.SubjectId, zone.Id, "deactivated", clock.GetUtcNow()), CancellationToken.None);
        return new ActionResult.Done(zone.Id);
    }
}
