using Dashboard.Audit;
using Dashboard.Data;
using Dashboard.Features.Breaches;
using Dashboard.Live;
using Dashboard.Security;
using Microsoft.EntityFrameworkCore;

namespace Dashboard.Features.Zones;

/// <summary>
/// A supervisor changes a zone of a subject of their team: name, kind, curfew hours or outline, with the
/// before and after in the audit log, in one transaction. Two supervisors editing at once: one change stands,
/// the other is told (the row version).
/// </summary>
/// <remarks>
/// When the outline or the kind changes, the zone's watch starts afresh (<see cref="ZoneStore.RestartWatchAsync"/>):
/// the side the subject was confirmed on, and any run of evidence, were judged against the old outline and
/// say nothing about the new one. Carrying them over could raise a false alert (a subject "confirmed inside"
/// an old exclusion outline counted as inside the new one at once). So the rules need the usual run of fresh
/// fixes, all taken after the edit, before they judge the new zone; a fix taken before the edit (a late
/// batch) never counts against it, and an alert is never dated before the edit.
/// An episode open at the time of an outline change stays open on its alert while the side is unknown
/// (<see cref="Domain.ZoneRules.Step"/> ends episodes on a confirmed side only): if the fresh fixes confirm
/// the subject still in breach of the zone as now drawn, the same stay goes on under the same alert (no
/// second alert for one stay); if they confirm the subject clear of it, the episode ends. A change of kind
/// lets the episode go (its alert, about the old kind, stays for the officer), and a breach of the new kind
/// raises its own alert. A change of name or curfew hours only keeps the watch as it is: the side is the
/// same, and curfew hours are applied fix by fix.
/// </remarks>
public sealed class EditZone(AccessRefusals refusals, IDbContextFactory<DashboardDb> dbFactory, AuditLog audit, ILiveNotifier live, TimeProvider clock)
{
    public async Task<ActionResult> HandleAsync(Guid zoneId, ZoneDraft draft, uint version, CurrentUser user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(draft);
        ArgumentNullException.ThrowIfNull(user);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var (zone, answer) = await ZoneStore.ChangeableAsync(db, refusals, zoneId, user, "changing a zone", "This zone has been deactivated and can no longer be changed.", ct);
        if (zone is null)
        {
            return answer!;
        }

        if (draft.Validate() is [var problem, ..])
        {
            return new ActionResult.Refused(problem.Message);
        }

        var before = ZoneStore.Describe(zone);
        var area = await ZoneStore.AreaAsync(db, draft, ct);
        var outlineChanged = !zone.Area.EqualsExact(area);
        var kindChanged = zone.Kind != draft.Kind;
        zone.Name = draft.Name!.Trim();
        zone.Kind = draft.Kind;
        if (outlineChanged)
        {
            zone.Area = area;
        }

        zone.Centre = ZoneStore.Centre(draft);
        zone.RadiusM = draft.Shape == ZoneShapeKind.Circle ? draft.RadiusM : null;
        zone.CurfewStart = draft.CurfewStart;
        zone.CurfewEnd = draft.CurfewEnd;
        var after = ZoneStore.Describe(zone);
        if (after == before)
        {
            return new ActionResult.Refused("Nothing has changed: change the zone before saving it.");
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (await ZoneStore.SaveAsync(db, zone, version, ct) is { } stale)
        {
            return stale;
        }

        var restarted = outlineChanged || kindChanged;
        if (restarted)
        {
            await ZoneStore.RestartWatchAsync(db, zone.Id, zone.SubjectId, clock.GetUtcNow(), keepEpisode: !kindChanged, ct);
        }

        await audit.AppendAsync(db, new AuditEntry(user.Id, user.Name, "zone-edited", zone.SubjectId, "zone", zone.Id.ToString(),
            $"Before: {before}. After: {after}.{(restarted ? " The zone's watch starts afresh: only fixes after this change count against it." : "")}"), ct);
        await tx.CommitAsync(ct);
        await live.ZonesChangedAsync(new ZonesChanged(zone.SubjectId, zone.Id, "edited", clock.GetUtcNow()), CancellationToken.None);
        return new ActionResult.Done(zone.Id);
    }
}
