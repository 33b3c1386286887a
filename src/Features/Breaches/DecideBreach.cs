using Dashboard.Audit;
using Dashboard.Data;
using Dashboard.Data.Entities;
using Dashboard.Domain;
using Dashboard.Live;
using Dashboard.Security;
using Microsoft.EntityFrameworkCore;

namespace Dashboard.Features.Breaches;

/// <summary>
/// A supervisor of the subject's team, who did not propose the breach, confirms or rejects it; or its
/// proposer withdraws it before a decision. Always with a reason. In one transaction: the breach's new
/// state, its alerts back with the officer when it did not stand, and the audit entry. Two people
/// deciding at once: exactly one decision stands, the other is told whose.
/// </summary>
public sealed class DecideBreach(AccessRefusals refusals, IDbContextFactory<DashboardDb> dbFactory, ILiveNotifier live, AuditLog audit, TimeProvider clock)
{
    public sealed record Command(Guid BreachId, BreachAction Action, string? Reason);

    public async Task<ActionResult> HandleAsync(Command command, CurrentUser user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(user);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await (from b in db.Breaches
                         join s in Scope.Subjects(db, user) on b.SubjectId equals s.Id
                         where b.Id == command.BreachId
                         select new { Breach = b, TeamId = db.Staff.Where(o => o.Id == s.OfficerId).Select(o => o.TeamId).FirstOrDefault() })
            .FirstOrDefaultAsync(ct);
        if (row is null)
        {
            return new ActionResult.NotFound();
        }

        if (!user.CanAct)
        {
            await refusals.RoleAsync(user, "deciding a breach", row.Breach.SubjectId, "breach", command.BreachId, ct);
            return new ActionResult.Refused("Auditors can read breaches but not decide them.");
        }

        var breach = row.Breach;
        var actor = new BreachActor(user.Id, user.Role, user.TeamId);
        if (BreachRules.Check(breach.State, command.Action, actor, breach.ProposedBy, row.TeamId, command.Reason) is { } refusal)
        {
            return new ActionResult.Refused(refusal.Message);
        }

        var now = clock.GetUtcNow();
        var reason = command.Reason!.Trim();
        breach.State = BreachRules.After(command.Action);
        breach.DecidedBy = user.Id;
        breach.DecidedAt = now;
        breach.DecisionReason = reason;

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        try
        {
            // The breach row first, on its own: its row lock orders two concurrent deciders, and the one
            // who comes second finds the version changed.
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return new ActionResult.Refused(await LostRaceMessageAsync(command.BreachId, ct));
        }

        List<Alert> returned = [];
        if (BreachRules.AlertsAfter(command.Action) is { } alertAction)
        {
            var alerts = await db.Alerts
                .Where(a => db.BreachAlerts.Any(x => x.BreachId == breach.Id && x.AlertId == a.Id) && a.BreachId == breach.Id)
                .ToListAsync(ct);
            foreach (var alert in alerts.Where(a => AlertRules.Check(a.State, alertAction) is null))
            {
                alert.State = AlertRules.After(alertAction, alert.State);
                // The link in breach_alerts keeps the history; the alert itself is free to be proposed again.
                alert.BreachId = null;
                returned.Add(alert);
            }

            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateConcurrencyException)
            {
                return new ActionResult.Refused("One of this breach's alerts was changed by someone else a moment ago. Reload and try again.");
            }
        }

        var verb = command.Action switch
        {
            BreachAction.Confirm => "confirmed",
            BreachAction.Reject => "rejected",
            _ => "withdrawn",
        };
        var alertsNote = returned.Count == 0 ? "" : $" {returned.Count} alert(s) returned to the officer as acknowledged.";
        await audit.AppendAsync(db, new AuditEntry(user.Id, user.Name, "breach-" + verb, breach.SubjectId, "breach", breach.Id.ToString(),
            $"Breach {breach.Number} {verb}. Reason: {BreachText.Sentence(reason)}{alertsNote}"), ct);
        await tx.CommitAsync(ct);

        await live.BreachChangedAsync(new BreachChanged(breach.Id, breach.SubjectId, breach.Number, breach.State, user.Name, now), CancellationToken.None);
        foreach (var alert in returned)
        {
            await live.AlertChangedAsync(new AlertChanged(alert.Id, alert.SubjectId, alert.Kind, alert.State, now), CancellationToken.None);
        }

        return new ActionResult.Done(breach.Id, breach.Number);
    }

    private async Task<string> LostRaceMessageAsync(Guid breachId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var current = await db.Breaches.AsNoTracking().Where(b => b.Id == breachId)
            .Select(b => new { b.State, By = db.Staff.Where(s => s.Id == b.DecidedBy).Select(s => s.DisplayName).FirstOrDefault() })
            .FirstOrDefaultAsync(ct);
        return current is { State: not BreachState.Proposed, By: { } by }
            ? $"{by} {BreachText.Describe(current.State).ToLowerInvariant()} this breach a moment ago; your decision was not recorded."
            : "Someone else changed this breach a moment ago; your decision was not recorded. Reload and try again.";
    }
}
