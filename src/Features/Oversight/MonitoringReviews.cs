using System.Text.Json;
using Dashboard.Audit;
using Dashboard.Data;
using Dashboard.Data.Entities;
using Dashboard.Domain;
using Dashboard.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Dashboard.Features.Oversight;

/// <summary>
/// The queue of proportionality reviews due or overdue: an officer's own caseload, a supervisor's team,
/// every caseload for an auditor (read-only). Only people still monitored are reviewed.
/// </summary>
public sealed class ListMonitoringReviews(IDbContextFactory<DashboardDb> dbFactory, IOptions<OversightOptions> options, TimeProvider clock)
{
    public sealed record Item(Guid SubjectId, string Name, string CaseReference, string Officer, DateOnly DueOn, MonitoringReviewStatus Status, DateOnly? LastReviewedOn);

    public async Task<IReadOnlyList<Item>> HandleAsync(CurrentUser user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        var now = clock.GetUtcNow();
        var today = MonitoringReviewDates.Today(now);
        var horizon = today.AddDays(options.Value.ReviewDueSoonDays);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await Scope.Subjects(db, user)
            .Where(s => s.ReviewDueOn <= horizon && (s.MonitoringEnd == null || s.MonitoringEnd > now))
            .OrderBy(s => s.ReviewDueOn).ThenBy(s => s.CaseReference)
            .Select(s => new
            {
                s.Id,
                Name = s.GivenName + " " + s.FamilyName,
                s.CaseReference,
                Officer = db.Staff.Where(o => o.Id == s.OfficerId).Select(o => o.DisplayName).FirstOrDefault() ?? "",
                s.ReviewDueOn,
                Last = db.MonitoringReviews.Where(r => r.SubjectId == s.Id).Max(r => (DateTimeOffset?)r.ReviewedAt),
            })
            .ToListAsync(ct);
        return [.. rows.Select(r => new Item(r.Id, r.Name, r.CaseReference, r.Officer, r.ReviewDueOn,
            MonitoringReviewRules.Status(r.ReviewDueOn, today, options.Value.ReviewDueSoonDays),
            r.Last is { } last ? MonitoringReviewDates.Day(last) : null))];
    }

    /// <summary>Overdue reviews in the user's scope, for the dashboard card.</summary>
    public async Task<int> CountOverdueAsync(CurrentUser user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        var now = clock.GetUtcNow();
        var today = MonitoringReviewDates.Today(now);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await Scope.Subjects(db, user).CountAsync(s => s.ReviewDueOn < today && (s.MonitoringEnd == null || s.MonitoringEnd > now), ct);
    }
}

/// <summary>Review dates are London calendar days.</summary>
public static class MonitoringReviewDates
{
    private static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

    public static DateOnly Day(DateTimeOffset utc) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(utc, London).DateTime);

    public static DateOnly Today(DateTimeOffset now) => Day(now);
}

/// <summary>What the review form shows about one person, and the reviews recorded before.</summary>
public sealed class GetMonitoringReview(IDbContextFactory<DashboardDb> dbFactory, IOptions<OversightOptions> options, TimeProvider clock)
{
    public sealed record PastReview(Guid Id, DateOnly DueOn, DateTimeOffset ReviewedAt, string ReviewedBy, IReadOnlyList<ConditionFinding> Conditions,
        bool FrequencyAppropriate, string? FrequencyNote, string? Representations, MonitoringReviewOutcome Outcome, string Reasons, DateOnly NextDueOn);

    public sealed record Details(Guid SubjectId, string Name, string CaseReference, string Officer, DateOnly DueOn, MonitoringReviewStatus Status,
        IReadOnlyList<string> ActiveZones, DateOnly DefaultNextDue, DateOnly LatestNextDue, IReadOnlyList<PastReview> History);

    public async Task<Details?> HandleAsync(Guid subjectId, CurrentUser user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        var today = MonitoringReviewDates.Today(clock.GetUtcNow());
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var s = await Scope.Subjects(db, user).Where(x => x.Id == subjectId)
            .Select(x => new
            {
                x.Id,
                Name = x.GivenName + " " + x.FamilyName,
                x.CaseReference,
                Officer = db.Staff.Where(o => o.Id == x.OfficerId).Select(o => o.DisplayName).FirstOrDefault() ?? "",
                x.ReviewDueOn,
            })
            .FirstOrDefaultAsync(ct);
        if (s is null)
        {
            return null;
        }

        var zones = await db.Zones.Where(z => z.SubjectId == subjectId && z.Active).OrderBy(z => z.Name)
            .Select(z => z.Name + (z.Kind == ZoneKind.Exclusion ? " (exclusion)" : " (curfew)")).ToListAsync(ct);
        var history = await (from r in db.MonitoringReviews
                             where r.SubjectId == subjectId
                             orderby r.ReviewedAt descending
                             select new { r, By = db.Staff.Where(o => o.Id == r.ReviewedBy).Select(o => o.DisplayName).FirstOrDefault() })
            .Take(20).ToListAsync(ct);
        var interval = options.Value.ReviewIntervalMonths;
        return new Details(s.Id, s.Name, s.CaseReference, s.Officer, s.ReviewDueOn,
            MonitoringReviewRules.Status(s.ReviewDueOn, today, options.Value.ReviewDueSoonDays), zones,
            MonitoringReviewRules.NextDue(today, interval), MonitoringReviewRules.NextDue(today, interval),
            [.. history.Select(h => new PastReview(h.r.Id, h.r.DueOn, h.r.ReviewedAt, h.By ?? "Unknown", MonitoringReviewJson.Read(h.r.Conditions),
                h.r.FrequencyAppropriate, h.r.FrequencyNote, h.r.Representations, h.r.Outcome, h.r.Reasons, h.r.NextDueOn))]);
    }
}

