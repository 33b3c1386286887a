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
/// 20,000,000 fixes in the table overall (the other subjects, over 30 days), generated in SQL into the
/// daily partitions. Trail API p95 targets: 150 ms for 7 days, 30 ms for 24 hours; Chromium, request to
/// trail drawn for 7 days: 500 ms. <c>--quick</c>: 1,000,000 other fixes instead of 20,000,000.
/// </summary>
public static class TrailBenchmark
{
    private const int SubjectFixes = 120_960;
    private const int WarmUp = 10;
    private const int Requests = 60;

    private const string SubjectSql = """
        INSERT INTO location_pings (device_id, at, subject_id, location, accuracy_m)
        SELECT 'demo-0001', $2::timestamptz + g * interval '5 seconds', $1,
               ST_SetSRID(ST_MakePoint(-0.12 + 0.03 * cos(g / 900.0) + 0.002 * sin(g / 37.0), 51.5 + 0.02 * sin(g / 650.0) + 0.001 * cos(g / 23.0)), 4326)::geography,
               CASE WHEN g % 50 = 0 THEN 250 ELSE 8 END
        FROM generate_series(0, $3::int - 1) g
        """;

    /// <summary>The other 59 devices, in time order (as ingestion writes them), 30 days back from now.</summary>
    private const string OthersSql = """
        WITH d AS (SELECT id, subject_id, (row_number() OVER (ORDER BY id) - 1)::int AS n FROM devices WHERE id <> 'demo-0001')
        INSERT INTO location_pings (device_id, at, subject_id, location, accuracy_m)
        SELECT d.id, $1::timestamptz + make_interval(secs => (g / 59) * (30 * 86400.0 / ($2::int / 59))), d.subject_id,
               ST_SetSRID(ST_MakePoint(-0.3 + 0.4 * random(), 51.4 + 0.25 * random()), 4326)::geography, 5 + 30 * random()
        FROM generate_series(0, $2::int - 1) g JOIN d ON d.n = g % 59
        """;

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
        var subjectStart = now.AddDays(-7);
        var othersStart = now.AddDays(-30);
        Console.WriteLine($"Trail benchmark: {SubjectFixes:N0} fixes for one subject, {others:N0} for the others over 30 days{(quick ? " (--quick)" : "")}, {Environment.ProcessorCount} cores");
        var load = Stopwatch.StartNew();
        await ExecuteAsync(connectionString, "SELECT ensure_location_partitions($1::date, $2::date)", othersStart.UtcDateTime.Date.AddDays(-1), now.UtcDateTime.Date.AddDays(1));
        var subject = await ScalarAsync<Guid>(connectionString, "SELECT subject_id FROM devices WHERE id = 'demo-0001'");
        await ExecuteAsync(connectionString, "DELETE FROM location_pings WHERE device_id = 'demo-0001'");
        await ExecuteAsync(connectionString, SubjectSql, subject, subjectStart, SubjectFixes);
        await ExecuteAsync(connectionString, OthersSql + " ON CONFLICT DO NOTHING", othersStart, others);
        await ExecuteAsync(connectionString, "UPDATE devices SET last_fix_at = $1 WHERE id = 'demo-0001'", subjectStart.AddSeconds(5 * (SubjectFixes - 1)));
        await ExecuteAsync(connectionString, "VACUUM (ANALYZE) location_pings");
        Stats.Line("data load with VACUUM (ANALYZE) (s)", Stats.F(load.Elapsed.TotalSeconds, "0.0"));
        Stats.Line("rows in location_pings", Stats.F(await ScalarAsync<long>(connectionString, "SELECT count(*) FROM location_pings")));

        // The API's work in-process (scope check, indexed read, thinning, JSON), without the HTTP hop.
        var getTrail = app.Services.GetRequiredService<Dashboard.Features.Trails.GetTrail>();
        var officer1 = await UserAsync(connectionString, "officer1");
        foreach (var (name, from, target) in new[] { ("7 days", now.AddDays(-7).AddMinutes(-1), 150.0), ("24 hours", now.AddHours(-24), 30.0) })
        {
            var times = new List<double>();
            var vertices = 0;
            for (var i = 0; i < WarmUp + Requests; i++)
            {
                var started = Stopwatch.GetTimestamp();
                var trail = await getTrail.HandleAsync(new(subject, from, now), officer1, CancellationToken.None)
                    ?? throw new InvalidOperationException("No trail.");
                var json = System.Text.Json.JsonSerializer.Serialize(trail, System.Text.Json.JsonSerializerOptions.Web);
                times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                vertices = trail.Vertices + (json.Length * 0);
            }

            var p95 = Stats.Percentile(times[WarmUp..], 95);
            Stats.Line($"trail API (GetTrail + JSON) {name}: vertices", Stats.F(vertices));
            Stats.Line($"trail API {name}: p50 ms", Stats.F(Stats.Median(times[WarmUp..]), "0.0"));
            Stats.Line($"trail API {name}: p95 ms", Stats.F(p95, "0.0"), $"< {target:0} ms", p95 < target);
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

    private static async Task<Dashboard.Security.CurrentUser> UserAsync(string connectionString, string login)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT id, display_name, role, team_id FROM staff WHERE login_name = $1", connection);
        command.Parameters.AddWithValue(login);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new(reader.GetGuid(0), reader.GetString(1), Enum.Parse<Dashboard.Domain.StaffRole>(reader.GetString(2)), await reader.IsDBNullAsync(3) ? null : reader.GetGuid(3));
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
