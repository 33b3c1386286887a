using Dashboard.Data;
using Dashboard.Domain;
using Dashboard.Security;
using Microsoft.EntityFrameworkCore;

namespace Dashboard.Features.Subjects;

/// <summary>A subject's profile, device status and recent check-ins; null when outside the user's scope.</summary>
public sealed class GetSubject(IDbContextFactory<DashboardDb> dbFactory)
{
    public sealed record CheckInRow(Guid Id, DateTimeOffset CapturedAt, CheckInOutcome Outcome, double MatchScore, double LivenessScore, int PolicyVersion);

    public sealed record AlertRow(Guid Id, AlertKind Kind, AlertState State, DateTimeOffset RaisedAt, string Summary);

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
        IReadOnlyList<AlertRow> OpenAlerts);

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

        var checkIns = await db.CheckIns.AsNoTracking().Where(c => c.SubjectId == subjectId)
            .OrderByDescending(c => c.CapturedAt).Take(30)
            .Select(c => new CheckInRow(c.Id, c.CapturedAt, c.Outcome, c.MatchScore, c.LivenessScore, c.PolicyVersion))
            .ToListAsync(ct);
        var alerts = await db.Alerts.AsNoTracking().Where(a => a.SubjectId == subjectId && (a.State == AlertState.Open || a.State == AlertState.Acknowledged))
            .OrderByDescending(a => a.RaisedAt)
            .Select(a => new AlertRow(a.Id, a.Kind, a.State, a.RaisedAt, a.Summary))
            .ToListAsync(ct);
        return new Details(subject.Id, subject.Name, subject.CaseReference, subject.Officer, subject.HomeAddress, subject.MonitoringStart,
            subject.ReviewDueOn, subject.Device?.Id, subject.Device?.Model, subject.Device?.BatteryPct, subject.Device?.LastFixAt,
            subject.Device?.LastSeenAt, checkIns, alerts);
    }
}
