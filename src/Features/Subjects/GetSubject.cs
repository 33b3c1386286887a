using Dashboard.Data;
using Dashboard.Domain;
using Dashboard.Security;
using Microsoft.EntityFrameworkCore;

namespace Dashboard.Features.Subjects;

/// <summary>
/// Everything the subject page shows: profile, device status, today's prompts, check-in history with the
/// thresholds that judged each, open alerts, breaches, absences and notes. Null when outside the user's scope.
/// </summary>
public sealed class GetSubject(IDbContextFactory<DashboardDb> dbFactory, TimeProvider clock)
{
    public const int HistorySize = 60;

    /// <summary>The newest open alerts shown on the page; the alerts page has the rest.</summary>
    public const int OpenAlertsShown = 20;

    public sealed record CheckInRow(
        Guid Id,
        DateTimeOffset CapturedAt,
        CheckInOutcome Outcome,
        double MatchScore,
        double LivenessScore,
        int PolicyVersion,
        double AcceptMatch = 0,
        double RejectMatch = 0,
        ReviewDecision? Decision = null);

    public sealed record AlertRow(Guid Id, AlertKind Kind, AlertState State, DateTimeOffset RaisedAt, string Summary, int Occurrences = 1);

    public sealed record PromptRow(Guid Id, DateTimeOffset DueAt, DateTimeOffset WindowEndsAt, PromptStatus Status, PromptOrigin Origin, Guid? CheckInId, CheckInOutcome? Outcome);

    public sealed record BreachRow(Guid Id, string Number, AlertKind Kind, BreachState State, DateTimeOffset ProposedAt, string Summary);

    public sealed record AbsenceRow(Guid Id, DateTimeOffset From, DateTimeOffset To, string Reason, string RecordedBy, DateTimeOffset RecordedAt, DateTimeOffset? CancelledAt);

    public sealed record NoteRow(Guid Id, DateTimeOffset At, string Author, Guid AuthorId, string Text, DateTimeOffset? EditedAt, Guid? CorrectsNoteId, Guid? BreachId);

    /// <summary>What else the page shows; kept apart so the profile record stays small.</summary>
    public sealed record Activity(
        IReadOnlyList<PromptRow> TodaysPrompts,
        IReadOnlyList<BreachRow> Breaches,
        IReadOnlyList<AbsenceRow> Absences,
        IReadOnlyList<NoteRow> Notes,
        int Violations,
        int OpenAlertTotal = 0);

    public sealed record Details(
        Guid Id,
        string Name,
        string CaseReference,
        string Officer,
        string HomeAddress,
        DateTimeOffset MonitoringStart,
        DateOnly ReviewDueOn,
        string? DeviceId,
        string? DeviceModel,
        int? BatteryPct,
        DateTimeOffset? LastFixAt,
        DateTimeOffset? LastSeenAt,
        IReadOnlyList<CheckInRow> CheckIns,
        IReadOnlyList<AlertRow> OpenAlerts,
        Activity? More = null);

