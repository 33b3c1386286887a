using System.Diagnostics;
using System.Net;
using System.Text;
using Dashboard.Domain;
using Dashboard.Features.Reviews;
using Dashboard.Security;
using Dashboard.Testing;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Dashboard.Benchmarks;

/// <summary>
/// Issue: the review queue at volume. The demo service (60 subjects over 6 officers) with 1,000,000
/// check-ins over the last 30 days, 10,000 recent ones borderline and waiting for review. For officer1
/// (a sixth of the data) and supervisor1 (half):
/// (1) GET /reviews, the queue page's server render: target p95 under 100 ms;
/// (2) GetReview.HandleAsync, the review screen's data load: target p95 under 100 ms; also the
/// GET /reviews/{checkInId} render (a plain GET prerenders without claiming the item).
/// The queue's query alone (ListPendingReviews.HandleAsync) is timed too, to separate database from render.
/// <c>--explain</c> prints EXPLAIN ANALYZE of the queries even when the targets are met.
/// </summary>
public static class ReviewsBenchmark
{
    private const int CheckIns = 1_000_000;
    private const int Borderline = 10_000;
    private const int WarmUp = 30;
    private const int PageRequests = 100;
    private const int Loads = 200;
    private const double TargetMs = 100;
    private static readonly string[] Users = ["officer1", "supervisor1"];
    private static readonly TimeSpan Budget = TimeSpan.FromMinutes(20);

    /// <summary>
    /// Everything but the borderline check-ins: spread evenly over the 60 subjects and the last 30 days,
    /// one in 25 failed (match below the reject threshold), the rest verified. The outcome is derived
    /// from the scores and the stored thresholds, as ingestion does.
    /// </summary>
    private const string InsertDecidedSql = """
        WITH s AS (
            SELECT s.id AS subject_id, d.id AS device_id, (row_number() OVER (ORDER BY s.case_reference) - 1)::int AS n
            FROM subjects s JOIN devices d ON d.subject_id = s.id
        ),
        p AS (SELECT * FROM policy_versions WHERE version = 1),
        g AS (
            SELECT g,
                   now() - make_interval(secs => ($1::int - g + random()) * (30 * 86400.0 / $1::int)) AS at,
                   CASE WHEN g % 25 = 0 THEN 0.20 + (0.29 * random()) ELSE 0.80 + (0.19 * random()) END AS match,
                   CASE WHEN g % 25 = 0 THEN 0.30 + (0.69 * random()) ELSE 0.70 + (0.29 * random()) END AS liveness
            FROM generate_series(1, $1::int) g
        )
        INSERT INTO check_ins (id, event_id, subject_id, device_id, prompt_id, captured_at, received_at, match_score, liveness_score,
                               outcome, policy_version, accept_match, reject_match, accept_liveness, reject_liveness, location, accuracy_m, photo_id, synthetic)
        SELECT gen_random_uuid(), gen_random_uuid(), s.subject_id, s.device_id, NULL, g.at, g.at + interval '2 seconds', g.match, g.liveness,
               CASE WHEN g.match < p.reject_match OR g.liveness < p.reject_liveness THEN 'Failed'
                    WHEN g.match >= p.accept_match AND g.liveness >= p.accept_liveness THEN 'Verified'
                    ELSE 'Borderline' END,
               p.version, p.accept_match, p.reject_match, p.accept_liveness, p.reject_liveness, NULL, NULL, NULL, false
        FROM g JOIN s ON s.n = g.g % 60 CROSS JOIN p
        """;

    /// <summary>The borderline check-ins: over the last 3 days, over the 60 subjects, match between the thresholds.</summary>
    private const string InsertBorderlineSql = """
        WITH s AS (
            SELECT s.id AS subject_id, d.id AS device_id, (row_number() OVER (ORDER BY s.case_reference) - 1)::int AS n
            FROM subjects s JOIN devices d ON d.subject_id = s.id
        ),
        p AS (SELECT * FROM policy_versions WHERE version = 1),
        g AS (
            SELECT g,
                   now() - make_interval(secs => ($1::int - g + random()) * (3 * 86400.0 / $1::int)) AS at,
                   0.55 + (0.24 * random()) AS match,
                   0.35 + (0.60 * random()) AS liveness
            FROM generate_series(1, $1::int) g
        )
        INSERT INTO check_ins (id, event_id, subject_id, device_id, prompt_id, captured_at, received_at, match_score, liveness_score,
                               outcome, policy_version, accept_match, reject_match, accept_liveness, reject_liveness, location, accuracy_m, photo_id, synthetic)
        SELECT gen_random_uuid(), gen_random_uuid(), s.subject_id, s.device_id, NULL, g.at, g.at + interval '2 seconds', g.match, g.liveness,
               CASE WHEN g.match < p.reject_match OR g.liveness < p.reject_liveness THEN 'Failed'
                    WHEN g.match >= p.accept_match AND g.liveness >= p.accept_liveness THEN 'Verified'
                    ELSE 'Borderline' END,
               p.version, p.accept_match, p.reject_match, p.accept_liveness, p.reject_liveness, NULL, NULL, NULL, false
        FROM g JOIN s ON s.n = g.g % 60 CROSS JOIN p
        """;

