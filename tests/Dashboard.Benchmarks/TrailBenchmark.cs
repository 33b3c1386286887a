using System.Diagnostics;
using System.Globalization;
using System.Net;
using Dashboard.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Npgsql;

namespace Dashboard.Benchmarks;

/// <summary>
/// Issue 6: trails at volume. One subject (demo-0001, officer1) with 120,960 fixes (7 days at 5 s) and
/// 20,000,000 fixes in the table overall (the other 59 devices, over 30 days), written in time order (as
/// ingestion writes them, so the subject's fixes are spread through the heap) by binary COPY. Trail API
/// p95 targets, over real HTTP to Kestrel as a signed-in officer: 150 ms for 7 days, 30 ms for 24 hours;
/// Chromium, request to trail drawn for 7 days: 500 ms. <c>--quick</c>: 1,000,000 other fixes instead.
/// </summary>
public static class TrailBenchmark
{
    private const int SubjectFixes = 120_960;
    private const int OtherDevices = 59;
    private const int CopyStreams = 4;
    private const int WarmUp = 10;
    private const int Requests = 60;

    public static async Task<int> RunAsync(string[] args)
    {
        var quick = args.Contains("--quick");
        var others = quick ? 1_000_000 : 20_000_000 - SubjectFixes;
        var connectionString = await TestPostgres.CreateMigratedDatabaseAsync("bench_trail");
        await using var app = new DashboardApp(connectionString)
        {
            SeedDemo = true,
            Kestrel = true,
            Settings = new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Warning" },
        }.Start();

        var now = DateTimeOffset.UtcNow;
        now = new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        var subjectStart = now.AddDays(-7);
        var othersStart = now.AddDays(-30);
        Console.WriteLine($"Trail benchmark: {SubjectFixes:N0} fixes for one subject, {others:N0} for the others over 30 days{(quick ? " (--quick)" : "")}, {Environment.ProcessorCount} cores");
        var load = Stopwatch.StartNew();
        await ExecuteAsync(connectionString, "SELECT ensure_location_partitions($1::date, $2::date)", othersStart.UtcDateTime.Date.AddDays(-1), now.UtcDateTime.Date.AddDays(1));
        var subject = await ScalarAsync<Guid>(connectionString, "SELECT subject_id FROM devices WHERE id = 'demo-0001'");
        await ExecuteAsync(connectionString, "TRUNCATE location_pings");
        var written = await CopyFixesAsync(app.Services.GetRequiredService<NpgsqlDataSource>(), connectionString, subject, subjectStart, othersStart, now, others);
        Stats.Line("binary COPY (s)", Stats.F(load.Elapsed.TotalSeconds, "0.0"));
        Stats.Line("binary COPY (rows/s)", Stats.F(written / load.Elapsed.TotalSeconds));
        await ExecuteAsync(connectionString, "UPDATE devices SET last_fix_at = $1 WHERE id = 'demo-0001'", subjectStart.AddSeconds(5 * (SubjectFixes - 1)));
        // A steady state: autovacuum has visited the days the trail reads (visibility map set: index-only
        // scans); the older days are only analysed, which is all the planner needs of them.
        for (var day = subjectStart.UtcDateTime.Date; day <= now.UtcDateTime.Date; day = day.AddDays(1))
        {
            await ExecuteAsync(connectionString, string.Create(CultureInfo.InvariantCulture, $"VACUUM (ANALYZE) location_pings_{day:yyyyMMdd}"));
        }

        await ExecuteAsync(connectionString, "ANALYZE location_pings");
        Stats.Line("data load with VACUUM (ANALYZE) of the trail's days (s)", Stats.F(load.Elapsed.TotalSeconds, "0.0"));
        Stats.Line("rows in location_pings", Stats.F(await ScalarAsync<long>(connectionString, "SELECT count(*) FROM location_pings")));
        // A steady state also has the closed hours packed (the packer does this every few minutes as hours close).
        var packing = Stopwatch.StartNew();
        var packed = await app.Services.GetRequiredService<Dashboard.Features.Trails.TrailPacker>().PackAsync(CancellationToken.None);
        Stats.Line("packing every closed hour of the last 31 days, all subjects (s)", Stats.F(packing.Elapsed.TotalSeconds, "0.0"));
        Stats.Line("packing: hours packed", Stats.F(packed.HoursPacked));
        await ExecuteAsync(connectionString, "VACUUM (ANALYZE) trail_chunks");
        Stats.Line("packed trail rows (chunks) / size (MB)", $"{Stats.F(await ScalarAsync<long>(connectionString, "SELECT count(*) FROM trail_chunks"))} / {Stats.F(await ScalarAsync<long>(connectionString, "SELECT pg_total_relation_size('trail_chunks')") / 1048576.0, "0.0")}");

        // The real endpoint over HTTP to Kestrel, signed in as officer1 (the dev sign-in cookie reused).
        var cookies = new CookieContainer();
        using var handler = new SocketsHttpHandler { CookieContainer = cookies, UseCookies = true, AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(30) };
        using var http = new HttpClient(handler) { BaseAddress = app.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
        using (var signIn = await http.GetAsync(new Uri("/account/dev-sign-in?user=officer1&returnUrl=/", UriKind.Relative)))
        {
            if (signIn.StatusCode != HttpStatusCode.Redirect || cookies.GetCookies(app.BaseAddress).Count == 0)
            {
                throw new InvalidOperationException($"Dev sign-in answered {(int)signIn.StatusCode} and set {cookies.GetCookies(app.BaseAddress).Count} cookies.");
            }
        }

        foreach (var (name, from, target) in new[] { ("7 days", now.AddDays(-7).AddMinutes(-1), 150.0), ("24 hours", now.AddHours(-24), 30.0) })
        {
            var url = new Uri(string.Create(CultureInfo.InvariantCulture,
                $"/api/subjects/{subject}/trail?from={Uri.EscapeDataString(from.ToString("O", CultureInfo.InvariantCulture))}&to={Uri.EscapeDataString(now.ToString("O", CultureInfo.InvariantCulture))}"), UriKind.Relative);
            var times = new List<double>();
            var phases = new Dictionary<string, List<double>>();
            byte[] body = [];
            for (var i = 0; i < WarmUp + Requests; i++)
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await http.GetAsync(url);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    throw new InvalidOperationException($"The trail API answered {(int)response.StatusCode}.");
                }

                body = await response.Content.ReadAsByteArrayAsync();
                times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (i >= WarmUp && response.Headers.TryGetValues("Server-Timing", out var timing))
                {
                    // "fixes;dur=12.3, thin;dur=4.5": the server's own account of where the time went.
                    foreach (var entry in string.Join(',', timing).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                    {
                        var parts = entry.Split(";dur=");
                        if (parts.Length == 2 && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var ms))
                        {
                            (phases.TryGetValue(parts[0], out var list) ? list : phases[parts[0]] = []).Add(ms);
                        }
                    }
                }
            }

            using var json = System.Text.Json.JsonDocument.Parse(body);
            var p95 = Stats.Percentile(times[WarmUp..], 95);
            Stats.Line($"trail API over HTTP {name}: fixes in range", Stats.F(json.RootElement.GetProperty("totalPoints").GetInt32()));
            Stats.Line($"trail API over HTTP {name}: vertices sent", Stats.F(json.RootElement.GetProperty("vertices").GetInt32()));
            Stats.Line($"trail API over HTTP {name}: response (kB)", Stats.F(body.Length / 1024.0));
            foreach (var (phase, values) in phases)
            {
                Stats.Line($"  server time {name}, {phase}: p50 / p95 ms", $"{Stats.F(Stats.Median(values), "0.0")} / {Stats.F(Stats.Percentile(values, 95), "0.0")}");
            }

            Stats.Line($"trail API over HTTP {name}: p50 ms", Stats.F(Stats.Median(times[WarmUp..]), "0.0"));
            Stats.Line($"trail API over HTTP {name}: p95 ms", Stats.F(p95, "0.0"), $"< {target:0} ms", p95 < target);
        }

