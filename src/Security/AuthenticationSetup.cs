using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Identity.Web;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Dashboard.Security;

public enum SignInMode
{
    /// <summary>Microsoft Entra ID through Microsoft.Identity.Web (the <c>AzureAd</c> section is configured).</summary>
    Entra,
    /// <summary>The development sign-in: pick a demo user. Never available outside Development.</summary>
    Development,
}

/// <summary>How staff sign in to this instance, decided once at start-up.</summary>
public sealed record SignInConfiguration(SignInMode Mode);

public static class AuthenticationSetup
{
    public const string CookieName = ".Dashboard.Auth";
    public const string EntraSection = "AzureAd";

    public const string MissingEntraMessage =
        "Sign-in is not configured. Outside the Development environment the dashboard needs Microsoft Entra ID: " +
        "set the AzureAd section (Instance, TenantId, ClientId, ClientSecret; see README, \"Sign-in\"). " +
        "The development sign-in exists only in Development.";

    public const string MissingSecretMessage =
        "AzureAd:ClientId is set but AzureAd:ClientSecret is not. The dashboard signs in with the authorization code flow " +
        "and redeems the code with the app registration's client secret: set AzureAd:ClientSecret (from a secret store or the " +
        "environment variable AzureAd__ClientSecret; see README, \"Sign-in\").";

    /// <summary>Entra ID when configured; the development sign-in only in Development; otherwise refuse to start.</summary>
    public static SignInMode Decide(IConfiguration configuration, bool isDevelopment)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (!string.IsNullOrWhiteSpace(configuration[$"{EntraSection}:ClientId"]))
        {
            foreach (var key in new[] { "Instance", "TenantId" })
            {
                if (string.IsNullOrWhiteSpace(configuration[$"{EntraSection}:{key}"]))
                {
                    throw new InvalidOperationException($"AzureAd:ClientId is set but AzureAd:{key} is not. " + MissingEntraMessage);
                }
            }

            return string.IsNullOrWhiteSpace(configuration[$"{EntraSection}:ClientSecret"])
                ? throw new InvalidOperationException(MissingSecretMessage)
                : SignInMode.Entra;
        }

        return isDevelopment ? SignInMode.Development : throw new InvalidOperationException(MissingEntraMessage);
    }

    public static SignInMode AddDashboardAuthentication(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var mode = Decide(builder.Configuration, builder.Environment.IsDevelopment());
        builder.Services.AddSingleton(new SignInConfiguration(mode));
        builder.AddSignInRateLimit();
        if (mode == SignInMode.Entra)
        {
            builder.Services
                .AddAuthentication(o =>
                {
                    // The cookie carries the session; Entra ID is asked only when a page needs a signed-in user.
                    o.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                    o.DefaultChallengeScheme = OpenIdConnectDefaults.AuthenticationScheme;
                })
                .AddMicrosoftIdentityWebApp(
                    options =>
                    {
                        builder.Configuration.GetSection(EntraSection).Bind(options);
                        // The authorization code flow (with PKCE); the code is redeemed with the client secret.
                        options.ResponseType = OpenIdConnectResponseType.Code;
                        // Entra puts app roles in the "roles" claim.
                        options.TokenValidationParameters.RoleClaimType = "roles";
                        // The session cookie holds the dashboard's own claims, never the tokens.
                        options.SaveTokens = false;
                        EntraSignIn.AddEvents(options.Events);
                    },
                    cookie =>
                    {
                        cookie.Cookie.Name = CookieName;
                        cookie.AccessDeniedPath = "/account/access-denied";
                        ConfigureCookie(cookie);
                    },
                    OpenIdConnectDefaults.AuthenticationScheme,
                    CookieAuthenticationDefaults.AuthenticationScheme);
        }
        else
        {
            builder.Services
                .AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
                .AddCookie(cookie =>
                {
                    cookie.Cookie.Name = CookieName;
                    cookie.LoginPath = "/account/sign-in";
                    cookie.AccessDeniedPath = "/account/access-denied";
                    ConfigureCookie(cookie);
                });
        }

        builder.Services.AddAuthorization(Policies.Add);
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddSingleton<StaffRecheck>();
        builder.Services.AddSingleton<AccessRefusals>();
        builder.Services.AddScoped<Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider, StaffRevalidatingStateProvider>();
        return mode;
    }

    private static void ConfigureCookie(CookieAuthenticationOptions cookie)
    {
        cookie.Cookie.HttpOnly = true;
        cookie.Cookie.SameSite = SameSiteMode.Lax;
        cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        cookie.ExpireTimeSpan = TimeSpan.FromHours(10);
        cookie.SlidingExpiration = true;
        // Pages redirect to sign-in; the hub and APIs answer 401/403, which their clients understand.
        cookie.Events.OnRedirectToLogin = context => RedirectOrStatus(context, StatusCodes.Status401Unauthorized);
        cookie.Events.OnRedirectToAccessDenied = async context =>
        {
            await RecordRoleRefusalAsync(context.HttpContext);
            await RedirectOrStatus(context, StatusCodes.Status403Forbidden);
        };
        cookie.Events.OnValidatePrincipal = StaffRecheck.ValidatePrincipalAsync;
    }

    /// <summary>The live hub and the APIs: their clients understand status codes, not sign-in pages.</summary>
    internal static bool IsApiOrHub(PathString path) =>
        path.StartsWithSegments("/hubs", StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// A signed-in user whose role does not open the page or endpoint: recorded for the auditors (with the
    /// subject when the route names one), throttled per user and path.
    /// </summary>
    private static async Task RecordRoleRefusalAsync(HttpContext http)
    {
        var principal = http.User;
        var user = CurrentUser.From(principal);
        var staffId = user?.Id ?? (Guid.TryParse(principal.FindFirst(DashboardClaims.StaffId)?.Value, out var id) ? id : null);
        var name = user?.Name ?? principal.Identity?.Name ?? "unknown";
        var role = user?.Role.ToString() ?? "(none)";
        Guid? subjectId = Guid.TryParse(http.GetRouteValue("subjectId")?.ToString(), out var subject) ? subject : null;
        // The id the route names (the path itself is in the detail).
        var named = http.Request.RouteValues.Values.Select(v => Guid.TryParse(v?.ToString(), out var g) ? g : (Guid?)null).FirstOrDefault(g => g is not null);
        await http.RequestServices.GetRequiredService<AccessRefusals>().RoleAsync(staffId, name, role, AccessRefusals.Request(http.Request.Method, http.Request.Path.Value),
            subjectId, named is null ? null : "route", named?.ToString(), CancellationToken.None);
    }

    private static Task RedirectOrStatus(Microsoft.AspNetCore.Authentication.RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        if (IsApiOrHub(context.Request.Path))
        {
            context.Response.StatusCode = status;
        }
        else
        {
            context.Response.Redirect(context.RedirectUri);
        }

        return Task.CompletedTask;
    }
}
