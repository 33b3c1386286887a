using Dashboard.Domain;
using Dashboard.Features.Oversight;
using Dashboard.Features.Retention;
using Dashboard.Features.Reviews;
using Dashboard.Features.Trails;
using Npgsql;

namespace Dashboard.Features.Transparency;

/// <summary>
/// Reads what is held about one person for the transparency pack, every query filtered by that one
/// subject id, in one read-only snapshot. The caller has already checked the subject is in the user's
/// scope. Location fixes are summarised per London day in the database (never loaded); the access
/// history is summarised, and streamed in full later by <see cref="AccessHistorySql"/>.
/// </summary>
internal static class LoadTransparencyPack
{
    /// <summary>How many of the latest access entries the PDF lists (the CSV has them all).</summary>
    public const int LatestAccessShown = 250;

    /// <summary>Every fix of the subject in time order, for <c>location-points.csv</c> ($1 subject).</summary>
    public const string PointsSql = """
        SELECT at, ST_Y(location::geometry), ST_X(location::geometry), accuracy_m, battery_pct, device_id
        FROM location_pings
        WHERE subject_id = $1
        ORDER BY at
        """;

    /// <summary>Every audit entry about the subject up to the pack's snapshot ($1 subject, $2 last entry).</summary>
    public const string AccessHistorySql = """
        SELECT a.id, a.at, a.actor_name, s.role, a.action, a.entity_type, a.entity_id, a.detail
        FROM audit_events a
        LEFT JOIN staff s ON s.id = a.actor_id
        WHERE a.subject_id = $1 AND a.id <= $2
        ORDER BY a.id
        """;

