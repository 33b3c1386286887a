using System.Diagnostics;
using Dashboard.Domain;
using Dashboard.Features.Oversight;
using Dashboard.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Dashboard.Benchmarks;

/// <summary>
/// Issue 11: the what-if replay over 1,000,000 check-ins (the demo service's 60 subjects over the last
/// 90 days, every outcome, a reviewer decision on most borderline ones): target under 2 s for the whole
/// use case (the aggregate query and the summary). <c>--explain</c> prints the query plan.
/// </summary>
public static class OversightBenchmark
{
    private const int CheckIns = 1_000_000;
    private const int Runs = 10;
    private const double TargetMs = 2000;
    private static readonly TimeSpan Budget = TimeSpan.FromMinutes(15);

    /// <summary>Scores spread over the whole scale, so that a replay moves check-ins every way; judged by version 1.</summary>
    private const string InsertSql = """
        WITH s AS (
            SELECT s.id AS subject_id, d.id AS device_id, (row_number() OVER (ORDER BY s.case_reference) - 1)::int AS n
            FROM subjects s JOIN devices d ON d.subject_id = s.id
        ),
        p AS (SELECT * FROM policy_versions WHERE version = 1),
        g AS (
            SELECT g,
                   now() - make_interval(secs => ($1::int - g + random()) * (90 * 86400.0 / $1::int)) AS at,
                   0.30 + (0.69 * random()) AS match,
                   0.20 + (0.79 * random()) AS liveness
            FROM generate_series(1, $1::int) g
        )
        INSERT INTO check_ins (id, event_id, subject_id, device_id, captured_at, received_at, match_score, liveness_score,
                               outcome, policy_version, accept_match, reject_match, accept_liveness, reject_liveness, synthetic)
        SELECT gen_random_uuid(), gen_random_uuid(), s.subject_id, s.device_id, g.at, g.at + interval '2 seconds', g.match, g.liveness,
               CASE WHEN g.match < p.reject_match OR g.liveness < p.reject_liveness THEN 'Failed'
                    WHEN g.match >= p.accept_match AND g.liveness >= p.accept_liveness THEN 'Verified'
                    ELSE 'Borderline' END,
               p.version, p.accept_match, p.reject_match, p.accept_liveness, p.reject_liveness, false
        FROM g JOIN s ON s.n = g.g % 60 CROSS JOIN p
        """;

    private const string InsertReviewsSql = """
        INSERT INTO reviews (id, check_in_id, subject_id, created_at, due_by, decision, decided_at)
        SELECT gen_random_uuid(), c.id, c.subject_id, c.received_at, c.received_at + interval '2 hours',
               (ARRAY['SamePersonNoConcern', 'SamePersonNoConcern', 'SamePersonWithConcern', 'NotSamePerson', 'CannotTell', NULL])[1 + floor(random() * 6)::int],
               c.received_at + interval '20 minutes'
        FROM check_ins c
        WHERE c.outcome = 'Borderline' AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.check_in_id = c.id)
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        using var budget = new CancellationTokenSource(Budget);
        var ct = budget.Token;
        var connectionString = await TestPostgres.CreateMigratedDatabaseAsync("bench_oversight");
        await using var app = new DashboardApp(connectionString)
        {
            SeedDemo = true,
            Settings = new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Warning", ["Alerts:TimersEnabled"] = "false" },
        }.Start();

        Console.WriteLine($"Oversight benchmark: what-if replay over {CheckIns:N0} check-ins of the last 90 days, {Environment.ProcessorCount} cores");
        var load = Stopwatch.StartNew();
        await ExecuteAsync(connectionString, InsertSql, ct, CheckIns);
        await ExecuteAsync(connectionString, InsertReviewsSql, ct);
        await ExecuteAsync(connectionString, "VACUUM (ANALYZE) check_ins, reviews, devices", ct);
        Stats.Line("data load with VACUUM (ANALYZE) (s)", Stats.F(load.Elapsed.TotalSeconds, "0.0"));

        var replay = app.Services.GetRequiredService<RunThresholdReplay>();
        var supervisor = await StaffUsers.UserAsync(connectionString, "supervisor1");
        var now = DateTimeOffset.UtcNow;
        var command = new RunThresholdReplay.Command(now.AddDays(-91), now.AddMinutes(1), new ThresholdValues(0.85, 0.55, 0.70, 0.35));
        if (args.Contains("--explain"))
        {
            await ExplainAsync(connectionString, command, ct);
        }

        var times = new List<double>();
        ReplaySummary? summary = null;
        for (var i = 0; i < Runs + 2; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var result = await replay.HandleAsync(command, supervisor, ct);
            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            summary = result is RunThresholdReplay.Result.Done done ? done.Summary : throw new InvalidOperationException($"Replay answered {result}.");
            if (i >= 2)
            {
                times.Add(ms);
            }
        }

        if (summary!.Total < CheckIns)
        {
            throw new InvalidOperationException($"The replay counted {summary.Total:N0} check-ins, fewer than {CheckIns:N0}.");
        }

        Stats.Line("check-ins replayed", Stats.F(summary.Total));
        Stats.Line("would move", Stats.F(summary.Moved));
        Stats.Line("reviewer decisions contradicted", Stats.F(summary.Contradictions.Total));
        Stats.Line("what-if replay p50 ms", Stats.F(Stats.Median(times), "0"));
        var worst = times.Max();
        Stats.Line("what-if replay worst of 10 ms", Stats.F(worst, "0"), $"< {TargetMs:0} ms", worst < TargetMs);
        return worst < TargetMs ? 0 : 1;
    }

    private static async Task ExplainAsync(string connectionString, RunThresholdReplay.Command command, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var explain = new NpgsqlCommand("""
            EXPLAIN (ANALYZE, BUFFERS)
            SELECT c.device_id, date_part('hour', c.captured_at AT TIME ZONE 'Europe/London')::int, c.outcome,
                   CASE WHEN c.match_score < $3 THEN 'Failed' ELSE 'Verified' END, r.decision, count(*)
            FROM check_ins c LEFT JOIN reviews r ON r.check_in_id = c.id AND r.decision IS NOT NULL
            WHERE c.captured_at >= $1 AND c.captured_at < $2 AND c.outcome <> 'Missed' AND NOT c.synthetic
            GROUP BY 1, 2, 3, 4, 5
            """, connection);
        explain.Parameters.AddWithValue(command.From);
        explain.Parameters.AddWithValue(command.To);
        explain.Parameters.AddWithValue(command.Proposed.RejectMatch);
        await using var reader = await explain.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            Console.WriteLine(reader.GetString(0));
        }
    }

    private static async Task ExecuteAsync(string connectionString, string sql, CancellationToken ct, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
        foreach (var p in parameters)
        {
            command.Parameters.AddWithValue(p);
        }

        await command.ExecuteNonQueryAsync(ct);
    }
}
