using Dashboard.Audit;
using Dashboard.Data;
using Dashboard.Data.Entities;
using Dashboard.Domain;
using Dashboard.Live;
using Dashboard.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Dashboard.Features.Reviews;

/// <summary>
/// A reviewer's decision on a borderline check-in and its consequences, in one transaction: the photo
/// kept or deleted as the decision requires, an alert for a concern or a mismatch (never a breach), a
/// fresh prompt for "cannot tell", and the audit entry. Two reviewers deciding at once: one decision
/// stands, the other is told.
/// </summary>
public sealed class DecideReview(
    AccessRefusals refusals,
    IDbContextFactory<DashboardDb> dbFactory,
    ILiveNotifier live,
    AuditLog audit,
    IOptions<ReviewOptions> options,
    IOptions<MatchingOptions> matching,
    IOptions<ScheduleOptions> schedule,
    TimeProvider clock)
{
    public sealed record Command(Guid CheckInId, ReviewDecision Decision, string? Reason);

    public async Task<ReviewResult> HandleAsync(Command command, CurrentUser user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(user);
        if (!user.CanAct)
        {
            await refusals.RoleAsync(user, "deciding a review", null, "check-in", command.CheckInId, ct);
            return new ReviewResult.Refused("Auditors can read reviews but not decide them.");
        }

        var now = clock.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var review = await db.Reviews.Where(r => r.CheckInId == command.CheckInId && Scope.SubjectIds(db, user).Contains(r.SubjectId)).FirstOrDefaultAsync(ct);
        if (review is null)
        {
            return new ReviewResult.NotFound();
        }

        var holder = review.ClaimedBy is { } h ? await db.Staff.Where(s => s.Id == h).Select(s => s.DisplayName).FirstOrDefaultAsync(ct) : null;
        var reason = string.IsNullOrWhiteSpace(command.Reason) ? null : command.Reason.Trim();
        if (ReviewRules.CanDecide(new ReviewState(review.ClaimedBy, review.ClaimedUntil, review.Decision), user.Id, now, command.Decision, reason, holder) is { } refusal)
        {
            return new ReviewResult.Refused(refusal.Message);
        }

        if (reason is { Length: > 2000 })
        {
            return new ReviewResult.Refused("Keep the reason under 2,000 characters.");
        }

        var checkIn = await db.CheckIns.FirstAsync(c => c.Id == command.CheckInId, ct);
        review.Decision = command.Decision;
        review.Reason = reason;
        review.DecidedBy = user.Id;
        review.DecidedAt = now;
        review.ClaimedUntil = null;

        var (alertKind, deletePhoto, reprompt) = ReviewRules.Consequences(command.Decision);
        Alert? alert = null;
        if (alertKind is { } kind)
        {
            alert = new Alert
            {
                Id = Guid.CreateVersion7(),
                SubjectId = review.SubjectId,
                Kind = kind,
                State = AlertState.Open,
                EpisodeKey = "review:" + review.Id,
                RaisedAt = now,
                Summary = $"{ReviewRules.Describe(command.Decision)} (decided by {user.Name}): {reason}",
                CheckInId = checkIn.Id,
                PromptId = checkIn.PromptId,
                Location = checkIn.Location,
            };
            db.Alerts.Add(alert);
        }

        string photoNote = "no photo held";
        if (checkIn.PhotoId is { } photoId)
        {
            if (deletePhoto)
            {
                // Least data: nothing of concern, so the photo goes; the scores and the decision stay.
                await db.Photos.Where(p => p.Id == photoId && !p.LegalHold).ExecuteDeleteAsync(ct);
                checkIn.PhotoId = null;
                photoNote = "photo deleted";
            }
            else
            {
                var days = command.Decision == ReviewDecision.SamePersonWithConcern
                    ? options.Value.ConcernPhotoRetentionDays
                    : options.Value.NotSamePersonPhotoRetentionDays;
                await db.Photos.Where(p => p.Id == photoId)
                    .ExecuteUpdateAsync(s => s.SetProperty(p => p.RetainUntil, now.AddDays(days)), ct);
                photoNote = $"photo kept for {days} days";
            }
        }

        if (reprompt)
        {
            // Never at night: a request decided after the waking window waits for the morning.
            var due = PromptSchedule.EarliestWaking(now.AddMinutes(options.Value.RepromptAfterMinutes), schedule.Value);
            var prompt = new Prompt
            {
                Id = Guid.CreateVersion7(),
                SubjectId = review.SubjectId,
                DeviceId = checkIn.DeviceId,
                DueAt = due,
                WindowEndsAt = due.AddMinutes(matching.Value.ResponseWindowMinutes),
                Status = PromptStatus.Pending,
                Origin = PromptOrigin.Reprompt,
                FollowsCheckInId = checkIn.Id,
            };
            db.Prompts.Add(prompt);
            review.RepromptId = prompt.Id;
            photoNote += due > now.AddMinutes(options.Value.RepromptAfterMinutes)
                ? "; fresh check-in requested for " + TimeZoneInfo.ConvertTime(due, TimeZoneInfo.FindSystemTimeZoneById(schedule.Value.TimeZone))
                    .ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture) + " (the start of waking hours)"
                : "; fresh check-in requested";
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return new ReviewResult.Refused("Someone else decided this check-in a moment ago. Reload to see their decision.");
        }

        await audit.AppendAsync(db, new AuditEntry(user.Id, user.Name, "review-decided", review.SubjectId, "check-in", checkIn.Id.ToString(),
            $"{ReviewRules.Describe(command.Decision)}. Reason: {reason ?? "none needed"}. {photoNote}."), ct);
        await tx.CommitAsync(ct);

        await live.ReviewChangedAsync(new ReviewChanged(review.Id, checkIn.Id, review.SubjectId, command.Decision.ToString(), null, now), CancellationToken.None);
        if (alert is not null)
        {
            await live.AlertRaisedAsync(new AlertRaised(alert.Id, alert.SubjectId, alert.Kind, alert.Summary, now), CancellationToken.None);
        }

        return new ReviewResult.Done();
    }
}
