using Dashboard.Data;
using Dashboard.Domain;
using Dashboard.Security;
using Microsoft.EntityFrameworkCore;

namespace Dashboard.Features.Reviews;

/// <summary>What the review screen needs to decide one borderline check-in; null outside the user's scope.</summary>
public sealed class GetReview(IDbContextFactory<DashboardDb> dbFactory, TimeProvider clock)
{
    public sealed record RecentCheckIn(Guid Id, DateTimeOffset CapturedAt, CheckInOutcome Outcome, double MatchScore, double LivenessScore);

    public sealed record Details(
        Guid ReviewId,
        Guid CheckInId,
        Guid SubjectId,
        string SubjectName,
        string CaseReference,
        DateTimeOffset CapturedAt,
        DateTimeOffset DueBy,
        string DeviceId,
        string DeviceModel,
        double MatchScore,
        double LivenessScore,
        MatchingPolicy Policy,
        double? Lat,
        double? Lon,
        double? AccuracyM,
        Guid? ReferencePhotoId,
        Guid? CapturedPhotoId,
        Guid? ClaimedById,
        string? ClaimedBy,
        DateTimeOffset? ClaimedUntil,
        ReviewDecision? Decision,
        string? Reason,
        string? DecidedBy,
        DateTimeOffset? DecidedAt,
        IReadOnlyList<RecentCheckIn> Recent)
    {
        public string Explanation => Policy.Explain(MatchScore, LivenessScore);
    }

    public async Task<Details?> HandleAsync(Guid checkInId, CurrentUser user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        var now = clock.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await (from r in db.Reviews.AsNoTracking()
                         join s in Scope.Subjects(db, user) on r.SubjectId equals s.Id
                         join c in db.CheckIns on r.CheckInId equals c.Id
                         where r.CheckInId == checkInId
                         select new
                         {
                             r,
                             c,
                             Name = s.GivenName + " " + s.FamilyName,
                             s.CaseReference,
                             s.ReferencePhotoId,
                             Model = db.Devices.Where(d => d.Id == c.DeviceId).Select(d => d.Model).FirstOrDefault(),
                             Holder = db.Staff.Where(o => o.Id == r.ClaimedBy).Select(o => o.DisplayName).FirstOrDefault(),
                             Decider = db.Staff.Where(o => o.Id == r.DecidedBy).Select(o => o.DisplayName).FirstOrDefault(),
                         }).FirstOrDefaultAsync(ct);
        if (row is null)
        {
            return null;
        }

        var recent = await db.CheckIns.AsNoTracking()
            .Where(c => c.SubjectId == row.r.SubjectId && c.Id != checkInId && !c.Synthetic)
            .OrderByDescending(c => c.CapturedAt).Take(10)
            .Select(c => new RecentCheckIn(c.Id, c.CapturedAt, c.Outcome, c.MatchScore, c.LivenessScore))
            .ToListAsync(ct);
        var (review, checkIn) = (row.r, row.c);
        var claimLive = review.ClaimedUntil > now;
        return new Details(review.Id, checkIn.Id, review.SubjectId, row.Name, row.CaseReference, checkIn.CapturedAt, review.DueBy, checkIn.DeviceId, row.Model ?? "Unknown",
            checkIn.MatchScore, checkIn.LivenessScore, new MatchingPolicy(checkIn.PolicyVersion, checkIn.AcceptMatch, checkIn.RejectMatch, checkIn.AcceptLiveness, checkIn.RejectLiveness),
            checkIn.Location?.Y, checkIn.Location?.X, checkIn.AccuracyM, row.ReferencePhotoId, checkIn.PhotoId,
            claimLive ? review.ClaimedBy : null, claimLive ? row.Holder : null, claimLive ? review.ClaimedUntil : null,
            review.Decision, review.Reason, row.Decider, review.DecidedAt, recent);
    }
}
