using System.Globalization;
using System.Security.Claims;
using Dashboard.Domain;

namespace Dashboard.Security;

public static class DashboardClaims
{
    /// <summary>The id of the signed-in member's staff record.</summary>
    public const string StaffId = "dashboard:staff_id";
    public const string TeamId = "dashboard:team_id";
    public const string LoginName = "dashboard:login";
}

/// <summary>The signed-in member of staff, read from the claims every request and circuit carries.</summary>
public sealed record CurrentUser(Guid Id, string Name, StaffRole Role, Guid? TeamId)
{
    /// <summary>Null when the principal carries no staff record (not signed in, or not provisioned).</summary>
    public static CurrentUser? From(ClaimsPrincipal? principal)
    {
        if (principal?.Identity?.IsAuthenticated != true
            || !Guid.TryParse(principal.FindFirstValue(DashboardClaims.StaffId), out var id))
        {
            return null;
        }

        StaffRole? role = principal.IsInRole(nameof(StaffRole.Supervisor)) ? StaffRole.Supervisor
            : principal.IsInRole(nameof(StaffRole.Officer)) ? StaffRole.Officer
            : principal.IsInRole(nameof(StaffRole.Auditor)) ? StaffRole.Auditor
            : null;
        if (role is null)
        {
            return null;
        }

        Guid? team = Guid.TryParse(principal.FindFirstValue(DashboardClaims.TeamId), CultureInfo.InvariantCulture, out var t) ? t : null;
        var name = principal.FindFirstValue(ClaimTypes.Name) ?? principal.FindFirstValue("name") ?? "Unknown";
        return new CurrentUser(id, name, role.Value, team);
    }

    /// <summary>Auditors read everything and change nothing.</summary>
    public bool CanAct => Role is StaffRole.Officer or StaffRole.Supervisor;
}
