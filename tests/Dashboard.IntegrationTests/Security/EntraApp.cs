using System.Net;
using System.Text.RegularExpressions;
using Dashboard.Testing;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.IntegrationTests.Security;

/// <summary>
/// The real app in Production on Kestrel (127.0.0.1), signing in with Microsoft.Identity.Web against the
/// loopback provider. The only test-only settings are what plain http on loopback needs: metadata over http,
/// the nonce and correlation cookies without the Secure flag, and the provider's issuer named directly
/// (Microsoft.Identity.Web's own issuer validator knows Entra ID's issuers only).
/// </summary>
public sealed partial class EntraApp(string connectionString, LoopbackOpenIdProvider provider) : WebApplicationFactory<Program>
{
    public IDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    public string ConnectionString => connectionString;

    public Uri BaseAddress { get; private set; } = null!;

    public EntraApp Start()
    {
        UseKestrel(0);
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        BaseAddress = new Uri(addresses.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("localhost", "127.0.0.1", StringComparison.Ordinal));
        return this;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        // Tokens travel through this app: its logs are scanned with the rest (scripts/scan-logs.sh).
        builder.ConfigureLogging(TestLogFile.AddTo);
        builder.UseContentRoot(Repository.Root);
        builder.UseSetting("urls", "http://127.0.0.1:0");
        builder.UseSetting("ConnectionStrings:Dashboard", connectionString);
        builder.UseSetting("Database:Migrate", "false");
        builder.UseSetting("Database:SeedDemo", "true");
        builder.UseSetting("Simulator:Enabled", "false");
        builder.UseSetting("AzureAd:Instance", provider.Instance);
        builder.UseSetting("AzureAd:TenantId", LoopbackOpenIdProvider.Tenant);
        builder.UseSetting("AzureAd:ClientId", LoopbackOpenIdProvider.ClientId);
        builder.UseSetting("AzureAd:ClientSecret", LoopbackOpenIdProvider.ClientSecret);
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services => services.Configure<OpenIdConnectOptions>(OpenIdConnectDefaults.AuthenticationScheme, options =>
        {
            options.RequireHttpsMetadata = false;
            options.NonceCookie.SecurePolicy = Microsoft.AspNetCore.Http.CookieSecurePolicy.SameAsRequest;
            options.CorrelationCookie.SecurePolicy = Microsoft.AspNetCore.Http.CookieSecurePolicy.SameAsRequest;
            // SameSite=None without Secure (plain http) is warned about in the log, naming the nonce cookie, whose
            // name carries the protected nonce. The provider is on the same site (127.0.0.1): Lax is enough here.
            options.NonceCookie.SameSite = SameSiteMode.Lax;
            options.CorrelationCookie.SameSite = SameSiteMode.Lax;
            options.TokenValidationParameters.IssuerValidator = null;
            options.TokenValidationParameters.ValidIssuer = provider.Issuer;
        }));
    }

    /// <summary>A browser stand-in: real HTTP to the app and the provider, its own cookies, redirects followed by hand.</summary>
    public static HttpClient Browser(CookieContainer? cookies = null) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = cookies ?? new CookieContainer() });

    /// <summary>
    /// Asks the app for a page, follows it to the provider, lets <paramref name="user"/> sign in there and posts
    /// the provider's answer back to the app, as a browser would. Returns the app's answer to that post.
    /// </summary>
    public async Task<HttpResponseMessage> SignInAsync(HttpClient browser, ProviderUser user, string path = "/", bool tamper = false)
    {
        ArgumentNullException.ThrowIfNull(browser);
        provider.NextUser = user;
        provider.TamperNextToken = tamper;
        var challenge = await browser.GetAsync(new Uri(BaseAddress, path));
        if (challenge.StatusCode != HttpStatusCode.Redirect || challenge.Headers.Location is not { } authorize
            || !authorize.ToString().StartsWith(provider.BaseAddress.ToString(), StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{path} answered {(int)challenge.StatusCode} {challenge.Headers.Location}, not a redirect to the provider.");
        }

        var formPage = await browser.GetAsync(authorize);
        formPage.EnsureSuccessStatusCode();
        var html = await formPage.Content.ReadAsStringAsync();
        var action = WebUtility.HtmlDecode(FormAction().Match(html).Groups[1].Value);
        var fields = HiddenInput().Matches(html).ToDictionary(m => m.Groups[1].Value, m => WebUtility.HtmlDecode(m.Groups[2].Value));
        using var body = new FormUrlEncodedContent(fields);
        return await browser.PostAsync(new Uri(action), body);
    }

    /// <summary>Whether the app's session cookie is held for this app.</summary>
    public bool HasSession(CookieContainer cookies) =>
        cookies.GetCookies(BaseAddress).Any(c => c.Name.StartsWith(Dashboard.Security.AuthenticationSetup.CookieName, StringComparison.Ordinal));

    [GeneratedRegex("<form method=\"post\" action=\"([^\"]+)\"")]
    private static partial Regex FormAction();

    [GeneratedRegex("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\"")]
    private static partial Regex HiddenInput();
}
