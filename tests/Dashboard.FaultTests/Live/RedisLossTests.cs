using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dashboard.FaultTests.Infrastructure;
using Dashboard.Ingestion;
using Dashboard.Live;
using Dashboard.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Dashboard.FaultTests.Live;

/// <summary>Two instances on one private database and one private redis-server, which the test kills and starts again.</summary>
public sealed class RedisLossTests(ITestOutputHelper output) : IAsyncLifetime
{
    private PrivatePostgres _postgres = null!;
    private PrivateRedis _redis = null!;
    private DashboardApp _a = null!;
    private DashboardApp _b = null!;
    private string _key = "";

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
        _postgres = await PrivatePostgres.StartAsync();
        var connectionString = await _postgres.CreateMigratedDatabaseAsync("redisloss");
        _redis = await PrivateRedis.StartAsync();
        var settings = new Dictionary<string, string?> { ["Redis:Configuration"] = _redis.Configuration };
        _a = new DashboardApp(connectionString) { Kestrel = true, SeedDemo = true, Settings = settings }.Start();
        _b = new DashboardApp(connectionString) { Kestrel = true, Settings = settings }.Start();
        (_, _key) = await _a.Services.GetRequiredService<IngestKeys>().CreateAsync("Redis loss test", CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (_a is not null)
        {
            await _a.DisposeAsync();
        }

        if (_b is not null)
        {
            await _b.DisposeAsync();
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
    public async Task Without_Redis_each_instance_serves_its_own_pages_and_live_updates_says_so_in_health_and_shares_updates_again_when_it_returns()
    {
        await using var onA = await LiveListener.ConnectAsync(_a.BaseAddress, "officer1");
        await using var onB = await LiveListener.ConnectAsync(_b.BaseAddress, "officer1");
        var seenOnA = Count(onA);
        var seenOnB = Count(onB);

        // With Redis: posted to A, seen on B.
        Assert.Equal("Healthy", (await HealthAsync(_a)).Status);
        await onB.WaitForAsync(await PostCheckInAsync(_a));

        await _redis.KillAsync();

        // Each instance says what is wrong, and stays ready (200): it still does its own work.
        var healthA = await WaitForHealthAsync(_a, "Degraded");
        var healthB = await WaitForHealthAsync(_b, "Degraded");
        output.WriteLine($"A during the outage: {healthA.Backplane}");
        Assert.Contains("Redis", healthA.Backplane, StringComparison.Ordinal);
        Assert.Contains("only pages open on this instance", healthB.Backplane, StringComparison.Ordinal);

        // Each serves its own pages...
        foreach (var app in new[] { _a, _b })
        {
            using var officer = await SignedInAsync(app, "officer1");
            Assert.Equal(HttpStatusCode.OK, (await officer.GetAsync(new Uri("/subjects", UriKind.Relative))).StatusCode);
        }

        // ...and its own live updates, to pages open before the outage and to pages opened during it.
        await onA.WaitForAsync(await PostCheckInAsync(_a));
        await onB.WaitForAsync(await PostCheckInAsync(_b));
        await using (var openedDuringOutage = await LiveListener.ConnectAsync(_a.BaseAddress, "officer1"))
        {
            await openedDuringOutage.WaitForAsync(await PostCheckInAsync(_a));
        }

        await _redis.StartAgainAsync();
        await WaitForHealthAsync(_a, "Healthy");
        await WaitForHealthAsync(_b, "Healthy");

        // Across instances again, both ways (the backplane resubscribes within moments of reconnecting).
        await DeliveredAcrossAsync(_a, onB);
        await DeliveredAcrossAsync(_b, onA);
        await using var openedAfter = await LiveListener.ConnectAsync(_b.BaseAddress, "officer1");
        await openedAfter.WaitForAsync(await PostCheckInAsync(_a));

        // Nothing arrived twice at any page.
        await Task.Delay(500);
        Assert.All(seenOnA, s => Assert.Equal(1, s.Value));
        Assert.All(seenOnB, s => Assert.Equal(1, s.Value));
    }

    private static ConcurrentDictionary<Guid, int> Count(LiveListener listener)
    {
        var seen = new ConcurrentDictionary<Guid, int>();
        listener.Connection.On<CheckInReceived>(nameof(CheckInReceived), m => seen.AddOrUpdate(m.CheckInId, 1, (_, n) => n + 1));
        return seen;
    }

    private async Task DeliveredAcrossAsync(DashboardApp from, LiveListener to)
    {
        for (var attempt = 1; ; attempt++)
        {
            if (await to.ArrivesWithinAsync(await PostCheckInAsync(from), TimeSpan.FromSeconds(2)))
            {
                return;
            }

            Assert.True(attempt < 8, "Live updates did not cross instances again after Redis returned.");
        }
    }

    private async Task<Guid> PostCheckInAsync(DashboardApp app)
    {
        using var partner = Payloads.Partner(app.BaseAddress, _key);
        var response = await partner.PostAsync(new Uri("/api/v1/checkins", UriKind.Relative), Payloads.Json(Payloads.CheckIn(Guid.NewGuid(), "demo-0001")));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<SubmitCheckIn.Response>())!.CheckInId;
    }

    private static async Task<HttpClient> SignedInAsync(DashboardApp app, string login)
    {
        var http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = app.BaseAddress };
        Assert.Equal(HttpStatusCode.Redirect, (await http.GetAsync(new Uri($"/account/dev-sign-in?user={login}", UriKind.Relative))).StatusCode);
        return http;
    }

    private sealed record Health(HttpStatusCode Code, string Status, string Backplane);

    private static async Task<Health> HealthAsync(DashboardApp app)
    {
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        var response = await http.GetAsync(new Uri("/health/ready", UriKind.Relative));
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return new Health(response.StatusCode, json.RootElement.GetProperty("status").GetString()!,
            json.RootElement.GetProperty("checks").GetProperty("live-backplane").GetProperty("description").GetString()!);
    }

    private static async Task<Health> WaitForHealthAsync(DashboardApp app, string status)
    {
        var until = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var health = await HealthAsync(app);
            if (health.Status == status)
            {
                Assert.Equal(HttpStatusCode.OK, health.Code);
                return health;
            }

            Assert.True(DateTime.UtcNow < until, $"Health stayed {health.Status}: {health.Backplane}");
            await Task.Delay(100);
        }
    }
}
