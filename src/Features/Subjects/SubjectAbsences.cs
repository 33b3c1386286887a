using Dashboard.Audit;
using Dashboard.Data;
using Dashboard.Data.Entities;
using Dashboard.Domain;
using Dashboard.Features.Breaches;
using Dashboard.Live;
using Dashboard.Security;
using Microsoft.EntityFrameworkCore;

namespace Dashboard.Features.Subjects;

/// <summary>
/// Authorised absences (a hospital appointment, a work shift). Missed check-ins and zone alerts inside one
/// are recorded as covered instead of being raised. Recording an absence for a time that has begun also
/// covers the alerts of those kinds already raised in it that nobody has acted on, and says how many.
/// </summary>
public sealed class SubjectAbsences(AccessRefusals refusals, IDbContextFactory<DashboardDb> dbFactory, AuditLog audit, ILiveNotifier live, TimeProvider clock)
{
    public const int MaxReasonLength = 1000;
    public static readonly TimeSpan MaxLength = TimeSpan.FromDays(31);
    public static readonly TimeSpan MaxBackdate = TimeSpan.FromDays(7);

    public static string? Validate(DateTimeOffset from, DateTimeOffset to, string? reason, DateTimeOffset now) =>
        to <= from ? "The absence must end after it starts."
        : to - from > MaxLength ? "An absence can last at most 31 days; record longer ones as several."
        : from < now - MaxBackdate ? "An absence can start at most 7 days ago."
        : string.IsNullOrWhiteSpace(reason) ? "Give the reason for the absence."
        : reason.Trim().Length > MaxReasonLength ? $"Keep the reason under {MaxReasonLength:N0} characters."
        : null;

    public async Task<ActionResult> RecordAsync(Guid subjectId, DateTimeOffset from, DateTimeOffset to, string? reason, CurrentUser user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!await Scope.SubjectIds(db, user).AnyAsync(id => id == subjectId, ct))
        {
            return new ActionResult.NotFound();
        }

        if (!user.CanAct)
        {
            await refusals.RoleAsync(user, "recording an absence", subjectId, "subject", subjectId, ct);
            return new ActionResult.Refused("Auditors can read absences but not record them.");
        }

        var now = clock.GetUtcNow();
        if (Validate(from, to, reason, now) is { } problem)
        {
            return new ActionResult.Refused(problem);
        }

        var absence = new Absence
        {
            Id = Guid.CreateVersion7(),
            SubjectId = subjectId,
            From = from.ToUniversalTime(),
            To = to.ToUniversalTime(),
            Reason = reason!.Trim(),
            RecordedBy = user.Id,
            RecordedAt = now,
        };
        db.Absences.Add(absence);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        var coverable = Enum.GetValues<AlertKind>().Where(AlertRules.IsCoverableByAbsence).ToList();
        var covered = await db.Alerts
            .Where(a => a.SubjectId == subjectId && coverable.Contains(a.Kind) && a.RaisedAt >= absence.From && a.RaisedAt < absence.To
                && (a.State == AlertState.Open || a.State == AlertState.Acknowledged))
            .Select(a => new { a.Id, a.Kind })
            .ToListAsync(ct);
        var ids = covered.Select(a => a.Id).ToList();
        await db.Alerts.Where(a => ids.Contains(a.Id))
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.State, AlertState.Covered).SetProperty(a => a.CoveredByAbsenceId, absence.Id), ct);
        await audit.AppendAsync(db, new AuditEntry(user.Id, user.Name, "absence-recorded", subjectId, "absence", absence.Id.ToString(),
            $"Authorised absence {absence.From:yyyy-MM-dd HH:mm} to {absence.To:yyyy-MM-dd HH:mm} UTC. Reason: {absence.Reason}."
            + (ids.Count > 0 ? $" Covers {ids.Count} alert(s) already raised: {string.Join(", ", ids)}." : "")), ct);
        await tx.CommitAsync(ct);

        foreach (var alert in covered)
        {
            await live.AlertChangedAsync(new AlertChanged(alert.Id, subjectId, alert.Kind, AlertState.Covered, now), CancellationToken.None);
        }

        return new ActionResult.Done(absence.Id);
    }

    /// <summary>Cancels an absence that has not ended; alerts it already covered stay covered (the record says why).</summary>
    public async Task<ActionResult> CancelAsync(Guid absenceId, CurrentUser user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var absence = await db.Absences.FirstOrDefaultAsync(a => a.Id == absenceId && Scope.SubjectIds(db, user).Contains(a.SubjectId), ct);
        if (absence is null)
        {
            return new ActionResult.NotFound();
        }

        if (!user.CanAct)
        {
            await refusals.RoleAsync(user, "cancelling an absence", absence.SubjectId, "absence", absenceId, ct);
            return new ActionResult.Refused("Auditors can read absences but not cancel them.");
        }

        var now = clock.GetUtcNow();
        if (absence.CancelledAt is not null)
        {
            return new ActionResult.Refused("This absence has already been cancelled.");
        }

        if (absence.To <= now)
        {
            return new ActionResult.Refused("This absence has ended; it stays on record.");
        }

        absence.CancelledAt = now;
        absence.CancelledBy = user.Id;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        await audit.AppendAsync(db, new AuditEntry(user.Id, user.Name, "absence-cancelled", absence.SubjectId, "absence", absence.Id.ToString(),
            $"Authorised absence {absence.From:yyyy-MM-dd HH:mm} to {absence.To:yyyy-MM-dd HH:mm} UTC cancelled."), ct);
        await tx.CommitAsync(ct);
        return new ActionResult.Done(absence.Id);
    }
}
