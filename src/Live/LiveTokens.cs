using System.Security.Claims;
using System.Text.Encodings.Web;
using Dashboard.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace Dashboard.Live;

/// <summary>
/// Short-lived tokens that let a circuit's server-side hub connection act as the circuit's user.
/// They are protected with the app's data-protection keys (shared by all instances through the
/// database), last five minutes, and are accepted only on the hub's path.
/// </summary>
public sealed class LiveTokens(IDataProtectionProvider protection, TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);
    private readonly ITimeLimitedDataProtector _protector =
        protection.CreateProtector("Dashboard.Live.HubToken.v1").ToTimeLimitedDataProtector();

    public string Mint(CurrentUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var payload = string.Join('\n', user.Id.ToString(), user.Role.ToString(), user.TeamId?.ToString() ?? "", user.Name);
        return _protector.Protect(payload, clock.GetUtcNow().Add(Lifetime));
    }

    public ClaimsPrincipal? Read(string token, string scheme)
    {
        try
        {
            var parts = _protector.Unprotect(token, out var expires).Split('\n', 4);
            if (parts.Length != 4 || expires < clock.GetUtcNow())
            {
                return null;
            }

            List<Claim> claims =
            [
                new(DashboardClaims.StaffId, parts[0]),
                new(ClaimTypes.Role, parts[1]),
                new(ClaimTypes.Name, parts[3]),
            ];
            if (parts[2].Length > 0)
            {
                claims.Add(new(DashboardClaims.TeamId, parts[2]));
            }

            return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme, ClaimTypes.Name, ClaimTypes.Role));
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

/// <summary>Authenticates hub connections that present a live token (query string or bearer header).</summary>
public sealed class LiveTokenAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    LiveTokens tokens) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "LiveToken";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        // Accepted only by the hub: a token lifted from a log cannot open any page or API.
        if (!Request.Path.StartsWithSegments(LiveSetup.HubPath, StringComparison.OrdinalIgnoreCase))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        string? token = Request.Query["access_token"];
        if (string.IsNullOrEmpty(token) && Request.Headers.Authorization.ToString() is { } header
            && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            token = header["Bearer ".Length..].Trim();
        }

        if (string.IsNullOrEmpty(token))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var principal = tokens.Read(token, SchemeName);
        return Task.FromResult(principal is null
            ? AuthenticateResult.Fail("Invalid or expired live token.")
            : AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        return Task.CompletedTask;
    }
}
