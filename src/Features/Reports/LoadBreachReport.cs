using Dashboard.Data;
using Dashboard.Domain;
using Dashboard.Security;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Dashboard.Features.Reports;

/// <summary>Everything a breach report shows, read in one go (no lazy loading while the PDF is drawn).</summary>
public sealed record BreachReportData(
    Guid BreachId,
    string BreachNumber,
    AlertKind Kind,
    string Summary,
    BreachState State,
    string ProposedBy,
    string ProposedByRole,
    DateTimeOffset ProposedAt,
    string? DecidedBy,
    string? DecidedByRole,
    DateTimeOffset? DecidedAt,
    string? DecisionReason,
    Guid SubjectId,
    string CaseReference,
    string SubjectName,
    string OfficerName,
    string? TeamName,
    DateTimeOffset MonitoringStart,
    DateTimeOffset? MonitoringEnd,
    IReadOnlyList<BreachReportData.TimelineItem> Timeline,
    IReadOnlyList<BreachReportData.ScorePoint> Scores,
    DateTimeOffset PeriodFrom,
    DateTimeOffset PeriodTo,
    IReadOnlyList<BreachReportData.TrailPoint> Trail,
    IReadOnlyList<BreachReportData.ZoneShape> Zones,
    IReadOnlyList<BreachReportData.MapMarker> Markers,
    IReadOnlyList<BreachReportData.AuditItem> Audit,
    IReadOnlyList<BreachReportData.PhotoItem> Photos)
{
    public enum ItemKind
    {
        Alert,
        CheckIn,
        DeviceEvent,
        Note,
    }

    /// <summary>One row of the evidence timeline, in time order.</summary>
    public sealed record TimelineItem(DateTimeOffset At, ItemKind Kind, string Label, string What, string Scores, string Decision);

    public sealed record ScorePoint(DateTimeOffset At, double Match, double AcceptMatch, double RejectMatch, CheckInOutcome Outcome, bool Evidence);

    public sealed record TrailPoint(DateTimeOffset At, double Lat, double Lon, bool StartsSegment);

    public sealed record ZoneShape(string Name, ZoneKind Kind, IReadOnlyList<(double Lat, double Lon)> Ring);

    public sealed record MapMarker(DateTimeOffset At, double Lat, double Lon, bool IsAlert, string Label);

    public sealed record AuditItem(long Id, DateTimeOffset At, string Who, string Action, string? Detail);

    public sealed record PhotoItem(DateTimeOffset At, string Caption, byte[] Jpeg);

    public int AlertCount => Timeline.Count(t => t.Kind == ItemKind.Alert);

    public int CheckInCount => Timeline.Count(t => t.Kind == ItemKind.CheckIn);
}

/// <summary>
/// Reads a breach report's content for a user: null when the breach is outside their scope. The
/// evidence is the breach's alerts, the check-ins behind them (scores, policy, review), the device events
/// of the person while the evidence ran, and the breach's notes; the trail is what the device reported
/// within <see cref="TrailWindow"/> of each alert and check-in; the score chart covers the evidence period
/// with a week before it.
/// </summary>
public sealed class LoadBreachReport(IDbContextFactory<DashboardDb> dbFactory, NpgsqlDataSource dataSource)
{
    public static readonly TimeSpan TrailWindow = TimeSpan.FromMinutes(30);
    public static readonly TimeSpan ScoreLeadIn = TimeSpan.FromDays(7);
    public const int MaxTrailPoints = 4000;
    public const int MaxDeviceEvents = 1000;
    public const int MaxScorePoints = 3000;

    private const string TrailSql = """
        SELECT at, ST_Y(location::geometry), ST_X(location::geometry)
        FROM location_pings
        WHERE subject_id = $1 AND at >= $2 AND at <= $3
        ORDER BY at
        """;

