using System.Globalization;
using System.Net;
using Dashboard.Security;
using Dashboard.Testing;

namespace Dashboard.IntegrationTests.Security;

public class DevSignInLimitTests
{
    [Fact]
    public async Task The_development_sign_in_past_its_limit_gets_429_with_retry_after_and_no_session()
    {
        var connectionString = await TestPostgres.CreateMigratedDatabaseAsync("devsigninlimit");
        await using var app = new DashboardApp(connectionString)
        {
            SeedDemo = true,
            Settings = new Dictionary<string, string?> { ["SignIn:RateLimit:DevelopmentPermitLimit"] = "2", ["SignIn:RateLimit:Window"] = "00:01:00" },
        }.Start();
        Task<long> SignInsAsync() => Sql.CountAsync(connectionString, "SELECT count(*) FROM audit_events WHERE action = 'sign-in'");
        async Task<HttpResponseMessage> SignInAsync(string login)
        {
            using var client = app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
            return await client.GetAsync(new Uri($"/account/dev-sign-in?user={login}&returnUrl=/", UriKind.Relative));
        }

        var first = await SignInAsync("officer1");
        var second = await SignInAsync("officer2");
        var signIns = await SignInsAsync();
        var refused = await SignInAsync("officer3");

        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, second.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var retryAfter = int.Parse(refused.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 60);
        Assert.Contains("Too many sign-in attempts", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // No session: no cookie handed out, and no sign-in on record.
        Assert.Contains(first.Headers.GetValues("Set-Cookie"), c => c.StartsWith(AuthenticationSetup.CookieName, StringComparison.Ordinal));
        Assert.False(refused.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith(AuthenticationSetup.CookieName, StringComparison.Ordinal)));
        Assert.Equal(signIns, await SignInsAsync());
    }
}