        // Chromium: from the click on "7 days" to the trail drawn (the map's vertex count changed and lines exist).
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true });
        var context = await browser.NewContextAsync(new() { BaseURL = app.BaseAddress.ToString(), ViewportSize = new() { Width = 1366, Height = 900 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync($"/account/dev-sign-in?user=officer1&returnUrl={Uri.EscapeDataString($"/subjects/{subject}")}");
        await page.Locator("[data-interactive='true']").WaitForAsync(new() { Timeout = 30_000 });
        await page.Locator("path.trail-line").First.WaitForAsync(new() { State = WaitForSelectorState.Attached, Timeout = 30_000 });
        var drawn = new List<double>();
        for (var i = 0; i < 3 + 15; i++)
        {
            var preset = i % 2 == 0 ? "7 days" : "24 hours";
            var started = Stopwatch.GetTimestamp();
            await page.GetByRole(AriaRole.Button, new() { Name = preset, Exact = true }).ClickAsync();
            await page.WaitForFunctionAsync(
                "p => { const m = document.querySelector('[data-testid=subject-trail-map]'); return m && m.querySelectorAll('path.trail-line').length > 0 && document.querySelector('[data-testid=subject-map]').dataset.vertices !== p; }",
                i == 0 ? "-1" : "x", new() { Timeout = 30_000, PollingInterval = 5 });
            await page.WaitForFunctionAsync("() => new Promise(r => requestAnimationFrame(() => r(true)))");
            if (preset == "7 days" && i >= 3)
            {
                drawn.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }

        var drawnP95 = Stats.Percentile(drawn, 95);
        Stats.Line("Chromium 7 days, click to trail drawn: p50 ms", Stats.F(Stats.Median(drawn), "0.0"));
        Stats.Line("Chromium 7 days, click to trail drawn: p95 ms", Stats.F(drawnP95, "0.0"), "< 500 ms", drawnP95 < 500);
        return 0;
    }

    /// <summary>
    /// All fixes in time order: the subject's every 5 s over the last 7 days, each other device's at an even
    /// interval over 30 days, with random positions over London. Four COPY streams (each a quarter of the
    /// month) in parallel. Returns the rows written.
    /// </summary>
    private static async Task<long> CopyFixesAsync(NpgsqlDataSource dataSource, string connectionString, Guid subject, DateTimeOffset subjectStart, DateTimeOffset othersStart, DateTimeOffset end, int others)
    {
        var devices = new List<(string Id, Guid Subject)>();
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT id, subject_id FROM devices WHERE id <> 'demo-0001' AND subject_id IS NOT NULL ORDER BY id LIMIT $1", connection);
            command.Parameters.AddWithValue(OtherDevices);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                devices.Add((reader.GetString(0), reader.GetGuid(1)));
            }
        }

        var perDevice = others / devices.Count;
        var interval = (end - othersStart).Ticks / perDevice;
        var span = (end - othersStart) / CopyStreams;
        var parts = await Task.WhenAll(Enumerable.Range(0, CopyStreams).Select(i =>
            Task.Run(() => CopyRangeAsync(dataSource, subject, subjectStart, devices, othersStart, interval, perDevice,
                othersStart + (span * i), i == CopyStreams - 1 ? end : othersStart + (span * (i + 1)), seed: i + 1))));
        return parts.Sum();
    }

    private static async Task<long> CopyRangeAsync(
        NpgsqlDataSource dataSource, Guid subject, DateTimeOffset subjectStart, List<(string Id, Guid Subject)> devices,
        DateTimeOffset othersStart, long interval, int perDevice, DateTimeOffset from, DateTimeOffset to, int seed)
    {
        var random = new Random(seed);
        var factory = NetTopologySuite.NtsGeometryServices.Instance.CreateGeometryFactory(4326);
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var importer = await connection.BeginBinaryImportAsync("COPY location_pings (device_id, at, subject_id, location, accuracy_m) FROM STDIN (FORMAT BINARY)");
        long rows = 0;
        void Row(string device, DateTimeOffset at, Guid subjectId, double lat, double lon, double accuracy)
        {
            importer.StartRow();
            importer.Write(device, NpgsqlTypes.NpgsqlDbType.Varchar);
            importer.Write(at, NpgsqlTypes.NpgsqlDbType.TimestampTz);
            importer.Write(subjectId, NpgsqlTypes.NpgsqlDbType.Uuid);
            importer.Write(factory.CreatePoint(new NetTopologySuite.Geometries.Coordinate(lon, lat)), NpgsqlTypes.NpgsqlDbType.Geography);
            importer.Write(accuracy, NpgsqlTypes.NpgsqlDbType.Double);
            rows++;
        }

        // Round k of the others (one fix per device, a few milliseconds apart) and fix g of the subject, merged by time.
        var k = (int)Math.Max(0, ((from - othersStart).Ticks + interval - 1) / interval);
        var g = (int)Math.Max(0, Math.Ceiling((from - subjectStart).TotalSeconds / 5));
        while (true)
        {
            var roundAt = othersStart.AddTicks(k * interval);
            var subjectAt = subjectStart.AddSeconds(5 * g);
            var roundDue = k < perDevice && roundAt < to;
            var subjectDue = g < SubjectFixes && subjectAt < to && subjectAt >= from;
            if (!roundDue && !subjectDue)
            {
                break;
            }

            if (subjectDue && (!roundDue || subjectAt <= roundAt))
            {
                Row("demo-0001", subjectAt, subject,
                    51.5 + (0.02 * Math.Sin(g / 650.0)) + (0.001 * Math.Cos(g / 23.0)),
                    -0.12 + (0.03 * Math.Cos(g / 900.0)) + (0.002 * Math.Sin(g / 37.0)),
                    g % 50 == 0 ? 250 : 8);
                g++;
            }
            else
            {
                for (var d = 0; d < devices.Count; d++)
                {
                    Row(devices[d].Id, roundAt.AddMilliseconds(d), devices[d].Subject, 51.4 + (0.25 * random.NextDouble()), -0.3 + (0.4 * random.NextDouble()), 5 + (30 * random.NextDouble()));
                }

                k++;
            }
        }

        await importer.CompleteAsync();
        return rows;
    }

    private static async Task ExecuteAsync(string connectionString, string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 3600 };
        foreach (var p in parameters)
        {
            command.Parameters.AddWithValue(p);
        }

        await command.ExecuteNonQueryAsync();
    }

    private static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
