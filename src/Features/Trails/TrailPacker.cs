using System.Buffers.Binary;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Dashboard.Features.Trails;

/// <summary>
/// Packs each closed hour of fixes into one row per subject (<c>trail_chunks</c>), so a trail is read as a
/// few compact rows instead of one index entry per fix; repacks the chunks a late fix made stale.
/// </summary>
/// <remarks>
/// Completeness: a fix stored for an hour already swept marks its subject's chunk stale, in the storing
/// transaction (the <c>location_pings</c> trigger), after taking that hour's advisory lock shared. The packer
/// takes the hour's lock exclusively before it reads the hour, in a statement of its own: so it sees every
/// fix committed before it packs, and a fix committed after sees the packed chunk and marks it stale. A
/// stale chunk is read from the raw fixes until it is repacked; a chunk therefore never hides a fix.
/// </remarks>
public sealed class TrailPacker(NpgsqlDataSource dataSource, IOptions<TrailOptions> options, TimeProvider clock, ILogger<TrailPacker> logger) : BackgroundService
{
    /// <summary>The advisory lock class of trail hours (the key is the hour since 1970).</summary>
    public const int HourLockClass = 7270013;

    /// <summary>Bytes a fix takes in a chunk: microseconds since 1970 (int8), lat, lon, accuracy (float8), big-endian.</summary>
    public const int FixBytes = 32;

    /// <summary>What one run did: hours swept (every subject's chunk of the hour packed) and stale chunks repacked.</summary>
    public sealed record Outcome(int HoursPacked, int ChunksRepacked);

