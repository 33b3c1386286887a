using Dashboard.Data;
using Dashboard.Domain;
using Dashboard.Security;
using Microsoft.EntityFrameworkCore;

namespace Dashboard.Features.CheckIns;

/// <summary>One check-in with everything that explains its outcome; null when it is outside the user's scope.</summary>
public sealed class GetCheckIn(IDbContextFactory<DashboardDb> dbFactory)
{
    public sealed record Details(
        Guid Id,
        Guid SubjectId,
        string SubjectName,
        string CaseReference,
        string DeviceId,
        string DeviceModel,
        DateTimeOffset CapturedAt,
        DateTimeOffset ReceivedAt,
        CheckInOutcome Outcome,
        double MatchScore,
        double LivenessScore,
        MatchingPolicy Policy,
        double? Lat,
        double? Lon,
        double? AccuracyM,
        DateTimeOffset? PromptDueAt,
        DateTimeOffset? PromptWindowEndsAt,
        bool HasPhoto,
        ReviewDecision? ReviewDecision,
        string? ReviewReason,
        DateTimeOffset? ReviewDueBy,
        IReadOnlyList<(AlertKind Kind, AlertState State, string Summary)> Alerts)
    {
        public string Explanation => Policy.Explain(MatchScore, LivenessScore);
    }

    public async Task<Details?> HandleAsync(Guid checkInId, CurrentUser user, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await (from ci in db.CheckIns.AsNoTracking()
                         join s in Scope.Subjects(db, user) on ci.SubjectId equals s.Id
                         where ci.Id == checkInId
                         select new
                         {
                             c = ci,
                             s.GivenName,
                             s.FamilyName,
                             s.CaseReference,
                             Model = db.Devices.Where(d => d.Id == ci.DeviceId).Select(d => d.Model).FirstOrDefault(),
                             Prompt = db.Prompts.Where(p => p.Id == ci.PromptId).Select(p => new { p.DueAt, p.WindowEndsAt }).FirstOrDefault(),
                             Review = db.Reviews.Where(r => r.CheckInId == ci.Id).Select(r => new { r.Decision, r.Reason, r.DueBy }).FirstOrDefault(),
                         }).FirstOrDefaultAsync(ct);
        if (row is null)
        {
            return null;
        }

        var alerts = await db.Alerts.AsNoTracking().Where(a => a.CheckInId == checkInId)
            .Select(a => new { a.Kind, a.State, a.Summary }).ToListAsync(ct);
        var c = row.c;
        return new Details(
            c.Id, c.SubjectId, row.GivenName + " " + row.FamilyName, row.CaseReference, c.DeviceId, row.Model ?? "Unknown",
            c.CapturedAt, c.ReceivedAt, c.Outcome, c.MatchScore, c.LivenessScore,
            new MatchingPolicy(c.PolicyVersion, c.AcceptMatch, c.RejectMatch, c.AcceptLiveness, c.RejectLiveness),
            c.Location?.Y, c.Location?.X, c.AccuracyM, row.Prompt?.DueAt, row.Prompt?.WindowEndsAt, c.PhotoId is not null,
            row.Review?.Decision, row.Review?.Reason, row.Review?.DueBy,
            [.. alerts.Select(a => (a.Kind, a.State, a.Summary))]);
    }
}
