using Dashboard.Audit;
using Dashboard.Data;
using Dashboard.Data.Entities;
using Dashboard.Features.Breaches;
using Dashboard.Live;
using Dashboard.Security;
using Microsoft.EntityFrameworkCore;

namespace Dashboard.Features.Zones;

/// <summary>
/// A supervisor draws a new zone for a subject of their team: checked, stored (a circle as its polygon plus its
/// centre and radius) and audited in one transaction. The zone rules read zones afresh for every batch of
/// fixes, so the next batch is judged against it; only fixes taken after it was drawn count.
/// </summary>
public sealed class CreateZone(AccessRefusals refusals, IDbContextFactory<DashboardDb> dbFactory, AuditLog audit, ILiveNotifier live, TimeProvider clock)
{
    public async Task<ActionResult> HandleAsync(Guid subjectId, ZoneDraft draft, CurrentUser user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(draft);
        ArgumentNullException.ThrowIfNull(user);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!await Scope.SubjectIds(db, user).AnyAsync(id => id == subjectId, ct))
        {
            return new ActionResult.NotFound();
        }

        if (ZoneStore.RefuseUnlessSupervisor(user) is { } refused)
        {
            await refusals.RoleAsync(user, "creating a zone", subjectId, "zone", null, ct);
            return refused;
        }

        if (draft.Validate() is [var problem, ..])
        {
            return new ActionResult.Refused(problem.Message);
        }

        if (await db.Zones.CountAsync(z => z.SubjectId == subjectId && z.Active, ct) >= ZoneStore.MaxActiveZones)
        {
            return new ActionResult.Refused($"A subject can have at most {ZoneStore.MaxActiveZones} active zones: deactivate one first.");
        }

        var now = clock.GetUtcNow();
        var zone = new Zone
        {
            Id = Guid.CreateVersion7(),
            SubjectId = subjectId,
            Name = draft.Name!.Trim(),
            Kind = draft.Kind,
            Area = await ZoneStore.AreaAsync(db, draft, ct),
            Centre = ZoneStore.Centre(draft),
            RadiusM = draft.Shape == ZoneShapeKind.Circle ? draft.RadiusM : null,
            CurfewStart = draft.CurfewStart,
            CurfewEnd = draft.CurfewEnd,
            Active = true,
        };
        db.Zones.Add(zone);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        await ZoneStore.RestartWatchAsync(db, zone.Id, subjectId, now, keepEpisode: false, ct);
        await audit.AppendAsync(db, new AuditEntry(user.Id, user.Name, "zone-created", subjectId, "zone", zone.Id.ToString(),
            $"Created {ZoneStore.Describe(zone)}."), ct);
        await tx.CommitAsync(ct);
        await live.ZonesChangedAsync(new ZonesChanged(zone.SubjectId, zone.Id, "created", clock.GetUtcNow()), CancellationToken.None);
        return new ActionResult.Done(zone.Id);
    }
}
