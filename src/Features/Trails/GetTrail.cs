using Dashboard.Data;
using Dashboard.Domain;
using Dashboard.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NetTopologySuite.Geometries;
using NetTopologySuite.Algorithm.Locate;
using Npgsql;

namespace Dashboard.Features.Trails;

/// <summary>
/// A subject's trail for a time range, ready to draw: split into segments at gaps in reporting, thinned on
/// the server to at most <see cref="TrailOptions.MaxVertices"/> vertices (the points nearest to check-ins,
/// alerts and zone crossings always kept), with the check-ins, alerts and zones of the range.
/// Null when the subject is outside the user's scope (which looks the same as not existing).
/// </summary>
public sealed class GetTrail(IDbContextFactory<DashboardDb> dbFactory, NpgsqlDataSource dataSource, IOptions<TrailOptions> options, TimeProvider clock)
{
    /// <summary>GPS fixes are this accurate or better; coarser ones come from cell towers or Wi-Fi.</summary>
    public const double GpsAccuracyM = 100;

    /// <summary><paramref name="Zoom"/>, when given, sets a floor on the tolerance: one screen pixel at that zoom.</summary>
    public sealed record Query(Guid SubjectId, DateTimeOffset From, DateTimeOffset To, bool AllPoints = false, int? Zoom = null);

    /// <param name="Number">The point's position among all fixes of the range (1-based), so a thinned trail still says which fix it is.</param>
    /// <param name="SpeedMps">From the previous fix of the range; null for the first of a segment.</param>
    public sealed record TrailPoint(int Number, DateTimeOffset At, double Lat, double Lon, double AccuracyM, double? SpeedMps, string Source);

    /// <summary>
    /// A trail's segments (never joined across a gap), each a list of its vertices oldest first. Sent to the
    /// browser compactly, the same way by the API and to the map: per vertex an array of
    /// <see cref="VertexFields"/> (coordinates to 6 decimals, about 0.1 m), a fifth of the bytes of one object per vertex.
    /// </summary>
    [System.Text.Json.Serialization.JsonConverter(typeof(Json))]
    public sealed class TrailSegments(IReadOnlyList<IReadOnlyList<TrailPoint>> segments) : IReadOnlyList<IReadOnlyList<TrailPoint>>
    {
        /// <summary>What each vertex's array holds, in order; speed is null for the first vertex of a segment.</summary>
        public static readonly IReadOnlyList<string> VertexFields = ["lat", "lon", "atUnixMs", "accuracyM", "number", "speedMps"];

        public int Count => segments.Count;

        public IReadOnlyList<TrailPoint> this[int index] => segments[index];

        public IEnumerator<IReadOnlyList<TrailPoint>> GetEnumerator() => segments.GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        private sealed class Json : System.Text.Json.Serialization.JsonConverter<TrailSegments>
        {
            public override TrailSegments Read(ref System.Text.Json.Utf8JsonReader reader, Type typeToConvert, System.Text.Json.JsonSerializerOptions options) =>
                throw new NotSupportedException("Trails are only written.");

            public override void Write(System.Text.Json.Utf8JsonWriter writer, TrailSegments value, System.Text.Json.JsonSerializerOptions options)
            {
                writer.WriteStartArray();
                foreach (var segment in value)
                {
                    writer.WriteStartArray();
                    foreach (var p in segment)
                    {
                        writer.WriteStartArray();
                        writer.WriteNumberValue(Math.Round(p.Lat, 6));
                        writer.WriteNumberValue(Math.Round(p.Lon, 6));
                        writer.WriteNumberValue(p.At.ToUnixTimeMilliseconds());
                        writer.WriteNumberValue(Math.Round(p.AccuracyM, 1));
                        writer.WriteNumberValue(p.Number);
                        if (p.SpeedMps is { } speed)
                        {
                            writer.WriteNumberValue(Math.Round(speed, 2));
                        }
                        else
                        {
                            writer.WriteNullValue();
                        }

                        writer.WriteEndArray();
                    }

                    writer.WriteEndArray();
                }

                writer.WriteEndArray();
            }
        }
    }

