using System.Net;
using System.Text.RegularExpressions;
using Dashboard.Testing;
using Microsoft.AspNetCore.WebUtilities;

namespace Dashboard.IntegrationTests.Security;

/// <summary>The loopback provider and the app in Production signing in through it, with Entra object ids on three demo staff.</summary>
public sealed class EntraFixture : IAsyncLifetime
{
    public const string Officer1Oid = "6f1a0000-0000-4000-8000-0000000000a1";
    public const string Officer2Oid = "6f1a0000-0000-4000-8000-0000000000a2";
    public const string Officer3Oid = "6f1a0000-0000-4000-8000-0000000000a3";
    public const string Supervisor1Oid = "6f1a0000-0000-4000-8000-0000000000b1";
    public const string Auditor1Oid = "6f1a0000-0000-4000-8000-0000000000c1";
    public const string LeaverOid = "6f1a0000-0000-4000-8000-0000000000ff";

    public LoopbackOpenIdProvider Provider { get; private set; } = null!;
    public EntraApp App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Provider = await LoopbackOpenIdProvider.StartAsync();
        var connectionString = await TestPostgres.CreateMigratedDatabaseAsync("entra");
        App = new EntraApp(connectionString, Provider).Start();
        await Sql.ExecuteAsync(connectionString, "UPDATE staff SET entra_object_id = $1 WHERE login_name = 'officer1'", Officer1Oid);
        await Sql.ExecuteAsync(connectionString, "UPDATE staff SET entra_object_id = $1 WHERE login_name = 'officer2'", Officer2Oid);
        await Sql.ExecuteAsync(connectionString, "UPDATE staff SET entra_object_id = $1 WHERE login_name = 'officer3'", Officer3Oid);
        await Sql.ExecuteAsync(connectionString, "UPDATE staff SET entra_object_id = $1 WHERE login_name = 'supervisor1'", Supervisor1Oid);
        await Sql.ExecuteAsync(connectionString, "UPDATE staff SET entra_object_id = $1 WHERE login_name = 'auditor1'", Auditor1Oid);
        await Sql.ExecuteAsync(connectionString, """
            INSERT INTO staff (id, login_name, display_name, role, team_id, entra_object_id, active)
            VALUES (gen_random_uuid(), 'leaver1', 'Lee Leaver', 'Officer', NULL, $1, false)
            """, LeaverOid);
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Provider.DisposeAsync();
    }
}

public sealed partial class EntraSignInTests(EntraFixture fixture) : IClassFixture<EntraFixture>
{
    private EntraApp App => fixture.App;

    private async Task<long> AuditCountAsync(string action, string detailLike) =>
        await Sql.CountAsync(App.ConnectionString, "SELECT count(*) FROM audit_events WHERE action = $1 AND detail LIKE $2", action, detailLike);

