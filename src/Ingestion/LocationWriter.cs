using Dashboard.Data;
using Dashboard.Live;
using Npgsql;
using NpgsqlTypes;

namespace Dashboard.Ingestion;

/// <summary>One validated fix of a batch.</summary>
public sealed record LocationFix(
    int Index,
    string DeviceId,
    Guid SubjectId,
    DateTimeOffset At,
    double Lat,
    double Lon,
    double AccuracyM,
    short? BatteryPct,
    Guid? EventId)
{
    /// <summary>Stored before (a retried batch): rules that count fixes must not count it again.</summary>
    public bool Repeat { get; init; }
}

/// <summary>
/// Writes fixes with binary COPY. The common case (no duplicates) is one COPY straight into the
/// partitioned table; when a unique index refuses it, the batch goes through a staging table and one
/// <c>INSERT ... ON CONFLICT DO NOTHING</c>, which skips the duplicates.
/// </summary>
public sealed class LocationWriter(NpgsqlDataSource dataSource, LocationPartitions partitions, TimeProvider clock)
{
    /// <param name="Stored">The fixes as the rules should see them: each marked <see cref="LocationFix.Repeat"/> if it was stored before.</param>
    public sealed record Result(int Inserted, IReadOnlyList<DeviceStatusChanged> Latest, IReadOnlyList<LocationFix> Stored);

    public async Task<Result> WriteAsync(IReadOnlyList<LocationFix> fixes, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(fixes);
        if (fixes.Count == 0)
        {
            return new Result(0, [], []);
        }

        await partitions.EnsureForAsync(fixes.Select(f => f.At), ct);
        var now = clock.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        int inserted;
        var stored = fixes;
        await using (var tx = await connection.BeginTransactionAsync(ct))
        {
            try
            {
                await CopyAsync(connection, "location_pings", fixes, now, ct);
                inserted = fixes.Count;
                await tx.CommitAsync(ct);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                await tx.RollbackAsync(ct);
                inserted = -1;
            }
        }

        if (inserted < 0)
        {
            await using var tx = await connection.BeginTransactionAsync(ct);
            await using (var create = new NpgsqlCommand(
                "CREATE TEMP TABLE location_staging (LIKE location_pings INCLUDING DEFAULTS) ON COMMIT DROP", connection, tx))
            {
                await create.ExecuteNonQueryAsync(ct);
            }

            await CopyAsync(connection, "location_staging", fixes, now, ct);
            var fresh = new HashSet<(string DeviceId, long Micros)>();
            await using (var insert = new NpgsqlCommand(
                "INSERT INTO location_pings SELECT * FROM location_staging ON CONFLICT DO NOTHING RETURNING device_id, at", connection, tx))
            await using (var reader = await insert.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    fresh.Add((reader.GetString(0), Micros(reader.GetFieldValue<DateTimeOffset>(1))));
                }
            }

            inserted = fresh.Count;
            stored = [.. fixes.Select(f => fresh.Remove((f.DeviceId, Micros(f.At))) ? f : f with { Repeat = true })];

            await tx.CommitAsync(ct);
        }

        await UpdateDevicesAsync(connection, fixes, now, ct);

