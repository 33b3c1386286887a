using System.Diagnostics;
using System.Net;
using Dashboard.FaultTests.Infrastructure;
using Dashboard.Testing;
using Xunit.Abstractions;

namespace Dashboard.FaultTests.Shutdown;

/// <summary>The app as its own process on a private database, stopped with SIGTERM while requests are in flight.</summary>
public sealed class GracefulShutdownTests(ITestOutputHelper output) : IAsyncLifetime
{
    private PrivatePostgres _postgres = null!;
    private string _connectionString = "";
    private ChildApp _app = null!;

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
        output.WriteLine($"PostgreSQL started: {clock.Elapsed.TotalSeconds:0.0} s");
        _connectionString = await _postgres.CreateMigratedDatabaseAsync("shutdown");
        output.WriteLine($"Migrated: {clock.Elapsed.TotalSeconds:0.0} s");
        _app = await ChildApp.StartAsync(_connectionString);
        output.WriteLine($"App ready: {clock.Elapsed.TotalSeconds:0.0} s");
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

    private sealed record Late(Guid EventId, HttpStatusCode? Status, string? RetryAfter, string? ContentType);

    [Fact]
    public async Task On_SIGTERM_new_ingestion_gets_503_in_flight_requests_finish_and_the_app_exits_within_10_seconds()
    {
        using var partner = Payloads.Partner(_app.BaseAddress, ChildApp.DemoKey);
        var warmUp = await partner.PostAsync(new Uri("/api/v1/checkins", UriKind.Relative), Payloads.Json(Payloads.CheckIn(Guid.NewGuid(), "demo-0001")));
        Assert.Equal(HttpStatusCode.Accepted, warmUp.StatusCode);

        // In flight: a check-in and two location batches, each with half of its body sent.
        var checkInEvent = Guid.NewGuid();
        var fixEvents = Enumerable.Range(0, 1000).Select(_ => Guid.NewGuid()).ToList();
        var start = DateTimeOffset.UtcNow.AddMinutes(-30);
        var held = new (string Path, HeldContent Body)[]
        {
            ("/api/v1/checkins", HeldContent.For(Payloads.CheckIn(checkInEvent, "demo-0002"))),
            ("/api/v1/locations", HeldContent.For(Payloads.Locations(fixEvents[..500], start))),
            ("/api/v1/locations", HeldContent.For(Payloads.Locations(fixEvents[500..], start.AddMinutes(5)))),
        };
        var clients = held.Select(_ => Payloads.Partner(_app.BaseAddress, ChildApp.DemoKey)).ToList();
        var inFlight = held.Select((h, i) => clients[i].PostAsync(new Uri(h.Path, UriKind.Relative), h.Body)).ToList();
        await Task.WhenAll(held.Select(h => h.Body.FirstHalfSent)).WaitAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(300);

        var sinceSignal = Stopwatch.StartNew();
        await _app.TerminateAsync();

        // Later requests, one every 50 ms on fresh connections, until the instance stops listening.
        var late = new List<Late>();
        HttpStatusCode? readiness = null;
        var lateLoop = Task.Run(async () =>
        {
            using var latePartner = Payloads.Partner(_app.BaseAddress, ChildApp.DemoKey, TimeSpan.FromSeconds(5));
            while (sinceSignal.Elapsed < TimeSpan.FromSeconds(10))
            {
                var eventId = Guid.NewGuid();
                try
                {
                    var response = await latePartner.PostAsync(new Uri("/api/v1/checkins", UriKind.Relative), Payloads.Json(Payloads.CheckIn(eventId, "demo-0003")));
                    late.Add(new Late(eventId, response.StatusCode, response.Headers.RetryAfter?.ToString(), response.Content.Headers.ContentType?.MediaType));
                    if (readiness is null && response.StatusCode == HttpStatusCode.ServiceUnavailable)
                    {
                        readiness = (await latePartner.GetAsync(new Uri("/health/ready", UriKind.Relative))).StatusCode;
                    }
                }
                catch (HttpRequestException)
                {
                    // Connection refused or closed: the instance no longer listens.
                    late.Add(new Late(eventId, null, null, null));
                    return;
                }

                await Task.Delay(50);
            }
        });

        await Task.Delay(1000);
        foreach (var (_, body) in held)
        {
            body.Release();
        }

        var answers = await Task.WhenAll(inFlight);
        await lateLoop;
        var exited = await _app.WaitForExitAsync(TimeSpan.FromSeconds(10) - sinceSignal.Elapsed);
        var exitTime = sinceSignal.Elapsed;
        foreach (var client in clients)
        {
            client.Dispose();
        }

        output.WriteLine($"Exited {exitTime.TotalSeconds:0.0} s after SIGTERM; late answers: {string.Join(", ", late.Select(l => l.Status?.ToString() ?? "refused"))}");

        // Exits within 10 s, cleanly.
        Assert.True(exited, $"Still running {exitTime.TotalSeconds:0.0} s after SIGTERM.\n{_app.Output}");
        Assert.True(exitTime < TimeSpan.FromSeconds(10), $"Exited after {exitTime.TotalSeconds:0.0} s.");
        Assert.Equal(0, _app.ExitCode);

        // In-flight requests finished and what they carried is stored, once.
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Accepted, a.StatusCode));
        Assert.Equal(1, await Sql.CountAsync(_connectionString, "SELECT count(*) FROM check_ins WHERE event_id = $1", checkInEvent));
        Assert.Equal(1000, await Sql.CountAsync(_connectionString, "SELECT count(*) FROM location_pings WHERE event_id = ANY($1)", fixEvents.ToArray()));

        // Once the instance refused one request it took no more: each later one got 503 with Retry-After and a
        // problem body, or no connection at all. (A request that reached it before the signal was handled
        // may still be taken, and is then stored like any other.)
        Assert.Contains(late, l => l.Status == HttpStatusCode.ServiceUnavailable);
        var firstRefused = late.FindIndex(l => l.Status != HttpStatusCode.Accepted);
        var taken = late[..firstRefused];
        var refused = late[firstRefused..];
        Assert.All(refused.Where(l => l.Status is not null), l =>
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, l.Status);
            Assert.False(string.IsNullOrEmpty(l.RetryAfter));
            Assert.Equal("application/problem+json", l.ContentType);
        });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, readiness);
        Assert.Equal(0, await Sql.CountAsync(_connectionString, "SELECT count(*) FROM check_ins WHERE event_id = ANY($1)", refused.Select(l => l.EventId).ToArray()));
        Assert.Equal(taken.Count, await Sql.CountAsync(_connectionString, "SELECT count(*) FROM check_ins WHERE event_id = ANY($1)", taken.Select(l => l.EventId).ToArray()));
    }
}
