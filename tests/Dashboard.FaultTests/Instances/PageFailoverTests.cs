using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Dashboard.FaultTests.Infrastructure;
using Dashboard.Testing;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Dashboard.FaultTests.Instances;

/// <summary>
/// Two app processes behind nginx with sticky sessions, sharing a private database and a private Redis. The
/// instance that holds an open dashboard is killed (SIGKILL); the page recovers on the survivor by itself.
/// </summary>
public sealed class PageFailoverTests(ITestOutputHelper output) : IAsyncLifetime
{
    private PrivatePostgres _postgres = null!;
    private PrivateRedis _redis = null!;
    private PrivateNginx _nginx = null!;
    private string _connectionString = "";
    private readonly List<ChildApp> _instances = [];
    private IPlaywright? _playwright;
    private IBrowser? _browser;

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
        _connectionString = await _postgres.CreateMigratedDatabaseAsync("failover");
        _redis = await PrivateRedis.StartAsync();
        var settings = new Dictionary<string, string>
        {
            ["Redis:Configuration"] = _redis.Configuration,
            // The instances believe X-Forwarded-* from the balancer only.
            ["ForwardedHeaders:Enabled"] = "true",
            ["ForwardedHeaders:KnownProxies:0"] = "127.0.0.1",
        };
        _instances.Add(await ChildApp.StartAsync(_connectionString, settings));
        // The second instance finds the demo service already seeded.
        _instances.Add(await ChildApp.StartAsync(_connectionString, new Dictionary<string, string>(settings) { ["Database:SeedDemo"] = "false" }));
        _nginx = await PrivateNginx.StartAsync(_instances.Select(i => i.BaseAddress));
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Environment.GetEnvironmentVariable("DASHBOARD_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            Args = ["--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-gpu"],
        });
        output.WriteLine($"Two instances behind nginx ready in {clock.Elapsed.TotalSeconds:0.0} s");
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (_nginx is not null)
        {
            await _nginx.DisposeAsync();
        }

        foreach (var app in _instances)
        {
            await app.DisposeAsync();
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
    public async Task A_dashboard_whose_instance_is_killed_reloads_by_itself_onto_the_survivor_and_shows_what_happened_meanwhile()
    {
        var context = await _browser!.NewContextAsync(new() { BaseURL = _nginx.BaseAddress.ToString(), ViewportSize = new() { Width = 1366, Height = 900 } });
        var page = await context.NewPageAsync();
        // Which instance served each page load, as the balancer says.
        var documents = new ConcurrentQueue<string>();
        page.Response += (_, response) =>
        {
            if (response.Request.ResourceType == "document" && response.Headers.TryGetValue(PrivateNginx.UpstreamHeader.ToLowerInvariant(), out var upstream))
            {
                documents.Enqueue(upstream);
            }
        };

        await page.GotoAsync("/account/dev-sign-in?user=officer1&returnUrl=%2F");
        await WaitInteractiveAsync(page);
        await Assertions.Expect(page.GetByTestId("live-state")).ToHaveTextAsync("Live", new() { Timeout = 15_000 });
        var home = documents.Last();
        var doomed = _instances.Single(i => home.EndsWith(string.Create(CultureInfo.InvariantCulture, $":{i.BaseAddress.Port}"), StringComparison.Ordinal));
        var survivor = _instances.Single(i => i != doomed);
        output.WriteLine($"The dashboard lives on {doomed.BaseAddress}; the survivor is {survivor.BaseAddress}");

        // The page is live through the balancer (WebSockets proxied): a check-in appears without reload.
        var before = await PostCheckInAsync("demo-0001", 0.93);
        await Assertions.Expect(FeedItem(page, before)).ToBeVisibleAsync(new() { Timeout = 10_000 });

        // Hold the page's reconnection until the events below are stored, so that they happen while the page
        // is away, not after it is back.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await page.RouteAsync("**/_blazor/negotiate**", async route =>
        {
            await release.Task;
            await route.ContinueAsync();
        });
        await page.EvaluateAsync("() => { window.dashboardBeforeTheKill = true; }");
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add(error);

        await doomed.KillAsync();
        Assert.True(await doomed.WaitForExitAsync(TimeSpan.FromSeconds(5)));

        // The banner says in words what is happening, and passes axe.
        var status = page.GetByTestId("reconnect-status");
        await Assertions.Expect(status).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await Assertions.Expect(status).ToHaveAttributeAsync("role", "status");
        await Assertions.Expect(status).ToContainTextAsync("Reconnecting");
        var axe = await page.RunAxe();
        var serious = axe.Violations.Where(v => v.Impact is "serious" or "critical").Select(v => $"{v.Id}: {v.Help}").ToList();
        Assert.True(serious.Count == 0, string.Join("\n", serious));

        // Meanwhile the device platform keeps sending, through the balancer: a verified check-in and a failed
        // one (which raises an alert).
        var verified = await PostCheckInAsync("demo-0007", 0.93);
        var failed = await PostCheckInAsync("demo-0013", 0.2);
        var alert = (Guid)(await Sql.ScalarAsync(_connectionString, "SELECT id FROM alerts WHERE check_in_id = $1", failed))!;
        var away = Stopwatch.StartNew();
        release.TrySetResult();

        // No one touches the page: it reloads by itself (the marker set before the kill is gone), on the survivor.
        await page.WaitForFunctionAsync("() => window.dashboardBeforeTheKill === undefined", null, new() { Timeout = 30_000 });
        await WaitInteractiveAsync(page);
        output.WriteLine($"The page was back {away.Elapsed.TotalSeconds:0.0} s after its reconnection was let through");
        Assert.EndsWith(string.Create(CultureInfo.InvariantCulture, $":{survivor.BaseAddress.Port}"), documents.Last(), StringComparison.Ordinal);
        Assert.Empty(errors);

        // Everything that happened meanwhile is on the page, and the page is live again.
        await Assertions.Expect(FeedItem(page, before)).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await Assertions.Expect(FeedItem(page, verified)).ToBeVisibleAsync();
        await Assertions.Expect(FeedItem(page, failed)).ToContainTextAsync("Failed");
        await Assertions.Expect(page.GetByTestId("live-state")).ToHaveTextAsync("Live", new() { Timeout = 15_000 });
        await Assertions.Expect(page.GetByTestId("reconnect-status")).Not.ToBeVisibleAsync();
        var after = await PostCheckInAsync("demo-0019", 0.93);
        await Assertions.Expect(FeedItem(page, after)).ToBeVisibleAsync(new() { Timeout = 10_000 });

        // The alert raised meanwhile is in the alerts list, on the new session.
        await page.GotoAsync("/alerts");
        await WaitInteractiveAsync(page);
        await Assertions.Expect(page.Locator($"[data-alert-id='{alert}']")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        Assert.EndsWith(string.Create(CultureInfo.InvariantCulture, $":{survivor.BaseAddress.Port}"), documents.Last(), StringComparison.Ordinal);
        await context.CloseAsync();
    }

    private static ILocator FeedItem(IPage page, Guid checkInId) =>
        page.Locator($"[data-testid='feed-item'][data-checkin-id='{checkInId}']");

    private static Task WaitInteractiveAsync(IPage page) =>
        page.Locator("[data-interactive='true']").WaitForAsync(new() { Timeout = 30_000 });

    private async Task<Guid> PostCheckInAsync(string deviceId, double match)
    {
        using var partner = Payloads.Partner(_nginx.BaseAddress, ChildApp.DemoKey);
        var response = await partner.PostAsync(new Uri("/api/v1/checkins", UriKind.Relative), Payloads.Json(Payloads.CheckIn(Guid.NewGuid(), deviceId, match)));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}\n{_nginx.ErrorLog}");
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("checkInId").GetGuid();
    }
}