/// <summary>
/// Records a proportionality review and sets the next due date, in one transaction with its audit entry.
/// The due date it answered is checked on write, so two people reviewing at once record one review.
/// </summary>
public sealed class RecordMonitoringReview(IDbContextFactory<DashboardDb> dbFactory, AuditLog audit, IOptions<OversightOptions> options, TimeProvider clock)
{
    public sealed record Command(Guid SubjectId, DateOnly DueOn, IReadOnlyList<ConditionFinding> Conditions, bool FrequencyAppropriate, string? FrequencyNote,
        string? Representations, MonitoringReviewOutcome Outcome, string? Reasons, DateOnly NextDueOn);

    public async Task<OversightResult> HandleAsync(Command command, CurrentUser user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(user);
        var now = clock.GetUtcNow();
        var today = MonitoringReviewDates.Today(now);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!await Scope.SubjectIds(db, user).AnyAsync(id => id == command.SubjectId, ct))
        {
            return new OversightResult.NotFound();
        }

        if (MonitoringReviewRules.CanRecord(user.Role, command.Conditions, command.Outcome, command.Reasons, command.NextDueOn, today, options.Value.ReviewIntervalMonths) is { } refusal)
        {
            return new OversightResult.Refused(refusal.Message);
        }

        if (command.FrequencyNote is { Length: > 2000 } || command.Representations is { Length: > 8000 })
        {
            return new OversightResult.Refused("Keep the frequency note under 2,000 characters and the representations under 8,000.");
        }

        var review = new MonitoringReview
        {
            Id = Guid.CreateVersion7(),
            SubjectId = command.SubjectId,
            DueOn = command.DueOn,
            ReviewedBy = user.Id,
            ReviewedAt = now,
            Conditions = MonitoringReviewJson.Write(command.Conditions),
            FrequencyAppropriate = command.FrequencyAppropriate,
            FrequencyNote = Trim(command.FrequencyNote),
            Representations = Trim(command.Representations),
            Outcome = command.Outcome,
            Reasons = command.Reasons!.Trim(),
            NextDueOn = command.NextDueOn,
        };

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var moved = await db.Subjects.Where(s => s.Id == command.SubjectId && s.ReviewDueOn == command.DueOn)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.ReviewDueOn, command.NextDueOn), ct);
        if (moved == 0)
        {
            return new OversightResult.Refused("Someone recorded this review a moment ago. Reload to see it.");
        }

        db.MonitoringReviews.Add(review);
        await db.SaveChangesAsync(ct);
        var unnecessary = command.Conditions.Where(c => !c.StillNecessary).Select(c => c.Condition.ToLowerInvariant()).ToList();
        await audit.AppendAsync(db, new AuditEntry(user.Id, user.Name, "monitoring-review-recorded", command.SubjectId, "monitoring-review", review.Id.ToString(),
            $"Review due {command.DueOn:yyyy-MM-dd}: {command.Outcome}. " +
            (unnecessary.Count == 0 ? "Every condition still necessary. " : $"No longer necessary: {string.Join(", ", unnecessary)}. ") +
            $"Frequency {(command.FrequencyAppropriate ? "appropriate" : "not appropriate")}. Representations {(review.Representations is null ? "none recorded" : "recorded")}. " +
            $"Reasons: {review.Reasons}. Next review due {command.NextDueOn:yyyy-MM-dd}."), ct);
        await tx.CommitAsync(ct);
        return new OversightResult.Done(review.Id);
    }

    private static string? Trim(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}

/// <summary>The stored form of a review's condition findings (the <c>conditions</c> JSON array).</summary>
public static class MonitoringReviewJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static string Write(IReadOnlyList<ConditionFinding> findings) => JsonSerializer.Serialize(findings, Options);

    public static IReadOnlyList<ConditionFinding> Read(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<List<ConditionFinding>>(json, Options) ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }
}
