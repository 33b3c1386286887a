using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Dashboard.Data;
using Dashboard.Ingestion;
using Dashboard.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;

namespace Dashboard.Benchmarks;

/// <summary>
/// Issue: ingestion. (a) fixes/s through POST /api/v1/locations in batches of 5,000 over real HTTP;
/// (b) the same fixes by a plain binary COPY into the same table; the ratio (a)/(b), target at least 0.5.
/// (c) check-ins/s without photos, target at least 2,000/s. (d) latency of single check-ins at a steady
/// 200/s, target p95 under 20 ms.
/// </summary>
public static class IngestionBenchmark
{
    private const int FixesPerBatch = 5_000;
    private const int Batches = 40;
    private const int Rounds = 3;

    public static async Task<int> RunAsync(string[] args)
    {
        var quick = args.Contains("--quick");
        var connectionString = await TestPostgres.CreateMigratedDatabaseAsync("bench_ingest");
        await using var app = new DashboardApp(connectionString)
        {
            Kestrel = true,
            SeedDemo = true,
            Settings = new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Warning",
                // Measure the server, not the per-key rate limit.
                ["Ingestion:RateLimitPerSecond"] = "1000000",
                ["Ingestion:RateLimitBurst"] = "1000000",
            },
        }.Start();
        var (_, key) = await app.Services.GetRequiredService<IngestKeys>().CreateAsync("Benchmark", CancellationToken.None);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
        {
            BaseAddress = app.BaseAddress,
            Timeout = TimeSpan.FromMinutes(2),
        };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var devices = await DevicesAsync(connectionString);
        // A live database has statistics (autovacuum); a fresh one must be analysed to plan like one.
        await Sql.ExecuteAsync(connectionString, "ANALYZE");

        Console.WriteLine($"Ingestion benchmark: {Batches} batches of {FixesPerBatch:N0} fixes, {Rounds} rounds, {devices.Count} devices, {Environment.ProcessorCount} cores");
        var fixes = MakeFixes(devices, Batches * FixesPerBatch);
        var bodies = fixes.Chunk(FixesPerBatch).Select(Json).ToList();
        await app.Services.GetRequiredService<LocationPartitions>().EnsureForAsync(fixes.Select(f => f.At), CancellationToken.None);

        // Warm up both paths on other days, so that neither pays for JIT or first partitions.
        var warm = MakeFixes(devices, FixesPerBatch, DateTimeOffset.UtcNow.AddDays(-5));
        await app.Services.GetRequiredService<LocationPartitions>().EnsureForAsync(warm.Select(f => f.At), CancellationToken.None);
        (await http.PostAsync(new Uri("/api/v1/locations", UriKind.Relative), Content(Json(warm)))).EnsureSuccessStatusCode();
        await TruncateAsync(connectionString);
        await CopyAsync(connectionString, warm);
        await TruncateAsync(connectionString);

        var apiRates = new List<double>();
        var copyRates = new List<double>();
        var onlyCheckIns = args.Contains("--check-ins-only");
        for (var round = 0; round < (onlyCheckIns ? 0 : quick ? 1 : Rounds); round++)
        {
            var watch = Stopwatch.StartNew();
            // Two partners posting at once, as a platform with several workers would.
            await Parallel.ForEachAsync(bodies, new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (body, ct) =>
            {
                using var response = await http.PostAsync(new Uri("/api/v1/locations", UriKind.Relative), Content(body), ct);
                response.EnsureSuccessStatusCode();
            });
            apiRates.Add(fixes.Count / watch.Elapsed.TotalSeconds);
            await AssertCountAsync(connectionString, fixes.Count);
            await TruncateAsync(connectionString);

            watch.Restart();
            await Parallel.ForEachAsync(fixes.Chunk(FixesPerBatch), new ParallelOptions { MaxDegreeOfParallelism = 2 },
                async (chunk, _) => await CopyAsync(connectionString, chunk));
            copyRates.Add(fixes.Count / watch.Elapsed.TotalSeconds);
            await AssertCountAsync(connectionString, fixes.Count);
            await TruncateAsync(connectionString);
        }