    public static async Task<TransparencyPackData> LoadAsync(NpgsqlDataSource dataSource, Guid subjectId, RetentionOptions retention, ReviewOptions reviews, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        await Exec(connection, "SET TRANSACTION READ ONLY", ct);
        // Queries over a year of daily partitions: JIT compiling them costs seconds and saves nothing here.
        await Exec(connection, "SET LOCAL jit = off", ct);

        var profile = await ProfileAsync(connection, subjectId, ct);
        var checkIns = await ListAsync(connection, """
            SELECT c.id, c.captured_at, c.received_at, c.device_id, c.outcome, c.synthetic, c.match_score, c.liveness_score, c.policy_version,
                   c.accept_match, c.reject_match, c.accept_liveness, c.reject_liveness,
                   ST_Y(c.location::geometry), ST_X(c.location::geometry), c.accuracy_m, c.photo_id IS NOT NULL,
                   r.decision, r.reason, rs.display_name, r.decided_at
            FROM check_ins c
            LEFT JOIN LATERAL (SELECT * FROM reviews r WHERE r.check_in_id = c.id AND r.subject_id = $1 ORDER BY r.created_at DESC LIMIT 1) r ON true
            LEFT JOIN staff rs ON rs.id = r.decided_by
            WHERE c.subject_id = $1
            ORDER BY c.captured_at, c.id
            """, subjectId, r => new PackCheckIn(r.GetGuid(0), Time(r, 1), Time(r, 2), r.GetString(3), Enum.Parse<CheckInOutcome>(r.GetString(4)), r.GetBoolean(5),
                r.GetDouble(6), r.GetDouble(7), r.GetInt32(8), r.GetDouble(9), r.GetDouble(10), r.GetDouble(11), r.GetDouble(12),
                Opt<double>(r, 13), Opt<double>(r, 14), Opt<double>(r, 15), r.GetBoolean(16),
                r.IsDBNull(17) ? null : Enum.Parse<ReviewDecision>(r.GetString(17)), Str(r, 18), Str(r, 19), OptTime(r, 20)), ct);
        var faceReviews = await ListAsync(connection, """
            SELECT r.check_in_id, r.created_at, r.due_by, r.decision, r.reason, s.display_name, r.decided_at
            FROM reviews r LEFT JOIN staff s ON s.id = r.decided_by
            WHERE r.subject_id = $1
            ORDER BY r.created_at, r.id
            """, subjectId, r => new PackReview(r.GetGuid(0), Time(r, 1), Time(r, 2), r.IsDBNull(3) ? null : Enum.Parse<ReviewDecision>(r.GetString(3)), Str(r, 4), Str(r, 5), OptTime(r, 6)), ct);
        var monitoringReviews = await ListAsync(connection, """
            SELECT m.due_on, m.reviewed_at, s.display_name, m.conditions, m.frequency_appropriate, m.frequency_note, m.representations, m.outcome, m.reasons, m.next_due_on
            FROM monitoring_reviews m JOIN staff s ON s.id = m.reviewed_by
            WHERE m.subject_id = $1
            ORDER BY m.reviewed_at, m.id
            """, subjectId, r => new PackMonitoringReview(r.GetFieldValue<DateOnly>(0), Time(r, 1), r.GetString(2), MonitoringReviewJson.Read(r.GetString(3)), r.GetBoolean(4),
                Str(r, 5), Str(r, 6), Enum.Parse<MonitoringReviewOutcome>(r.GetString(7)), r.GetString(8), r.GetFieldValue<DateOnly>(9)), ct);
        var alerts = await ListAsync(connection, """
            SELECT a.id, a.raised_at, a.kind, a.state, a.summary, a.occurrences, ack.display_name, a.acknowledged_at, dis.display_name, a.dismissed_at,
                   a.dismiss_reason, a.reasonable_excuse, b.number, a.closed_at, a.closed_reason, b.state
            FROM alerts a
            LEFT JOIN staff ack ON ack.id = a.acknowledged_by
            LEFT JOIN staff dis ON dis.id = a.dismissed_by
            LEFT JOIN breaches b ON b.id = a.breach_id AND b.subject_id = $1
            WHERE a.subject_id = $1
            ORDER BY a.raised_at, a.id
            """, subjectId, r => new PackAlert(r.GetGuid(0), Time(r, 1), Enum.Parse<AlertKind>(r.GetString(2)), Enum.Parse<AlertState>(r.GetString(3)), r.GetString(4), r.GetInt32(5),
                Str(r, 6), OptTime(r, 7), Str(r, 8), OptTime(r, 9), Str(r, 10), Str(r, 11), Str(r, 12), OptTime(r, 13), Str(r, 14),
                r.IsDBNull(15) ? null : Enum.Parse<BreachState>(r.GetString(15))), ct);
        var breaches = await ListAsync(connection, """
            SELECT b.id, b.number, b.kind, b.state, b.summary, p.display_name, b.proposed_at, d.display_name, b.decided_at, b.decision_reason,
                   (SELECT count(*)::int FROM breach_alerts ba JOIN alerts a ON a.id = ba.alert_id WHERE ba.breach_id = b.id AND a.subject_id = $1)
            FROM breaches b
            JOIN staff p ON p.id = b.proposed_by
            LEFT JOIN staff d ON d.id = b.decided_by
            WHERE b.subject_id = $1
            ORDER BY b.proposed_at, b.id
            """, subjectId, r => new PackBreach(r.GetGuid(0), r.GetString(1), Enum.Parse<AlertKind>(r.GetString(2)), Enum.Parse<BreachState>(r.GetString(3)), r.GetString(4),
                r.GetString(5), Time(r, 6), Str(r, 7), OptTime(r, 8), Str(r, 9), r.GetInt32(10)), ct);
        var notes = await ListAsync(connection, """
            SELECT n.at, s.display_name, n.text, n.edited_at, b.number, n.corrects_note_id IS NOT NULL
            FROM notes n JOIN staff s ON s.id = n.author_id
            LEFT JOIN breaches b ON b.id = n.breach_id AND b.subject_id = $1
            WHERE n.subject_id = $1
            ORDER BY n.at, n.id
            """, subjectId, r => new PackNote(Time(r, 0), r.GetString(1), r.GetString(2), OptTime(r, 3), Str(r, 4), r.GetBoolean(5)), ct);
        var events = await ListAsync(connection, """
            SELECT at, device_id, kind, detail FROM device_events WHERE subject_id = $1 ORDER BY at, id
            """, subjectId, r => new PackDeviceEvent(Time(r, 0), r.GetString(1), Enum.Parse<DeviceEventKind>(r.GetString(2)), Str(r, 3)), ct);
        var prompts = await ListAsync(connection, """
            SELECT due_at, window_ends_at, status, origin FROM prompts WHERE subject_id = $1 ORDER BY due_at, id
            """, subjectId, r => new PackPrompt(Time(r, 0), Time(r, 1), Enum.Parse<PromptStatus>(r.GetString(2)), Enum.Parse<PromptOrigin>(r.GetString(3))), ct);
        var photos = await PhotosAsync(connection, subjectId, retention, now, ct);
        var days = await LocationDaysAsync(connection, subjectId, ct);
        var access = await AccessAsync(connection, subjectId, ct);
        await tx.CommitAsync(ct);

        var data = new TransparencyPackData(profile, checkIns, faceReviews, monitoringReviews, alerts, breaches, notes, events, prompts, photos, days, access, []);
        return data with { Retention = RetentionOf(data, retention, reviews, now) };
    }

