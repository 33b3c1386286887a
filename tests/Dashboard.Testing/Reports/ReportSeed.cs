using System.Globalization;
using Dashboard.Audit;
using Dashboard.Domain;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Dashboard.Testing.Reports;

/// <summary>
/// A breach with a lot of evidence, written straight into the database (the workflows that normally make
/// it are tested elsewhere): alerts with the check-ins behind them (failed ones, and borderline ones with a
/// reviewer's decision), device events, notes, a proposal and a supervisor's decision with their audit
/// entries, and a trail of fixes over the whole period.
/// </summary>
public static class ReportSeed
{
    public sealed record Seeded(
        Guid BreachId,
        string Number,
        Guid SubjectId,
        string CaseReference,
        IReadOnlyList<DateTimeOffset> EvidenceTimes,
        string DecisionReason,
        IReadOnlyList<string> ReviewReasons);

    private static int _sequence;

    /// <summary>A 64 x 80 JPEG (a colour gradient), standing in for a check-in photo.</summary>
    private static readonly byte[] Photo = Convert.FromBase64String(
        "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAoHBwgHBgoICAgLCgoLDhgQDg0NDh0VFhEYIx8lJCIfIiEmKzcvJik0KSEiMEExNDk7Pj4+JS5ESUM8SDc9Pjv/2wBDAQoLCw4NDhwQEBw7KCIoOzs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozv/wAARCABQAEADASIAAhEBAxEB/8QAFgABAQEAAAAAAAAAAAAAAAAAAAQH/8QAFhABAQEAAAAAAAAAAAAAAAAAABNh/8QAGAEBAQEBAQAAAAAAAAAAAAAAAAQFAgb/xAAWEQEBAQAAAAAAAAAAAAAAAAAAEhP/2gAMAwEAAhEDEQA/AMqlhLFsiT0+7iEUsJYtkSNyEUsJYtkSNyEUsJYtkSNyFsiSyRJi7q4RyJLJEjchHIkskSNyEciSyRI3IWyJLZEmJurhFIktkSNyEUiS2RI3IRSJLZEjchbIktkSYu6uEUiS2RI3IRSJLZEjchFIktkSNyFsiSyRJi7rIRyJLJEjchHIkskSNyEciSyRI3If/9k=");

