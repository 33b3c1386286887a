using System.Collections.Concurrent;
using Dashboard.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.EntityFrameworkCore;

namespace Dashboard.Security;

/// <summary>
/// A session outlives the moment it began: a member of staff who leaves, changes role or moves team must
/// lose what the old record gave them without waiting for the cookie to expire. Each request and each open
/// page asks, at most every <see cref="Interval"/>, whether the signed-in record still stands as signed in.
/// </summary>
public sealed class StaffRecheck(IDbContextFactory<DashboardDb> dbFactory, TimeProvider clock, IConfiguration configuration)
{
    private readonly ConcurrentDictionary<CurrentUser, DateTimeOffset> _confirmed = new();

    /// <summary>How long a confirmation holds (<c>SignIn:RecheckSeconds</c>, default 60).</summary>
    public TimeSpan Interval { get; } = TimeSpan.FromSeconds(configuration.GetValue("SignIn:RecheckSeconds", 60));

    /// <summary>Whether the staff record is still active, with the role and team the session carries.</summary>
    public async Task<bool> StillStandsAsync(CurrentUser user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        var now = clock.GetUtcNow();
        if (_confirmed.TryGetValue(user, out var until) && until > now)
        {
            return true;
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var stands = await db.Staff.AnyAsync(s => s.Id == user.Id && s.Active && s.Role == user.Role && s.TeamId == user.TeamId, ct);
        if (stands)
        {
            _confirmed[user] = now + Interval;
        }
        else
        {
            _confirmed.TryRemove(user, out _);
        }

        return stands;
    }

    /// <summary>Cookie check on every request: a session whose record no longer stands is ended.</summary>
    public static async Task ValidatePrincipalAsync(CookieValidatePrincipalContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (CurrentUser.From(context.Principal) is not { } user)
        {
            return;
        }

        var recheck = context.HttpContext.RequestServices.GetRequiredService<StaffRecheck>();
        if (!await recheck.StillStandsAsync(user, context.HttpContext.RequestAborted))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        }
    }
}

/// <summary>Open pages (circuits) ask the same question every <see cref="StaffRecheck.Interval"/>; a failed check signs the page out.</summary>
public sealed class StaffRevalidatingStateProvider(ILoggerFactory loggerFactory, StaffRecheck recheck)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval => recheck.Interval;

    private readonly ILogger _logger = loggerFactory.CreateLogger<StaffRevalidatingStateProvider>();

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(authenticationState);
        if (CurrentUser.From(authenticationState.User) is not { } user)
        {
            return true;
        }

        try
        {
            return await recheck.StillStandsAsync(user, cancellationToken);
        }
        catch (ObjectDisposedException)
        {
            // The instance is shutting down: the page reconnects elsewhere and is checked there.
            return true;
        }
        catch (System.Data.Common.DbException ex)
        {
            // A database blip must not sign out every open page; the next check (and every request) asks again.
            _logger.LogWarning(ex, "Could not recheck a signed-in staff record; trying again in {Interval}", recheck.Interval);
            return true;
        }
    }
}
