using Dashboard.Audit;
using Dashboard.Data;
using Dashboard.Data.Entities;
using Dashboard.Domain;
using Dashboard.Features.Breaches;
using Dashboard.Live;
using Dashboard.Security;
using Microsoft.EntityFrameworkCore;

namespace Dashboard.Features.Alerts;

/// <summary>
/// What every person's action on alerts shares: the scope check (an alert outside it is not found and
/// nothing changes), auditors refused, the row version the person saw (xmin) so that a concurrent change
/// is caught and told, never lost, the audit entry in the same transaction, and the live message after commit.
/// </summary>
public sealed class AlertActions(AccessRefusals refusals, IDbContextFactory<DashboardDb> dbFactory, ILiveNotifier live, AuditLog audit, TimeProvider clock)
{
    public const string ChangedMeanwhile = "Someone else changed this alert a moment ago. The list has been refreshed: check it and try again.";

    /// <summary>The alert and the version of it the person saw (null: whatever is current).</summary>
    public sealed record Target(Guid AlertId, uint? Version = null);

    /// <summary>What to do to each loaded alert: a refusal, or the change and the audit entry's action and detail.</summary>
    public delegate (Refusal? Refusal, string Action, string Detail) Change(Alert alert, DateTimeOffset now);

    public TimeProvider Clock => clock;

    public async Task<ActionResult> ApplyAsync(
        IReadOnlyList<Target> targets,
        CurrentUser user,
        string auditorRefusal,
        Func<IReadOnlyList<(Alert Alert, Guid OfficerId)>, Refusal?>? precheck,
        Change change,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(change);
        if (!user.CanAct)
        {
            await refusals.RoleAsync(user, "an action on alerts", null, "alert", targets.Count == 1 ? targets[0].AlertId : null, ct);
            return new ActionResult.Refused(auditorRefusal);
        }

        if (targets.Count == 0)
        {
            return new ActionResult.Refused("Select at least one alert.");
        }

        if (targets.Count > 200)
        {
            return new ActionResult.Refused("Select at most 200 alerts at a time.");
        }

        var ids = targets.Select(t => t.AlertId).Distinct().ToList();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var loaded = await (from a in db.Alerts
                            join s in Scope.Subjects(db, user) on a.SubjectId equals s.Id
                            where ids.Contains(a.Id)
                            select new { Alert = a, s.OfficerId }).ToListAsync(ct);
        if (loaded.Count != ids.Count)
        {
            return new ActionResult.NotFound();
        }

        if (precheck?.Invoke([.. loaded.Select(l => (l.Alert, l.OfficerId))]) is { } early)
        {
            return new ActionResult.Refused(early.Message);
        }

        var now = clock.GetUtcNow();
        var entries = new List<AuditEntry>(loaded.Count);
        foreach (var target in targets.DistinctBy(t => t.AlertId))
        {
            var alert = loaded.First(l => l.Alert.Id == target.AlertId).Alert;
            var (refusal, action, detail) = change(alert, now);
            if (refusal is not null)
            {
                return new ActionResult.Refused(loaded.Count == 1 ? refusal.Message : $"{AlertRules.Describe(alert.Kind)} of {LondonTimeText(alert.RaisedAt)}: {refusal.Message}");
            }

            if (target.Version is { } seen)
            {
                // The version the person saw is the one the update must still find (xmin), else someone changed it.
                db.Entry(alert).Property(a => a.Version).OriginalValue = seen;
            }

            entries.Add(new AuditEntry(user.Id, user.Name, action, alert.SubjectId, "alert", alert.Id.ToString(), detail));
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return new ActionResult.Refused(loaded.Count == 1 ? ChangedMeanwhile
                : "One of these alerts was changed by someone else a moment ago; nothing was changed. The list has been refreshed: check it and try again.");
        }

        foreach (var entry in entries)
        {
            await audit.AppendAsync(db, entry, ct);
        }

        await tx.CommitAsync(ct);
        foreach (var l in loaded)
        {
            await live.AlertChangedAsync(new AlertChanged(l.Alert.Id, l.Alert.SubjectId, l.Alert.Kind, l.Alert.State, now), CancellationToken.None);
        }

        return new ActionResult.Done();
    }

    private static string LondonTimeText(DateTimeOffset utc) =>
        Components.Common.LondonTime.Format(utc, "dd MMM HH:mm");

    /// <summary>A reason as stored: trimmed, or null when blank.</summary>
    public static string? Clean(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
