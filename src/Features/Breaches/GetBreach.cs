using Dashboard.Data;
using Dashboard.Domain;
using Dashboard.Security;
using Microsoft.EntityFrameworkCore;

namespace Dashboard.Features.Breaches;

/// <summary>
/// One breach with its evidence (the alerts, the check-ins behind them with their scores, policy and
/// review, where the person was around those times), its notes and its history from the audit log.
/// Null when it is outside the user's scope. Photos are never loaded here: the page links to the
/// scoped, audited photo endpoint.
/// </summary>
public sealed class GetBreach(IDbContextFactory<DashboardDb> dbFactory)
{
    /// <summary>How far either side of each piece of evidence the trail reaches.</summary>
    public static readonly TimeSpan TrailWindow = TimeSpan.FromMinutes(30);

    /// <summary>At most this many positions per piece of evidence.</summary>
    public const int TrailPointsPerEvidence = 60;

    private const int MaxTrailEvidence = 20;

    public sealed record EvidenceAlert(Guid Id, AlertKind Kind, AlertState State, DateTimeOffset RaisedAt, string Summary, Guid? CheckInId, string? ReasonableExcuse);

    public sealed record EvidenceCheckIn(
        Guid Id,
        DateTimeOffset CapturedAt,
        CheckInOutcome Outcome,
        double MatchScore,
        double LivenessScore,
        MatchingPolicy Policy,
        double? Lat,
        double? Lon,
        double? AccuracyM,
        Guid? PhotoId,
        ReviewDecision? ReviewDecision,
        string? ReviewReason,
        string? Reviewer,
        DateTimeOffset? ReviewedAt)
    {
        public string Explanation => Policy.Explain(MatchScore, LivenessScore);
    }

    public sealed record Position(DateTimeOffset At, double Lat, double Lon, double AccuracyM);

    public sealed record NoteItem(Guid Id, string Author, DateTimeOffset At, string Text);

    public sealed record HistoryItem(long Id, DateTimeOffset At, string Who, string Action, string? Detail);

    public sealed record Details(
        Guid Id,
        string Number,
        Guid SubjectId,
        string SubjectName,
        string CaseReference,
        string OfficerName,
        AlertKind Kind,
        string Summary,
        BreachState State,
        Guid ProposedById,
        string ProposedBy,
        DateTimeOffset ProposedAt,
        string? DecidedBy,
        DateTimeOffset? DecidedAt,
        string? DecisionReason,
        bool CanConfirmOrReject,
        bool CanWithdraw,
        bool CanAddNote,
        IReadOnlyList<EvidenceAlert> Alerts,
        IReadOnlyList<EvidenceCheckIn> CheckIns,
        IReadOnlyList<Position> Trail,
        IReadOnlyList<NoteItem> Notes,
        IReadOnlyList<HistoryItem> History);

