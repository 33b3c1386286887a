using System.ComponentModel.DataAnnotations;
using Dashboard.Audit;
using Dashboard.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Dashboard.Features.Retention;

/// <summary>The <c>Retention</c> section: how long check-in photos (when no decision set a period) and location fixes are kept.</summary>
public sealed class RetentionOptions
{
    public const string Section = "Retention";

    /// <summary>Check-in photos without a review decision's period are deleted after this many days (default 30).</summary>
    [Range(1, 36500)]
    public int PhotoDays { get; set; } = 30;

    /// <summary>How often the purge runs (default hourly; it is cheap when there is nothing to do).</summary>
    [Range(1, 24 * 60)]
    public int IntervalMinutes { get; set; } = 60;

    /// <summary>Location fixes are kept this many months; older daily partitions are dropped (default 12).</summary>
    [Range(1, 1200)]
    public int LocationMonths { get; set; } = 12;

    /// <summary>How often location retention runs (default daily).</summary>
    [Range(1, 24 * 31)]
    public int LocationIntervalHours { get; set; } = 24;
}

/// <summary>
/// Least data: deletes check-in photos whose time is up: the period a review decision set
/// (<c>retain_until</c>), or the default period for the rest. Never a reference photo, never one under
/// legal hold, never one awaiting review, and never one that is evidence in a proposed or confirmed
/// breach. The check-in keeps its scores; each deletion is written to the audit log with the subject (the
/// person's transparency history shows it), and each run that deleted anything adds one entry with the counts.
/// Safe on several instances: rows are taken with <c>FOR UPDATE SKIP LOCKED</c>.
/// </summary>
public sealed class PhotoRetention(
    IDbContextFactory<DashboardDb> dbFactory,
    AuditLog audit,
    IOptions<RetentionOptions> options,
    TimeProvider clock,
    ILogger<PhotoRetention> logger) : BackgroundService
{
    private const int BatchSize = 500;

    /// <summary>The audit action of a run's summary (the per-photo entries are <c>photo-deleted</c>).</summary>
    public const string RunAction = "photos-purged";

    private sealed record Due(Guid PhotoId, Guid SubjectId, Guid? CheckInId, DateTimeOffset? RetainUntil);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(options.Value.IntervalMinutes), clock);
        do
        {
            try
            {
                var deleted = await PurgeAsync(stoppingToken);
                if (deleted > 0)
                {
                    logger.LogInformation("Retention deleted {Count} check-in photos", deleted);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A failed run must not stop the app; the next run tries again.
                logger.LogError(ex, "Photo retention could not run; it will try again");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Deletes every photo that is due, in batches, and records the run's counts; returns how many.</summary>
    public async Task<int> PurgeAsync(CancellationToken ct)
    {
        var total = 0;
        var decided = 0;
        while (true)
        {
            var (deleted, byDecision) = await PurgeBatchAsync(ct);
            total += deleted;
            decided += byDecision;
            if (deleted < BatchSize)
            {
                break;
            }
        }

        if (total > 0)
        {
            // A run that found nothing adds nothing: the hourly timer must not fill the log.
            await audit.AppendAsync(new AuditEntry(null, "Retention", RunAction, null, "photos", total.ToString(System.Globalization.CultureInfo.InvariantCulture),
                RunDetail(total, decided, options.Value.PhotoDays)), ct);
        }

        return total;
    }

    public static string RunDetail(int total, int decided, int photoDays) => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"Retention deleted {total} check-in {(total == 1 ? "photo" : "photos")}: {decided} at the end of a period a review decision set, {total - decided} older than the {photoDays}-day retention period.");

    private async Task<(int Deleted, int ByDecision)> PurgeBatchAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var defaultCutoff = now.AddDays(-options.Value.PhotoDays);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var due = await db.Database.SqlQuery<Due>($"""
            SELECT p.id AS photo_id, p.subject_id, c.id AS check_in_id, p.retain_until
            FROM photos p
            LEFT JOIN check_ins c ON c.photo_id = p.id
            WHERE p.kind = 'CheckIn' AND NOT p.legal_hold
              AND (p.retain_until < {now} OR (p.retain_until IS NULL AND p.created_at < {defaultCutoff}))
              AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.check_in_id = c.id AND r.decision IS NULL)
              AND NOT EXISTS (
                  SELECT 1 FROM alerts a
                  JOIN breach_alerts ba ON ba.alert_id = a.id
                  JOIN breaches b ON b.id = ba.breach_id
                  WHERE a.check_in_id = c.id AND b.state IN ('Proposed', 'Confirmed'))
            ORDER BY p.created_at
            LIMIT {BatchSize}
            FOR UPDATE OF p SKIP LOCKED
            """).ToListAsync(ct);
        if (due.Count == 0)
        {
            return (0, 0);
        }

        var ids = due.Select(d => d.PhotoId).ToArray();
        await db.CheckIns.Where(c => c.PhotoId != null && ids.Contains(c.PhotoId.Value)).ExecuteUpdateAsync(s => s.SetProperty(c => c.PhotoId, (Guid?)null), ct);
        await db.Photos.Where(p => ids.Contains(p.Id)).ExecuteDeleteAsync(ct);
        foreach (var photo in due)
        {
            var why = photo.RetainUntil is { } until
                ? $"kept until {until:yyyy-MM-dd HH:mm} UTC by a review decision"
                : $"older than the {options.Value.PhotoDays}-day retention period";
            await audit.AppendAsync(db, new AuditEntry(null, "Retention", "photo-deleted", photo.SubjectId,
                photo.CheckInId is null ? "photo" : "check-in", (photo.CheckInId ?? photo.PhotoId).ToString(),
                $"Check-in photo deleted by retention: {why}. Scores and decisions are kept."), ct);
        }

        await tx.CommitAsync(ct);
        return (due.Count, due.Count(d => d.RetainUntil is not null));
    }
}
