using System.Security.Claims;
using Dashboard.Audit;
using Dashboard.Data;
using Dashboard.Domain;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.EntityFrameworkCore;

namespace Dashboard.Security;

/// <summary>What a validated Entra ID token is allowed: a staff record and a matching app role, or a refusal.</summary>
public enum EntraAccessOutcome
{
    Granted,
    /// <summary>The token carries none of the dashboard's app roles (Officer, Supervisor, Auditor).</summary>
    NoAppRole,
    /// <summary>No active staff record has the token's object id.</summary>
    NotProvisioned,
    /// <summary>The token's app roles do not include the role of the staff record.</summary>
    RoleMismatch,
}

/// <summary>The staff record found by the token's object id (what the decision needs of it).</summary>
public sealed record ProvisionedStaff(Guid Id, string LoginName, string DisplayName, StaffRole Role, Guid? TeamId, bool Active);

/// <summary>
/// Turns a validated Entra ID token into the dashboard's signed-in user: the staff record is found by the
/// token's object id (<c>oid</c> → <c>staff.entra_object_id</c>), and the token's app roles must include
/// the record's role. Anything else is refused before a session cookie exists, and the refusal is audited.
/// </summary>
public static class EntraSignIn
{
    public const string NotProvisionedPath = "/account/not-provisioned";
    public const string AccessDeniedPath = "/account/access-denied";
    public const string SignInFailedPath = "/account/sign-in-failed";
    public const string ObjectIdClaim = "oid";
    private const string ObjectIdClaimLong = "http://schemas.microsoft.com/identity/claims/objectidentifier";
    private const string AuthenticationType = "EntraID";

    private static readonly HashSet<string> AppRoles = new(Enum.GetNames<StaffRole>(), StringComparer.Ordinal);

    /// <summary>The decision, apart from the token and database plumbing (unit-tested).</summary>
    public static EntraAccessOutcome Decide(IReadOnlyCollection<string> tokenRoles, ProvisionedStaff? staff)
    {
        ArgumentNullException.ThrowIfNull(tokenRoles);
        if (!tokenRoles.Any(AppRoles.Contains))
        {
            return EntraAccessOutcome.NoAppRole;
        }

        if (staff is not { Active: true })
        {
            return EntraAccessOutcome.NotProvisioned;
        }

        return tokenRoles.Contains(staff.Role.ToString()) ? EntraAccessOutcome.Granted : EntraAccessOutcome.RoleMismatch;
    }

    /// <summary>The principal of the session: the staff record's name, id, team and the one role both sides agree on.</summary>
    public static ClaimsPrincipal Principal(ProvisionedStaff staff, string objectId)
    {
        ArgumentNullException.ThrowIfNull(staff);
        List<Claim> claims =
        [
            new(ClaimTypes.Name, staff.DisplayName),
            new(ClaimTypes.Role, staff.Role.ToString()),
            new(DashboardClaims.StaffId, staff.Id.ToString()),
            new(DashboardClaims.LoginName, staff.LoginName),
            new(ObjectIdClaim, objectId),
        ];
        if (staff.TeamId is { } team)
        {
            claims.Add(new(DashboardClaims.TeamId, team.ToString()));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, AuthenticationType, ClaimTypes.Name, ClaimTypes.Role));
    }

    internal static void AddEvents(OpenIdConnectEvents events)
    {
        var onRedirect = events.OnRedirectToIdentityProvider;
        events.OnRedirectToIdentityProvider = async context =>
        {
            if (AuthenticationSetup.IsApiOrHub(context.Request.Path))
            {
                // The hub and the APIs answer 401; only pages are sent to Entra ID.
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                context.HandleResponse();
                return;
            }

            if (!await SignInRateLimit.TryEnterAsync(context.HttpContext))
            {
                context.HandleResponse();
                return;
            }

            await onRedirect(context);
        };
        events.OnTokenValidated = OnTokenValidatedAsync;
        events.OnRemoteFailure = OnRemoteFailureAsync;
    }

    private static async Task OnTokenValidatedAsync(TokenValidatedContext context)
    {
        var token = context.Principal!;
        var services = context.HttpContext.RequestServices;
        var objectId = token.FindFirst(ObjectIdClaim)?.Value ?? token.FindFirst(ObjectIdClaimLong)?.Value;
        var roles = token.Claims.Where(c => c.Type is "roles" or ClaimTypes.Role).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        var tokenName = token.FindFirst("name")?.Value ?? token.FindFirst("preferred_username")?.Value ?? "unknown";

        ProvisionedStaff? staff = null;
        if (!string.IsNullOrEmpty(objectId))
        {
            var dbFactory = services.GetRequiredService<IDbContextFactory<DashboardDb>>();
            await using var db = await dbFactory.CreateDbContextAsync(context.HttpContext.RequestAborted);
            staff = await db.Staff.AsNoTracking()
                .Where(s => s.EntraObjectId == objectId)
                .Select(s => new ProvisionedStaff(s.Id, s.LoginName, s.DisplayName, s.Role, s.TeamId, s.Active))
                .SingleOrDefaultAsync(context.HttpContext.RequestAborted);
        }

        var outcome = Decide(roles, staff);
        var audit = services.GetRequiredService<AuditLog>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(EntraSignIn));
        if (outcome == EntraAccessOutcome.Granted)
        {
            context.Principal = Principal(staff!, objectId!);
            await audit.AppendAsync(new AuditEntry(staff!.Id, staff.DisplayName, AuditActions.SignIn, Detail: "Entra ID sign-in"), CancellationToken.None);
            return;
        }

        var (path, detail) = outcome switch
        {
            EntraAccessOutcome.NoAppRole => (AccessDeniedPath, "Entra ID sign-in refused: the token carries no dashboard app role"),
            EntraAccessOutcome.NotProvisioned when staff is null => (NotProvisionedPath, "Entra ID sign-in refused: no staff record has this object id"),
            EntraAccessOutcome.NotProvisioned => (NotProvisionedPath, "Entra ID sign-in refused: the staff record is inactive"),
            _ => (AccessDeniedPath, $"Entra ID sign-in refused: the token's app roles ({string.Join(", ", roles.Order(StringComparer.Ordinal))}) do not include the staff record's role ({staff!.Role})"),
        };
        logger.LogWarning("Sign-in refused ({Outcome}) for object id {ObjectId}", outcome, objectId);
        await audit.AppendAsync(
            new AuditEntry(staff?.Id, staff?.DisplayName ?? tokenName, AuditActions.AccessRefused,
                EntityType: "staff", EntityId: objectId, Detail: detail),
            CancellationToken.None);
        // No session: the user sees why, and nothing else.
        context.HandleResponse();
        context.Response.Redirect(path);
    }

    private static async Task OnRemoteFailureAsync(RemoteFailureContext context)
    {
        // A bad signature, a replayed or expired response, a cancelled sign-in: never a session, a plain page instead.
        // Only the kind of failure is recorded: the exception text may quote token contents.
        var services = context.HttpContext.RequestServices;
        var kind = context.Failure?.GetType().Name ?? "unknown";
        services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(EntraSignIn))
            .LogWarning("Entra ID sign-in failed: {Failure}", kind);
        await services.GetRequiredService<AuditLog>().AppendAsync(
            new AuditEntry(null, "unknown", AuditActions.AccessRefused, Detail: $"Entra ID sign-in failed ({kind})"), CancellationToken.None);
        context.HandleResponse();
        context.Response.Redirect(SignInFailedPath);
    }
}