    public async Task<Details?> HandleAsync(Guid breachId, CurrentUser user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await (from b in db.Breaches.AsNoTracking()
                         join s in Scope.Subjects(db, user) on b.SubjectId equals s.Id
                         join o in db.Staff on s.OfficerId equals o.Id
                         where b.Id == breachId
                         select new
                         {
                             b,
                             Name = s.GivenName + " " + s.FamilyName,
                             s.CaseReference,
                             Officer = o.DisplayName,
                             o.TeamId,
                             Proposer = db.Staff.Where(x => x.Id == b.ProposedBy).Select(x => x.DisplayName).FirstOrDefault(),
                             Decider = db.Staff.Where(x => x.Id == b.DecidedBy).Select(x => x.DisplayName).FirstOrDefault(),
                         }).FirstOrDefaultAsync(ct);
        if (row is null)
        {
            return null;
        }

        var breach = row.b;
        var alerts = await (from x in db.BreachAlerts.AsNoTracking()
                            join a in db.Alerts on x.AlertId equals a.Id
                            where x.BreachId == breachId
                            orderby a.RaisedAt
                            select new EvidenceAlert(a.Id, a.Kind, a.State, a.RaisedAt, a.Summary, a.CheckInId, a.ReasonableExcuse))
            .ToListAsync(ct);
        var checkInIds = alerts.Where(a => a.CheckInId is not null).Select(a => a.CheckInId!.Value).Distinct().ToList();
        var checkIns = await (from c in db.CheckIns.AsNoTracking()
                              where checkInIds.Contains(c.Id) && c.SubjectId == breach.SubjectId
                              orderby c.CapturedAt
                              let r = db.Reviews.FirstOrDefault(r => r.CheckInId == c.Id)
                              select new
                              {
                                  c,
                                  Decision = r == null ? null : r.Decision,
                                  Reason = r == null ? null : r.Reason,
                                  DecidedAt = r == null ? null : r.DecidedAt,
                                  Reviewer = r == null ? null : db.Staff.Where(s => s.Id == r.DecidedBy).Select(s => s.DisplayName).FirstOrDefault(),
                              }).ToListAsync(ct);

        var times = alerts.Select(a => a.RaisedAt).Concat(checkIns.Select(c => c.c.CapturedAt)).Distinct().Order().Take(MaxTrailEvidence);
        var trail = new SortedDictionary<DateTimeOffset, Position>();
        foreach (var t in times)
        {
            var (from, to) = (t - TrailWindow, t + TrailWindow);
            var points = await db.LocationPings.AsNoTracking()
                .Where(p => p.SubjectId == breach.SubjectId && p.At >= from && p.At <= to)
                .OrderBy(p => p.At).Take(TrailPointsPerEvidence)
                .Select(p => new { p.At, p.Location, p.AccuracyM })
                .ToListAsync(ct);
            foreach (var p in points)
            {
                trail[p.At] = new Position(p.At, p.Location.Y, p.Location.X, p.AccuracyM);
            }
        }

        var notes = await db.Notes.AsNoTracking().Where(n => n.BreachId == breachId).OrderBy(n => n.At).ThenBy(n => n.Id)
            .Select(n => new NoteItem(n.Id, db.Staff.Where(s => s.Id == n.AuthorId).Select(s => s.DisplayName).FirstOrDefault() ?? "Unknown", n.At, n.Text))
            .ToListAsync(ct);
        var key = breachId.ToString();
        var history = await db.AuditEvents.AsNoTracking().Where(a => a.EntityType == "breach" && a.EntityId == key).OrderBy(a => a.Id)
            .Select(a => new HistoryItem(a.Id, a.At, a.ActorName, a.Action, a.Detail))
            .ToListAsync(ct);

        // What the page offers follows the same rules the server enforces (with a placeholder reason:
        // the reason is asked for on the page).
        var actor = new BreachActor(user.Id, user.Role, user.TeamId);
        bool Allowed(BreachAction action) => user.CanAct && BreachRules.Check(breach.State, action, actor, breach.ProposedBy, row.TeamId, "reason") is null;

        return new Details(
            breach.Id, breach.Number, breach.SubjectId, row.Name, row.CaseReference, row.Officer, breach.Kind, breach.Summary, breach.State,
            breach.ProposedBy, row.Proposer ?? "Unknown", breach.ProposedAt, row.Decider, breach.DecidedAt, breach.DecisionReason,
            Allowed(BreachAction.Confirm), Allowed(BreachAction.Withdraw), user.CanAct,
            alerts,
            [.. checkIns.Select(x => new EvidenceCheckIn(
                x.c.Id, x.c.CapturedAt, x.c.Outcome, x.c.MatchScore, x.c.LivenessScore,
                new MatchingPolicy(x.c.PolicyVersion, x.c.AcceptMatch, x.c.RejectMatch, x.c.AcceptLiveness, x.c.RejectLiveness),
                x.c.Location?.Y, x.c.Location?.X, x.c.AccuracyM, x.c.PhotoId, x.Decision, x.Reason, x.Reviewer, x.DecidedAt))],
            [.. trail.Values],
            notes,
            history);
    }
}