        var latest = fixes
            .GroupBy(f => f.DeviceId, StringComparer.Ordinal)
            .Select(g => g.MaxBy(f => f.At)!)
            .Select(f => new DeviceStatusChanged(f.DeviceId, f.SubjectId, f.BatteryPct, f.At, f.Lat, f.Lon, now))
            .ToList();
        return new Result(inserted, latest, stored);
    }

    /// <summary>PostgreSQL keeps microseconds: compare times at that precision.</summary>
    private static long Micros(DateTimeOffset at) => at.UtcTicks / 10;

    private static async Task CopyAsync(NpgsqlConnection connection, string table, IReadOnlyList<LocationFix> fixes, DateTimeOffset now, CancellationToken ct)
    {
        // The table name is one of two constants of this class.
        await using var importer = await connection.BeginBinaryImportAsync(
            $"COPY {table} (device_id, at, subject_id, location, accuracy_m, battery_pct, event_id, received_at) FROM STDIN (FORMAT BINARY)", ct);
        foreach (var fix in fixes)
        {
            await importer.StartRowAsync(ct);
            await importer.WriteAsync(fix.DeviceId, NpgsqlDbType.Varchar, ct);
            await importer.WriteAsync(fix.At, NpgsqlDbType.TimestampTz, ct);
            await importer.WriteAsync(fix.SubjectId, NpgsqlDbType.Uuid, ct);
            await importer.WriteAsync(Geometry.Point(fix.Lat, fix.Lon), NpgsqlDbType.Geography, ct);
            await importer.WriteAsync(fix.AccuracyM, NpgsqlDbType.Double, ct);
            if (fix.BatteryPct is { } battery)
            {
                await importer.WriteAsync(battery, NpgsqlDbType.Smallint, ct);
            }
            else
            {
                await importer.WriteNullAsync(ct);
            }

            if (fix.EventId is { } eventId)
            {
                await importer.WriteAsync(eventId, NpgsqlDbType.Uuid, ct);
            }
            else
            {
                await importer.WriteNullAsync(ct);
            }

            await importer.WriteAsync(now, NpgsqlDbType.TimestampTz, ct);
        }

        await importer.CompleteAsync(ct);
    }

    /// <summary>
    /// Each device's newest fix, battery and last-seen time, never moved backwards by a late batch. In a
    /// short transaction of its own after the fixes committed, locking the rows in id order so that
    /// concurrent batches over the same devices cannot deadlock; retried once if they still collide.
    /// </summary>
    private static async Task UpdateDevicesAsync(NpgsqlConnection connection, IReadOnlyList<LocationFix> fixes, DateTimeOffset now, CancellationToken ct)
    {
        var latest = fixes.GroupBy(f => f.DeviceId, StringComparer.Ordinal).Select(g => g.MaxBy(f => f.At)!)
            .OrderBy(f => f.DeviceId, StringComparer.Ordinal).ToList();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var tx = await connection.BeginTransactionAsync(ct);
                await using (var lockRows = new NpgsqlCommand("SELECT 1 FROM devices WHERE id = ANY($1) ORDER BY id FOR NO KEY UPDATE", connection, tx))
                {
                    lockRows.Parameters.AddWithValue(latest.Select(f => f.DeviceId).ToArray());
                    await lockRows.ExecuteNonQueryAsync(ct);
                }

                await UpdateDeviceRowsAsync(connection, tx, latest, now, ct);
                await tx.CommitAsync(ct);
                return;
            }
            catch (PostgresException ex) when (attempt < 3 && ex.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure)
            {
                // Try again: the fixes themselves are already stored.
            }
        }
    }

    private static async Task UpdateDeviceRowsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, List<LocationFix> latest, DateTimeOffset now, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            UPDATE devices d SET
                last_fix_at = greatest(coalesce(d.last_fix_at, u.at), u.at),
                battery_pct = CASE WHEN d.last_fix_at IS NULL OR u.at >= d.last_fix_at THEN coalesce(u.battery, d.battery_pct) ELSE d.battery_pct END,
                last_seen_at = greatest(coalesce(d.last_seen_at, $4), $4)
            FROM unnest($1::text[], $2::timestamptz[], $3::int[]) AS u(id, at, battery)
            WHERE d.id = u.id
            """, connection, tx);
        command.Parameters.AddWithValue(latest.Select(f => f.DeviceId).ToArray());
        command.Parameters.AddWithValue(latest.Select(f => f.At).ToArray());
        command.Parameters.AddWithValue(latest.Select(f => (int?)f.BatteryPct).ToArray());
        command.Parameters.AddWithValue(now);
        await command.ExecuteNonQueryAsync(ct);
    }
}
