using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dashboard.Testing;
using Microsoft.AspNetCore.WebUtilities;

namespace Dashboard.IntegrationTests.Security;

/// <summary>
/// The app behind a reverse proxy at 127.0.0.1, with a sign-in limit of three attempts a minute per client,
/// and map tiles from an external tile server.
/// </summary>
public sealed class ProxiedEntraFixture : IAsyncLifetime
{
    public LoopbackOpenIdProvider Provider { get; private set; } = null!;
    public EntraApp App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Provider = await LoopbackOpenIdProvider.StartAsync();
        var connectionString = await TestPostgres.CreateMigratedDatabaseAsync("proxied");
        App = new EntraApp(connectionString, Provider)
        {
            Settings = new Dictionary<string, string?>
            {
                ["ForwardedHeaders:Enabled"] = "true",
                ["ForwardedHeaders:KnownProxies:0"] = "127.0.0.1",
                ["SignIn:RateLimit:PermitLimit"] = "3",
                ["SignIn:RateLimit:Window"] = "00:01:00",
                ["Map:TileUrl"] = "https://{s}.tiles.probation.example/osm/{z}/{x}/{y}.png",
            },
        }.Start();
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Provider.DisposeAsync();
    }
}

public sealed class ReverseProxyAndSignInLimitTests(ProxiedEntraFixture fixture) : IClassFixture<ProxiedEntraFixture>
{
    private EntraApp App => fixture.App;

    /// <summary>A request as the proxy passes it on: the client's address, https and the public host name.</summary>
    private HttpRequestMessage Proxied(HttpMethod method, string path, string client)
    {
        var request = new HttpRequestMessage(method, new Uri(App.BaseAddress, path));
        request.Headers.Add("X-Forwarded-For", client);
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-Host", "dashboard.probation.example");
        return request;
    }

    [Fact]
    public async Task Behind_the_configured_proxy_the_entra_redirect_uri_and_hsts_see_https()
    {
        using var browser = EntraApp.Browser();

        using var pageRequest = Proxied(HttpMethod.Get, "/", "198.51.100.7");
        var challenge = await browser.SendAsync(pageRequest);
        using var signedOutRequest = Proxied(HttpMethod.Get, "/account/signed-out", "198.51.100.7");
        var anonymousPage = await browser.SendAsync(signedOutRequest);

        Assert.Equal(HttpStatusCode.Redirect, challenge.StatusCode);
        Assert.Equal("https://dashboard.probation.example/signin-oidc", QueryHelpers.ParseQuery(challenge.Headers.Location!.Query)["redirect_uri"]);
        Assert.Equal(HttpStatusCode.OK, anonymousPage.StatusCode);
        Assert.StartsWith("max-age=", anonymousPage.Headers.GetValues("Strict-Transport-Security").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_configured_tile_server_is_allowed_in_the_pages_image_sources_and_nowhere_else()
    {
        using var browser = EntraApp.Browser();

        var page = await browser.GetAsync(new Uri(App.BaseAddress, "/account/signed-out"));

        var csp = page.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("img-src 'self' data: blob: https://*.tiles.probation.example;", csp, StringComparison.Ordinal);
        Assert.Contains("script-src 'self';", csp, StringComparison.Ordinal);
        Assert.Contains("connect-src 'self';", csp, StringComparison.Ordinal);
        Assert.Equal(2, csp.Split("tiles.probation.example").Length);
    }

    [Fact]
    public async Task Repeated_sign_in_attempts_from_one_client_get_429_with_retry_after_and_other_clients_are_still_served()
    {
        using var browser = EntraApp.Browser();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var attempt = Proxied(HttpMethod.Get, "/", "203.0.113.5");
            statuses.Add((await browser.SendAsync(attempt)).StatusCode);
        }

        using var fourth = Proxied(HttpMethod.Get, "/", "203.0.113.5");
        var refused = await browser.SendAsync(fourth);
        using var callback = Proxied(HttpMethod.Post, "/signin-oidc", "203.0.113.5");
        callback.Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["code"] = "forged", ["state"] = "forged" });
        var refusedCallback = await browser.SendAsync(callback);
        using var otherClient = Proxied(HttpMethod.Get, "/", "203.0.113.6");
        var served = await browser.SendAsync(otherClient);

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.Redirect, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var retryAfter = int.Parse(refused.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 60);
        Assert.Equal("Too many sign-in attempts", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
        Assert.Null(refused.Headers.Location);
        Assert.Equal(HttpStatusCode.TooManyRequests, refusedCallback.StatusCode);
        Assert.True(refusedCallback.Headers.Contains("Retry-After"));
        Assert.Equal(HttpStatusCode.Redirect, served.StatusCode);
        Assert.StartsWith(fixture.Provider.BaseAddress.ToString(), served.Headers.Location!.ToString(), StringComparison.Ordinal);
    }
}
