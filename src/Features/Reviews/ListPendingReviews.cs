using Dashboard.Data;
using Dashboard.Security;
using Microsoft.EntityFrameworkCore;

namespace Dashboard.Features.Reviews;

/// <summary>The borderline check-ins waiting for a person in the user's scope, oldest first.</summary>
public sealed class ListPendingReviews(IDbContextFactory<DashboardDb> dbFactory, TimeProvider clock)
{
    public sealed record Item(
        Guid ReviewId,
        Guid CheckInId,
        Guid SubjectId,
        string SubjectName,
        string CaseReference,
        DateTimeOffset CapturedAt,
        DateTimeOffset DueBy,
        double MatchScore,
        double LivenessScore,
        string? ClaimedBy,
        DateTimeOffset? ClaimedUntil)
    {
        public bool IsOverdue(DateTimeOffset now) => DueBy < now;
    }

    public async Task<IReadOnlyList<Item>> HandleAsync(CurrentUser user, int take, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        return await (from r in db.Reviews.AsNoTracking()
                      join s in Scope.Subjects(db, user) on r.SubjectId equals s.Id
                      join c in db.CheckIns on r.CheckInId equals c.Id
                      where r.Decision == null
                      orderby r.CreatedAt
                      select new Item(
                          r.Id, c.Id, s.Id, s.GivenName + " " + s.FamilyName, s.CaseReference, c.CapturedAt, r.DueBy,
                          c.MatchScore, c.LivenessScore,
                          r.ClaimedUntil > now ? db.Staff.Where(o => o.Id == r.ClaimedBy).Select(o => o.DisplayName).FirstOrDefault() : null,
                          r.ClaimedUntil > now ? r.ClaimedUntil : null))
            .Take(Math.Clamp(take, 1, 500))
            .ToListAsync(ct);
    }
}
