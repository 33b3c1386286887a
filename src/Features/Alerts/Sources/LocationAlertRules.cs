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
        await RetryAsync(() => RulesAsync(connection, fixes, ct));
    }

    /// <summary>
    /// Runs a pass again when a concurrent batch of the same devices got in the way (a deadlock, or a zone
    /// state that moved on since it was read): nothing of the failed pass was kept.
    /// </summary>
    private static async Task RetryAsync(Func<Task<bool>> pass)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (await pass() || attempt >= 5)
                {
                    return;
                }
            }
            catch (PostgresException ex) when (attempt < 5 && ex.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure)
            {
                // Try again below.
            }
        }
    }

    private async Task<bool> RulesAsync(NpgsqlConnection connection, IReadOnlyList<LocationFix> fixes, CancellationToken ct)
    {
        var o = options.Value;
        var now = clock.GetUtcNow();
        var zone = TimeZoneInfo.FindSystemTimeZoneById(o.CurfewTimeZone);
        // The device rules count fixes (a run without GPS): a fix stored before, or twice in one batch, counts once.
        var outcomes = fixes.Where(f => !f.Repeat).DistinctBy(f => (f.DeviceId, f.At)).GroupBy(f => f.DeviceId, StringComparer.Ordinal)
            .Select(g => (
                DeviceId: g.Key,
                g.First().SubjectId,
                Outcome: DeviceRules.Judge(g.Select(f => new DeviceFix(f.At, f.AccuracyM, f.BatteryPct)), 0, o.NoGpsAccuracyM, o.NoGpsFixRun, o.LowBatteryPct)))
            .OrderBy(x => x.DeviceId, StringComparer.Ordinal)
            .ToList();
        var gpsBack = outcomes.Where(x => x.Outcome.GpsBackAt is not null).Select(x => (x.DeviceId, x.Outcome.GpsBackAt!.Value)).ToList();
        var recovered = outcomes.Where(x => x.Outcome.BatteryRecoveredAt is not null)
            .Select(x => (x.SubjectId, $"Cleared: battery back at {x.Outcome.BatteryRecoveredAt!.Value.Pct}% at {DeviceIncidents.LocalTime(x.Outcome.BatteryRecoveredAt.Value.At, zone)}."))
            .ToList();
        var raised = new List<RaisedAlert>();
        var closed = new List<ClosedAlert>();
        List<ZoneRow> zones;
        await using var tx = await connection.BeginTransactionAsync(ct);

        // One round trip for the common case. The run of fixes without GPS carries over from batch to batch
        // on the device row; a device with GPS and no run is not touched (nor locked). Then the incidents of
        // devices with GPS back close, and low-battery episodes of batteries back up end.
        var runs = new Dictionary<string, (int Length, DateTimeOffset? Since)>(StringComparer.Ordinal);
        await using (var batch = new NpgsqlBatch(connection, tx))
        {
            var run = new NpgsqlBatchCommand("""
                UPDATE devices d SET
                    non_gps_fix_run = CASE WHEN u.has_gps THEN u.run_in_batch ELSE d.non_gps_fix_run + u.run_in_batch END,
                    non_gps_run_since = CASE WHEN u.has_gps THEN u.run_since
                                             ELSE coalesce(d.non_gps_run_since, u.run_since) END
                FROM unnest($1::text[], $2::boolean[], $3::int[], $4::timestamptz[]) AS u(id, has_gps, run_in_batch, run_since)
                WHERE d.id = u.id AND (u.run_in_batch > 0 OR d.non_gps_fix_run <> 0)
                RETURNING d.id, d.non_gps_fix_run, d.non_gps_run_since
                """);
            run.Parameters.AddWithValue(outcomes.Select(x => x.DeviceId).ToArray());
            run.Parameters.AddWithValue(outcomes.Select(x => x.Outcome.GpsBackAt is not null).ToArray());
            run.Parameters.AddWithValue(outcomes.Select(x => x.Outcome.NonGpsRun).ToArray());
            run.Parameters.Add(new NpgsqlParameter { Value = outcomes.Select(x => x.Outcome.RunSince).ToArray(), NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.TimestampTz });
            batch.BatchCommands.Add(run);
            if (gpsBack.Count > 0)
            {
                var close = new NpgsqlBatchCommand(DeviceIncidents.CloseSql);
                DeviceIncidents.AddCloseParameters(close.Parameters, gpsBack, now, o.CurfewTimeZone);
                batch.BatchCommands.Add(close);
            }

            if (recovered.Count > 0)
            {
                var end = new NpgsqlBatchCommand(DeviceIncidents.EndLowBatterySql);
                DeviceIncidents.AddEndLowBatteryParameters(end.Parameters, recovered, now);
                batch.BatchCommands.Add(end);
            }

            var read = new NpgsqlBatchCommand(ReadZonesSql);
            read.Parameters.AddWithValue(fixes.Select(f => f.SubjectId).Distinct().ToArray());
            batch.BatchCommands.Add(read);

            await using var reader = await batch.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                runs[reader.GetString(0)] = (reader.GetInt32(1), reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2));
            }

            for (var i = 1; i < batch.BatchCommands.Count - 1; i++)
            {
                await reader.NextResultAsync(ct);
                closed.AddRange(await DeviceIncidents.ReadClosedAsync(reader, now, ct));
            }

            await reader.NextResultAsync(ct);
            zones = await ReadZonesAsync(reader, ct);
        }

        foreach (var (deviceId, subjectId, outcome) in outcomes)
        {
            if (!runs.TryGetValue(deviceId, out var after) || outcome.NonGpsRun == 0)
            {
                continue;
            }

            var before = outcome.GpsBackAt is not null ? 0 : after.Length - outcome.NonGpsRun;
            if (!DeviceBatchOutcome.ReachesLimit(before, after.Length, o.NoGpsFixRun))
            {
                continue;
            }

            // The run may have begun batches ago: the device row remembers when.
            var since = after.Since ?? outcome.RunSince ?? now;
            var incident = await DeviceIncidents.OpenOrJoinAsync(connection, tx, subjectId, deviceId, since, ct);
            raised.Add(await raiser.RaiseAsync(connection, tx, new AlertCandidate(
                subjectId, AlertKind.NoGpsFix, "incident:" + incident, since,
                $"Device {deviceId} sent {o.NoGpsFixRun} or more fixes in a row without GPS (accuracy worse than {o.NoGpsAccuracyM:0} m), the first at {DeviceIncidents.LocalTime(since, zone)}.",
                IncidentId: incident), ct));
        }

        var low = outcomes.Where(x => x.Outcome.LowBatteryAt is not null).ToList();
        if (low.Count > 0)
        {
            raised.AddRange(await LowBatteryAsync(connection, tx, low.Select(x => (x.DeviceId, x.SubjectId, x.Outcome.LowBatteryAt!.Value)).ToList(), zone, ct));
        }

        if (!await ZoneRulesAsync(connection, tx, fixes, zones, raised, ct))
        {
            await tx.RollbackAsync(ct);
            return false;
        }

        await tx.CommitAsync(ct);
        await raiser.PublishAsync(raised);
        await incidents.PublishClosedAsync(closed);
        return true;
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

    private sealed record ZoneRow(Guid ZoneId, Guid SubjectId, string Name, ZoneRule Rule, ZonePresenceState State, Guid? OpenAlertId, bool Stored);

    private const string ReadZonesSql = """
        SELECT z.id, z.subject_id, z.name, z.kind, z.area, z.curfew_start, z.curfew_end,
               p.inside, p.since, p.candidate, coalesce(p.candidate_count, 0), p.candidate_since, p.last_fix_at, p.open_alert_id,
               p.zone_id IS NOT NULL
        FROM zones z LEFT JOIN zone_presences p ON p.zone_id = z.id
        WHERE z.subject_id = ANY($1) AND z.active
        ORDER BY z.id
        """;

    private static async Task<List<ZoneRow>> ReadZonesAsync(NpgsqlDataReader reader, CancellationToken ct)
    {
        var zones = new List<ZoneRow>();
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
            zones.Add(new ZoneRow(reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), rule, state, openAlert, reader.GetBoolean(14)));
        }

        return zones;
    }

    /// <summary>
    /// The zones of the batch's people, judged fix by fix in memory. Optimistic: the presence rows are read
    /// without locks and written back only if nobody moved them on meanwhile (same last fix, same open
    /// alert); otherwise the pass is rolled back (with any alert it raised) and run again on fresh state.
    /// Answers false when it must be run again.
    /// </summary>
    private async Task<bool> ZoneRulesAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, IReadOnlyList<LocationFix> fixes, List<ZoneRow> zones, List<RaisedAlert> raised, CancellationToken ct)
    {
        var o = options.Value;
        var timeZone = TimeZoneInfo.FindSystemTimeZoneById(o.CurfewTimeZone);
        var settings = new ZoneSettings(o.ZoneConfirmFixes, o.ZoneMarginM, o.ZoneGap, timeZone);
        if (zones.Count == 0)
        {
            return true;
        }

        var bySubject = fixes.ToLookup(f => f.SubjectId);
        var updated = new List<(ZoneRow Before, ZonePresenceState State, Guid? OpenAlertId)>(zones.Count);
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

            if (state != zone.State || openAlert != zone.OpenAlertId || !zone.Stored)
            {
                updated.Add((zone, state, openAlert));
            }
        }

        if (updated.Count > 0)
        {
            await using var save = new NpgsqlCommand("""
                WITH u AS (
                    SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::boolean[], $4::timestamptz[], $5::boolean[], $6::int[], $7::timestamptz[],
                        $8::timestamptz[], $9::uuid[], $10::boolean[], $11::timestamptz[], $12::uuid[])
                        AS u(zone_id, subject_id, inside, since, candidate, candidate_count, candidate_since, last_fix_at, open_alert_id,
                             stored, was_last_fix_at, was_open_alert_id)
                ), changed AS (
                    UPDATE zone_presences p SET inside = u.inside, since = u.since, candidate = u.candidate,
                        candidate_count = u.candidate_count, candidate_since = u.candidate_since, last_fix_at = u.last_fix_at,
                        open_alert_id = u.open_alert_id
                    FROM u
                    WHERE u.stored AND p.zone_id = u.zone_id
                      AND p.last_fix_at IS NOT DISTINCT FROM u.was_last_fix_at AND p.open_alert_id IS NOT DISTINCT FROM u.was_open_alert_id
                    RETURNING p.zone_id
                ), added AS (
                    INSERT INTO zone_presences (zone_id, subject_id, inside, since, candidate, candidate_count, candidate_since, last_fix_at, open_alert_id)
                    SELECT zone_id, subject_id, inside, since, candidate, candidate_count, candidate_since, last_fix_at, open_alert_id
                    FROM u WHERE NOT u.stored
                    ON CONFLICT (zone_id) DO NOTHING
                    RETURNING zone_id
                )
                SELECT (SELECT count(*) FROM changed) + (SELECT count(*) FROM added)
                """, connection, tx);
            var p = save.Parameters;
            p.AddWithValue(updated.Select(z => z.Before.ZoneId).ToArray());
            p.AddWithValue(updated.Select(z => z.Before.SubjectId).ToArray());
            p.AddWithValue(updated.Select(z => z.State.Inside).ToArray());
            p.AddWithValue(updated.Select(z => z.State.Since).ToArray());
            p.AddWithValue(updated.Select(z => z.State.Candidate).ToArray());
            p.AddWithValue(updated.Select(z => z.State.CandidateCount).ToArray());
            p.AddWithValue(updated.Select(z => z.State.CandidateSince).ToArray());
            p.AddWithValue(updated.Select(z => z.State.LastFixAt).ToArray());
            p.AddWithValue(updated.Select(z => z.OpenAlertId).ToArray());
            p.AddWithValue(updated.Select(z => z.Before.Stored).ToArray());
            p.AddWithValue(updated.Select(z => z.Before.State.LastFixAt).ToArray());
            p.AddWithValue(updated.Select(z => z.Before.OpenAlertId).ToArray());
            if (Convert.ToInt64(await save.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture) != updated.Count)
            {
                // A concurrent batch of the same person moved a zone on: judge again from its state.
                return false;
            }
        }

        return true;
    }
}