    public async Task<Details?> HandleAsync(Guid subjectId, CurrentUser user, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var subject = await Scope.Subjects(db, user).AsNoTracking().Where(s => s.Id == subjectId)
            .Select(s => new
            {
                s.Id,
                Name = s.GivenName + " " + s.FamilyName,
                s.CaseReference,
                Officer = db.Staff.Where(o => o.Id == s.OfficerId).Select(o => o.DisplayName).First(),
                s.HomeAddress,
                s.MonitoringStart,
                s.ReviewDueOn,
                Device = db.Devices.Where(d => d.SubjectId == s.Id).Select(d => new { d.Id, d.Model, d.BatteryPct, d.LastFixAt, d.LastSeenAt }).FirstOrDefault(),
            })
            .FirstOrDefaultAsync(ct);
        if (subject is null)
        {
            return null;
        }

        var checkIns = await db.CheckIns.AsNoTracking().Where(c => c.SubjectId == subjectId && !c.Synthetic)
            .OrderByDescending(c => c.CapturedAt).Take(HistorySize)
            .Select(c => new CheckInRow(c.Id, c.CapturedAt, c.Outcome, c.MatchScore, c.LivenessScore, c.PolicyVersion, c.AcceptMatch, c.RejectMatch,
                db.Reviews.Where(r => r.CheckInId == c.Id).Select(r => r.Decision).FirstOrDefault()))
            .ToListAsync(ct);
        var alerts = await db.Alerts.AsNoTracking().Where(a => a.SubjectId == subjectId && (a.State == AlertState.Open || a.State == AlertState.Acknowledged))
            .OrderByDescending(a => a.RaisedAt).Take(OpenAlertsShown)
            .Select(a => new AlertRow(a.Id, a.Kind, a.State, a.RaisedAt, a.Summary, a.Occurrences))
            .ToListAsync(ct);
        var openAlertTotal = alerts.Count < OpenAlertsShown ? alerts.Count
            : await db.Alerts.AsNoTracking().CountAsync(a => a.SubjectId == subjectId && (a.State == AlertState.Open || a.State == AlertState.Acknowledged), ct);

        var (start, end, _) = Board.GetDashboard.Today(clock.GetUtcNow());
        var prompts = await db.Prompts.AsNoTracking()
            .Where(p => p.SubjectId == subjectId && p.DueAt >= start && p.DueAt < end && p.Status != PromptStatus.Cancelled)
            .OrderBy(p => p.DueAt)
            .Select(p => new PromptRow(p.Id, p.DueAt, p.WindowEndsAt, p.Status, p.Origin, p.CheckInId,
                db.CheckIns.Where(c => c.Id == p.CheckInId).Select(c => (CheckInOutcome?)c.Outcome).FirstOrDefault()))
            .ToListAsync(ct);
        var breaches = await db.Breaches.AsNoTracking().Where(b => b.SubjectId == subjectId)
            .OrderByDescending(b => b.ProposedAt).Take(50)
            .Select(b => new BreachRow(b.Id, b.Number, b.Kind, b.State, b.ProposedAt, b.Summary))
            .ToListAsync(ct);
        var absences = await db.Absences.AsNoTracking().Where(a => a.SubjectId == subjectId)
            .OrderByDescending(a => a.From).Take(50)
            .Select(a => new AbsenceRow(a.Id, a.From, a.To, a.Reason,
                db.Staff.Where(s => s.Id == a.RecordedBy).Select(s => s.DisplayName).First(), a.RecordedAt, a.CancelledAt))
            .ToListAsync(ct);
        var notes = await db.Notes.AsNoTracking().Where(n => n.SubjectId == subjectId)
            .OrderByDescending(n => n.At).Take(200)
            .Select(n => new NoteRow(n.Id, n.At, db.Staff.Where(s => s.Id == n.AuthorId).Select(s => s.DisplayName).First(), n.AuthorId, n.Text,
                n.EditedAt, n.CorrectsNoteId, n.BreachId))
            .ToListAsync(ct);
        // Dismissed, covered and cleared alerts, and those with a reasonable excuse, do not count against the person.
        var violations = await db.Alerts.AsNoTracking().CountAsync(a => a.SubjectId == subjectId && a.ReasonableExcuse == null
            && (a.State == AlertState.Open || a.State == AlertState.Acknowledged || a.State == AlertState.BreachProposed), ct);

        return new Details(subject.Id, subject.Name, subject.CaseReference, subject.Officer, subject.HomeAddress, subject.MonitoringStart,
            subject.ReviewDueOn, subject.Device?.Id, subject.Device?.Model, subject.Device?.BatteryPct, subject.Device?.LastFixAt,
            subject.Device?.LastSeenAt, checkIns, alerts, new Activity(prompts, breaches, absences, notes, violations, openAlertTotal));
    }
}
