using Dashboard.Audit;
using Dashboard.Data;
using Dashboard.Data.Entities;
using Dashboard.Domain;
using Dashboard.Live;
using Dashboard.Security;
using Microsoft.EntityFrameworkCore;

namespace Dashboard.Features.Breaches;

/// <summary>
/// An officer (or supervisor) proposes a breach from one or more alerts of one subject. The alerts move to
/// <c>BreachProposed</c> in the same transaction as the breach and its audit entry; if any of them changed
/// meanwhile (someone dismissed it), nothing is stored and the proposer is told.
/// </summary>
public sealed class ProposeBreach(IDbContextFactory<DashboardDb> dbFactory, ILiveNotifier live, AuditLog audit, TimeProvider clock)
{
    public const string LoneSupervisor =
        "A breach you propose must be decided by another supervisor of this caseload, and there is none. Ask the responsible officer to propose it.";

    public sealed record Command(IReadOnlyList<Guid> AlertIds, string? Summary);

    public async Task<ActionResult> HandleAsync(Command command, CurrentUser user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(user);
        if (command.AlertIds.Count > 100)
        {
            return new ActionResult.Refused("Select at most 100 alerts for one breach.");
        }

        var ids = command.AlertIds.Distinct().ToList();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var alerts = await db.Alerts.Where(a => ids.Contains(a.Id) && Scope.SubjectIds(db, user).Contains(a.SubjectId))
            .OrderBy(a => a.RaisedAt).ToListAsync(ct);
        if (alerts.Count != ids.Count)
        {
            return new ActionResult.NotFound();
        }

        var actor = new BreachActor(user.Id, user.Role, user.TeamId);
        if (BreachRules.CanPropose(actor, [.. alerts.Select(a => (a.SubjectId, a.State))], command.Summary) is { } refusal)
        {
            return new ActionResult.Refused(refusal.Message);
        }

        if (user.Role == StaffRole.Supervisor && !await AnotherSupervisorDecidesAsync(db, alerts[0].SubjectId, user.Id, ct))
        {
            // Otherwise the breach would wait for a decision nobody may take.
            return new ActionResult.Refused(LoneSupervisor);
        }

        var now = clock.GetUtcNow();
        var sequence = await db.Database.SqlQuery<long>($"SELECT nextval('breach_numbers') AS \"Value\"").SingleAsync(ct);
        var breach = new Breach
        {
            Id = Guid.CreateVersion7(),
            Number = BreachRules.FormatNumber(now.Year, sequence),
            SubjectId = alerts[0].SubjectId,
            // The breach is of the kind of its first evidence; the summary says the rest.
            Kind = alerts[0].Kind,
            Summary = command.Summary!.Trim(),
            State = BreachState.Proposed,
            ProposedBy = user.Id,
            ProposedAt = now,
        };
        db.Breaches.Add(breach);
        foreach (var alert in alerts)
        {
            alert.State = AlertRules.After(AlertAction.ProposeBreach, alert.State);
            alert.BreachId = breach.Id;
            db.BreachAlerts.Add(new BreachAlert { BreachId = breach.Id, AlertId = alert.Id });
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return new ActionResult.Refused("One of these alerts was changed by someone else a moment ago. Reload and select again.");
        }

        await audit.AppendAsync(db, new AuditEntry(user.Id, user.Name, "breach-proposed", breach.SubjectId, "breach", breach.Id.ToString(),
            $"Breach {breach.Number} proposed from {alerts.Count} alert(s): {string.Join(", ", alerts.Select(a => AlertRules.Describe(a.Kind)))}. Summary: {breach.Summary}"), ct);
        await tx.CommitAsync(ct);

        await live.BreachChangedAsync(new BreachChanged(breach.Id, breach.SubjectId, breach.Number, breach.State, user.Name, now), CancellationToken.None);
        foreach (var alert in alerts)
        {
            await live.AlertChangedAsync(new AlertChanged(alert.Id, alert.SubjectId, alert.Kind, alert.State, now), CancellationToken.None);
        }

        return new ActionResult.Done(breach.Id, breach.Number);
    }

    /// <summary>Whether a supervisor other than the proposer may decide breaches of this subject (four-eyes rule).</summary>
    private static Task<bool> AnotherSupervisorDecidesAsync(DashboardDb db, Guid subjectId, Guid proposerId, CancellationToken ct) =>
        (from s in db.Subjects
         join o in db.Staff on s.OfficerId equals o.Id
         where s.Id == subjectId
         from other in db.Staff
         where other.TeamId == o.TeamId && other.Role == StaffRole.Supervisor && other.Active && other.Id != proposerId
         select other.Id).AnyAsync(ct);
}