    private static async Task<PackProfile> ProfileAsync(NpgsqlConnection connection, Guid subjectId, CancellationToken ct)
    {
        var head = (await ListAsync(connection, """
            SELECT s.case_reference, s.given_name, s.family_name, s.home_address, ST_Y(s.home::geometry), ST_X(s.home::geometry),
                   s.monitoring_start, s.monitoring_end, s.review_due_on, o.display_name, t.name,
                   EXISTS (SELECT 1 FROM photos p WHERE p.id = s.reference_photo_id AND p.subject_id = $1)
            FROM subjects s JOIN staff o ON o.id = s.officer_id LEFT JOIN teams t ON t.id = o.team_id
            WHERE s.id = $1
            """, subjectId, r => (Case: r.GetString(0), Given: r.GetString(1), Family: r.GetString(2), Address: r.GetString(3), Lat: r.GetDouble(4), Lon: r.GetDouble(5),
                Start: Time(r, 6), End: OptTime(r, 7), Due: r.GetFieldValue<DateOnly>(8), Officer: r.GetString(9), Team: Str(r, 10), Reference: r.GetBoolean(11)), ct)).Single();
        var devices = await ListAsync(connection, "SELECT id, model, battery_pct, last_fix_at, last_seen_at FROM devices WHERE subject_id = $1 ORDER BY id",
            subjectId, r => new PackDevice(r.GetString(0), r.GetString(1), Opt<int>(r, 2), OptTime(r, 3), OptTime(r, 4)), ct);
        var zones = await ListAsync(connection, "SELECT name, kind, active, curfew_start, curfew_end, radius_m FROM zones WHERE subject_id = $1 ORDER BY name, id",
            subjectId, r => new PackZone(r.GetString(0), Enum.Parse<ZoneKind>(r.GetString(1)), r.GetBoolean(2),
                r.IsDBNull(3) ? null : r.GetFieldValue<TimeOnly>(3), r.IsDBNull(4) ? null : r.GetFieldValue<TimeOnly>(4), Opt<double>(r, 5)), ct);
        var absences = await ListAsync(connection, """
            SELECT a."from", a."to", a.reason, s.display_name, a.recorded_at, a.cancelled_at
            FROM absences a JOIN staff s ON s.id = a.recorded_by WHERE a.subject_id = $1 ORDER BY a."from", a.id
            """, subjectId, r => new PackAbsence(Time(r, 0), Time(r, 1), r.GetString(2), r.GetString(3), Time(r, 4), OptTime(r, 5)), ct);
        return new PackProfile(subjectId, head.Case, head.Given, head.Family, head.Address, head.Lat, head.Lon, head.Start, head.End, head.Due,
            head.Officer, head.Team, head.Reference, devices, zones, absences);
    }

    /// <summary>Check-in photos with the rule <see cref="PhotoRetention"/> applies to each, and the reference photo.</summary>
    private static Task<List<PackPhoto>> PhotosAsync(NpgsqlConnection connection, Guid subjectId, RetentionOptions retention, DateTimeOffset now, CancellationToken ct) =>
        ListAsync(connection, """
            SELECT p.id, p.kind, p.created_at, c.id, p.retain_until, p.legal_hold,
                   EXISTS (SELECT 1 FROM reviews r WHERE r.check_in_id = c.id AND r.decision IS NULL),
                   EXISTS (SELECT 1 FROM alerts a JOIN breach_alerts ba ON ba.alert_id = a.id JOIN breaches b ON b.id = ba.breach_id
                           WHERE a.check_in_id = c.id AND b.state IN ('Proposed', 'Confirmed'))
            FROM photos p LEFT JOIN check_ins c ON c.photo_id = p.id AND c.subject_id = $1
            WHERE p.subject_id = $1
            ORDER BY p.created_at, p.id
            """, subjectId, r =>
        {
            var kind = Enum.Parse<PhotoKind>(r.GetString(1));
            var created = Time(r, 2);
            var until = OptTime(r, 4);
            var (due, rule) = kind == PhotoKind.Reference
                ? ((DateTimeOffset?)null, "Reference photo: kept while the person is monitored; no automatic deletion.")
                : r.GetBoolean(5) ? (null, "Under legal hold: kept until the hold is lifted.")
                : r.GetBoolean(7) ? (null, "Evidence in a proposed or confirmed breach: kept while the breach stands.")
                : r.GetBoolean(6) ? (null, "Awaiting a review decision: kept until decided.")
                : until is { } u ? (u, "Kept for the period a review decision set.")
                : (created.AddDays(retention.PhotoDays), $"Deleted {retention.PhotoDays} days after it was taken.");
            if (due is { } d && d < now)
            {
                rule += " Due now: the next retention run deletes it.";
            }

            return new PackPhoto(r.GetGuid(0), kind, created, r.IsDBNull(3) ? null : r.GetGuid(3), due, rule);
        }, ct);