    public async Task<BreachReportData?> HandleAsync(Guid breachId, CurrentUser user, bool includePhotos, CancellationToken ct)
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
                             s.CaseReference,
                             Name = s.GivenName + " " + s.FamilyName,
                             s.MonitoringStart,
                             s.MonitoringEnd,
                             Officer = o.DisplayName,
                             Team = db.Teams.Where(t => t.Id == o.TeamId).Select(t => t.Name).FirstOrDefault(),
                             Proposer = db.Staff.Where(x => x.Id == b.ProposedBy).Select(x => new { x.DisplayName, x.Role }).FirstOrDefault(),
                             Decider = db.Staff.Where(x => x.Id == b.DecidedBy).Select(x => new { x.DisplayName, x.Role }).FirstOrDefault(),
                         }).FirstOrDefaultAsync(ct);
        if (row is null)
        {
            return null;
        }

        var breach = row.b;
        var subjectId = breach.SubjectId;
        var alerts = await (from x in db.BreachAlerts.AsNoTracking()
                            join a in db.Alerts on x.AlertId equals a.Id
                            where x.BreachId == breachId
                            orderby a.RaisedAt
                            select new
                            {
                                a.Id,
                                a.Kind,
                                a.State,
                                a.RaisedAt,
                                a.Summary,
                                a.CheckInId,
                                a.ReasonableExcuse,
                                a.Occurrences,
                                a.Location,
                            }).ToListAsync(ct);
        var checkInIds = alerts.Where(a => a.CheckInId is not null).Select(a => a.CheckInId!.Value).Distinct().ToList();
        var checkIns = await (from c in db.CheckIns.AsNoTracking()
                              where checkInIds.Contains(c.Id) && c.SubjectId == subjectId
                              orderby c.CapturedAt
                              let r = db.Reviews.FirstOrDefault(r => r.CheckInId == c.Id)
                              select new
                              {
                                  c.Id,
                                  c.CapturedAt,
                                  c.Outcome,
                                  c.MatchScore,
                                  c.LivenessScore,
                                  c.PolicyVersion,
                                  c.AcceptMatch,
                                  c.RejectMatch,
                                  c.AcceptLiveness,
                                  c.RejectLiveness,
                                  c.Synthetic,
                                  c.PhotoId,
                                  c.Location,
                                  Decision = r == null ? null : r.Decision,
                                  Reason = r == null ? null : r.Reason,
                                  DecidedAt = r == null ? null : r.DecidedAt,
                                  Reviewer = r == null ? null : db.Staff.Where(s => s.Id == r.DecidedBy).Select(s => s.DisplayName).FirstOrDefault(),
                              }).ToListAsync(ct);

        var evidenceTimes = alerts.Select(a => a.RaisedAt).Concat(checkIns.Select(c => c.CapturedAt)).Order().ToList();
        var first = evidenceTimes.Count > 0 ? evidenceTimes[0] : breach.ProposedAt;
        var last = evidenceTimes.Count > 0 ? evidenceTimes[^1] : breach.ProposedAt;
        var (eventsFrom, eventsTo) = (first - TrailWindow, last + TrailWindow);
        var deviceEvents = await db.DeviceEvents.AsNoTracking()
            .Where(e => e.SubjectId == subjectId && e.At >= eventsFrom && e.At <= eventsTo)
            .OrderBy(e => e.At).Take(MaxDeviceEvents)
            .Select(e => new { e.At, e.Kind, e.Detail, e.DeviceId })
            .ToListAsync(ct);
        var notes = await db.Notes.AsNoTracking().Where(n => n.BreachId == breachId).OrderBy(n => n.At).ThenBy(n => n.Id)
            .Select(n => new { n.At, n.Text, n.EditedAt, Author = db.Staff.Where(s => s.Id == n.AuthorId).Select(s => s.DisplayName).FirstOrDefault() })
            .ToListAsync(ct);

        var timeline = new List<BreachReportData.TimelineItem>(alerts.Count + checkIns.Count + deviceEvents.Count + notes.Count);
        foreach (var a in alerts)
        {
            var what = a.Summary + (a.Occurrences > 1 ? $" (reported {a.Occurrences} times)" : "")
                + (a.ReasonableExcuse is null ? "" : $" Reasonable excuse recorded: {a.ReasonableExcuse}");
            timeline.Add(new(a.RaisedAt, BreachReportData.ItemKind.Alert, "Alert: " + AlertRules.Describe(a.Kind), what, "", "State now: " + AlertRules.Describe(a.State, breach.State)));
        }

        foreach (var c in checkIns)
        {
            var policy = new MatchingPolicy(c.PolicyVersion, c.AcceptMatch, c.RejectMatch, c.AcceptLiveness, c.RejectLiveness);
            var scores = c.Synthetic
                ? $"No photo or scores (no answer in time). Policy v{c.PolicyVersion}."
                : Invariant($"Match {c.MatchScore:0.00}, liveness {c.LivenessScore:0.00}. Policy v{c.PolicyVersion}: accept ≥ {c.AcceptMatch:0.00}/{c.AcceptLiveness:0.00}, reject < {c.RejectMatch:0.00}/{c.RejectLiveness:0.00}.");
            var review = c.Decision is { } d
                ? $"{ReviewRules.Describe(d)}: {c.Reviewer ?? "unknown reviewer"}, {ReportTime.London(c.DecidedAt)}{(c.Reason is null ? "" : $". {c.Reason}")}"
                : c.Outcome == CheckInOutcome.Borderline ? "Awaiting a reviewer's decision" : "Not reviewed (not borderline)";
            var what = c.Synthetic ? "Missed: no check-in arrived in the response window." : $"{c.Outcome}. {policy.Explain(c.MatchScore, c.LivenessScore)}";
            timeline.Add(new(c.CapturedAt, BreachReportData.ItemKind.CheckIn, "Check-in: " + c.Outcome, what, scores, review));
        }

        foreach (var e in deviceEvents)
        {
            timeline.Add(new(e.At, BreachReportData.ItemKind.DeviceEvent, "Device: " + DeviceEventText(e.Kind), e.Detail ?? "", $"Device {e.DeviceId}", ""));
        }

        foreach (var n in notes)
        {
            timeline.Add(new(n.At, BreachReportData.ItemKind.Note, "Note", n.Text, "", $"By {n.Author ?? "unknown"}{(n.EditedAt is { } edited ? $" (edited {ReportTime.London(edited)})" : "")}"));
        }

        // Stable order: by time, then alerts, check-ins, device events, notes.
        timeline = [.. timeline.Select((t, i) => (t, i)).OrderBy(x => x.t.At).ThenBy(x => x.t.Kind).ThenBy(x => x.i).Select(x => x.t)];

        var periodFrom = first - ScoreLeadIn;
        var periodTo = last + TimeSpan.FromDays(1);
        var evidenceCheckIns = checkIns.Select(c => c.Id).ToHashSet();
        var scorePoints = await db.CheckIns.AsNoTracking()
            .Where(c => c.SubjectId == subjectId && !c.Synthetic && c.CapturedAt >= periodFrom && c.CapturedAt <= periodTo)
            .OrderBy(c => c.CapturedAt).Take(MaxScorePoints)
            .Select(c => new { c.Id, c.CapturedAt, c.MatchScore, c.AcceptMatch, c.RejectMatch, c.Outcome })
            .ToListAsync(ct);

        var zones = await db.Zones.AsNoTracking().Where(z => z.SubjectId == subjectId && z.Active)
            .Select(z => new { z.Name, z.Kind, z.Area })
            .ToListAsync(ct);

        var trail = await ReadTrailAsync(subjectId, evidenceTimes, ct);

        var markers = new List<BreachReportData.MapMarker>();
        markers.AddRange(checkIns.Where(c => c.Location is not null).Select(c => new BreachReportData.MapMarker(c.CapturedAt, c.Location!.Y, c.Location.X, false, $"Check-in {ReportTime.London(c.CapturedAt)}")));
        markers.AddRange(alerts.Where(a => a.Location is not null).Select(a => new BreachReportData.MapMarker(a.RaisedAt, a.Location!.Y, a.Location.X, true, $"Alert {ReportTime.London(a.RaisedAt)}")));

        var key = breachId.ToString();
        var audit = await db.AuditEvents.AsNoTracking().Where(a => a.EntityType == "breach" && a.EntityId == key).OrderBy(a => a.Id)
            .Select(a => new BreachReportData.AuditItem(a.Id, a.At, a.ActorName, a.Action, a.Detail))
            .ToListAsync(ct);

        var photos = new List<BreachReportData.PhotoItem>();
        if (includePhotos)
        {
            var photoIds = checkIns.Where(c => c.PhotoId is not null).ToDictionary(c => c.PhotoId!.Value, c => c.CapturedAt);
            var held = await db.Photos.AsNoTracking().Where(p => photoIds.Keys.Contains(p.Id) && p.SubjectId == subjectId)
                .Select(p => new { p.Id, p.Jpeg }).ToListAsync(ct);
            photos.AddRange(held.OrderBy(p => photoIds[p.Id]).Select(p => new BreachReportData.PhotoItem(photoIds[p.Id], $"Check-in photo, {ReportTime.London(photoIds[p.Id])}", p.Jpeg)));
        }

        return new BreachReportData(
            breach.Id, breach.Number, breach.Kind, breach.Summary, breach.State,
            row.Proposer?.DisplayName ?? "Unknown", row.Proposer?.Role.ToString() ?? "", breach.ProposedAt,
            row.Decider?.DisplayName, row.Decider?.Role.ToString(), breach.DecidedAt, breach.DecisionReason,
            subjectId, row.CaseReference, row.Name, row.Officer, row.Team, row.MonitoringStart, row.MonitoringEnd,
            timeline,
            [.. scorePoints.Select(s => new BreachReportData.ScorePoint(s.CapturedAt, s.MatchScore, s.AcceptMatch, s.RejectMatch, s.Outcome, evidenceCheckIns.Contains(s.Id)))],
            periodFrom, periodTo,
            trail,
            [.. zones.Select(z => new BreachReportData.ZoneShape(z.Name, z.Kind, [.. z.Area.ExteriorRing.Coordinates.Select(c => (c.Y, c.X))]))],
            markers,
            audit,
            photos);
    }

    /// <summary>The positions within the trail window of each evidence time (windows merged), thinned evenly to at most <see cref="MaxTrailPoints"/>.</summary>
    private async Task<IReadOnlyList<BreachReportData.TrailPoint>> ReadTrailAsync(Guid subjectId, List<DateTimeOffset> times, CancellationToken ct)
    {
        if (times.Count == 0)
        {
            return [];
        }

        var starts = new List<DateTime>();
        var ends = new List<DateTime>();
        foreach (var t in times)
        {
            var (s, e) = ((t - TrailWindow).UtcDateTime, (t + TrailWindow).UtcDateTime);
            if (ends.Count > 0 && s <= ends[^1])
            {
                ends[^1] = e > ends[^1] ? e : ends[^1];
            }
            else
            {
                starts.Add(s);
                ends.Add(e);
            }
        }

        // One simple range read per window, in one round trip: each is pruned to its day partitions and
        // read through the (subject, time) index.
        await using var batch = dataSource.CreateBatch();
        for (var i = 0; i < starts.Count; i++)
        {
            var command = new NpgsqlBatchCommand(TrailSql);
            command.Parameters.AddWithValue(subjectId);
            command.Parameters.AddWithValue(starts[i]);
            command.Parameters.AddWithValue(ends[i]);
            batch.BatchCommands.Add(command);
        }

        var all = new List<(DateTimeOffset At, double Lat, double Lon)>();
        await using (var reader = await batch.ExecuteReaderAsync(ct))
        {
            do
            {
                while (await reader.ReadAsync(ct))
                {
                    all.Add((reader.GetFieldValue<DateTimeOffset>(0), reader.GetDouble(1), reader.GetDouble(2)));
                }
            }
            while (await reader.NextResultAsync(ct));
        }

        var step = Math.Max(1, (int)Math.Ceiling(all.Count / (double)MaxTrailPoints));
        var points = new List<BreachReportData.TrailPoint>(Math.Min(all.Count, MaxTrailPoints + 1));
        DateTimeOffset? previous = null;
        for (var i = 0; i < all.Count; i += step)
        {
            var p = all[i];
            // A gap longer than the window (or between windows) starts a new line: nothing is invented between them.
            var starts2 = previous is not { } prev || p.At - prev > TrailWindow / 3;
            points.Add(new(p.At, p.Lat, p.Lon, starts2));
            previous = p.At;
        }

        return points;
    }

    public static string DeviceEventText(DeviceEventKind kind) => kind switch
    {
        DeviceEventKind.StrapTamper => "Strap tamper",
        DeviceEventKind.LowBattery => "Low battery",
        DeviceEventKind.NoGpsFix => "No GPS fix",
        DeviceEventKind.SignalLost => "Signal lost",
        DeviceEventKind.PowerOff => "Power off",
        DeviceEventKind.PowerOn => "Power on",
        DeviceEventKind.Charging => "Charging",
        _ => kind.ToString(),
    };

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);
}