    public sealed record CheckInMark(Guid Id, DateTimeOffset At, double Lat, double Lon, double? AccuracyM, CheckInOutcome Outcome, bool PlacedOnTrail);

    public sealed record AlertMark(Guid Id, AlertKind Kind, AlertState State, DateTimeOffset At, double Lat, double Lon, string Summary);

    /// <param name="Ring">The zone's outline as [lat, lon] pairs.</param>
    public sealed record ZoneShape(Guid Id, string Name, ZoneKind Kind, IReadOnlyList<double[]> Ring, TimeOnly? CurfewStart, TimeOnly? CurfewEnd);

    public sealed record Trail(
        Guid SubjectId,
        DateTimeOffset From,
        DateTimeOffset To,
        int TotalPoints,
        int Vertices,
        double ToleranceM,
        TrailSegments Segments,
        IReadOnlyList<CheckInMark> CheckIns,
        IReadOnlyList<AlertMark> Alerts,
        IReadOnlyList<ZoneShape> Zones,
        DateTimeOffset? NewestFixAt,
        TimeSpan ExpectedInterval,
        DateTimeOffset ServedAt)
    {
        /// <summary>What each vertex of <see cref="Segments"/> holds, in order (the API's readers need not guess).</summary>
        public IReadOnlyList<string> VertexFields => TrailSegments.VertexFields;

        /// <summary>A vertex this accurate or better is a GPS fix; a coarser one is a network estimate.</summary>
        public double GpsAccuracyM => GetTrail.GpsAccuracyM;

        /// <summary>True when the newest fix is older than the expected reporting interval (data may be stale).</summary>
        public bool Stale => NewestFixAt is not { } newest || ServedAt - newest > ExpectedInterval;

        /// <summary>Where the time went (the API sends it as a Server-Timing header, not in the body).</summary>
        [System.Text.Json.Serialization.JsonIgnore]
        public TrailTimings? Timings { get; init; }
    }