    private const string InsertReviewsSql = """
        INSERT INTO reviews (id, check_in_id, subject_id, created_at, due_by, decision)
        SELECT gen_random_uuid(), c.id, c.subject_id, c.received_at, c.received_at + interval '2 hours', NULL
        FROM check_ins c
        WHERE c.outcome = 'Borderline'
        """;

    /// <summary>Pending items in the user's scope (as Scope.Subjects defines it), in random order.</summary>
    private const string PendingInScopeSql = """
        SELECT r.check_in_id
        FROM reviews r
        JOIN subjects s ON s.id = r.subject_id
        JOIN staff o ON o.id = s.officer_id
        WHERE r.decision IS NULL
          AND (($2 = 'Officer' AND s.officer_id = $1) OR ($2 = 'Supervisor' AND o.team_id = $3) OR $2 = 'Auditor')
        ORDER BY random()
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var explainAlways = args.Contains("--explain");
        using var budget = new CancellationTokenSource(Budget);
        var ct = budget.Token;
        var connectionString = await TestPostgres.CreateMigratedDatabaseAsync("bench_reviews");
        await using var app = new DashboardApp(connectionString)
        {
            SeedDemo = true,
            Settings = new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Warning" },
        }.Start();

        Console.WriteLine($"Reviews benchmark: {CheckIns:N0} check-ins over the last 30 days, {Borderline:N0} pending reviews, {Environment.ProcessorCount} cores");
        var load = Stopwatch.StartNew();
        await ExecuteAsync(connectionString, InsertDecidedSql, ct, CheckIns - Borderline);
        await ExecuteAsync(connectionString, InsertBorderlineSql, ct, Borderline);
        await ExecuteAsync(connectionString, InsertReviewsSql, ct);
        var inserted = load.Elapsed;
        // A live database has been vacuumed and analysed by autovacuum; a fresh one must be, to plan like one
        // (and so that autovacuum does not start on these tables in the middle of the measurements).
        await ExecuteAsync(connectionString, "VACUUM (ANALYZE) check_ins, reviews", ct);
        await ExecuteAsync(connectionString, "ANALYZE", ct);
        Stats.Line("data load: INSERT ... SELECT generate_series (s)", Stats.F(inserted.TotalSeconds, "0.0"));
        Stats.Line("data load: with VACUUM (ANALYZE) and ANALYZE (s)", Stats.F(load.Elapsed.TotalSeconds, "0.0"));

        var checkIns = await CountAsync(connectionString, "SELECT count(*) FROM check_ins", ct);
        var pending = await CountAsync(connectionString, "SELECT count(*) FROM reviews WHERE decision IS NULL", ct);
        var borderline = await CountAsync(connectionString, "SELECT count(*) FROM check_ins WHERE outcome = 'Borderline'", ct);
        Stats.Line("rows in check_ins", Stats.F(checkIns));
        Stats.Line("pending reviews (decision IS NULL)", Stats.F(pending));
        Stats.Line("check_ins + indexes on disk (MB)", Stats.F(await CountAsync(connectionString, "SELECT pg_total_relation_size('check_ins')", ct) / 1048576.0));
        if (checkIns != CheckIns || pending != Borderline || borderline != Borderline)
        {
            throw new InvalidOperationException($"Expected {CheckIns:N0} check-ins and {Borderline:N0} borderline, pending; found {checkIns:N0}, {borderline:N0}, {pending:N0}.");
        }

        var getReview = app.Services.GetRequiredService<GetReview>();
        var listPending = app.Services.GetRequiredService<ListPendingReviews>();
        foreach (var login in Users)
        {
            ct.ThrowIfCancellationRequested();
            var user = await UserAsync(connectionString, login, ct);
            var items = await PendingInScopeAsync(connectionString, user, ct);
            Console.WriteLine();
            Stats.Line($"{login} ({user.Role}): pending reviews in scope", Stats.F(items.Count));
            using var client = await SignedInClientAsync(app, login);

            // (1) The queue page, as the server renders it for a plain GET (prerender, query included).
            var queue = await RequestsAsync(client, _ => "/reviews", WarmUp + PageRequests, expectRows: Math.Min(200, items.Count), ct);
            var queueP95 = Stats.Percentile(queue[WarmUp..], 95);
            Stats.Line($"(1) {login}: GET /reviews p50 ms", Stats.F(Stats.Median(queue[WarmUp..]), "0.0"));
            Stats.Line("    p95 ms", Stats.F(queueP95, "0.0"), $"< {TargetMs:0} ms", queueP95 < TargetMs);

            // The queue's query alone, to tell the database's share of (1) from the render's.
            var queries = new List<double>(WarmUp + PageRequests);
            for (var i = 0; i < WarmUp + PageRequests; i++)
            {
                var started = Stopwatch.GetTimestamp();
                var listed = await listPending.HandleAsync(user, 200, ct);
                queries.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (listed.Count != Math.Min(200, items.Count))
                {
                    throw new InvalidOperationException($"ListPendingReviews answered {listed.Count} items as {login}.");
                }
            }

            Stats.Line($"    {login}: queue query alone (ListPendingReviews) p50 ms", Stats.F(Stats.Median(queries[WarmUp..]), "0.0"));
            Stats.Line("    p95 ms", Stats.F(Stats.Percentile(queries[WarmUp..], 95), "0.0"));

            // (2) The review screen's data load, for distinct random items of the user's scope.
            var loadIds = items.Take(WarmUp + Loads).ToList();
            var loads = new List<double>(loadIds.Count);
            foreach (var id in loadIds)
            {
                var started = Stopwatch.GetTimestamp();
                var details = await getReview.HandleAsync(id, user, ct);
                loads.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (details is null || details.Recent.Count != 10)
                {
                    throw new InvalidOperationException($"GetReview answered {(details is null ? "null" : $"{details.Recent.Count} recent check-ins")} for {id} as {login}.");
                }
            }

            var loadP95 = Stats.Percentile(loads[WarmUp..], 95);
            Stats.Line($"(2) {login}: GetReview.HandleAsync p50 ms", Stats.F(Stats.Median(loads[WarmUp..]), "0.0"));
            Stats.Line("    p95 ms", Stats.F(loadP95, "0.0"), $"< {TargetMs:0} ms", loadP95 < TargetMs);

            // The review page's server render (a GET prerenders; only the interactive circuit claims).
            var pageIds = items.Skip(WarmUp + Loads).Take(WarmUp + PageRequests).ToList();
            var page = await RequestsAsync(client, i => $"/reviews/{pageIds[i % pageIds.Count]}", WarmUp + PageRequests, expectRows: null, ct);
            Stats.Line($"    {login}: GET /reviews/{{checkInId}} p50 ms", Stats.F(Stats.Median(page[WarmUp..]), "0.0"));
            Stats.Line("    p95 ms", Stats.F(Stats.Percentile(page[WarmUp..], 95), "0.0"));
            var claimed = await CountAsync(connectionString, "SELECT count(*) FROM reviews WHERE claimed_by IS NOT NULL", ct);
            if (claimed != 0)
            {
                Console.WriteLine($"    note: {claimed} reviews were claimed by the GET requests");
            }

            if (explainAlways || queueP95 >= TargetMs)
            {
                await ExplainAsync(connectionString, $"ListPendingReviews.HandleAsync as {login}", () => listPending.HandleAsync(user, 200, ct), ct);
            }

            if (explainAlways || loadP95 >= TargetMs)
            {
                await ExplainAsync(connectionString, $"GetReview.HandleAsync as {login}", () => getReview.HandleAsync(items[^1], user, ct), ct);
            }

        }

        return 0;
    }

    internal static async Task<HttpClient> SignedInClientAsync(DashboardApp app, string login)
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        client.Timeout = TimeSpan.FromSeconds(30);
        using var response = await client.GetAsync(new Uri($"/account/dev-sign-in?user={login}", UriKind.Relative));
        if (response.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"Sign-in as {login} answered {(int)response.StatusCode}.");
        }

        return client;
    }

    /// <summary>Sequential GETs, each timed until the whole body has been read.</summary>
    internal static async Task<List<double>> RequestsAsync(HttpClient client, Func<int, string> path, int count, int? expectRows, CancellationToken ct)
    {
        var times = new List<double>(count);
        for (var i = 0; i < count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await client.GetAsync(new Uri(path(i), UriKind.Relative), ct);
            var html = await response.Content.ReadAsStringAsync(ct);
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"GET {path(i)} answered {(int)response.StatusCode}.");
            }

            if (i == 0 && expectRows is { } rows && Occurrences(html, "data-checkin-id=") != rows)
            {
                throw new InvalidOperationException($"GET {path(i)} showed {Occurrences(html, "data-checkin-id=")} queue rows, expected {rows}.");
            }
        }

        return times;
    }

    private static int Occurrences(string text, string value)
    {
        var count = 0;
        for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    internal static async Task<CurrentUser> UserAsync(string connectionString, string login, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT id, display_name, role, team_id FROM staff WHERE login_name = $1", connection);
        command.Parameters.AddWithValue(login);
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            throw new InvalidOperationException($"No staff member {login}: was the demo service seeded?");
        }

        return new CurrentUser(reader.GetGuid(0), reader.GetString(1), Enum.Parse<StaffRole>(reader.GetString(2)),
            await reader.IsDBNullAsync(3, ct) ? null : reader.GetGuid(3));
    }

    private static async Task<List<Guid>> PendingInScopeAsync(string connectionString, CurrentUser user, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(PendingInScopeSql, connection);
        command.Parameters.AddWithValue(user.Id);
        command.Parameters.AddWithValue(user.Role.ToString());
        command.Parameters.AddWithValue(user.TeamId ?? Guid.Empty);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var ids = new List<Guid>();
        while (await reader.ReadAsync(ct))
        {
            ids.Add(reader.GetGuid(0));
        }

        return ids;
    }

    /// <summary>
    /// Runs the handler once while recording the SQL EF Core sends (through its DiagnosticListener, so the
    /// plan is of the real statements), then prints EXPLAIN (ANALYZE, BUFFERS) of each with the same parameters.
    /// </summary>
    internal static async Task ExplainAsync(string connectionString, string title, Func<Task> handler, CancellationToken ct)
    {
        var commands = new List<(string Sql, List<NpgsqlParameter> Parameters)>();
        using (new CommandRecorder(commands))
        {
            await handler();
        }

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        foreach (var (sql, parameters) in commands)
        {
            Console.WriteLine();
            Console.WriteLine($"EXPLAIN ANALYZE, {title}:");
            Console.WriteLine(sql);
            Console.WriteLine(string.Join(", ", parameters.Select(p => $"{p.ParameterName} = {p.Value}")));
#pragma warning disable CA2100 // The statement is the one EF Core generated for the app, with its parameters.
            await using var command = new NpgsqlCommand("EXPLAIN (ANALYZE, BUFFERS) " + sql, connection);
#pragma warning restore CA2100
            command.Parameters.AddRange(parameters.ToArray());
            await using var reader = await command.ExecuteReaderAsync(ct);
            var plan = new StringBuilder();
            while (await reader.ReadAsync(ct))
            {
                plan.AppendLine(reader.GetString(0));
            }

            Console.Write(plan);
        }
    }

    internal static async Task ExecuteAsync(string connectionString, string sql, CancellationToken ct, params object[] parameters)
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

    internal static async Task<long> CountAsync(string connectionString, string sql, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 120 };
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Records the commands EF Core executes while it is alive (all DbContexts of the process).</summary>
    private sealed class CommandRecorder : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
    {
        private const string Executing = "Microsoft.EntityFrameworkCore.Database.Command.CommandExecuting";
        private readonly List<(string Sql, List<NpgsqlParameter> Parameters)> _commands;
        private readonly List<IDisposable> _subscriptions = [];

        public CommandRecorder(List<(string Sql, List<NpgsqlParameter> Parameters)> commands)
        {
            _commands = commands;
            _subscriptions.Add(DiagnosticListener.AllListeners.Subscribe(this));
        }

        public void OnNext(DiagnosticListener value)
        {
            if (value.Name == "Microsoft.EntityFrameworkCore")
            {
                lock (_subscriptions)
                {
                    _subscriptions.Add(value.Subscribe(this, name => name == Executing));
                }
            }
        }

        public void OnNext(KeyValuePair<string, object?> value)
        {
            if (value.Key == Executing && value.Value is CommandEventData data)
            {
                var parameters = data.Command.Parameters.Cast<NpgsqlParameter>().Select(p => p.Clone()).ToList();
                lock (_commands)
                {
                    _commands.Add((data.Command.CommandText, parameters));
                }
            }
        }

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }

        public void Dispose()
        {
            lock (_subscriptions)
            {
                foreach (var subscription in _subscriptions)
                {
                    subscription.Dispose();
                }

                _subscriptions.Clear();
            }
        }
    }
}