        if (!onlyCheckIns)
        {
            var api = Stats.Median(apiRates);
            var copy = Stats.Median(copyRates);
            Stats.Line("(a) fixes/s through POST /api/v1/locations (median)", Stats.F(api));
            Stats.Line("(b) fixes/s by plain binary COPY, same table (median)", Stats.F(copy));
            Stats.Line("(a)/(b)", Stats.F(api / copy, "0.00"), "≥ 0.50", api / copy >= 0.5);
        }

        if (args.Contains("--baseline"))
        {
            var watch = Stopwatch.StartNew();
            await Parallel.ForEachAsync(Enumerable.Range(0, 10_000), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (_, ct) =>
            {
                using var response = await http.GetAsync(new Uri("/health/live", UriKind.Relative), ct);
            });
            Stats.Line("baseline: GET /health/live per second", Stats.F(10_000 / watch.Elapsed.TotalSeconds));
        }

        var checkInRate = await CheckInThroughputAsync(http, devices, quick ? 3_000 : 10_000);
        Stats.Line("(c) check-ins/s through POST /api/v1/checkins, no photo", Stats.F(checkInRate), "≥ 2,000/s", checkInRate >= 2000);

        var latencies = await SteadyLatencyAsync(http, devices, ratePerSecond: 200, seconds: quick ? 10 : 30);
        Stats.Line("(d) single check-in latency at 200/s: p50 ms", Stats.F(Stats.Percentile(latencies, 50), "0.0"));
        Stats.Line("    p95 ms", Stats.F(Stats.Percentile(latencies, 95), "0.0"), "< 20 ms", Stats.Percentile(latencies, 95) < 20);
        Stats.Line("    p99 ms", Stats.F(Stats.Percentile(latencies, 99), "0.0"));
        return 0;
    }

    private static async Task<double> CheckInThroughputAsync(HttpClient http, IReadOnlyList<(string Id, Guid Subject)> devices, int count)
    {
        var bodies = Enumerable.Range(0, count).Select(i => CheckInBody(devices[i % devices.Count].Id)).ToList();
        foreach (var body in bodies.Take(200))
        {
            (await http.PostAsync(new Uri("/api/v1/checkins", UriKind.Relative), Content(CheckInBody(devices[0].Id)))).Dispose();
        }

        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(bodies, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (body, ct) =>
        {
            using var response = await http.PostAsync(new Uri("/api/v1/checkins", UriKind.Relative), Content(body), ct);
            response.EnsureSuccessStatusCode();
        });
        return count / watch.Elapsed.TotalSeconds;
    }

    /// <summary>Open loop: requests leave on schedule whether or not earlier ones have answered.</summary>
    private static async Task<List<double>> SteadyLatencyAsync(HttpClient http, IReadOnlyList<(string Id, Guid Subject)> devices, int ratePerSecond, int seconds)
    {
        var total = ratePerSecond * seconds;
        var bodies = Enumerable.Range(0, total).Select(i => CheckInBody(devices[i % devices.Count].Id)).ToList();
        var latencies = new double[total];
        await OpenLoop.RunAsync(total, ratePerSecond, async index =>
        {
            var sent = Stopwatch.GetTimestamp();
            using var response = await http.PostAsync(new Uri("/api/v1/checkins", UriKind.Relative), Content(bodies[index]));
            response.EnsureSuccessStatusCode();
            latencies[index] = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
        });
        return [.. latencies];
    }

    private static string CheckInBody(string deviceId) => string.Create(CultureInfo.InvariantCulture,
        $$$"""{"eventId":"{{{Guid.NewGuid()}}}","deviceId":"{{{deviceId}}}","capturedAt":"{{{DateTimeOffset.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ}}}","matchScore":0.91,"livenessScore":0.87,"location":{"lat":51.5,"lon":-0.12,"accuracyM":8}}""");

    private static ByteArrayContent Content(string json) => Content(Encoding.UTF8.GetBytes(json));

    private static ByteArrayContent Content(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private static List<LocationFix> MakeFixes(IReadOnlyList<(string Id, Guid Subject)> devices, int count, DateTimeOffset? end = null)
    {
        var last = end ?? DateTimeOffset.UtcNow.AddHours(-1);
        var perDevice = (count + devices.Count - 1) / devices.Count;
        var fixes = new List<LocationFix>(count);
        for (var i = 0; i < count; i++)
        {
            var (id, subject) = devices[i % devices.Count];
            var step = i / devices.Count;
            fixes.Add(new LocationFix(i, id, subject, last.AddSeconds(-15 * (perDevice - step)), 51.5 + (step * 1e-5), -0.12 - (i % 7 * 1e-4), 8, 80, null));
        }

        return fixes;
    }

    private static byte[] Json(IEnumerable<LocationFix> fixes)
    {
        var builder = new StringBuilder("[");
        foreach (var f in fixes)
        {
            if (builder.Length > 1)
            {
                builder.Append(',');
            }

            builder.Append(CultureInfo.InvariantCulture,
                $$"""{"deviceId":"{{f.DeviceId}}","at":"{{f.At:yyyy-MM-ddTHH:mm:ss.fffZ}}","lat":{{f.Lat}},"lon":{{f.Lon}},"accuracyM":{{f.AccuracyM}},"batteryPct":{{f.BatteryPct}}}""");
        }

        return Encoding.UTF8.GetBytes(builder.Append(']').ToString());
    }

    /// <summary>The database's own limit: binary COPY of the same rows, no HTTP, no JSON, no checks.</summary>
    private static NpgsqlDataSource? _copySource;

    private static async Task CopyAsync(string connectionString, IEnumerable<LocationFix> fixes)
    {
        if (_copySource is null)
        {
            var builder = new NpgsqlDataSourceBuilder(connectionString);
            builder.UseNetTopologySuite();
            _copySource = builder.Build();
        }

        await using var connection = await _copySource.OpenConnectionAsync();
        await using var importer = await connection.BeginBinaryImportAsync(
            "COPY location_pings (device_id, at, subject_id, location, accuracy_m, battery_pct, event_id, received_at) FROM STDIN (FORMAT BINARY)");
        var now = DateTimeOffset.UtcNow;
        foreach (var f in fixes)
        {
            await importer.StartRowAsync();
            await importer.WriteAsync(f.DeviceId, NpgsqlDbType.Varchar);
            await importer.WriteAsync(f.At, NpgsqlDbType.TimestampTz);
            await importer.WriteAsync(f.SubjectId, NpgsqlDbType.Uuid);
            await importer.WriteAsync(Geometry.Point(f.Lat, f.Lon), NpgsqlDbType.Geography);
            await importer.WriteAsync(f.AccuracyM, NpgsqlDbType.Double);
            await importer.WriteAsync(f.BatteryPct!.Value, NpgsqlDbType.Smallint);
            await importer.WriteNullAsync();
            await importer.WriteAsync(now, NpgsqlDbType.TimestampTz);
        }

        await importer.CompleteAsync();
    }

    private static async Task<List<(string Id, Guid Subject)>> DevicesAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT id, subject_id FROM devices ORDER BY id", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var devices = new List<(string, Guid)>();
        while (await reader.ReadAsync())
        {
            devices.Add((reader.GetString(0), reader.GetGuid(1)));
        }

        return devices;
    }

    private static Task TruncateAsync(string connectionString) => Sql.ExecuteAsync(connectionString, "TRUNCATE location_pings");

    private static async Task AssertCountAsync(string connectionString, int expected)
    {
        var stored = await Sql.CountAsync(connectionString, "SELECT count(*) FROM location_pings");
        if (stored != expected)
        {
            throw new InvalidOperationException($"Expected {expected} stored fixes, found {stored}.");
        }
    }
}