    /// <summary>
    /// Milliseconds: scope check, reading the fixes (alongside the scope check and the events), reading the events and zones, marking
    /// the gaps and the points to keep, thinning, and shaping the answer; and the garbage collector's pauses
    /// meanwhile (the whole process's, so they may overlap any of the others).
    /// </summary>
    public sealed record TrailTimings(double ScopeMs, double FixesMs, double EventsMs, double MarkMs, double ThinMs, double ShapeMs, double GcPauseMs)
    {
        public string ToServerTiming() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"scope;dur={ScopeMs:0.0}, fixes;dur={FixesMs:0.0}, events;dur={EventsMs:0.0}, mark;dur={MarkMs:0.0}, thin;dur={ThinMs:0.0}, shape;dur={ShapeMs:0.0}, gc;dur={GcPauseMs:0.0}");
    }

    /// <summary>Fixes of one subject in a range, oldest first, a row each (the CSV export streams these).</summary>
    internal const string FixesSql = """
        SELECT at, ST_Y(location::geometry), ST_X(location::geometry), accuracy_m
        FROM location_pings
        WHERE subject_id = $1 AND at >= $2 AND at < $3
        ORDER BY at
        """;

    /// <summary>
    /// The same fixes, read mostly packed: one row per packed hour of the range (see <see cref="TrailPacker"/>),
    /// and the fixes of the hours not packed (the open hour, stale or unswept ones) a row each, by one indexed
    /// range read per run of such hours (the range's own bounds let the planner prune the partitions outside
    /// it, in a tenth of the time it takes to plan for all of them; the rest are pruned per run at run time). One statement: one snapshot, so a
    /// chunk and the raw fixes never disagree. Column 0 orders the pieces: the chunk's hour, the run's start.
    /// </summary>
    internal const string PackedFixesSql = """
        WITH chunks AS MATERIALIZED (
            SELECT hour, fixes FROM trail_chunks
            WHERE subject_id = $1 AND hour > $2 - interval '1 hour' AND hour < $3 AND fixes IS NOT NULL
        ),
        unpacked AS (
            SELECT h, h - (row_number() OVER (ORDER BY h)) * interval '1 hour' AS island
            FROM generate_series(date_trunc('hour', $2, 'UTC'), $3, interval '1 hour') h
            WHERE h < $3 AND NOT EXISTS (SELECT 1 FROM chunks c WHERE c.hour = h)
        ),
        runs AS (
            SELECT greatest(min(h), $2) AS lo, least(max(h) + interval '1 hour', $3) AS hi FROM unpacked GROUP BY island
        )
        SELECT c.hour, c.fixes, NULL::timestamptz, NULL::float8, NULL::float8, NULL::float8 FROM chunks c
        UNION ALL
        SELECT r.lo, NULL::bytea, p.at, ST_Y(p.location::geometry), ST_X(p.location::geometry), p.accuracy_m
        FROM runs r CROSS JOIN LATERAL (
            SELECT at, location, accuracy_m FROM location_pings
            WHERE subject_id = $1 AND at >= $2 AND at < $3 AND at >= r.lo AND at < r.hi
            ORDER BY at
        ) p
        """;

    public static string SourceOf(double accuracyM) => accuracyM <= GpsAccuracyM ? "GPS" : "network estimate";

    public async Task<Trail?> HandleAsync(Query query, CurrentUser user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(user);
        if (query.To <= query.From)
        {
            return null;
        }

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var pausedBefore = GC.GetTotalPauseDuration();
        // The fixes come on a connection of their own while the scope is checked and the events and zones are
        // read; out of scope, the read is cancelled and its result thrown away unseen.
        using var refused = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var fixesRead = 0L;
        var reading = ReadPooledFixesAsync(dataSource, query.SubjectId, query.From, query.To, refused.Token)
            .ContinueWith(t => { fixesRead = System.Diagnostics.Stopwatch.GetTimestamp(); return t; }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default)
            .Unwrap();
        // Should the scope check or reading the events fail first, the read's own failure is observed rather than left behind.
        _ = reading.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var subject = await Scope.Subjects(db, user).AsNoTracking().Where(s => s.Id == query.SubjectId)
            .Select(s => new { s.Id, LastFixAt = db.Devices.Where(d => d.SubjectId == s.Id).Max(d => d.LastFixAt) })
            .FirstOrDefaultAsync(ct);
        if (subject is null)
        {
            await refused.CancelAsync();
            _ = reading.ContinueWith(static t => System.Buffers.ArrayPool<TrailFix>.Shared.Return(t.Result.Buffer), CancellationToken.None,
                TaskContinuationOptions.OnlyOnRanToCompletion | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return null;
        }

        var scoped = System.Diagnostics.Stopwatch.GetTimestamp();
        var from = query.From.ToUniversalTime();
        var to = query.To.ToUniversalTime();
        var checkIns = await db.CheckIns.AsNoTracking()
            .Where(c => c.SubjectId == query.SubjectId && c.CapturedAt >= from && c.CapturedAt < to)
            .OrderBy(c => c.CapturedAt)
            .Select(c => new { c.Id, c.CapturedAt, c.Location, c.AccuracyM, c.Outcome })
            .ToListAsync(ct);
        var alerts = await db.Alerts.AsNoTracking()
            .Where(a => a.SubjectId == query.SubjectId && a.RaisedAt >= from && a.RaisedAt < to)
            .OrderBy(a => a.RaisedAt)
            .Select(a => new { a.Id, a.Kind, a.State, a.RaisedAt, a.Location, a.Summary })
            .ToListAsync(ct);
        var zones = await db.Zones.AsNoTracking()
            .Where(z => z.SubjectId == query.SubjectId && z.Active)
            .OrderBy(z => z.Name)
            .Select(z => new { z.Id, z.Name, z.Kind, z.Area, z.CurfewStart, z.CurfewEnd })
            .ToListAsync(ct);

        var eventsRead = System.Diagnostics.Stopwatch.GetTimestamp();
        // The fixes are in a pooled buffer (a week is 3.9 MB: allocating it afresh on every request made the
        // collector stop the process for a full collection every few requests).
        var (buffer, count) = await reading;
        try
        {
            var fixes = new ArraySegment<TrailFix>(buffer, 0, count);
            var thinning = System.Diagnostics.Stopwatch.GetTimestamp();
            var gap = TimeSpan.FromSeconds(options.Value.GapSeconds);
            var segments = TrailSimplifier.SplitAtGaps(fixes, gap);
            var required = new HashSet<int>();
            foreach (var c in checkIns)
            {
                AddNearest(fixes, c.CapturedAt, required);
            }

            foreach (var a in alerts)
            {
                AddNearest(fixes, a.RaisedAt, required);
            }

            AddZoneCrossings(fixes, segments, zones.Select(z => (NetTopologySuite.Geometries.Geometry)z.Area).ToList(), required);
            var minTolerance = query.Zoom is { } zoom && fixes.Count > 0
                ? 156_543.03 * Math.Cos(fixes[0].Lat * Math.PI / 180) / Math.Pow(2, Math.Clamp(zoom, 0, 22))
                : 0;
            var cap = query.AllPoints ? int.MaxValue : options.Value.MaxVertices;
            var marked = System.Diagnostics.Stopwatch.GetTimestamp();
            var kept = TrailSimplifier.Simplify(fixes, segments, required, cap, query.AllPoints ? 0 : minTolerance, out var tolerance);
            var simplified = System.Diagnostics.Stopwatch.GetTimestamp();

            var drawn = new List<IReadOnlyList<TrailPoint>>(segments.Count);
            var k = 0;
            foreach (var (start, end) in segments)
            {
                var points = new List<TrailPoint>();
                while (k < kept.Length && kept[k] <= end)
                {
                    var i = kept[k++];
                    double? speed = i > start ? SpeedMps(fixes[i - 1], fixes[i]) : null;
                    points.Add(new TrailPoint(i + 1, fixes[i].At, fixes[i].Lat, fixes[i].Lon, fixes[i].AccuracyM, speed, SourceOf(fixes[i].AccuracyM)));
                }

                drawn.Add(points);
            }

            var checkInMarks = new List<CheckInMark>(checkIns.Count);
            foreach (var c in checkIns)
            {
                if (c.Location is { } at)
                {
                    checkInMarks.Add(new CheckInMark(c.Id, c.CapturedAt, at.Y, at.X, c.AccuracyM, c.Outcome, false));
                }
                else if (Nearest(fixes, c.CapturedAt) is { } n)
                {
                    // No position with the check-in: shown where the trail was at that moment, and said so.
                    checkInMarks.Add(new CheckInMark(c.Id, c.CapturedAt, fixes[n].Lat, fixes[n].Lon, fixes[n].AccuracyM, c.Outcome, true));
                }
            }

            var alertMarks = alerts.Where(a => a.Location is not null)
                .Select(a => new AlertMark(a.Id, a.Kind, a.State, a.RaisedAt, a.Location!.Y, a.Location.X, a.Summary))
                .ToList();
            var zoneShapes = zones.Select(z => new ZoneShape(z.Id, z.Name, z.Kind,
                    z.Area.ExteriorRing.Coordinates.Select(c => new[] { c.Y, c.X }).ToList(), z.CurfewStart, z.CurfewEnd))
                .ToList();
            var newest = subject.LastFixAt ?? (fixes.Count > 0 ? fixes[^1].At : null);
            static double Ms(long from, long to) => System.Diagnostics.Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;
            return new Trail(query.SubjectId, query.From, query.To, fixes.Count, kept.Length, tolerance, new TrailSegments(drawn), checkInMarks, alertMarks, zoneShapes,
                newest, TimeSpan.FromSeconds(options.Value.ExpectedFixIntervalSeconds), clock.GetUtcNow())
            {
                Timings = new TrailTimings(Ms(started, scoped), Ms(started, fixesRead), Ms(scoped, eventsRead), Ms(thinning, marked), Ms(marked, simplified),
                    Ms(simplified, System.Diagnostics.Stopwatch.GetTimestamp()), (GC.GetTotalPauseDuration() - pausedBefore).TotalMilliseconds),
            };
        }
        finally
        {
            System.Buffers.ArrayPool<TrailFix>.Shared.Return(buffer);
        }
    }

    /// <summary>All fixes of the range, oldest first: packed hours as one row each, the rest a row per fix.</summary>
    internal static async Task<TrailFix[]> ReadFixesAsync(NpgsqlDataSource dataSource, Guid subjectId, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var (buffer, count) = await ReadPooledFixesAsync(dataSource, subjectId, from, to, ct);
        var fixes = buffer.AsSpan(0, count).ToArray();
        System.Buffers.ArrayPool<TrailFix>.Shared.Return(buffer);
        return fixes;
    }

    /// <summary>The same, in a buffer from the shared pool (at least as long as the count) that the caller returns to it.</summary>
    private static async Task<(TrailFix[] Buffer, int Count)> ReadPooledFixesAsync(NpgsqlDataSource dataSource, Guid subjectId, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        // PostgreSQL keeps microseconds: the packed hours are cut at the same instants the raw read is.
        from = new DateTimeOffset(from.UtcTicks - (from.UtcTicks % 10), TimeSpan.Zero);
        to = new DateTimeOffset(to.UtcTicks - (to.UtcTicks % 10), TimeSpan.Zero);
        await using var command = dataSource.CreateCommand(PackedFixesSql);
        command.Parameters.AddWithValue(subjectId);
        command.Parameters.AddWithValue(from.UtcDateTime);
        command.Parameters.AddWithValue(to.UtcDateTime);
        await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, ct);
        // The pieces first, then one buffer of the size: a week is 120,960 fixes, and growing a list of them
        // would allocate twice that on the large object heap on every request.
        var pieces = new List<Piece>();
        var total = 0;
        while (await reader.ReadAsync(ct))
        {
            var key = reader.GetDateTime(0);
            if (!await reader.IsDBNullAsync(1, ct))
            {
                var chunk = await reader.GetFieldValueAsync<byte[]>(1, ct);
                var (lo, hi) = TrailPacker.RangeOf(chunk, from, to);
                pieces.Add(new Piece(key, chunk, lo, hi, null));
                total += hi - lo;
                continue;
            }

            if (pieces.Count == 0 || pieces[^1].Key != key || pieces[^1].Raw is null)
            {
                pieces.Add(new Piece(key, null, 0, 0, []));
            }

            pieces[^1].Raw!.Add(new TrailFix(new DateTimeOffset(reader.GetDateTime(2).Ticks, TimeSpan.Zero), reader.GetDouble(3), reader.GetDouble(4), reader.GetDouble(5)));
            total++;
        }

        // Pieces cover disjoint hours, each oldest first: putting the pieces in order puts the fixes in order.
        pieces.Sort((a, b) => a.Key.CompareTo(b.Key));
        var fixes = System.Buffers.ArrayPool<TrailFix>.Shared.Rent(Math.Max(1, total));
        var k = 0;
        foreach (var piece in pieces)
        {
            if (piece.Chunk is { } chunk)
            {
                TrailPacker.Unpack(chunk, piece.Lo, piece.Hi, fixes.AsSpan(k));
                k += piece.Hi - piece.Lo;
            }
            else
            {
                piece.Raw!.CopyTo(fixes, k);
                k += piece.Raw.Count;
            }
        }

        return (fixes, total);
    }

    /// <summary>A packed hour (its fixes [Lo, Hi) in range), or a run of raw fixes; <paramref name="Key"/> orders them.</summary>
    private sealed record Piece(DateTime Key, byte[]? Chunk, int Lo, int Hi, List<TrailFix>? Raw);

    internal static double? SpeedMps(TrailFix previous, TrailFix current)
    {
        var seconds = (current.At - previous.At).TotalSeconds;
        return seconds <= 0 ? null : Geo.DistanceM(new LatLon(previous.Lat, previous.Lon), new LatLon(current.Lat, current.Lon)) / seconds;
    }

    /// <summary>The index of the fix nearest in time, or null when there are none.</summary>
    internal static int? Nearest(IReadOnlyList<TrailFix> fixes, DateTimeOffset at)
    {
        if (fixes.Count == 0)
        {
            return null;
        }

        int low = 0, high = fixes.Count - 1;
        while (low < high)
        {
            var mid = (low + high) / 2;
            if (fixes[mid].At < at)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        return low > 0 && at - fixes[low - 1].At < fixes[low].At - at ? low - 1 : low;
    }

    private static void AddNearest(ArraySegment<TrailFix> fixes, DateTimeOffset at, HashSet<int> required)
    {
        if (Nearest(fixes, at) is { } n)
        {
            required.Add(n);
        }
    }

    /// <summary>Both fixes either side of every change of side of a zone's boundary (on the boundary counts as inside).</summary>
    private static void AddZoneCrossings(ArraySegment<TrailFix> fixes, List<(int Start, int End)> segments, List<NetTopologySuite.Geometries.Geometry> zones, HashSet<int> required)
    {
        if (zones.Count == 0 || fixes.Count == 0)
        {
            return;
        }

        var probe = new Coordinate();
        foreach (var zone in zones)
        {
            var locator = new IndexedPointInAreaLocator(zone);
            var envelope = zone.EnvelopeInternal;
            foreach (var (start, end) in segments)
            {
                bool? previous = null;
                for (var i = start; i <= end; i++)
                {
                    probe.X = fixes[i].Lon;
                    probe.Y = fixes[i].Lat;
                    var inside = envelope.Contains(probe) && locator.Locate(probe) != Location.Exterior;
                    if (previous is { } p && p != inside)
                    {
                        required.Add(i - 1);
                        required.Add(i);
                    }

                    previous = inside;
                }
            }
        }
    }
}

