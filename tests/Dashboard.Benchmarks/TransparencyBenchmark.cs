using System.Diagnostics;
using Dashboard.Audit;
using Dashboard.Features.Transparency;
using Dashboard.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Dashboard.Benchmarks;

/// <summary>
/// Issue 11, transparency pack: a person with a year of data (about 1,800 check-ins and 2,000,000 fixes),
/// the whole pack (load, PDF, audit, ZIP) under 10 s, with and without raw points (median of a few runs).
/// Flat memory: a second person with a tenth of the fixes is exported the same way, and the growth of the
/// process's working set and managed heap during the export is compared: it must not grow with the
/// points. Seeding runs in the database (generate_series), a month at a time. <c>--quick</c>: a tenth of
/// everything.
/// </summary>
public static class TransparencyBenchmark
{
    private const double TargetS = 10;

    public static async Task<int> RunAsync(string[] args)
    {
        var quick = args.Contains("--quick");
        var fixes = quick ? 200_000 : 2_000_000;
        var checkIns = quick ? 180 : 1_800;
        var rounds = quick ? 2 : 3;
        var connectionString = await TestPostgres.CreateMigratedDatabaseAsync("bench_transparency");
        await using var app = new DashboardApp(connectionString)
        {
            SeedDemo = true,
            Settings = new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Warning" },
        }.Start();

        Console.WriteLine($"Transparency pack benchmark{(quick ? " (quick)" : "")}: {Environment.ProcessorCount} cores, load {File.ReadAllText("/proc/loadavg").Trim()}");
        var seedClock = Stopwatch.StartNew();
        var big = await SeedYearAsync(app, connectionString, "demo-0001", fixes, checkIns);
        var small = await SeedYearAsync(app, connectionString, "demo-0002", fixes / 10, checkIns);
        await ReviewsBenchmark.ExecuteAsync(connectionString, "ANALYZE", CancellationToken.None);
        Console.WriteLine($"  seeded two people with a year each: {fixes:N0} and {fixes / 10:N0} fixes, {checkIns:N0} check-ins each, in {seedClock.Elapsed.TotalSeconds:0.0} s");

        var export = app.Services.GetRequiredService<ExportTransparencyPack>();
        var auditor = await StaffUsers.UserAsync(connectionString, "auditor1");
        await RunOnceAsync(export, auditor, small, rawPoints: true); // warm-up

        var ok = true;
        foreach (var raw in new[] { false, true })
        {
            var runs = new List<Run>();
            for (var i = 0; i < rounds; i++)
            {
                runs.Add(await RunOnceAsync(export, auditor, big, raw));
            }

            var median = Stats.Median(runs.Select(r => r.Seconds).ToList());
            var last = runs[^1];
            Console.WriteLine($"  pack {(raw ? "with" : "without")} raw points: ZIP {last.Bytes / 1024.0 / 1024.0:0.0} MB, PDF {last.Pages} pages (read {last.LoadS:0.00} s, drawn {last.DrawS:0.00} s); runs {string.Join(", ", runs.Select(r => r.Seconds.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)))} s");
            var met = median < TargetS;
            ok &= met;
            Stats.Line($"pack of {fixes:N0} fixes, {checkIns:N0} check-ins, {(raw ? "with" : "without")} raw points (median of {rounds})", $"{Stats.F(median, "0.00")} s", $"< {TargetS} s", met);
        }

        // Flat memory: the same export for a tenth of the points grows memory as much as for all of them.
        var tenth = new List<Run>();
        var all = new List<Run>();
        for (var i = 0; i < rounds; i++)
        {
            tenth.Add(await RunOnceAsync(export, auditor, small, rawPoints: true));
            all.Add(await RunOnceAsync(export, auditor, big, rawPoints: true));
        }

        var tenthWs = Stats.Median(tenth.Select(r => r.WorkingSetGrowthMb).ToList());
        var allWs = Stats.Median(all.Select(r => r.WorkingSetGrowthMb).ToList());
        var tenthHeap = Stats.Median(tenth.Select(r => r.HeapPeakMb).ToList());
        var allHeap = Stats.Median(all.Select(r => r.HeapPeakMb).ToList());
        Stats.Line($"working set growth during the pack, {fixes / 10:N0} points", $"{Stats.F(tenthWs, "0.0")} MB");
        Stats.Line($"working set growth during the pack, {fixes:N0} points", $"{Stats.F(allWs, "0.0")} MB");
        Stats.Line($"managed heap peak during the pack, {fixes / 10:N0} points", $"{Stats.F(tenthHeap, "0.0")} MB");
        Stats.Line($"managed heap peak during the pack, {fixes:N0} points", $"{Stats.F(allHeap, "0.0")} MB");
        // Flat: ten times the points may not add more than 64 MB of working set (a GC's slack), nor 1.5x the heap.
        var flat = allWs - tenthWs < 64 && allHeap < (tenthHeap * 1.5) + 16;
        ok &= flat;
        Stats.Line("memory flat with 10x the points", $"+{Stats.F(allWs - tenthWs, "0.0")} MB WS, heap x{Stats.F(allHeap / Math.Max(tenthHeap, 1), "0.00")}", "< +64 MB, heap < x1.5", flat);
        Console.WriteLine($"  load after: {File.ReadAllText("/proc/loadavg").Trim()}");
        return ok ? 0 : 1;
    }

