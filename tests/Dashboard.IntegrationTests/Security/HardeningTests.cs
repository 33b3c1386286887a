using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dashboard.Ingestion;
using Dashboard.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.IntegrationTests.Security;

public class HardeningTests
{
    [Fact]
    public async Task An_ingest_key_over_its_rate_limit_gets_429_with_retry_after_and_nothing_is_stored()
    {
        var connectionString = await TestPostgres.CreateMigratedDatabaseAsync("ratelimit");
        await using var app = new DashboardApp(connectionString)
        {
            SeedDemo = true,
            Settings = new Dictionary<string, string?> { ["Ingestion:RateLimitPerSecond"] = "1", ["Ingestion:RateLimitBurst"] = "3" },
        }.Start();
        var (_, key) = await app.Services.GetRequiredService<IngestKeys>().CreateAsync("Limited platform", CancellationToken.None);
        var (_, otherKey) = await app.Services.GetRequiredService<IngestKeys>().CreateAsync("Other platform", CancellationToken.None);
        using var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", key);
        using var other = app.CreateClient();
        other.DefaultRequestHeaders.Authorization = new("Bearer", otherKey);
        static StringContent Body(Guid id) => IngestionApp.Json(
            $$"""{"eventId":"{{id}}","deviceId":"demo-0001","capturedAt":"{{IngestionApp.Now()}}","matchScore":0.9,"livenessScore":0.9}""");

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            statuses.Add((await client.PostAsync(new Uri("/api/v1/checkins", UriKind.Relative), Body(Guid.NewGuid()))).StatusCode);
        }

        var refusedId = Guid.NewGuid();
        var refused = await client.PostAsync(new Uri("/api/v1/checkins", UriKind.Relative), Body(refusedId));
        var otherKeyStillServed = await other.PostAsync(new Uri("/api/v1/checkins", UriKind.Relative), Body(Guid.NewGuid()));

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.Accepted, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(int.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Assert.Equal("Too many requests", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
        Assert.Equal(0, await Sql.CountAsync(connectionString, "SELECT count(*) FROM check_ins WHERE event_id = $1", refusedId));
        Assert.Equal(HttpStatusCode.Accepted, otherKeyStillServed.StatusCode);
    }

    [Fact]
    public async Task Pages_carry_a_content_security_policy_without_inline_scripts_and_refuse_framing()
    {
        var connectionString = await TestPostgres.CreateMigratedDatabaseAsync("headers");
        await using var app = new DashboardApp(connectionString).Start();
        using var client = app.CreateClient(new() { AllowAutoRedirect = false });

        var page = await client.GetAsync(new Uri("/account/sign-in", UriKind.Relative));

        var csp = page.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self';", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline' ; script", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("script-src 'self' 'unsafe", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", page.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", page.Headers.GetValues("X-Frame-Options").Single());
        Assert.DoesNotContain("<script>", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
