using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Identity.Web;

namespace Dashboard.Security;

public enum SignInMode
{
    /// <summary>Microsoft Entra ID through Microsoft.Identity.Web (the <c>AzureAd</c> section is configured).</summary>
    Entra,
    /// <summary>The development sign-in: pick a demo user. Never available outside Development.</summary>
    Development,
}

public static class AuthenticationSetup
{
    public const string CookieName = ".Dashboard.Auth";

    public const string MissingEntraMessage =
        "Sign-in is not configured. Outside the Development environment the dashboard needs Microsoft Entra ID: " +
        "set the AzureAd section (Instance, TenantId, ClientId; see README, \"Entra ID app registration\"). " +
        "The development sign-in exists only in Development.";

    /// <summary>Entra ID when configured; the development sign-in only in Development; otherwise refuse to start.</summary>
    public static SignInMode Decide(IConfiguration configuration, bool isDevelopment)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (!string.IsNullOrWhiteSpace(configuration["AzureAd:ClientId"]))
        {
            return SignInMode.Entra;
        }

        return isDevelopment ? SignInMode.Development : throw new InvalidOperationException(MissingEntraMessage);
    }

    public static SignInMode AddDashboardAuthentication(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var mode = Decide(builder.Configuration, builder.Environment.IsDevelopment());
        if (mode == SignInMode.Entra)
        {
            builder.Services
                .AddAuthentication(Microsoft.AspNetCore.Authentication.OpenIdConnect.OpenIdConnectDefaults.AuthenticationScheme)
                .AddMicrosoftIdentityWebApp(
                    options =>
                    {
                        builder.Configuration.GetSection("AzureAd").Bind(options);
                        // Entra puts app roles in the "roles" claim.
                        options.TokenValidationParameters.RoleClaimType = "roles";
                    },
                    cookie =>
                    {
                        cookie.Cookie.Name = CookieName;
                        ConfigureCookie(cookie);
                    });
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
        cookie.Events.OnRedirectToAccessDenied = context => RedirectOrStatus(context, StatusCodes.Status403Forbidden);
    }

    private static Task RedirectOrStatus(Microsoft.AspNetCore.Authentication.RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        var path = context.Request.Path;
        if (path.StartsWithSegments("/hubs", StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase))
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