    /// <param name="evidence">Timeline items: two fifths alerts, as many check-ins, a tenth device events, the rest notes.</param>
    /// <param name="fixSeconds">The trail: one fix every so many seconds over <paramref name="trailDays"/> days; 0 for none.</param>
    /// <param name="photos">How many of the evidence check-ins still hold their photo (a small JPEG), first ones first.</param>
    public static async Task<Seeded> BreachAsync(IServiceProvider services, string connectionString, string device,
        int evidence = 200, int trailDays = 30, int fixSeconds = 60, bool decided = true, DateTimeOffset? end = null, int photos = 0)
    {
        ArgumentNullException.ThrowIfNull(services);
        var audit = services.GetRequiredService<AuditLog>();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();

        var (subjectId, caseReference, officerId, supervisorId, officerName, supervisorName) = await SubjectAsync(connection, device);
        var finish = end ?? DateTimeOffset.UtcNow.AddHours(-1);
        finish = new DateTimeOffset(finish.Ticks - (finish.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        var start = finish.AddDays(-trailDays);
        var alerts = evidence * 2 / 5;
        var events = evidence / 10;
        var notes = evidence - (2 * alerts) - events;
        var span = (finish - start).TotalSeconds - 7200;
        var times = new List<DateTimeOffset>();
        var reviewReasons = new List<string>();
        var breachId = Guid.CreateVersion7();
        var number = BreachRules.FormatNumber(finish.Year, 800_000 + (Environment.ProcessId % 1000 * 100) + Interlocked.Increment(ref _sequence));

        await using var batch = new NpgsqlBatch(connection);
        void Add(string sql, params object?[] values)
        {
            var command = new NpgsqlBatchCommand(sql);
            foreach (var v in values)
            {
                command.Parameters.Add(new NpgsqlParameter { Value = v ?? DBNull.Value });
            }

            batch.BatchCommands.Add(command);
        }

        var proposedAt = finish.AddMinutes(10);
        Add("""
            INSERT INTO breaches (id, number, subject_id, kind, summary, state, proposed_by, proposed_at, decided_by, decided_at, decision_reason)
            VALUES ($1, $2, $3, 'IdentityNotVerified', $4, $5, $6, $7, $8, $9, $10)
            """,
            breachId, number, subjectId, $"Identity not verified at {alerts} check-ins over {trailDays} days.", decided ? "Confirmed" : "Proposed",
            officerId, proposedAt, decided ? supervisorId : null, decided ? proposedAt.AddHours(2) : null,
            decided ? "Repeated failures to verify identity, confirmed against the reference photo." : null);

        for (var i = 0; i < alerts; i++)
        {
            var at = start.AddSeconds(3600 + (span * i / alerts));
            at = new DateTimeOffset(at.Ticks - (at.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
            var checkInAt = at.AddSeconds(-97);
            var checkInId = Guid.CreateVersion7();
            var borderline = i % 4 == 3;
            var match = borderline ? 0.62 + (i % 7 * 0.02) : 0.12 + (i % 9 * 0.04);
            Guid? photoId = i < photos ? Guid.CreateVersion7() : null;
            if (photoId is not null)
            {
                Add("INSERT INTO photos (id, subject_id, kind, jpeg, created_at, legal_hold) VALUES ($1, $2, 'CheckIn', $3, $4, false)",
                    photoId, subjectId, Photo, checkInAt);
            }

            Add("""
                INSERT INTO check_ins (id, event_id, subject_id, device_id, captured_at, received_at, match_score, liveness_score, outcome,
                                       policy_version, accept_match, reject_match, accept_liveness, reject_liveness, location, accuracy_m, synthetic, photo_id)
                VALUES ($1, gen_random_uuid(), $2, $3, $4, $4, $5, 0.86, $6, 1, 0.80, 0.50, 0.70, 0.30,
                        (SELECT ST_Project(home, 400 + $7 * 15, radians($7 * 37))::geography FROM subjects WHERE id = $2), 8, false, $8)
                """, checkInId, subjectId, device, checkInAt, match, borderline ? "Borderline" : "Failed", (double)(i % 24), photoId);
            if (borderline)
            {
                var reason = $"Face turned away in review {i}; not the same person.";
                reviewReasons.Add(reason);
                Add("""
                    INSERT INTO reviews (id, check_in_id, subject_id, created_at, due_by, decision, reason, decided_by, decided_at)
                    VALUES (gen_random_uuid(), $1, $2, $3, $3 + interval '2 hours', 'NotSamePerson', $4, $5, $3 + interval '20 minutes')
                    """, checkInId, subjectId, checkInAt, reason, officerId);
            }

            var alertId = Guid.CreateVersion7();
            Add("""
                INSERT INTO alerts (id, subject_id, kind, state, episode_key, raised_at, summary, check_in_id, breach_id, location, occurrences)
                VALUES ($1, $2, 'IdentityNotVerified', 'BreachProposed', $3, $4, $5, $6, $7,
                        (SELECT location FROM check_ins WHERE id = $6), 1)
                """, alertId, subjectId, "report-seed:" + alertId, at, borderline ? "Not the same person (decided by a reviewer)." : $"Match {match:0.00} below the reject threshold.", checkInId, breachId);
            Add("INSERT INTO breach_alerts (breach_id, alert_id) VALUES ($1, $2)", breachId, alertId);
            times.Add(at);
            times.Add(checkInAt);
        }

        for (var i = 0; i < events; i++)
        {
            var at = start.AddSeconds(3600 + (span * (i + 0.5) / events) + 13);
            at = new DateTimeOffset(at.Ticks - (at.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
            Add("""
                INSERT INTO device_events (id, event_id, device_id, subject_id, at, kind, detail, received_at)
                VALUES (gen_random_uuid(), gen_random_uuid(), $1, $2, $3, $4, $5, $3)
                """, device, subjectId, at, i % 2 == 0 ? "StrapTamper" : "LowBattery", i % 2 == 0 ? "Strap opened" : "Battery at 12%");
            times.Add(at);
        }

        for (var i = 0; i < notes; i++)
        {
            var at = proposedAt.AddMinutes(1 + (i * 3)).AddSeconds(i);
            Add("INSERT INTO notes (id, subject_id, breach_id, author_id, at, text) VALUES (gen_random_uuid(), $1, $2, $3, $4, $5)",
                subjectId, breachId, i % 2 == 0 ? officerId : supervisorId, at, $"Note {i}: spoke to the person about check-in {i}; they said the watch camera was covered.");
            times.Add(at);
        }

        await batch.ExecuteNonQueryAsync();

        if (fixSeconds > 0)
        {
            await using var partitions = new NpgsqlCommand("SELECT ensure_location_partitions($1, $2)", connection);
            partitions.Parameters.AddWithValue(DateOnly.FromDateTime(start.UtcDateTime));
            partitions.Parameters.AddWithValue(DateOnly.FromDateTime(finish.UtcDateTime.AddDays(1)));
            await partitions.ExecuteNonQueryAsync();
            await using var fixes = new NpgsqlCommand("""
                INSERT INTO location_pings (device_id, at, subject_id, location, accuracy_m, received_at)
                SELECT $1, t, $2,
                       ST_Project(s.home, 300 + 900 * abs(sin(n / 240.0)), radians((n * 0.7)::numeric % 360))::geography,
                       8, t
                FROM subjects s,
                     generate_series(0, $5) AS n,
                     LATERAL (SELECT $3::timestamptz + n * make_interval(secs => $4)) AS x(t)
                WHERE s.id = $2
                ON CONFLICT DO NOTHING
                """, connection);
            fixes.Parameters.AddWithValue(device);
            fixes.Parameters.AddWithValue(subjectId);
            fixes.Parameters.AddWithValue(start);
            fixes.Parameters.AddWithValue((double)fixSeconds);
            fixes.Parameters.AddWithValue((int)((finish - start).TotalSeconds / fixSeconds));
            fixes.CommandTimeout = 300;
            await fixes.ExecuteNonQueryAsync();
        }

        await audit.AppendAsync(new AuditEntry(officerId, officerName, "breach-proposed", subjectId, "breach", breachId.ToString(),
            string.Create(CultureInfo.InvariantCulture, $"Breach {number} proposed from {alerts} alert(s).")), CancellationToken.None);
        if (decided)
        {
            await audit.AppendAsync(new AuditEntry(supervisorId, supervisorName, "breach-confirmed", subjectId, "breach", breachId.ToString(),
                $"Breach {number} confirmed: Repeated failures to verify identity, confirmed against the reference photo."), CancellationToken.None);
        }

        return new Seeded(breachId, number, subjectId, caseReference, [.. times.Order()],
            "Repeated failures to verify identity, confirmed against the reference photo.", reviewReasons);
    }

    private static async Task<(Guid Subject, string CaseReference, Guid Officer, Guid Supervisor, string OfficerName, string SupervisorName)> SubjectAsync(NpgsqlConnection connection, string device)
    {
        await using var command = new NpgsqlCommand("""
            SELECT s.id, s.case_reference, o.id, o.display_name, sup.id, sup.display_name
            FROM devices d JOIN subjects s ON s.id = d.subject_id JOIN staff o ON o.id = s.officer_id
            JOIN staff sup ON sup.team_id = o.team_id AND sup.role = 'Supervisor'
            WHERE d.id = $1 ORDER BY sup.login_name LIMIT 1
            """, connection);
        command.Parameters.AddWithValue(device);
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync())
        {
            throw new InvalidOperationException($"No subject wears {device}.");
        }

        return (reader.GetGuid(0), reader.GetString(1), reader.GetGuid(2), reader.GetGuid(4), reader.GetString(3), reader.GetString(5));
    }
}
