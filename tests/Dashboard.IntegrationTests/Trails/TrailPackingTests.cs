using Dashboard.Features.Retention;
using Dashboard.Features.Trails;
using Dashboard.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Dashboard.IntegrationTests.Trails;

/// <summary>
/// Packed trails (one row per subject and closed hour) must give back exactly the fixes stored, whatever
/// arrives late or while an hour is being packed. Each test uses demo-0001's subject on hours of its own,
/// a few days back (inside the packing period), and compares the trail read with the raw fixes.
/// </summary>
public class TrailPackingTests(SeededApp fixture) : IClassFixture<SeededApp>
{
    private static readonly DateTimeOffset Today = new(DateTime.UtcNow.Date, TimeSpan.Zero);

    private string Db => fixture.App.ConnectionString;

    private NpgsqlDataSource DataSource => fixture.App.Services.GetRequiredService<NpgsqlDataSource>();

    private TrailPacker Packer => fixture.App.Services.GetRequiredService<TrailPacker>();

    private async Task<Guid> SubjectAsync() => (Guid)(await Sql.ScalarAsync(Db, "SELECT subject_id FROM devices WHERE id = 'demo-0001'"))!;

    /// <summary>Fixes every <paramref name="seconds"/> from <paramref name="from"/>, with odd microseconds and coordinates no float rounding forgives.</summary>
    private async Task AddFixesAsync(Guid subject, DateTimeOffset from, int count, double seconds)
    {
        await Sql.ExecuteAsync(Db, "SELECT ensure_location_partitions($1::date, $2::date)", from.UtcDateTime.Date, from.AddSeconds(seconds * count).UtcDateTime.Date);
        await Sql.ExecuteAsync(Db, """
            INSERT INTO location_pings (device_id, at, subject_id, location, accuracy_m)
            SELECT 'demo-0001', $2::timestamptz + g * make_interval(secs => $4) + interval '123457 microseconds', $1,
                   ST_SetSRID(ST_MakePoint(-0.12 + 0.0001234567891 * g / 3.0, 51.5 + 0.0000987654321 * sin(g)), 4326)::geography,
                   CASE WHEN g % 7 = 0 THEN 250.5 ELSE 8 + g % 3 / 3.0 END
            FROM generate_series(0, $3 - 1) g
            """, subject, from, count, seconds);
    }

    private async Task AddFixAsync(Guid subject, DateTimeOffset at, string device = "demo-0001")
    {
        await Sql.ExecuteAsync(Db, "SELECT ensure_location_partitions($1::date, $1::date)", at.UtcDateTime.Date);
        await Sql.ExecuteAsync(Db,
            "INSERT INTO location_pings (device_id, at, subject_id, location, accuracy_m) VALUES ($1, $2, $3, 'SRID=4326;POINT(-0.2 51.6)'::geography, 42)",
            device, at, subject);
    }

    private async Task<List<TrailFix>> RawAsync(Guid subject, DateTimeOffset from, DateTimeOffset to)
    {
        await using var command = DataSource.CreateCommand(GetTrail.FixesSql);
        command.Parameters.AddWithValue(subject);
        command.Parameters.AddWithValue(from.UtcDateTime);
        command.Parameters.AddWithValue(to.UtcDateTime);
        await using var reader = await command.ExecuteReaderAsync();
        var fixes = new List<TrailFix>();
        while (await reader.ReadAsync())
        {
            fixes.Add(new TrailFix(new DateTimeOffset(reader.GetDateTime(0).Ticks, TimeSpan.Zero), reader.GetDouble(1), reader.GetDouble(2), reader.GetDouble(3)));
        }

        return fixes;
    }

    private async Task AssertTrailIsTheRawFixesAsync(Guid subject, DateTimeOffset from, DateTimeOffset to, int? expected = null)
    {
        var raw = await RawAsync(subject, from, to);
        var read = await GetTrail.ReadFixesAsync(DataSource, subject, from, to, CancellationToken.None);
        if (expected is { } count)
        {
            Assert.Equal(count, raw.Count);
        }

        Assert.Equal(raw, read);
    }

    private Task<long> ChunksAsync(Guid subject, DateTimeOffset from, DateTimeOffset to, bool stale = false) =>
        Sql.CountAsync(Db, $"SELECT count(*) FROM trail_chunks WHERE subject_id = $1 AND hour >= $2 AND hour < $3 AND fixes IS {(stale ? "" : "NOT ")}NULL", subject, from, to);

