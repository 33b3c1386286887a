using Dashboard.Domain;
using Dashboard.Live;
using Npgsql;
using NpgsqlTypes;

namespace Dashboard.Features.Alerts.Sources;

/// <summary>What a rule saw: the raw material of an alert.</summary>
/// <param name="EpisodeKey">
/// Identifies the episode: a repeat with the same key joins the alert already raised (its occurrence count
/// goes up) instead of raising another. With <see cref="AlertRaiser.RaiseOrJoinAsync"/> the key is only
/// used when no alert of the kind is active for the subject.
/// </param>
public sealed record AlertCandidate(
    Guid SubjectId,
    AlertKind Kind,
    string EpisodeKey,
    DateTimeOffset At,
    string Summary,
    Guid? CheckInId = null,
    Guid? PromptId = null,
    Guid? ZoneId = null,
    Guid? DeviceEventId = null,
    Guid? IncidentId = null,
    double? Lat = null,
    double? Lon = null);

/// <summary>The alert a candidate became or joined.</summary>
public sealed record RaisedAlert(Guid AlertId, Guid SubjectId, AlertKind Kind, AlertState State, string Summary, DateTimeOffset RaisedAt, bool IsNew)
{
    /// <summary>Only a new open alert is news for the officer; a repeat or a covered one is not.</summary>
    public bool ShouldNotify => IsNew && State == AlertState.Open;
}

/// <summary>
/// The one way the machine rules raise alerts. It writes inside the caller's transaction, so the alert
/// commits with what caused it; the caller publishes with <see cref="PublishAsync"/> after the commit.
/// One alert per subject, kind and episode holds across app instances: the unique index on
/// (subject, kind, episode) settles races, and <see cref="RaiseOrJoinAsync"/> serializes per subject and
/// kind with a transaction-scoped advisory lock. An alert inside an authorised absence is recorded as
/// covered, not raised.
/// </summary>
public sealed class AlertRaiser(ILiveNotifier live)
{
    private const string InsertSql = """
        WITH absence AS (
            SELECT a.id FROM absences a
            WHERE $13 AND a.subject_id = $2 AND a.cancelled_at IS NULL AND a."from" <= $5 AND a."to" > $5
            ORDER BY a."from" LIMIT 1
        )
        INSERT INTO alerts (id, subject_id, kind, state, episode_key, raised_at, summary, check_in_id, prompt_id,
            zone_id, device_event_id, incident_id, location, covered_by_absence_id, occurrences)
        VALUES ($1, $2, $3, CASE WHEN EXISTS (SELECT 1 FROM absence) THEN 'Covered' ELSE 'Open' END, $4, $5, $6, $7, $8,
            $9, $10, $11,
            CASE WHEN $12::double precision[] IS NULL THEN NULL
                 ELSE ST_SetSRID(ST_MakePoint(($12::double precision[])[2], ($12::double precision[])[1]), 4326)::geography END,
            (SELECT id FROM absence), 1)
        ON CONFLICT (subject_id, kind, episode_key) DO UPDATE
            SET occurrences = alerts.occurrences + 1,
                last_occurred_at = greatest(coalesce(alerts.last_occurred_at, alerts.raised_at), EXCLUDED.raised_at)
        RETURNING id, state, summary, raised_at, (xmax = 0) AS inserted
        """;

    /// <summary>Raises the candidate's episode, or counts one more occurrence of it.</summary>
    public async Task<RaisedAlert> RaiseAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, AlertCandidate candidate, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        await using var insert = new NpgsqlCommand(InsertSql, connection, transaction);
        var p = insert.Parameters;
        p.Add(new() { Value = Guid.CreateVersion7() });
        p.Add(new() { Value = candidate.SubjectId });
        p.Add(new() { Value = candidate.Kind.ToString() });
        p.Add(new() { Value = candidate.EpisodeKey });
        p.Add(new() { Value = candidate.At });
        p.Add(new() { Value = Truncate(candidate.Summary, 500) });
        p.Add(Nullable(candidate.CheckInId));
        p.Add(Nullable(candidate.PromptId));
        p.Add(Nullable(candidate.ZoneId));
        p.Add(Nullable(candidate.DeviceEventId));
        p.Add(Nullable(candidate.IncidentId));
        p.Add(new()
        {
            Value = candidate is { Lat: { } lat, Lon: { } lon } ? new[] { lat, lon } : DBNull.Value,
            NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Double,
        });
        p.Add(new() { Value = AlertRules.IsCoverableByAbsence(candidate.Kind) });
        await using var reader = await insert.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return new RaisedAlert(
            reader.GetGuid(0),
            candidate.SubjectId,
            candidate.Kind,
            Enum.Parse<AlertState>(reader.GetString(1)),
            reader.GetString(2),
            reader.GetFieldValue<DateTimeOffset>(3),
            reader.GetBoolean(4));
    }

    /// <summary>
    /// One active alert per subject and kind: while an alert of the kind is open or acknowledged, a new
    /// occurrence joins it (a storm of tamper events or low-battery fixes is one alert); otherwise the
    /// candidate's episode is raised. Needs the caller's transaction (the advisory lock lasts until it ends).
    /// </summary>
    public async Task<RaisedAlert> RaiseOrJoinAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, AlertCandidate candidate, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(transaction);
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtextextended($1 || ':' || $2, 0))", connection, transaction))
        {
            lockCommand.Parameters.AddWithValue(candidate.SubjectId.ToString());
            lockCommand.Parameters.AddWithValue(candidate.Kind.ToString());
            await lockCommand.ExecuteNonQueryAsync(ct);
        }

        await using (var active = new NpgsqlCommand("""
            SELECT episode_key FROM alerts
            WHERE subject_id = $1 AND kind = $2 AND state IN ('Open', 'Acknowledged')
            ORDER BY raised_at DESC LIMIT 1
            """, connection, transaction))
        {
            active.Parameters.AddWithValue(candidate.SubjectId);
            active.Parameters.AddWithValue(candidate.Kind.ToString());
            if (await active.ExecuteScalarAsync(ct) is string episode)
            {
                candidate = candidate with { EpisodeKey = episode };
            }
        }

        return await RaiseAsync(connection, transaction, candidate, ct);
    }

    /// <summary>Tells the pages about new open alerts; call after the commit.</summary>
    public async Task PublishAsync(IEnumerable<RaisedAlert> alerts)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        foreach (var alert in alerts.Where(a => a.ShouldNotify))
        {
            await live.AlertRaisedAsync(new AlertRaised(alert.AlertId, alert.SubjectId, alert.Kind, alert.Summary, alert.RaisedAt), CancellationToken.None);
        }
    }

    private static NpgsqlParameter Nullable(Guid? value) => new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid };

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";
}
