using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Dashboard.FaultTests.Infrastructure;
using Dashboard.Ingestion;
using Dashboard.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit.Abstractions;

namespace Dashboard.FaultTests.Database;

/// <summary>The app on a private PostgreSQL that is stopped (as in a crash) and started again while a partner streams to it.</summary>
public sealed class DatabaseRestartTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int CheckIns = 120;
    private const int Batches = 30;
    private const int FixesPerBatch = 200;

    private PrivatePostgres _postgres = null!;
    private string _connectionString = "";
    private DashboardApp _app = null!;

    public async Task InitializeAsync()
    {
        try
        {
            await StartAsync();
        }
        catch
        {
            // xunit does not dispose a class whose start failed: leave no cluster or server behind.
            await DisposeAsync();
            throw;
        }
    }

    private async Task StartAsync()
    {
        var clock = Stopwatch.StartNew();
        _postgres = await PrivatePostgres.StartAsync();
        _connectionString = await _postgres.CreateMigratedDatabaseAsync("restart");
        // Timers every second, so that they too meet the outage.
        _app = new DashboardApp(_connectionString)
        {
            SeedDemo = true,
            Settings = new Dictionary<string, string?> { ["Alerts:TimerInterval"] = "00:00:01" },
        }.Start();
        output.WriteLine($"Ready in {clock.Elapsed.TotalSeconds:0.0} s");
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }

    private sealed record Reading(TimeSpan At, string Phase, HttpStatusCode? Status);

    [Fact]
    public async Task A_database_restart_during_ingestion_loses_nothing_doubles_nothing_and_readiness_follows_it()
    {
        var (_, key) = await _app.Services.GetRequiredService<IngestKeys>().CreateAsync("Restart test", CancellationToken.None);
        var partner = new RetryingPartner(() =>
        {
            var http = _app.CreateClient();
            http.DefaultRequestHeaders.Authorization = new("Bearer", key);
            return http;
        });

        var checkInEvents = Enumerable.Range(0, CheckIns).Select(_ => Guid.NewGuid()).ToList();
        var fixEvents = Enumerable.Range(0, Batches).Select(_ => Enumerable.Range(0, FixesPerBatch).Select(_ => Guid.NewGuid()).ToList()).ToList();
        var start = DateTimeOffset.UtcNow.AddHours(-2);
        var work = new ConcurrentQueue<(string Path, string Body)>(
            checkInEvents.Select((e, i) => (Path: "/api/v1/checkins", Body: Payloads.CheckIn(e, Payloads.Device((i % 60) + 1), match: i % 3 == 0 ? 0.3 : 0.93)))
                .Concat(fixEvents.Select((ids, b) => (Path: "/api/v1/locations", Body: Payloads.Locations(ids, start.AddSeconds(b * 10)))))
                .OrderBy(_ => Random.Shared.Next()));
        var sent = 0;

        // Readiness, as a load balancer would poll it.
        var phase = "before";
        var readings = new ConcurrentQueue<Reading>();
        var clock = Stopwatch.StartNew();
        using var stopPolling = new CancellationTokenSource();
        var poller = Task.Run(async () =>
        {
            using var http = _app.CreateClient();
            while (!stopPolling.IsCancellationRequested)
            {
                var currentPhase = phase;
                HttpStatusCode? status;
                try
                {
                    status = (await http.GetAsync(new Uri("/health/ready", UriKind.Relative))).StatusCode;
                }
                catch (HttpRequestException)
                {
                    status = null;
                }

                readings.Enqueue(new Reading(clock.Elapsed, currentPhase, status));
                await Task.Delay(100);
            }
        });

        using var giveUp = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var senders = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (work.TryDequeue(out var item))
            {
                await partner.SendUntilTakenAsync(item.Path, item.Body, giveUp.Token);
                Interlocked.Increment(ref sent);
                // Paced, so that the stream runs across the outage.
                await Task.Delay(40, giveUp.Token);
            }
        })).ToList();

        // The outage: a third of the way through, for three seconds.
        while (Volatile.Read(ref sent) < (CheckIns + Batches) / 3)
        {
            await Task.Delay(20);
        }

        await _postgres.StopAsync("immediate");
        phase = "outage";
        output.WriteLine($"PostgreSQL stopped at {clock.Elapsed.TotalSeconds:0.0} s after {sent} items");
        await Task.Delay(TimeSpan.FromSeconds(3));
        phase = "restarting";
        await _postgres.StartAgainAsync();
        phase = "after";
        output.WriteLine($"PostgreSQL started at {clock.Elapsed.TotalSeconds:0.0} s");

        await Task.WhenAll(senders);
        output.WriteLine($"All {sent} items taken at {clock.Elapsed.TotalSeconds:0.0} s; {partner.Retries} retries; answers: " +
            string.Join(", ", partner.Outcomes.OrderBy(o => o.Key).Select(o => $"{o.Key} x{o.Value}")));

        // Readiness is back within a few seconds of the restart.
        var readyAgain = Stopwatch.StartNew();
        while (readings.LastOrDefault()?.Status != HttpStatusCode.OK && readyAgain.Elapsed < TimeSpan.FromSeconds(15))
        {
            await Task.Delay(100);
        }

        await Task.Delay(300);
        await stopPolling.CancelAsync();
        await poller;

        // The test's own pooled connections died with the server: read through fresh ones.
        using (var stale = new Npgsql.NpgsqlConnection(_connectionString))
        {
            Npgsql.NpgsqlConnection.ClearPool(stale);
        }

        // Every event stored exactly once.
        Assert.Equal(CheckIns, await Sql.CountAsync(_connectionString, "SELECT count(*) FROM check_ins WHERE event_id = ANY($1)", checkInEvents.ToArray()));
        Assert.Equal(CheckIns, await Sql.CountAsync(_connectionString, "SELECT count(DISTINCT event_id) FROM check_ins WHERE event_id = ANY($1)", checkInEvents.ToArray()));
        var allFixes = fixEvents.SelectMany(f => f).ToArray();
        Assert.Equal(allFixes.Length, await Sql.CountAsync(_connectionString, "SELECT count(*) FROM location_pings WHERE event_id = ANY($1)", allFixes));
        Assert.Equal(allFixes.Length, await Sql.CountAsync(_connectionString, "SELECT count(DISTINCT event_id) FROM location_pings WHERE event_id = ANY($1)", allFixes));
        // A failed check-in's alert, once per check-in.
        Assert.Equal(CheckIns / 3, await Sql.CountAsync(_connectionString,
            "SELECT count(*) FROM alerts a JOIN check_ins c ON c.id = a.check_in_id WHERE c.event_id = ANY($1) AND a.kind = 'IdentityNotVerified'", checkInEvents.ToArray()));

        // The outage was felt (the partner had to retry), and answered as "unavailable", never as a server error.
        Assert.True(partner.Retries > 0, "The stream never met the outage.");
        Assert.False(partner.Outcomes.ContainsKey("500"), "The app answered 500 during the outage; it should answer 503 with Retry-After.");

        // Not ready during the outage, ready after; the same app instance carried on (no restart).
        var log = readings.ToList();
        output.WriteLine(string.Join(" ", log.Select(r => $"{r.At.TotalSeconds:0.0}:{r.Phase}:{(int?)r.Status}")));
        Assert.Contains(log, r => r.Phase == "before" && r.Status == HttpStatusCode.OK);
        Assert.Contains(log, r => r.Phase == "outage" && r.Status == HttpStatusCode.ServiceUnavailable);
        Assert.DoesNotContain(log, r => r.Phase == "outage" && r.Status == HttpStatusCode.OK && r.At > log.First(x => x.Phase == "outage").At + TimeSpan.FromSeconds(2.5));
        Assert.Equal(HttpStatusCode.OK, log[^1].Status);
        Assert.False(_app.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested);

        using var fresh = _app.CreateClient();
        fresh.DefaultRequestHeaders.Authorization = new("Bearer", key);
        var after = await fresh.PostAsync(new Uri("/api/v1/checkins", UriKind.Relative), Payloads.Json(Payloads.CheckIn(Guid.NewGuid(), "demo-0007")));
        Assert.Equal(HttpStatusCode.Accepted, after.StatusCode);
    }
}
