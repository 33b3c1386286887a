using Dashboard.Data;
using Dashboard.Domain;
using Dashboard.Security;
using Microsoft.EntityFrameworkCore;

namespace Dashboard.Features.Alerts;

/// <summary>
/// For supervisors (their team) and auditors (everyone): how much the alert rules ask of officers. Alerts
/// raised, dismissed and turned into breaches per officer per day (London days), the median time to
/// acknowledge, and the share dismissed per kind: a kind that is mostly dismissed is a noisy rule to tune.
/// </summary>
public sealed class GetAlertLoad(IDbContextFactory<DashboardDb> dbFactory, TimeProvider clock)
{
    public sealed record Day(DateOnly Date, string Officer, int Raised, int Dismissed, int ToBreach);

    public sealed record KindShare(AlertKind Kind, int Raised, int Dismissed)
    {
        public double Fraction => Raised == 0 ? 0 : (double)Dismissed / Raised;
    }

    public sealed record Result(int Days, IReadOnlyList<Day> PerOfficerPerDay, TimeSpan? MedianTimeToAcknowledge, int Acknowledged, IReadOnlyList<KindShare> DismissedByKind)
    {
        public IReadOnlyList<string> Officers => [.. PerOfficerPerDay.Select(d => d.Officer).Distinct().Order(StringComparer.Ordinal)];
    }

    private sealed record DayRow(DateOnly Date, string Officer, int Raised, int Dismissed, int ToBreach);

    private sealed record KindRow(string Kind, int Raised, int Dismissed);

    private sealed record AckRow(double? MedianSeconds, int Acknowledged);

    /// <summary>Null when the user may not see the panel (officers).</summary>
    public async Task<Result?> HandleAsync(CurrentUser user, int days, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (user.Role is not (StaffRole.Supervisor or StaffRole.Auditor))
        {
            return null;
        }

        days = Math.Clamp(days, 1, 90);
        var since = clock.GetUtcNow().AddDays(-days);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var subjectIds = await Scope.SubjectIds(db, user).ToArrayAsync(ct);

        // Each event counts on the London day it happened: raised on raised_at, dismissed on dismissed_at,
        // turned into a breach on the breach's proposal.
        var perDay = await db.Database.SqlQuery<DayRow>($"""
            WITH events AS (
                SELECT a.subject_id, (a.raised_at AT TIME ZONE 'Europe/London')::date AS day, 1 AS raised, 0 AS dismissed, 0 AS to_breach
                FROM alerts a WHERE a.subject_id = ANY({subjectIds}) AND a.raised_at >= {since}
                UNION ALL
                SELECT a.subject_id, (a.dismissed_at AT TIME ZONE 'Europe/London')::date, 0, 1, 0
                FROM alerts a WHERE a.subject_id = ANY({subjectIds}) AND a.state = 'Dismissed' AND a.dismissed_at >= {since}
                UNION ALL
                SELECT b.subject_id, (b.proposed_at AT TIME ZONE 'Europe/London')::date, 0, 0, 1
                FROM breaches b JOIN breach_alerts ba ON ba.breach_id = b.id
                WHERE b.subject_id = ANY({subjectIds}) AND b.proposed_at >= {since}
            )
            SELECT e.day AS date, o.display_name AS officer, sum(e.raised)::int AS raised,
                   sum(e.dismissed)::int AS dismissed, sum(e.to_breach)::int AS to_breach
            FROM events e JOIN subjects s ON s.id = e.subject_id JOIN staff o ON o.id = s.officer_id
            GROUP BY e.day, o.display_name
            ORDER BY e.day, o.display_name
            """).ToListAsync(ct);

        var ack = await db.Database.SqlQuery<AckRow>($"""
            SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM a.acknowledged_at - a.raised_at))::float8 AS median_seconds,
                   count(*)::int AS acknowledged
            FROM alerts a
            WHERE a.subject_id = ANY({subjectIds}) AND a.acknowledged_at IS NOT NULL AND a.acknowledged_at >= {since}
            """).SingleAsync(ct);

        var byKind = await db.Database.SqlQuery<KindRow>($"""
            SELECT a.kind AS kind, count(*)::int AS raised, count(*) FILTER (WHERE a.state = 'Dismissed')::int AS dismissed
            FROM alerts a
            WHERE a.subject_id = ANY({subjectIds}) AND a.raised_at >= {since}
            GROUP BY a.kind
            """).ToListAsync(ct);

        return new Result(
            days,
            [.. perDay.Select(d => new Day(d.Date, d.Officer, d.Raised, d.Dismissed, d.ToBreach))],
            ack.MedianSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
            ack.Acknowledged,
            [.. byKind.Select(k => new KindShare(Enum.Parse<AlertKind>(k.Kind), k.Raised, k.Dismissed))
                .OrderByDescending(k => k.Fraction).ThenBy(k => k.Kind)]);
    }
}
