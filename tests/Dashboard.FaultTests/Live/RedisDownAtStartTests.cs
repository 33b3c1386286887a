using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dashboard.FaultTests.Infrastructure;
using Dashboard.Ingestion;
using Dashboard.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.FaultTests.Live;

/// <summary>Two instances that start while their Redis is down: they serve their own pages, then join the backplane when it comes.</summary>
public sealed class RedisDownAtStartTests : IAsyncLifetime
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
            _postgres = await PrivatePostgres.StartAsync();
            var connectionString = await _postgres.CreateMigratedDatabaseAsync("redisdownatstart");
            _redis = await PrivateRedis.StartAsync();
            await _redis.KillAsync();
            var settings = new Dictionary<string, string?> { ["Redis:Configuration"] = _redis.Configuration };
            _a = new DashboardApp(connectionString) { Kestrel = true, SeedDemo = true, Settings = settings }.Start();
            _b = new DashboardApp(connectionString) { Kestrel = true, Settings = settings }.Start();
            (_, _key) = await _a.Services.GetRequiredService<IngestKeys>().CreateAsync("Redis down at start test", CancellationToken.None);
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
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
    public async Task Instances_started_without_Redis_serve_their_own_pages_then_share_live_updates_once_it_comes()
    {
        await using var onA = await LiveListener.ConnectAsync(_a.BaseAddress, "officer1");
        await using var onB = await LiveListener.ConnectAsync(_b.BaseAddress, "officer1");
        // Once their first attempt to reach Redis has failed, both say so (and stay ready).
        await WaitForStatusAsync(_a, "Degraded");
        await WaitForStatusAsync(_b, "Degraded");
        await onA.WaitForAsync(await PostCheckInAsync(_a));
        await onB.WaitForAsync(await PostCheckInAsync(_b));

        await _redis.StartAgainAsync();
        await WaitForStatusAsync(_a, "Healthy");
        await WaitForStatusAsync(_b, "Healthy");

        // Pages open since before Redis came, and pages opened after, get updates from the other instance.
        await DeliveredAcrossAsync(_a, onB);
        await DeliveredAcrossAsync(_b, onA);
        await using var openedAfter = await LiveListener.ConnectAsync(_b.BaseAddress, "officer1");
        await DeliveredAcrossAsync(_a, openedAfter);
    }

    private async Task DeliveredAcrossAsync(DashboardApp from, LiveListener to)
    {
        for (var attempt = 1; ; attempt++)
        {
            if (await to.ArrivesWithinAsync(await PostCheckInAsync(from), TimeSpan.FromSeconds(2)))
            {
                return;
            }

            Assert.True(attempt < 8, "Live updates did not cross instances once Redis came.");
        }
    }

    private async Task<Guid> PostCheckInAsync(DashboardApp app)
    {
        using var partner = Payloads.Partner(app.BaseAddress, _key);
        var response = await partner.PostAsync(new Uri("/api/v1/checkins", UriKind.Relative), Payloads.Json(Payloads.CheckIn(Guid.NewGuid(), "demo-0001")));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<SubmitCheckIn.Response>())!.CheckInId;
    }

    private static async Task<string> StatusAsync(DashboardApp app)
    {
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        var response = await http.GetAsync(new Uri("/health/ready", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("status").GetString()!;
    }

    private static async Task WaitForStatusAsync(DashboardApp app, string status)
    {
        var until = DateTime.UtcNow.AddSeconds(20);
        while (await StatusAsync(app) != status)
        {
            Assert.True(DateTime.UtcNow < until, $"The instance's health did not become {status}.");
            await Task.Delay(100);
        }
    }
}
