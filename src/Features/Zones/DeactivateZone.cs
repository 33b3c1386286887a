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
        var (zone, answer) = await ZoneStore.ChangeableAsync(db, refusals, zoneId, user, "deactivating a zone", "This zone is already deactivated.", ct);
        if (zone is null)
        {
            return answer!;
        }

        zone.Active = false;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (await ZoneStore.SaveAsync(db, zone, version, ct) is { } stale)
        {
            return stale;
        }

        await db.ZonePresences.Where(p => p.ZoneId == zone.Id).ExecuteDeleteAsync(ct);
        await audit.AppendAsync(db, new AuditEntry(user.Id, user.Name, "zone-deactivated", zone.SubjectId, "zone", zone.Id.ToString(),
            $"Deactivated {ZoneStore.Describe(zone)}. It is no longer watched; alerts it raised stay as they are."), ct);
        await tx.CommitAsync(ct);
        await live.ZonesChangedAsync(new ZonesChanged(zone.SubjectId, zone.Id, "deactivated", clock.GetUtcNow()), CancellationToken.None);
        return new ActionResult.Done(zone.Id);
    }
}