    /// <summary>Per London day in SQL: fix count, first and last time, bounding box and centre, zones with fixes inside.</summary>
    private static async Task<List<PackLocationDay>> LocationDaysAsync(NpgsqlConnection connection, Guid subjectId, CancellationToken ct)
    {
        var zones = new Dictionary<DateOnly, List<string>>();
        await using (var command = new NpgsqlCommand("""
            WITH z AS MATERIALIZED (SELECT name, kind, area::geometry AS area FROM zones WHERE subject_id = $1)
            SELECT (p.at AT TIME ZONE 'Europe/London')::date AS day, z.name, z.kind, count(*)
            FROM location_pings p
            JOIN z ON p.location::geometry && z.area AND ST_Covers(z.area, p.location::geometry)
            WHERE p.subject_id = $1
            GROUP BY 1, 2, 3
            ORDER BY 1, 2
            """, connection))
        {
            command.Parameters.AddWithValue(subjectId);
            command.CommandTimeout = 600;
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var day = reader.GetFieldValue<DateOnly>(0);
                if (!zones.TryGetValue(day, out var list))
                {
                    zones[day] = list = [];
                }

                var kind = reader.GetString(2) == nameof(ZoneKind.Exclusion) ? "exclusion zone" : "curfew zone";
                list.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{reader.GetString(1)} ({kind}, {reader.GetInt64(3)} fixes)"));
            }
        }

