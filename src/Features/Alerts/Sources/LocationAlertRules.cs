using Dashboard.Domain;
using Dashboard.Ingestion;
using Microsoft.Extensions.Options;
using NetTopologySuite.Geometries;
using Npgsql;

namespace Dashboard.Features.Alerts.Sources;

/// <summary>
/// The rules that watch stored fixes: GPS quality (<c>NoGpsFix</c> after a run of fixes without GPS, and the
/// device incident that closes itself when GPS comes back), battery (<c>LowBattery</c>) and the zones
/// (<c>ExclusionZoneEntered</c>, <c>InclusionZoneLeft</c>). Work is per batch with set-based SQL, a handful
/// of statements however many fixes the batch holds; per-fix work is in memory.
/// </summary>
public sealed class LocationAlertRules(
    NpgsqlDataSource dataSource,
    AlertRaiser raiser,
    DeviceIncidents incidents,
    IOptions<AlertOptions> options,
    TimeProvider clock) : ILocationObserver
{
    public async Task FixesStoredAsync(IReadOnlyList<LocationFix> fixes, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(fixes);
        if (fixes.Count == 0)
        {
            return;
        }

        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await DeviceRulesAsync(connection, fixes, ct);
        await ZoneRulesAsync(connection, fixes, ct);
    }

    private async Task DeviceRulesAsync(NpgsqlConnection connection, IReadOnlyList<LocationFix> fixes, CancellationToken ct)
    {
        var o = options.Value;
        var now = clock.GetUtcNow();
        var zone = TimeZoneInfo.FindSystemTimeZoneById(o.CurfewTimeZone);
        var byDevice = fixes.GroupBy(f => f.DeviceId, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        var raised = new List<RaisedAlert>();
        var closed = new List<ClosedAlert>();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                raised.Clear();
                closed.Clear();
                await using var tx = await connection.BeginTransactionAsync(ct);

                // The run of fixes without GPS carries over from batch to batch on the device row, locked in id
                // order (as the location writer does) so that concurrent batches cannot deadlock.
                var runs = new Dictionary<string, int>(StringComparer.Ordinal);
                await using (var read = new NpgsqlCommand("SELECT id, non_gps_fix_run FROM devices WHERE id = ANY($1) ORDER BY id FOR NO KEY UPDATE", connection, tx))
                {
                    read.Parameters.AddWithValue(byDevice.Select(g => g.Key).ToArray());
                    await using var reader = await read.ExecuteReaderAsync(ct);
                    while (await reader.ReadAsync(ct))
                    {
                        runs[reader.GetString(0)] = reader.GetInt32(1);
                    }
                }

                var outcomes = byDevice.Select(g => (
                        DeviceId: g.Key,
                        g.First().SubjectId,
                        Before: runs.GetValueOrDefault(g.Key),
                        Outcome: DeviceRules.Judge(g.Select(f => new DeviceFix(f.At, f.AccuracyM, f.BatteryPct)), runs.GetValueOrDefault(g.Key), o.NoGpsAccuracyM, o.NoGpsFixRun, o.LowBatteryPct)))
                    .ToList();

                var changedRuns = outcomes.Where(x => x.Outcome.NonGpsRun != x.Before).ToList();
                if (changedRuns.Count > 0)
                {
                    await using var update = new NpgsqlCommand("""
                        UPDATE devices d SET non_gps_fix_run = u.run FROM unnest($1::text[], $2::int[]) AS u(id, run) WHERE d.id = u.id
                        """, connection, tx);
                    update.Parameters.AddWithValue(changedRuns.Select(x => x.DeviceId).ToArray());
                    update.Parameters.AddWithValue(changedRuns.Select(x => x.Outcome.NonGpsRun).ToArray());
                    await update.ExecuteNonQueryAsync(ct);
                }

                closed.AddRange(await DeviceIncidents.CloseAsync(connection, tx,
                    [.. outcomes.Where(x => x.Outcome.GpsBackAt is not null).Select(x => (x.DeviceId, x.Outcome.GpsBackAt!.Value))], now, o.CurfewTimeZone, ct));

                foreach (var (deviceId, subjectId, _, outcome) in outcomes.Where(x => x.Outcome.RaiseNoGpsFix))
                {
                    var since = outcome.NoGpsSince ?? now;
                    var incident = await DeviceIncidents.OpenOrJoinAsync(connection, tx, subjectId, deviceId, since, ct);
                    raised.Add(await raiser.RaiseAsync(connection, tx, new AlertCandidate(
                        subjectId, AlertKind.NoGpsFix, "incident:" + incident, since,
                        $"Device {deviceId} sent {o.NoGpsFixRun} or more fixes in a row without GPS (accuracy worse than {o.NoGpsAccuracyM:0} m) since {DeviceIncidents.LocalTime(since, zone)}.",
                        IncidentId: incident), ct));
                }

                closed.AddRange(await DeviceIncidents.EndLowBatteryAsync(connection, tx,
                    [.. outcomes.Where(x => x.Outcome.BatteryRecoveredAt is not null)
                        .Select(x => (x.SubjectId, $"Cleared: battery back at {x.Outcome.BatteryRecoveredAt!.Value.Pct}% at {DeviceIncidents.LocalTime(x.Outcome.BatteryRecoveredAt.Value.At, zone)}."))],
                    now, ct));

                var low = outcomes.Where(x => x.Outcome.LowBatteryAt is not null).ToList();
                if (low.Count > 0)
                {
                    raised.AddRange(await LowBatteryAsync(connection, tx, low.Select(x => (x.DeviceId, x.SubjectId, x.Outcome.LowBatteryAt!.Value)).ToList(), zone, ct));
                }

                await tx.CommitAsync(ct);
                break;
            }
            catch (PostgresException ex) when (attempt < 3 && ex.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure)
            {
                // Try again: nothing of this attempt was kept.
            }
        }

        await raiser.PublishAsync(raised);
        await incidents.PublishClosedAsync(closed);
    }

    /// <summary>
    /// One active low-battery alert per subject: subjects that already have one only count another
    /// occurrence (one statement for all of them); the others raise or join one each.
    /// </summary>
    private async Task<List<RaisedAlert>> LowBatteryAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, List<(string DeviceId, Guid SubjectId, (DateTimeOffset At, short Pct) Low)> low, TimeZoneInfo zone, CancellationToken ct)
    {
        var joined = new HashSet<Guid>();
        await using (var join = new NpgsqlCommand("""
            UPDATE alerts a SET occurrences = a.occurrences + 1, last_occurred_at = greatest(coalesce(a.last_occurred_at, a.raised_at), u.at)
            FROM unnest($1::uuid[], $2::timestamptz[]) AS u(subject_id, at)
            WHERE a.subject_id = u.subject_id AND a.kind = 'LowBattery' AND a.state IN ('Open', 'Acknowledged')
            RETURNING a.subject_id
            """, connection, tx))
        {
            join.Parameters.AddWithValue(low.Select(x => x.SubjectId).ToArray());
            join.Parameters.AddWithValue(low.Select(x => x.Low.At).ToArray());
            await using var reader = await join.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                joined.Add(reader.GetGuid(0));
            }
        }

        var raised = new List<RaisedAlert>();
        foreach (var (deviceId, subjectId, (at, pct)) in low.Where(x => !joined.Contains(x.SubjectId)))
        {
            raised.Add(await raiser.RaiseOrJoinAsync(connection, tx, new AlertCandidate(
                subjectId, AlertKind.LowBattery, $"battery:{deviceId}:{at:O}", at,
                $"Battery of device {deviceId} at {pct}% ({DeviceIncidents.LocalTime(at, zone)}), under {options.Value.LowBatteryPct}%."), ct));
        }

        return raised;
    }

    private sealed record ZoneRow(Guid ZoneId, Guid SubjectId, string Name, ZoneRule Rule, ZonePresenceState State, Guid? OpenAlertId);

    private async Task ZoneRulesAsync(NpgsqlConnection connection, IReadOnlyList<LocationFix> fixes, CancellationToken ct)
    {
        var o = options.Value;
        var subjects = fixes.Select(f => f.SubjectId).Distinct().ToArray();
        var timeZone = TimeZoneInfo.FindSystemTimeZoneById(o.CurfewTimeZone);
        var settings = new ZoneSettings(o.ZoneConfirmFixes, o.ZoneMarginM, o.ZoneGap, timeZone);
        var raised = new List<RaisedAlert>();
        await using var tx = await connection.BeginTransactionAsync(ct);

        // Presence rows are created on first sight and then locked: two batches of one person on two
        // instances take turns, and the second sees the first one's last processed fix.
        await using (var ensure = new NpgsqlCommand("""
            INSERT INTO zone_presences (zone_id, subject_id, candidate_count)
            SELECT z.id, z.subject_id, 0 FROM zones z
            WHERE z.subject_id = ANY($1) AND z.active
              AND NOT EXISTS (SELECT 1 FROM zone_presences p WHERE p.zone_id = z.id)
            ON CONFLICT (zone_id) DO NOTHING
            """, connection, tx))
        {
            ensure.Parameters.AddWithValue(subjects);
            await ensure.ExecuteNonQueryAsync(ct);
        }

        var zones = new List<ZoneRow>();
        await using (var read = new NpgsqlCommand("""
            SELECT p.zone_id, p.subject_id, z.name, z.kind, z.area, z.curfew_start, z.curfew_end,
                   p.inside, p.since, p.candidate, p.candidate_count, p.candidate_since, p.last_fix_at, p.open_alert_id
            FROM zone_presences p JOIN zones z ON z.id = p.zone_id
            WHERE p.subject_id = ANY($1) AND z.active
            ORDER BY p.zone_id
            FOR UPDATE OF p
            """, connection, tx))
        {
            read.Parameters.AddWithValue(subjects);
            await using var reader = await read.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var area = reader.GetFieldValue<Polygon>(4);
                var rule = new ZoneRule(
                    Enum.Parse<ZoneKind>(reader.GetString(3)),
                    new ZoneShape([.. area.ExteriorRing.Coordinates.Select(c => new LatLon(c.Y, c.X))]),
                    reader.IsDBNull(5) ? null : reader.GetFieldValue<TimeOnly>(5),
                    reader.IsDBNull(6) ? null : reader.GetFieldValue<TimeOnly>(6));
                var openAlert = reader.IsDBNull(13) ? (Guid?)null : reader.GetGuid(13);
                var state = new ZonePresenceState(
                    reader.IsDBNull(7) ? null : reader.GetBoolean(7),
                    reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8),
                    reader.IsDBNull(9) ? null : reader.GetBoolean(9),
                    reader.GetInt32(10),
                    reader.IsDBNull(11) ? null : reader.GetFieldValue<DateTimeOffset>(11),
                    reader.IsDBNull(12) ? null : reader.GetFieldValue<DateTimeOffset>(12),
                    openAlert is not null);
                zones.Add(new ZoneRow(reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), rule, state, openAlert));
            }
        }

        if (zones.Count == 0)
        {
            await tx.CommitAsync(ct);
            return;
        }

        var bySubject = fixes.ToLookup(f => f.SubjectId);
        var updated = new List<ZoneRow>(zones.Count);
        foreach (var zone in zones)
        {
            var state = zone.State;
            var openAlert = zone.OpenAlertId;
            foreach (var fix in bySubject[zone.SubjectId].OrderBy(f => f.At))
            {
                var step = ZoneRules.Step(state, zone.Rule, fix.At, new LatLon(fix.Lat, fix.Lon), fix.AccuracyM, settings);
                state = step.State;
                if (step.Change == ZoneChange.ViolationStarted)
                {
                    var since = step.ViolationSince ?? fix.At;
                    var kind = zone.Rule.Kind == ZoneKind.Exclusion ? AlertKind.ExclusionZoneEntered : AlertKind.InclusionZoneLeft;
                    var summary = zone.Rule.Kind == ZoneKind.Exclusion
                        ? $"Inside the exclusion zone {zone.Name} since {DeviceIncidents.LocalTime(since, timeZone)}."
                        : $"Away from {zone.Name} during curfew hours since {DeviceIncidents.LocalTime(since, timeZone)}.";
                    var alert = await raiser.RaiseAsync(connection, tx, new AlertCandidate(
                        zone.SubjectId, kind, $"zone:{zone.ZoneId}:{since.UtcDateTime:O}", since, summary, ZoneId: zone.ZoneId, Lat: fix.Lat, Lon: fix.Lon), ct);
                    raised.Add(alert);
                    openAlert = alert.AlertId;
                }
                else if (step.Change == ZoneChange.ViolationEnded)
                {
                    openAlert = null;
                }
            }

            if (state != zone.State || openAlert != zone.OpenAlertId)
            {
                updated.Add(zone with { State = state, OpenAlertId = openAlert });
            }
        }

        if (updated.Count > 0)
        {
            await using var save = new NpgsqlCommand("""
                UPDATE zone_presences p SET inside = u.inside, since = u.since, candidate = u.candidate,
                    candidate_count = u.candidate_count, candidate_since = u.candidate_since, last_fix_at = u.last_fix_at,
                    open_alert_id = u.open_alert_id
                FROM unnest($1::uuid[], $2::boolean[], $3::timestamptz[], $4::boolean[], $5::int[], $6::timestamptz[], $7::timestamptz[], $8::uuid[])
                    AS u(zone_id, inside, since, candidate, candidate_count, candidate_since, last_fix_at, open_alert_id)
                WHERE p.zone_id = u.zone_id
                """, connection, tx);
            save.Parameters.AddWithValue(updated.Select(z => z.ZoneId).ToArray());
            save.Parameters.AddWithValue(updated.Select(z => z.State.Inside).ToArray());
            save.Parameters.AddWithValue(updated.Select(z => z.State.Since).ToArray());
            save.Parameters.AddWithValue(updated.Select(z => z.State.Candidate).ToArray());
            save.Parameters.AddWithValue(updated.Select(z => z.State.CandidateCount).ToArray());
            save.Parameters.AddWithValue(updated.Select(z => z.State.CandidateSince).ToArray());
            save.Parameters.AddWithValue(updated.Select(z => z.State.LastFixAt).ToArray());
            save.Parameters.AddWithValue(updated.Select(z => z.OpenAlertId).ToArray());
            await save.ExecuteNonQueryAsync(ct);
        }

        await tx.CommitAsync(ct);
        await raiser.PublishAsync(raised);
    }
}