    [Fact]
    public async Task An_unauthenticated_page_request_is_sent_to_the_provider_for_the_authorization_code_flow_with_pkce()
    {
        using var browser = EntraApp.Browser();

        var response = await browser.GetAsync(new Uri(App.BaseAddress, "/subjects"));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.Equal($"{fixture.Provider.BaseAddress}{LoopbackOpenIdProvider.Tenant}/oauth2/v2.0/authorize", location.GetLeftPart(UriPartial.Path));
        var query = QueryHelpers.ParseQuery(location.Query);
        Assert.Equal("code", query["response_type"]);
        Assert.Equal("S256", query["code_challenge_method"]);
        Assert.Equal(LoopbackOpenIdProvider.ClientId, query["client_id"]);
        Assert.Equal(new Uri(App.BaseAddress, "/signin-oidc").ToString(), query["redirect_uri"]);
        Assert.Contains("openid", query["scope"].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_live_hub_and_the_apis_answer_401_instead_of_a_redirect_to_the_provider()
    {
        using var browser = EntraApp.Browser();

        var hub = await browser.PostAsync(new Uri(App.BaseAddress, "/hubs/live/negotiate?negotiateVersion=1"), null);

        Assert.Equal(HttpStatusCode.Unauthorized, hub.StatusCode);
        Assert.Null(hub.Headers.Location);
    }

    [Fact]
    public async Task Without_a_reverse_proxy_configured_forwarded_headers_are_ignored()
    {
        using var browser = EntraApp.Browser();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(App.BaseAddress, "/"));
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-Host", "dashboard.probation.example");

        var response = await browser.SendAsync(request);

        Assert.Equal(new Uri(App.BaseAddress, "/signin-oidc").ToString(), QueryHelpers.ParseQuery(response.Headers.Location!.Query)["redirect_uri"]);
        Assert.False(response.Headers.Contains("Strict-Transport-Security"));
    }

    [Fact]
    public async Task A_token_without_an_app_role_is_refused_and_no_session_starts()
    {
        var cookies = new CookieContainer();
        using var browser = EntraApp.Browser(cookies);

        var answer = await App.SignInAsync(browser, new ProviderUser(EntraFixture.Officer2Oid, "Officer Two"));

        Assert.Equal("/account/access-denied", answer.Headers.Location?.OriginalString);
        Assert.False(App.HasSession(cookies));
        var page = await browser.GetAsync(new Uri(App.BaseAddress, "/account/access-denied"));
        Assert.Contains("no role in this dashboard", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var again = await browser.GetAsync(new Uri(App.BaseAddress, "/"));
        Assert.StartsWith(fixture.Provider.BaseAddress.ToString(), again.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.True(await AuditCountAsync("access-refused", "%no dashboard app role%") >= 1);
    }

    [Fact]
    public async Task An_unknown_object_id_gets_the_not_provisioned_page_and_no_session()
    {
        var cookies = new CookieContainer();
        using var browser = EntraApp.Browser(cookies);

        var answer = await App.SignInAsync(browser, new ProviderUser("6f1a0000-0000-4000-8000-0000000000ee", "New Starter", "Officer"));

        Assert.Equal("/account/not-provisioned", answer.Headers.Location?.OriginalString);
        Assert.False(App.HasSession(cookies));
        var page = await browser.GetAsync(new Uri(App.BaseAddress, "/account/not-provisioned"));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Your account is not set up in the dashboard", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True(await AuditCountAsync("access-refused", "%no staff record has this object id%") >= 1);
    }

    [Fact]
    public async Task An_inactive_staff_record_gets_the_not_provisioned_page_and_no_session()
    {
        var cookies = new CookieContainer();
        using var browser = EntraApp.Browser(cookies);

        var answer = await App.SignInAsync(browser, new ProviderUser(EntraFixture.LeaverOid, "Lee Leaver", "Officer"));

        Assert.Equal("/account/not-provisioned", answer.Headers.Location?.OriginalString);
        Assert.False(App.HasSession(cookies));
    }

    [Fact]
    public async Task An_app_role_that_does_not_match_the_staff_record_is_refused()
    {
        var cookies = new CookieContainer();
        using var browser = EntraApp.Browser(cookies);

        // officer3's staff record says Officer; a token claiming Supervisor must not widen their scope to the team.
        var answer = await App.SignInAsync(browser, new ProviderUser(EntraFixture.Officer3Oid, "Officer Three", "Supervisor"));

        Assert.Equal("/account/access-denied", answer.Headers.Location?.OriginalString);
        Assert.False(App.HasSession(cookies));
    }

    [Fact]
    public async Task A_tampered_id_token_is_refused_and_no_session_starts()
    {
        var cookies = new CookieContainer();
        using var browser = EntraApp.Browser(cookies);

        var answer = await App.SignInAsync(browser, new ProviderUser(EntraFixture.Officer1Oid, "Officer One", "Officer"), tamper: true);

        Assert.Equal("/account/sign-in-failed", answer.Headers.Location?.OriginalString);
        Assert.False(App.HasSession(cookies));
        var page = await browser.GetAsync(new Uri(App.BaseAddress, "/account/sign-in-failed"));
        Assert.Contains("Sign-in did not complete", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True(await AuditCountAsync("access-refused", "Entra ID sign-in failed (SecurityTokenInvalidSignatureException)") >= 1);
    }

    [Fact]
    public async Task An_officer_signs_in_lands_on_their_own_dashboard_and_signs_out_of_the_dashboard_and_the_provider()
    {
        var cookies = new CookieContainer();
        using var browser = EntraApp.Browser(cookies);

        var answer = await App.SignInAsync(browser, new ProviderUser(EntraFixture.Officer1Oid, "Officer One", "Officer"), "/subjects");

        Assert.Equal("/subjects", answer.Headers.Location?.OriginalString);
        Assert.True(App.HasSession(cookies));
        var home = await browser.GetAsync(new Uri(App.BaseAddress, "/"));
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        var html = await home.Content.ReadAsStringAsync();
        var officer1 = await StaffUsers.UserAsync(App.ConnectionString, "officer1");
        Assert.Contains(officer1.Name, html, StringComparison.Ordinal);
        // Their own caseload of ten: the staff record was found by the object id.
        Assert.Equal(10, Regex.Count(html, "<tr data-subject-id="));
        Assert.Equal(1, await Sql.CountAsync(App.ConnectionString,
            "SELECT count(*) FROM audit_events WHERE action = 'sign-in' AND actor_id = $1 AND detail = 'Entra ID sign-in'", officer1.Id));

        // Sign out with the form of the page: the session ends here and at the provider.
        var token = AntiforgeryField().Match(html).Groups[1].Value;
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token) });
        var signOut = await browser.PostAsync(new Uri(App.BaseAddress, "/account/sign-out"), form);
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        var endSession = signOut.Headers.Location!;
        Assert.Equal($"{fixture.Provider.BaseAddress}{LoopbackOpenIdProvider.Tenant}/oauth2/v2.0/logout", endSession.GetLeftPart(UriPartial.Path));
        Assert.False(App.HasSession(cookies));
        var back = await browser.GetAsync(endSession);
        var callback = await browser.GetAsync(back.Headers.Location!);
        Assert.Equal("/account/signed-out", callback.Headers.Location?.OriginalString);
        var signedOut = await browser.GetAsync(new Uri(App.BaseAddress, "/account/signed-out"));
        Assert.Contains("You have signed out", await signedOut.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var after = await browser.GetAsync(new Uri(App.BaseAddress, "/"));
        Assert.StartsWith(fixture.Provider.BaseAddress.ToString(), after.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.Equal(1, await Sql.CountAsync(App.ConnectionString, "SELECT count(*) FROM audit_events WHERE action = 'sign-out' AND actor_id = $1", officer1.Id));
    }

    [Fact]
    public async Task The_app_role_decides_the_policies_an_auditor_opens_the_audit_log_and_a_supervisor_is_refused_it()
    {
        var auditorCookies = new CookieContainer();
        using var auditor = EntraApp.Browser(auditorCookies);
        var supervisorCookies = new CookieContainer();
        using var supervisor = EntraApp.Browser(supervisorCookies);

        await App.SignInAsync(auditor, new ProviderUser(EntraFixture.Auditor1Oid, "Auditor One", "Auditor"));
        await App.SignInAsync(supervisor, new ProviderUser(EntraFixture.Supervisor1Oid, "Supervisor One", "Supervisor"));
        var auditorAudit = await auditor.GetAsync(new Uri(App.BaseAddress, "/audit"));
        var supervisorAudit = await supervisor.GetAsync(new Uri(App.BaseAddress, "/audit"));
        var supervisorHome = await supervisor.GetAsync(new Uri(App.BaseAddress, "/"));

        Assert.True(App.HasSession(auditorCookies) && App.HasSession(supervisorCookies));
        Assert.Equal(HttpStatusCode.OK, auditorAudit.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, supervisorAudit.StatusCode);
        Assert.Equal("/account/access-denied", supervisorAudit.Headers.Location?.AbsolutePath);
        Assert.Equal(HttpStatusCode.OK, supervisorHome.StatusCode);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