    private sealed record Run(double Seconds, long Bytes, int Pages, double WorkingSetGrowthMb, double HeapPeakMb, double LoadS = 0, double DrawS = 0);

    private static async Task<Run> RunOnceAsync(ExportTransparencyPack export, Dashboard.Security.CurrentUser auditor, Guid subject, bool rawPoints)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var baseline = process.WorkingSet64;
        var baseHeap = GC.GetTotalMemory(false);
        long peak = baseline;
        long peakHeap = baseHeap;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            using var p = Process.GetCurrentProcess();
            while (!sampling.IsCancellationRequested)
            {
                p.Refresh();
                peak = Math.Max(peak, p.WorkingSet64);
                peakHeap = Math.Max(peakHeap, GC.GetTotalMemory(false));
                await Task.Delay(20);
            }
        });
        var output = new CountingStream();
        var pages = 0;
        TimeSpan loadTime = default, drawTime = default;
        var clock = Stopwatch.StartNew();
        var outcome = await export.WriteAsync(new ExportTransparencyPack.Command(subject, rawPoints), auditor, output, s =>
        {
            pages = s.PdfPages;
            (loadTime, drawTime) = (s.Loading, s.Drawing);
            return Task.CompletedTask;
        }, CancellationToken.None);
        var seconds = clock.Elapsed.TotalSeconds;
        await sampling.CancelAsync();
        await sampler;
        if (outcome != ExportTransparencyPack.Outcome.Written)
        {
            throw new InvalidOperationException($"The pack was not written: {outcome}");
        }

        return new Run(seconds, output.Count, pages, (peak - baseline) / 1024.0 / 1024.0, (peakHeap - baseHeap) / 1024.0 / 1024.0, loadTime.TotalSeconds, drawTime.TotalSeconds);
    }

    /// <summary>A person with a year of data: fixes spread evenly over 365 days around home, check-ins five a day with every outcome, reviews, alerts, audit entries.</summary>
    private static async Task<Guid> SeedYearAsync(DashboardApp app, string connectionString, string device, int fixes, int checkIns)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var subject = (Guid)(await Scalar(connection, "SELECT subject_id FROM devices WHERE id = $1", device))!;
        var end = DateTimeOffset.UtcNow.AddHours(-1);
        var start = end.AddDays(-365);
        await Exec(connection, "SELECT ensure_location_partitions($1, $2)", DateOnly.FromDateTime(start.UtcDateTime), DateOnly.FromDateTime(end.UtcDateTime.AddDays(1)));
        var step = 365.0 * 86400 / fixes;
        const int months = 12;
        for (var m = 0; m < months; m++)
        {
            var from = fixes / months * m;
            var to = m == months - 1 ? fixes - 1 : (fixes / months * (m + 1)) - 1;
            await Exec(connection, """
                INSERT INTO location_pings (device_id, at, subject_id, location, accuracy_m, battery_pct, received_at)
                SELECT $1, $3::timestamptz + n * make_interval(secs => $4), $2,
                       ST_Project(s.home, 50 + 3000 * abs(sin(n / 900.0)), radians((n * 0.37)::numeric % 360))::geography,
                       CASE WHEN n % 17 = 0 THEN 350 ELSE 9 END, (100 - (n / 60) % 90)::smallint, $3::timestamptz + n * make_interval(secs => $4)
                FROM subjects s, generate_series($5::int, $6::int) AS n
                WHERE s.id = $2
                ON CONFLICT DO NOTHING
                """, device, subject, start, step, from, to);
        }

        await Exec(connection, """
            INSERT INTO check_ins (id, event_id, subject_id, device_id, captured_at, received_at, match_score, liveness_score, outcome,
                                   policy_version, accept_match, reject_match, accept_liveness, reject_liveness, location, accuracy_m, synthetic)
            SELECT gen_random_uuid(), gen_random_uuid(), $1, $2, t, t + interval '3 seconds',
                   CASE n % 20 WHEN 0 THEN 0.3 WHEN 1 THEN 0.65 ELSE 0.9 END, 0.9,
                   CASE n % 20 WHEN 0 THEN 'Failed' WHEN 1 THEN 'Borderline' WHEN 2 THEN 'Missed' ELSE 'Verified' END,
                   1, 0.80, 0.50, 0.70, 0.30, (SELECT home FROM subjects WHERE id = $1), 8, n % 20 = 2
            FROM generate_series(1, $3) AS n, LATERAL (SELECT $4::timestamptz + n * make_interval(secs => $5)) AS x(t)
            """, subject, device, checkIns, start, 365.0 * 86400 / checkIns);
        await Exec(connection, """
            INSERT INTO reviews (id, check_in_id, subject_id, created_at, due_by, decision, reason, decided_by, decided_at)
            SELECT gen_random_uuid(), c.id, c.subject_id, c.captured_at, c.captured_at + interval '2 hours', 'SamePersonNoConcern', 'Same face, poor light.',
                   (SELECT id FROM staff WHERE login_name = 'officer1'), c.captured_at + interval '30 minutes'
            FROM check_ins c WHERE c.subject_id = $1 AND c.outcome = 'Borderline'
            """, subject);
        await Exec(connection, """
            INSERT INTO alerts (id, subject_id, kind, state, episode_key, raised_at, summary, check_in_id, occurrences)
            SELECT gen_random_uuid(), c.subject_id, CASE c.outcome WHEN 'Failed' THEN 'IdentityNotVerified' ELSE 'MissedCheckIn' END, 'Dismissed',
                   'bench:' || c.id, c.captured_at + interval '1 minute', 'Check-in ' || lower(c.outcome) || '.', c.id, 1
            FROM check_ins c WHERE c.subject_id = $1 AND c.outcome IN ('Failed', 'Missed')
            """, subject);
        var audit = app.Services.GetRequiredService<AuditLog>();
        for (var i = 0; i < 200; i++)
        {
            await audit.AppendAsync(new AuditEntry(null, "Bench viewer", AuditActions.PhotoViewed, subject, "photo", null, $"CheckIn photo viewed for review ({i})."), CancellationToken.None);
        }

        return subject;
    }

    private static async Task<object?> Scalar(NpgsqlConnection connection, string sql, params object[] values)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var v in values)
        {
            command.Parameters.AddWithValue(v);
        }

        return await command.ExecuteScalarAsync();
    }

    private static async Task Exec(NpgsqlConnection connection, string sql, params object[] values)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 900 };
        foreach (var v in values)
        {
            command.Parameters.AddWithValue(v);
        }

        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The download's far end: counts the bytes and keeps none.</summary>
    private sealed class CountingStream : Stream
    {
        public long Count { get; private set; }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => Count;
        public override long Position { get => Count; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Count += count;
        public override void Write(ReadOnlySpan<byte> buffer) => Count += buffer.Length;
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Count += count;
            return Task.CompletedTask;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Count += buffer.Length;
            return ValueTask.CompletedTask;
        }

        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