    [Fact]
    public async Task Packed_hours_read_back_exactly_the_stored_fixes_for_any_range_cut_inside_an_hour()
    {
        var subject = await SubjectAsync();
        var from = Today.AddDays(-3).AddHours(2);
        await AddFixesAsync(subject, from, 6 * 720, 5);

        await Packer.PackAsync(CancellationToken.None);

        Assert.Equal(6, await ChunksAsync(subject, from, from.AddHours(6)));
        await AssertTrailIsTheRawFixesAsync(subject, from, from.AddHours(6), 6 * 720);
        // Cut inside hours, at a fix's exact microsecond (included) and just after one (excluded).
        var cutFrom = from.AddMinutes(17).AddTicks(1_234_570);
        var cutTo = from.AddHours(4).AddMinutes(41).AddTicks(1_234_571);
        await AssertTrailIsTheRawFixesAsync(subject, cutFrom, cutTo);
        await AssertTrailIsTheRawFixesAsync(subject, from.AddMinutes(-30), from.AddHours(7));
        // An hour partly packed, partly open: the range ends in an hour not swept (today).
        await AssertTrailIsTheRawFixesAsync(subject, from, Today.AddHours(DateTime.UtcNow.Hour).AddMinutes(30));
    }

    [Fact]
    public async Task A_late_fix_for_a_packed_hour_is_in_the_trail_at_once_and_in_its_repacked_chunk()
    {
        var subject = await SubjectAsync();
        var from = Today.AddDays(-4).AddHours(5);
        await AddFixesAsync(subject, from, 3 * 360, 10);
        await Packer.PackAsync(CancellationToken.None);
        Assert.Equal(3, await ChunksAsync(subject, from, from.AddHours(3)));

        // Late, and from another device of the same subject, between two fixes of the middle hour.
        var late = from.AddHours(1).AddMinutes(20).AddSeconds(3);
        await AddFixAsync(subject, late, "demo-0002");

        Assert.Equal(1, await ChunksAsync(subject, from, from.AddHours(3), stale: true));
        await AssertTrailIsTheRawFixesAsync(subject, from, from.AddHours(3), (3 * 360) + 1);
        Assert.Contains(await GetTrail.ReadFixesAsync(DataSource, subject, from, from.AddHours(3), CancellationToken.None), f => f.At == late && f.AccuracyM == 42);

        var outcome = await Packer.PackAsync(CancellationToken.None);

        Assert.True(outcome.ChunksRepacked >= 1);
        Assert.Equal(0, await ChunksAsync(subject, from, from.AddHours(3), stale: true));
        Assert.Equal(3, await ChunksAsync(subject, from, from.AddHours(3)));
        await AssertTrailIsTheRawFixesAsync(subject, from, from.AddHours(3), (3 * 360) + 1);
    }

    [Fact]
    public async Task A_late_fix_for_an_hour_swept_while_the_subject_had_no_fixes_is_in_the_trail()
    {
        var subject = await SubjectAsync();
        var hour = Today.AddDays(-5).AddHours(9);
        await Packer.PackAsync(CancellationToken.None);
        Assert.Equal(1, await Sql.CountAsync(Db, "SELECT count(*) FROM trail_hours WHERE hour = $1", hour));

        await AddFixAsync(subject, hour.AddMinutes(12));

        await AssertTrailIsTheRawFixesAsync(subject, hour, hour.AddHours(1), 1);
        await Packer.PackAsync(CancellationToken.None);
        Assert.Equal(1, await ChunksAsync(subject, hour, hour.AddHours(1)));
        await AssertTrailIsTheRawFixesAsync(subject, hour, hour.AddHours(1), 1);
    }

    [Fact]
    public async Task An_hour_packed_while_a_fix_for_it_is_being_stored_waits_for_it_and_keeps_it()
    {
        var subject = await SubjectAsync();
        var hour = Today.AddDays(-6).AddHours(14);
        await AddFixesAsync(subject, hour, 100, 30);

        // A writer has stored a fix for the hour and not committed yet when the packer starts on the hour.
        await using var writer = new NpgsqlConnection(Db);
        await writer.OpenAsync();
        await using var tx = await writer.BeginTransactionAsync();
        await using (var insert = new NpgsqlCommand(
            "INSERT INTO location_pings (device_id, at, subject_id, location, accuracy_m) VALUES ('demo-0001', $1, $2, 'SRID=4326;POINT(-0.3 51.4)'::geography, 7)", writer, tx))
        {
            insert.Parameters.AddWithValue(hour.AddMinutes(59).UtcDateTime);
            insert.Parameters.AddWithValue(subject);
            await insert.ExecuteNonQueryAsync();
        }

        var packing = Packer.PackAsync(CancellationToken.None);
        await WaitForHourLockWaiterAsync();
        Assert.False(packing.IsCompleted);
        await tx.CommitAsync();
        await packing;

        Assert.Equal(1, await ChunksAsync(subject, hour, hour.AddHours(1)));
        await AssertTrailIsTheRawFixesAsync(subject, hour, hour.AddHours(1), 101);
    }