/// <summary>The <c>Trails</c> section.</summary>
public sealed class TrailOptions
{
    public const string Section = "Trails";

    /// <summary>The most vertices a trail sends to the browser, whatever the range.</summary>
    [System.ComponentModel.DataAnnotations.Range(100, 100_000)]
    public int MaxVertices { get; set; } = 5_000;

    /// <summary>No fix for longer than this is a gap in reporting: the trail is broken there, not joined by a line.</summary>
    [System.ComponentModel.DataAnnotations.Range(10, 86_400)]
    public int GapSeconds { get; set; } = 300;

    /// <summary>A device reports at least this often; an older newest fix shows the freshness banner.</summary>
    [System.ComponentModel.DataAnnotations.Range(10, 86_400)]
    public int ExpectedFixIntervalSeconds { get; set; } = 300;

    /// <summary>How often the packer packs the hours that closed and repacks the chunks late fixes made stale.</summary>
    [System.ComponentModel.DataAnnotations.Range(10, 86_400)]
    public int PackIntervalSeconds { get; set; } = 300;

    /// <summary>An hour is packed once it ended this long ago (fixes arriving later are handled too, only slower).</summary>
    [System.ComponentModel.DataAnnotations.Range(0, 86_400)]
    public int PackAfterSeconds { get; set; } = 120;

    /// <summary>How far back hours are packed; older trails are read from the raw fixes.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 366)]
    public int PackDays { get; set; } = 31;

    /// <summary>The longest range one request may ask for.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 366)]
    public int MaxRangeDays { get; set; } = 31;
}
