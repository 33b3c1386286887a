using Dashboard.Ingestion;
using Dashboard.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.IntegrationTests.Live;

/// <summary>Two instances on two loopback ports, one database, one real redis-server (started by the test script).</summary>
public sealed class ScaleOutTests : IAsyncLifetime
{
    private DashboardApp _a = null!;
    private DashboardApp _b = null!;

    public static string Redis => Environment.GetEnvironmentVariable("DASHBOARD_TEST_REDIS")
        ?? throw new InvalidOperationException("DASHBOARD_TEST_REDIS is not set: run the tests with ./scripts/test.sh, which starts redis-server.");

    public async Task InitializeAsync()
    {
        var connectionString = await TestPostgres.CreateMigratedDatabaseAsync("scaleout");
        var redis = new Dictionary<string, string?> { ["Redis:Configuration"] = Redis };
        _a = new DashboardApp(connectionString) { Kestrel = true, SeedDemo = true, Settings = redis }.Start();
        _b = new DashboardApp(connectionString) { Kestrel = true, Settings = redis }.Start();
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    [Fact]
    public async Task A_check_in_posted_to_one_instance_reaches_a_hub_client_of_the_other()
    {
        Assert.NotEqual(_a.BaseAddress, _b.BaseAddress);
        var (_, key) = await _a.Services.GetRequiredService<IngestKeys>().CreateAsync("Scale-out test", CancellationToken.None);
        await using var onB = await LiveListener.ConnectAsync(_b.BaseAddress, "officer1");
        using var partner = new HttpClient { BaseAddress = _a.BaseAddress };
        partner.DefaultRequestHeaders.Authorization = new("Bearer", key);

        var response = await partner.PostAsync(new Uri("/api/v1/checkins", UriKind.Relative), IngestionApp.Json(
            $$"""{"eventId":"{{Guid.NewGuid()}}","deviceId":"demo-0001","capturedAt":"{{IngestionApp.Now()}}","matchScore":0.95,"livenessScore":0.9}"""));
        response.EnsureSuccessStatusCode();
        var checkInId = (await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<SubmitCheckIn.Response>(response.Content))!.CheckInId;

        var received = await onB.WaitForAsync(checkInId);
        Assert.Equal("demo-0001", received.DeviceId);
    }

    [Fact]
    public async Task Both_instances_accept_the_same_sign_in_cookie()
    {
        var cookies = new System.Net.CookieContainer();
        using var handler = new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false };
        using var http = new HttpClient(handler);
        Assert.Equal(System.Net.HttpStatusCode.Redirect, (await http.GetAsync(new Uri(_a.BaseAddress, "/account/dev-sign-in?user=officer2"))).StatusCode);
        foreach (var cookie in cookies.GetCookies(_a.BaseAddress).Cast<System.Net.Cookie>())
        {
            cookies.Add(_b.BaseAddress, new System.Net.Cookie(cookie.Name, cookie.Value));
        }

        var page = await http.GetAsync(new Uri(_b.BaseAddress, "/subjects"));

        Assert.Equal(System.Net.HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Ben Okafor", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