        var gps = GetTrail.GpsAccuracyM;
        return await ListAsync(connection, $"""
            SELECT (at AT TIME ZONE 'Europe/London')::date, count(*), count(*) FILTER (WHERE accuracy_m <= {gps.ToString(System.Globalization.CultureInfo.InvariantCulture)}),
                   min(at), max(at), min(lat), max(lat), min(lon), max(lon), avg(lat), avg(lon)
            FROM (SELECT at, accuracy_m, ST_Y(location::geometry) AS lat, ST_X(location::geometry) AS lon FROM location_pings WHERE subject_id = $1) f
            GROUP BY 1
            ORDER BY 1
            """, subjectId, r =>
        {
            var day = r.GetFieldValue<DateOnly>(0);
            return new PackLocationDay(day, r.GetInt64(1), r.GetInt64(2), Time(r, 3), Time(r, 4), r.GetDouble(5), r.GetDouble(6), r.GetDouble(7), r.GetDouble(8),
                r.GetDouble(9), r.GetDouble(10), zones.TryGetValue(day, out var z) ? string.Join("; ", z) : "");
        }, ct);
    }

    private static async Task<PackAccessSummary> AccessAsync(NpgsqlConnection connection, Guid subjectId, CancellationToken ct)
    {
        var upTo = (await ListAsync(connection, "SELECT coalesce(max(id), 0) FROM audit_events", subjectId, r => r.GetInt64(0), ct, withSubject: false)).Single();
        var byWho = await ListAsync(connection, """
            SELECT a.actor_name, s.role, a.action, count(*), min(a.at), max(a.at)
            FROM audit_events a LEFT JOIN staff s ON s.id = a.actor_id
            WHERE a.subject_id = $1
            GROUP BY a.actor_name, s.role, a.action
            ORDER BY count(*) DESC, a.actor_name, a.action
            """, subjectId, r => new PackAccessCount(r.GetString(0), Str(r, 1), r.GetString(2), r.GetInt64(3), Time(r, 4), Time(r, 5)), ct);
        var latest = await ListAsync(connection, $"""
            SELECT a.id, a.at, a.actor_name, s.role, a.action, a.entity_type, a.entity_id, a.detail
            FROM audit_events a LEFT JOIN staff s ON s.id = a.actor_id
            WHERE a.subject_id = $1
            ORDER BY a.id DESC
            LIMIT {LatestAccessShown}
            """, subjectId, ReadAccess, ct);
        return new PackAccessSummary(upTo, byWho.Sum(b => b.Count), byWho, latest);
    }

    public static PackAccess ReadAccess(NpgsqlDataReader r) =>
        new(r.GetInt64(0), Time(r, 1), r.GetString(2), Str(r, 3), r.GetString(4), Str(r, 5), Str(r, 6), Str(r, 7));

    private static List<PackRetention> RetentionOf(TransparencyPackData d, RetentionOptions retention, ReviewOptions reviews, DateTimeOffset now)
    {
        const string kept = "No automatic deletion: kept for as long as the service's records policy requires, and removed only under that policy.";
        string When(DateTimeOffset? t) => t is { } x ? Reports.ReportTime.London(x) + " (London)" : "";
        var utcToday = DateOnly.FromDateTime(now.UtcDateTime);
        var firstFix = d.LocationDays.Count == 0 ? (DateTimeOffset?)null : d.LocationDays.Min(x => x.First);
        string nextFixDeletion = "";
        if (firstFix is { } f)
        {
            // A daily partition (UTC day) goes once the whole day is older than the period: the day after day + period.
            var due = DateOnly.FromDateTime(f.UtcDateTime).AddMonths(retention.LocationMonths).AddDays(1);
            nextFixDeletion = $"The oldest fixes held ({Reports.ReportTime.London(f)}) are due for deletion on {(due < utcToday ? utcToday : due):dd MMM yyyy} (UTC day), at the first daily run from then.";
        }

        var checkInPhotos = d.Photos.Where(p => p.Kind == PhotoKind.CheckIn).ToList();
        var nextPhoto = checkInPhotos.Where(p => p.DeletionDue is not null).MinBy(p => p.DeletionDue);
        var onHold = checkInPhotos.Count(p => p.DeletionDue is null);
        return
        [
            new("Location fixes (raw points and the daily summary made from them)", "location-daily.csv, location-points.csv", d.FixCount,
                $"Each day's fixes are deleted automatically once the day is more than {retention.LocationMonths} months old (checked every {retention.LocationIntervalHours} hours).", nextFixDeletion),
            new("Check-in photos", "photos.csv", checkInPhotos.Count,
                $"Deleted automatically {retention.PhotoDays} days after they were taken, or at the end of the period a review decision set " +
                $"(same person with a visible concern: {reviews.ConcernPhotoRetentionDays} days; not the same person: {reviews.NotSamePersonPhotoRetentionDays} days); " +
                "a photo of a check-in decided as the same person with nothing of concern is deleted at the decision. Kept longer only under legal hold, while awaiting review, or as evidence in a proposed or confirmed breach.",
                nextPhoto is null
                    ? onHold > 0 ? $"{onHold} photo(s) are kept for a reason listed in photos.csv." : ""
                    : $"Next due: {When(nextPhoto.DeletionDue)}; each photo's date is in photos.csv{(onHold > 0 ? $"; {onHold} kept for a listed reason" : "")}."),
            new("Reference photo", "photos.csv", d.Profile.ReferencePhotoHeld ? 1 : 0, "Kept while the person is monitored. " + kept, ""),
            new("Profile, devices, zones and absences", "profile.json", 1, kept, ""),
            new("Check-ins: outcomes, scores and the policy that judged them", "check-ins.csv", d.CheckIns.Count, kept + " Photos are deleted separately (above); the scores and decisions stay.", ""),
            new("Face-match review decisions", "reviews.csv", d.Reviews.Count, kept, ""),
            new("Proportionality (monitoring) reviews", "monitoring-reviews.csv", d.MonitoringReviews.Count, kept, ""),
            new("Alerts", "alerts.csv", d.Alerts.Count, kept, ""),
            new("Breaches", "breaches.csv", d.Breaches.Count, kept, ""),
            new("Notes", "notes.csv", d.Notes.Count, kept, ""),
            new("Device events", "device-events.csv", d.DeviceEvents.Count, kept, ""),
            new("Check-in prompts", "prompts.csv", d.Prompts.Count, kept, ""),
            new("Access history (audit log)", "access-history.csv", d.Access.Total,
                "Never deleted: the audit log is append-only and hash-chained, so that every access and decision stays accountable.", ""),
        ];
    }

    private static async Task Exec(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<List<T>> ListAsync<T>(NpgsqlConnection connection, string sql, Guid subjectId, Func<NpgsqlDataReader, T> read, CancellationToken ct, bool withSubject = true)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        if (withSubject)
        {
            command.Parameters.AddWithValue(subjectId);
        }

        command.CommandTimeout = 600;
        await using var reader = await command.ExecuteReaderAsync(ct);
        var list = new List<T>();
        while (await reader.ReadAsync(ct))
        {
            list.Add(read(reader));
        }

        return list;
    }

    internal static DateTimeOffset Time(NpgsqlDataReader r, int i) => r.GetFieldValue<DateTimeOffset>(i);

    private static DateTimeOffset? OptTime(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetFieldValue<DateTimeOffset>(i);

    private static T? Opt<T>(NpgsqlDataReader r, int i) where T : struct => r.IsDBNull(i) ? null : r.GetFieldValue<T>(i);

    internal static string? Str(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
}