    private const string PackSql = """
        INSERT INTO trail_chunks (subject_id, hour, fixes)
        SELECT subject_id, $1, string_agg(
                   int8send((extract(epoch FROM at) * 1000000)::int8) || float8send(ST_Y(location::geometry))
                   || float8send(ST_X(location::geometry)) || float8send(accuracy_m), ''::bytea ORDER BY at)
        FROM location_pings
        WHERE at >= $1 AND at < $1 + interval '1 hour' AND ($2::uuid IS NULL OR subject_id = $2)
        GROUP BY subject_id
        ON CONFLICT (subject_id, hour) DO UPDATE SET fixes = EXCLUDED.fixes, packed_at = now()
        """;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.PackIntervalSeconds), clock);
        // The first run one interval after start: starting instances do not all sweep at once.
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var outcome = await PackAsync(stoppingToken);
                if (outcome.HoursPacked + outcome.ChunksRepacked > 0)
                {
                    logger.LogDebug("Trail packing: {Hours} hours packed, {Chunks} stale chunks repacked", outcome.HoursPacked, outcome.ChunksRepacked);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Trails stay correct unpacked (read from the raw fixes), only slower: try again next time.
                logger.LogWarning(ex, "Trail packing could not run; it will try again");
            }
        }
    }

    /// <summary>
    /// Packs every closed hour of the look-back period not packed yet (newest first), then repacks the stale
    /// chunks. An hour is closed once it ended <see cref="TrailOptions.PackAfterSeconds"/> ago.
    /// </summary>
    public async Task<Outcome> PackAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var until = now.AddSeconds(-options.Value.PackAfterSeconds);
        var since = now.AddDays(-options.Value.PackDays);
        var hours = new List<DateTime>();
        await using (var due = dataSource.CreateCommand("""
            SELECT h FROM generate_series(date_trunc('hour', $1::timestamptz, 'UTC'), date_trunc('hour', $2::timestamptz, 'UTC'), interval '1 hour') h
            WHERE h + interval '1 hour' <= $2 AND NOT EXISTS (SELECT 1 FROM trail_hours t WHERE t.hour = h)
            ORDER BY h DESC
            """))
        {
            due.Parameters.AddWithValue(since.UtcDateTime);
            due.Parameters.AddWithValue(until.UtcDateTime);
            await using var reader = await due.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                hours.Add(reader.GetDateTime(0));
            }
        }

        foreach (var hour in hours)
        {
            await PackHourAsync(hour, null, ct);
        }

        var stale = new List<(Guid Subject, DateTime Hour)>();
        await using (var find = dataSource.CreateCommand("SELECT subject_id, hour FROM trail_chunks WHERE fixes IS NULL ORDER BY hour DESC LIMIT 10000"))
        await using (var reader = await find.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                stale.Add((reader.GetGuid(0), reader.GetDateTime(1)));
            }
        }

        foreach (var (subject, hour) in stale)
        {
            await PackHourAsync(hour, subject, ct);
        }

        return new Outcome(hours.Count, stale.Count);
    }

    /// <summary>Packs one hour for every subject (and records the hour as swept), or for one subject only.</summary>
    private async Task PackHourAsync(DateTime hour, Guid? subject, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(System.Data.IsolationLevel.ReadCommitted, ct);
        // Its own statement: the read below takes its snapshot after every writer of the hour has committed.
        await using (var lockHour = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1, $2)", connection, tx))
        {
            lockHour.Parameters.AddWithValue(HourLockClass);
            lockHour.Parameters.AddWithValue(HourKey(hour));
            await lockHour.ExecuteNonQueryAsync(ct);
        }

        await using (var pack = new NpgsqlCommand(PackSql, connection, tx))
        {
            pack.Parameters.AddWithValue(hour);
            pack.Parameters.Add(new NpgsqlParameter<Guid?> { TypedValue = subject, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid });
            await pack.ExecuteNonQueryAsync(ct);
        }

        var recordSql = subject is null
            ? "INSERT INTO trail_hours (hour) VALUES ($1) ON CONFLICT DO NOTHING"
            // Nothing left to pack (cannot happen while fixes are only added): the stale mark goes, the raw read stays.
            : "DELETE FROM trail_chunks WHERE hour = $1 AND subject_id = $2 AND fixes IS NULL";
        await using (var record = new NpgsqlCommand(recordSql, connection, tx))
        {
            record.Parameters.AddWithValue(hour);
            if (subject is { } s)
            {
                record.Parameters.AddWithValue(s);
            }

            await record.ExecuteNonQueryAsync(ct);
        }

        await tx.CommitAsync(ct);
    }

    /// <summary>Hours since 1970: the key of an hour's advisory lock (the trigger computes the same).</summary>
    public static int HourKey(DateTime hour) => (int)(new DateTimeOffset(hour, TimeSpan.Zero).ToUnixTimeSeconds() / 3600);

    /// <summary>
    /// The fixes of a packed chunk (oldest first) that fall in [<paramref name="from"/>, <paramref name="to"/>),
    /// as the index range [Lo, Hi): found by binary search, so a range cut inside an hour costs nothing extra.
    /// </summary>
    public static (int Lo, int Hi) RangeOf(ReadOnlySpan<byte> chunk, DateTimeOffset from, DateTimeOffset to)
    {
        if (chunk.Length % FixBytes != 0)
        {
            throw new InvalidOperationException($"A packed trail chunk of {chunk.Length} bytes is not a whole number of fixes.");
        }

        return (FirstAtOrAfter(chunk, Micros(from)), FirstAtOrAfter(chunk, Micros(to)));
    }

    /// <summary>Writes the chunk's fixes [<paramref name="lo"/>, <paramref name="hi"/>) to the start of <paramref name="into"/>.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void Unpack(ReadOnlySpan<byte> chunk, int lo, int hi, Span<TrailFix> into)
    {
        for (var i = lo; i < hi; i++)
        {
            var fix = chunk.Slice(i * FixBytes, FixBytes);
            into[i - lo] = new TrailFix(
                new DateTimeOffset(DateTime.UnixEpoch.Ticks + (BinaryPrimitives.ReadInt64BigEndian(fix) * 10), TimeSpan.Zero),
                BinaryPrimitives.ReadDoubleBigEndian(fix[8..]),
                BinaryPrimitives.ReadDoubleBigEndian(fix[16..]),
                BinaryPrimitives.ReadDoubleBigEndian(fix[24..]));
        }
    }

    private static int FirstAtOrAfter(ReadOnlySpan<byte> chunk, long micros)
    {
        int low = 0, high = chunk.Length / FixBytes;
        while (low < high)
        {
            var mid = (low + high) / 2;
            if (BinaryPrimitives.ReadInt64BigEndian(chunk[(mid * FixBytes)..]) < micros)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        return low;
    }

    /// <summary>Microseconds since 1970 (callers pass times already whole microseconds, as PostgreSQL keeps them).</summary>
    private static long Micros(DateTimeOffset at) => (at.UtcTicks - DateTime.UnixEpoch.Ticks) / 10;
}
