using Dashboard.Data;
using Dashboard.Domain;
using Dashboard.Security;
using Microsoft.EntityFrameworkCore;

namespace Dashboard.Features.Reviews;

/// <summary>
/// For supervisors: how the review queue is doing, and where honest people land in the borderline band.
/// A device model or an hour of day whose borderline items are mostly decided "same person" points at a
/// camera or lighting problem that puts people under suspicion for nothing.
/// </summary>
public sealed class GetReviewQuality(IDbContextFactory<DashboardDb> dbFactory, TimeProvider clock)
{
    private static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

    public sealed record Share(string Group, int Decided, int SamePerson)
    {
        public double Fraction => Decided == 0 ? 0 : (double)SamePerson / Decided;
    }

    public sealed record Result(
        int Waiting,
        TimeSpan? OldestWaiting,
        TimeSpan? MedianTimeToDecision,
        IReadOnlyList<(string Reviewer, int Decisions)> PerReviewer,
        IReadOnlyList<Share> ByDeviceModel,
        IReadOnlyList<Share> ByHour);

    public async Task<Result> HandleAsync(CurrentUser user, int days, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        var now = clock.GetUtcNow();
        var since = now.AddDays(-Math.Clamp(days, 1, 365));
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var ids = Scope.SubjectIds(db, user);
        var waiting = await db.Reviews.AsNoTracking().Where(r => ids.Contains(r.SubjectId) && r.Decision == null)
            .GroupBy(_ => 1).Select(g => new { Count = g.Count(), Oldest = g.Min(r => r.CreatedAt) }).FirstOrDefaultAsync(ct);
        var decided = await (from r in db.Reviews.AsNoTracking()
                             join c in db.CheckIns on r.CheckInId equals c.Id
                             where ids.Contains(r.SubjectId) && r.Decision != null && r.DecidedAt >= since
                             select new
                             {
                                 r.Decision,
                                 r.CreatedAt,
                                 DecidedAt = r.DecidedAt!.Value,
                                 Reviewer = db.Staff.Where(s => s.Id == r.DecidedBy).Select(s => s.DisplayName).FirstOrDefault() ?? "Unknown",
                                 Model = db.Devices.Where(d => d.Id == c.DeviceId).Select(d => d.Model).FirstOrDefault() ?? "Unknown",
                                 c.CapturedAt,
                             }).ToListAsync(ct);

        var durations = decided.Select(d => (d.DecidedAt - d.CreatedAt).TotalSeconds).Order().ToList();
        TimeSpan? median = durations.Count == 0 ? null : TimeSpan.FromSeconds(durations[durations.Count / 2]);
        static bool Same(ReviewDecision? d) => d is ReviewDecision.SamePersonNoConcern or ReviewDecision.SamePersonWithConcern;
        return new Result(
            waiting?.Count ?? 0,
            waiting is null ? null : now - waiting.Oldest,
            median,
            [.. decided.GroupBy(d => d.Reviewer).Select(g => (g.Key, g.Count())).OrderByDescending(x => x.Item2)],
            [.. decided.GroupBy(d => d.Model).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => new Share(g.Key, g.Count(), g.Count(x => Same(x.Decision))))],
            [.. decided.GroupBy(d => TimeZoneInfo.ConvertTime(d.CapturedAt, London).Hour).OrderBy(g => g.Key)
                .Select(g => new Share($"{g.Key:00}:00", g.Count(), g.Count(x => Same(x.Decision))))]);
    }
}
