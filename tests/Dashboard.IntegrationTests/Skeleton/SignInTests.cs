using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dashboard.Testing;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.IntegrationTests.Skeleton;

public class SignInTests(SeededApp fixture) : IClassFixture<SeededApp>
{
    private HttpClient AnonymousClient() => fixture.App.CreateClient(new() { AllowAutoRedirect = false });

    [Fact]
    public async Task Every_page_redirects_an_unauthenticated_request_to_sign_in()
    {
        var pages = PageRoutes(fixture.App.Services).Where(p => !p.Anonymous).Select(p => p.Path).ToList();
        Assert.Contains("/", pages);
        Assert.Contains("/subjects", pages);
        Assert.Contains("/audit", pages);

        using var client = AnonymousClient();
        foreach (var page in pages)
        {
            var response = await client.GetAsync(new Uri(page, UriKind.Relative));

            Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"{page} answered {(int)response.StatusCode}");
            Assert.StartsWith("/account/sign-in", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Only_the_account_pages_and_error_pages_are_open_without_sign_in()
    {
        var anonymous = PageRoutes(fixture.App.Services).Where(p => p.Anonymous).Select(p => p.Path).Order().ToList();

        Assert.Equal(["/account/access-denied", "/account/not-provisioned", "/account/sign-in", "/account/sign-in-failed", "/account/signed-out", "/error", "/not-found"], anonymous);
    }

    [Fact]
    public async Task The_scriptable_sign_in_refuses_an_unknown_user_and_sets_no_cookie()
    {
        using var client = AnonymousClient();

        var response = await client.GetAsync(new Uri("/account/dev-sign-in?user=mallory&returnUrl=/", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("There is no demo user named 'mallory'.", problem.GetProperty("detail").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty("user", out _));
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task The_scriptable_sign_in_returns_to_the_requested_page_but_never_off_site()
    {
        using var client = AnonymousClient();

        var local = await client.GetAsync(new Uri("/account/dev-sign-in?user=officer1&returnUrl=/subjects", UriKind.Relative));
        var offSite = await client.GetAsync(new Uri("/account/dev-sign-in?user=officer1&returnUrl=//evil.example/", UriKind.Relative));

        Assert.Equal("/subjects", local.Headers.Location?.OriginalString);
        Assert.Equal("/", offSite.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task A_signed_in_officer_sees_the_shell_and_their_caseload_of_ten()
    {
        using var client = await fixture.SignedInClientAsync("officer1");

        var html = await client.GetStringAsync(new Uri("/", UriKind.Relative));

        Assert.Contains("Amira Hassan", html, StringComparison.Ordinal);
        // The day's grid has a row per person in the caseload: ten.
        Assert.Equal(10, System.Text.RegularExpressions.Regex.Count(html, "<tr data-subject-id="));
        foreach (var nav in new[] { "Dashboard", "Subjects", "Reviews", "Alerts", "Breaches", "Map", "Reports", "Audit" })
        {
            Assert.Contains($">{nav}</", html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Health_says_live_and_ready_without_sign_in()
    {
        using var client = AnonymousClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/health/live", UriKind.Relative))).StatusCode);
        var ready = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", (await ready.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
    }

    internal static IEnumerable<(string Path, bool Anonymous)> PageRoutes(IServiceProvider services) =>
        services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<ComponentTypeMetadata>() is not null)
            .Select(e => ("/" + System.Text.RegularExpressions.Regex.Replace(e.RoutePattern.RawText!.Trim('/'), "\\{[^}]+:guid\\}", Guid.NewGuid().ToString()),
                e.Metadata.GetMetadata<IAllowAnonymous>() is not null))
            .Distinct();
}
