using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Dashboard.Security;

/// <summary>The <c>SignIn:RateLimit</c> section: sign-in attempts allowed per client address and window.</summary>
public sealed class SignInRateLimitOptions
{
    public const string Section = "SignIn:RateLimit";

    /// <summary>Attempts per window. One Entra ID sign-in is two attempts: the redirect to Entra and the return.</summary>
    [Range(1, 100_000)]
    public int PermitLimit { get; set; } = 30;

    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Attempts per window at the development sign-in (Development only), counted apart from Entra ID's: tests
    /// and the demo sign in as many demo users as they need, so the default is high.
    /// </summary>
    [Range(1, 100_000)]
    public int DevelopmentPermitLimit { get; set; } = 10_000;
}

/// <summary>
/// Limits sign-in attempts per client address (the address the reverse proxy reports, when one is
/// configured): each redirect to Entra ID and each return to the callback path counts. Past the limit the
/// client gets 429 with <c>Retry-After</c>, before any token is looked at. The development sign-in is limited
/// too, apart and with its own (high) limit: it exists only in Development, where tests sign in as many demo
/// users as they need.
/// </summary>
public sealed class SignInRateLimit : IDisposable
{
    private readonly PartitionedRateLimiter<HttpContext> _limiter;
    private readonly PartitionedRateLimiter<HttpContext> _development;

    public SignInRateLimit(IOptions<SignInRateLimitOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var limit = options.Value;
        _limiter = PerClient(limit.PermitLimit, limit.Window);
        _development = PerClient(limit.DevelopmentPermitLimit, limit.Window);
    }

    private static PartitionedRateLimiter<HttpContext> PerClient(int permits, TimeSpan window) =>
        PartitionedRateLimiter.Create<HttpContext, string>(http =>
            RateLimitPartition.GetFixedWindowLimiter(ClientKey(http), _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = permits,
                Window = window,
                QueueLimit = 0,
                AutoReplenishment = true,
            }));

    internal static string ClientKey(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    /// <summary>Takes one attempt; when none is left, writes the 429 answer and returns false.</summary>
    /// <param name="development">The development sign-in, counted apart with its own limit.</param>
    public static async Task<bool> TryEnterAsync(HttpContext http, bool development = false)
    {
        ArgumentNullException.ThrowIfNull(http);
        var limiter = http.RequestServices.GetRequiredService<SignInRateLimit>();
        using var lease = (development ? limiter._development : limiter._limiter).AttemptAcquire(http);
        if (lease.IsAcquired)
        {
            return true;
        }

        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 60;
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        http.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        await Results.Problem(
            title: "Too many sign-in attempts",
            detail: string.Create(CultureInfo.InvariantCulture, $"Too many sign-in attempts from this address. Try again in {retryAfter} seconds."),
            statusCode: StatusCodes.Status429TooManyRequests).ExecuteAsync(http);
        return false;
    }

    public void Dispose()
    {
        _limiter.Dispose();
        _development.Dispose();
    }
}

public static class SignInRateLimitSetup
{
    internal static void AddSignInRateLimit(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<SignInRateLimitOptions>().BindConfiguration(SignInRateLimitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<SignInRateLimit>();
    }

    /// <summary>
    /// Counts returns to the Entra ID callback path. It sits before authentication, which answers that path
    /// itself, so a flood of forged responses is refused before any token is validated.
    /// </summary>
    public static IApplicationBuilder UseSignInRateLimit(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.ApplicationServices.GetRequiredService<SignInConfiguration>().Mode != SignInMode.Entra)
        {
            return app;
        }

        var configuration = app.ApplicationServices.GetRequiredService<IConfiguration>();
        var callback = new PathString(configuration[$"{AuthenticationSetup.EntraSection}:CallbackPath"] is { Length: > 0 } path ? path : "/signin-oidc");
        return app.Use(async (context, next) =>
        {
            if (context.Request.Path.Equals(callback, StringComparison.OrdinalIgnoreCase) && !await SignInRateLimit.TryEnterAsync(context))
            {
                return;
            }

            await next(context);
        });
    }
}
