using System.Diagnostics;
using System.Net;
using Dashboard.FaultTests.Infrastructure;
using Dashboard.Testing;
using Xunit.Abstractions;

namespace Dashboard.FaultTests.Instances;

/// <summary>
/// Two app processes sharing a private database and a private Redis; one is killed (SIGKILL) while its
/// alert timers and ingestion are busy. The survivor carries on alone.
/// </summary>
public sealed class InstanceKilledTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int PromptsPerDevice = 8;
    private const int PromptDevices = 30;

    private PrivatePostgres _postgres = null!;
    private PrivateRedis _redis = null!;
    private string _connectionString = "";
    private ChildApp _doomed = null!;
    private ChildApp _survivor = null!;

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
        _connectionString = await _postgres.CreateMigratedDatabaseAsync("killed");
        _redis = await PrivateRedis.StartAsync();
        var settings = new Dictionary<string, string>
        {
            ["Redis:Configuration"] = _redis.Configuration,
            ["Alerts:TimerInterval"] = "00:00:01",
            // Small batches: many short timer transactions, so the kill lands in the middle of the work.
            ["Alerts:TimerBatchSize"] = "7",
        };
        _doomed = await ChildApp.StartAsync(_connectionString, settings);
        // The second instance finds the demo service already seeded.
        _survivor = await ChildApp.StartAsync(_connectionString, new Dictionary<string, string>(settings) { ["Database:SeedDemo"] = "false" });
        output.WriteLine($"Both instances ready in {clock.Elapsed.TotalSeconds:0.0} s");
    }

    public async Task DisposeAsync()
    {
        foreach (var app in new[] { _doomed, _survivor })
        {
            if (app is not null)
            {
                await app.DisposeAsync();
            }
        }

        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }

        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }

    [Fact]
    public async Task Killing_one_instance_mid_work_loses_and_doubles_no_missed_prompt_alert_and_no_ingested_event()
    {
        // Prompts of devices 1-30 whose windows close one after another over the next seconds: the timers
        // of both instances race to mark them missed, before and after the kill.
        await Sql.ExecuteAsync(_connectionString, $"""
            CREATE TABLE fault_prompts AS
            SELECT gen_random_uuid() AS id, d.subject_id, d.id AS device_id,
                   now() - interval '15 minutes' + make_interval(secs => g) AS due_at, now() + make_interval(secs => g) AS window_ends_at
            FROM devices d CROSS JOIN generate_series(1, {PromptsPerDevice}) AS g
            WHERE d.id <= 'demo-{PromptDevices:0000}';
            INSERT INTO prompts (id, subject_id, device_id, due_at, window_ends_at, status, origin)
            SELECT id, subject_id, device_id, due_at, window_ends_at, 'Pending', 'Scheduled' FROM fault_prompts;
            """);

        // Check-ins (devices 31-60, so they answer none of those prompts) and fixes, spread over both
        // instances; a failed send goes to the other instance with the same eventIds, as behind a load balancer.
        var instances = new[] { _doomed, _survivor };
        var checkIns = Enumerable.Range(0, 60).Select(_ => Guid.NewGuid()).ToList();
        var fixes = Enumerable.Range(0, 20).Select(_ => Enumerable.Range(0, 100).Select(_ => Guid.NewGuid()).ToList()).ToList();
        var start = DateTimeOffset.UtcNow.AddHours(-1);
        var work = checkIns.Select((e, i) => (Path: "/api/v1/checkins", Body: Payloads.CheckIn(e, Payloads.Device(31 + (i % 30)))))
            .Concat(fixes.Select((ids, b) => (Path: "/api/v1/locations", Body: Payloads.Locations(ids, start.AddSeconds(b * 5)))))
            .OrderBy(_ => Random.Shared.Next())
            .ToList();
        var failovers = 0;
        var sent = 0;
        var stream = Task.Run(async () =>
        {
            var target = 0;
            foreach (var (path, body) in work)
            {
                while (true)
                {
                    try
                    {
                        using var partner = Payloads.Partner(instances[target].BaseAddress, ChildApp.DemoKey, TimeSpan.FromSeconds(10));
                        var response = await partner.PostAsync(new Uri(path, UriKind.Relative), Payloads.Json(body));
                        if (response.IsSuccessStatusCode)
                        {
                            break;
                        }

                        Assert.True((int)response.StatusCode >= 500, $"{path} answered {(int)response.StatusCode}");
                    }
                    catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                    {
                        // The instance is gone.
                    }

                    failovers++;
                    target = 1 - target;
                    await Task.Delay(100);
                }

                sent++;
                target = 1 - target;
                await Task.Delay(50);
            }
        });

        await Task.Delay(TimeSpan.FromSeconds(2.5));
        await _doomed.KillAsync();
        Assert.True(await _doomed.WaitForExitAsync(TimeSpan.FromSeconds(5)));
        output.WriteLine($"Killed one instance after {sent} items; " +
            $"{await Sql.CountAsync(_connectionString, "SELECT count(*) FROM prompts p JOIN fault_prompts f USING (id) WHERE p.status = 'Missed'")} prompts missed so far");

        await stream.WaitAsync(TimeSpan.FromMinutes(2));
        const int expected = PromptDevices * PromptsPerDevice;
        var until = DateTime.UtcNow.AddSeconds(30);
        while (await Sql.CountAsync(_connectionString, "SELECT count(*) FROM prompts p JOIN fault_prompts f USING (id) WHERE p.status = 'Missed'") < expected
            && DateTime.UtcNow < until)
        {
            await Task.Delay(250);
        }

        output.WriteLine($"{failovers} sends went to the other instance");

        // Every prompt whose window closed is missed, with exactly one alert, none doubled.
        Assert.Equal(expected, await Sql.CountAsync(_connectionString, "SELECT count(*) FROM prompts p JOIN fault_prompts f USING (id) WHERE p.status = 'Missed'"));
        Assert.Equal(expected, await Sql.CountAsync(_connectionString,
            "SELECT count(*) FROM alerts a JOIN fault_prompts f ON f.id = a.prompt_id WHERE a.kind = 'MissedCheckIn'"));
        Assert.Equal(0, await Sql.CountAsync(_connectionString,
            "SELECT count(*) FROM alerts a JOIN fault_prompts f ON f.id = a.prompt_id WHERE a.kind = 'MissedCheckIn' AND a.occurrences <> 1"));

        // Every ingested event stored once.
        Assert.Equal(checkIns.Count, await Sql.CountAsync(_connectionString, "SELECT count(*) FROM check_ins WHERE event_id = ANY($1)", checkIns.ToArray()));
        var allFixes = fixes.SelectMany(f => f).ToArray();
        Assert.Equal(allFixes.Length, await Sql.CountAsync(_connectionString, "SELECT count(*) FROM location_pings WHERE event_id = ANY($1)", allFixes));

        // The survivor is ready and carries on.
        Assert.False(_survivor.HasExited);
        using var http = new HttpClient { BaseAddress = _survivor.BaseAddress };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/health/ready", UriKind.Relative))).StatusCode);
        using var partner = Payloads.Partner(_survivor.BaseAddress, ChildApp.DemoKey);
        Assert.Equal(HttpStatusCode.Accepted, (await partner.PostAsync(new Uri("/api/v1/checkins", UriKind.Relative),
            Payloads.Json(Payloads.CheckIn(Guid.NewGuid(), "demo-0040")))).StatusCode);
    }
}