    [Fact]
    public async Task Fixes_stored_for_closed_hours_while_the_packer_runs_again_and_again_are_never_lost()
    {
        var subject = await SubjectAsync();
        var from = Today.AddDays(-2).AddHours(3);
        await AddFixesAsync(subject, from, 2 * 360, 10);
        using var stop = new CancellationTokenSource();
        var packing = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await Packer.PackAsync(CancellationToken.None);
            }
        });

        // Late fixes in small batches (a transaction each), into both hours, while packing goes on.
        for (var i = 0; i < 60; i++)
        {
            await Sql.ExecuteAsync(Db, """
                INSERT INTO location_pings (device_id, at, subject_id, location, accuracy_m)
                SELECT 'demo-0003', $2::timestamptz + (g * 1200 + $3) * interval '1 second' + interval '1 millisecond', $1,
                       'SRID=4326;POINT(-0.15 51.45)'::geography, 11
                FROM generate_series(0, 5) g
                """, subject, from, i);
        }

        await stop.CancelAsync();
        await packing;

        await AssertTrailIsTheRawFixesAsync(subject, from, from.AddHours(2), (2 * 360) + 360);
        await Packer.PackAsync(CancellationToken.None);
        Assert.Equal(0, await ChunksAsync(subject, from, from.AddHours(2), stale: true));
        await AssertTrailIsTheRawFixesAsync(subject, from, from.AddHours(2), (2 * 360) + 360);
    }

    [Fact]
    public async Task Fixes_stored_in_a_repeatable_read_transaction_are_refused_rather_than_left_out_of_a_packed_hour()
    {
        var subject = await SubjectAsync();
        var at = Today.AddDays(-1).AddHours(4);
        await Sql.ExecuteAsync(Db, "SELECT ensure_location_partitions($1::date, $1::date)", at.UtcDateTime.Date);
        await using var writer = new NpgsqlConnection(Db);
        await writer.OpenAsync();
        await using var tx = await writer.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead);
        await using var insert = new NpgsqlCommand(
            "INSERT INTO location_pings (device_id, at, subject_id, location, accuracy_m) VALUES ('demo-0001', $2, $1, 'SRID=4326;POINT(-0.3 51.4)'::geography, 7)", writer, tx);
        insert.Parameters.AddWithValue(subject);
        insert.Parameters.AddWithValue(at.UtcDateTime);

        var refused = await Assert.ThrowsAsync<PostgresException>(() => insert.ExecuteNonQueryAsync());

        Assert.Equal(PostgresErrorCodes.FeatureNotSupported, refused.SqlState);
    }

    private async Task WaitForHourLockWaiterAsync()
    {
        for (var i = 0; i < 200; i++)
        {
            if (await Sql.CountAsync(Db, $"SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid::int8 = {TrailPacker.HourLockClass} AND NOT granted") > 0)
            {
                return;
            }

            await Task.Delay(25);
        }

        throw new TimeoutException("The packer never waited for the hour's lock.");
    }
}

/// <summary>Retention drops a day's packed hours with the day's partition.</summary>
public class TrailPackingRetentionTests
{
    [Fact]
    public async Task Retention_removes_the_packed_hours_of_the_days_it_drops_and_keeps_the_rest()
    {
        var db = await TestPostgres.CreateMigratedDatabaseAsync("trailpackingretention");
        await using var app = new DashboardApp(db).Start();
        var retention = app.Services.GetRequiredService<LocationRetention>();
        var dropped = retention.FirstKeptDay().AddDays(-1).ToDateTime(new TimeOnly(10, 0), DateTimeKind.Utc);
        var kept = retention.FirstKeptDay().ToDateTime(new TimeOnly(10, 0), DateTimeKind.Utc);
        var subject = Guid.NewGuid();
        foreach (var at in new[] { dropped, kept })
        {
            await Sql.ExecuteAsync(db, "SELECT ensure_location_partitions($1::date, $1::date)", at.Date);
            await Sql.ExecuteAsync(db, "INSERT INTO trail_hours (hour) VALUES ($1)", at);
            await Sql.ExecuteAsync(db, "INSERT INTO trail_chunks (subject_id, hour, fixes) VALUES ($1, $2, '\\x'::bytea)", subject, at);
        }

        await retention.PurgeAsync(CancellationToken.None);

        Assert.Equal(0, await Sql.CountAsync(db, "SELECT count(*) FROM trail_chunks WHERE hour = $1", dropped));
        Assert.Equal(0, await Sql.CountAsync(db, "SELECT count(*) FROM trail_hours WHERE hour = $1", dropped));
        Assert.Equal(1, await Sql.CountAsync(db, "SELECT count(*) FROM trail_chunks WHERE hour = $1", kept));
        Assert.Equal(1, await Sql.CountAsync(db, "SELECT count(*) FROM trail_hours WHERE hour = $1", kept));
    }
}
