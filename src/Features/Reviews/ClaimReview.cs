using Dashboard.Audit;
using Dashboard.Data;
using Dashboard.Domain;
using Dashboard.Live;
using Dashboard.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Dashboard.Features.Reviews;

/// <summary>Opening a check-in for decision claims it (ten minutes by default); leaving releases it.</summary>
public sealed class ClaimReview(IDbContextFactory<DashboardDb> dbFactory, ILiveNotifier live, AuditLog audit, IOptions<ReviewOptions> options, TimeProvider clock)
{
    public async Task<ReviewResult> ClaimAsync(Guid checkInId, CurrentUser user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (!user.CanAct)
        {
            return new ReviewResult.Refused("Auditors can read reviews but not claim them.");
        }

        var now = clock.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var review = await db.Reviews.Where(r => r.CheckInId == checkInId && Scope.SubjectIds(db, user).Contains(r.SubjectId)).FirstOrDefaultAsync(ct);
        if (review is null)
        {
            return new ReviewResult.NotFound();
        }

        var holder = review.ClaimedBy is { } h ? await db.Staff.Where(s => s.Id == h).Select(s => s.DisplayName).FirstOrDefaultAsync(ct) : null;
        if (ReviewRules.CanClaim(new ReviewState(review.ClaimedBy, review.ClaimedUntil, review.Decision), user.Id, now, holder) is { } refusal)
        {
            return new ReviewResult.Refused(refusal.Message);
        }

        var renewing = review.ClaimedBy == user.Id && review.ClaimedUntil > now;
        review.ClaimedBy = user.Id;
        review.ClaimedUntil = now.AddMinutes(options.Value.ClaimMinutes);
        try
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await db.SaveChangesAsync(ct);
            if (!renewing)
            {
                await audit.AppendAsync(db, new AuditEntry(user.Id, user.Name, "review-claimed", review.SubjectId, "check-in", checkInId.ToString()), ct);
            }

            await tx.CommitAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return new ReviewResult.Refused("Someone else opened this check-in a moment ago.");
        }

        await live.ReviewChangedAsync(new ReviewChanged(review.Id, checkInId, review.SubjectId, "Claimed", user.Name, now), CancellationToken.None);
        return new ReviewResult.Done();
    }

    public async Task ReleaseAsync(Guid checkInId, CurrentUser user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var released = await db.Reviews
            .Where(r => r.CheckInId == checkInId && r.ClaimedBy == user.Id && r.Decision == null)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.ClaimedBy, (Guid?)null).SetProperty(r => r.ClaimedUntil, (DateTimeOffset?)null), ct);
        if (released > 0)
        {
            var review = await db.Reviews.AsNoTracking().Where(r => r.CheckInId == checkInId).Select(r => new { r.Id, r.SubjectId }).FirstAsync(ct);
            await live.ReviewChangedAsync(new ReviewChanged(review.Id, checkInId, review.SubjectId, "Released", null, clock.GetUtcNow()), CancellationToken.None);
        }
    }
}
