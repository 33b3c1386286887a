using Dashboard.Domain;
using Microsoft.AspNetCore.Authorization;

namespace Dashboard.Security;

/// <summary>The authorization policies. Every page and endpoint names one (or relies on the fallback).</summary>
public static class Policies
{
    /// <summary>Any signed-in member of staff with a known role.</summary>
    public const string Staff = "Staff";
    public const string Officer = "Officer";
    public const string Supervisor = "Supervisor";
    public const string Auditor = "Auditor";
    /// <summary>Officers and supervisors: those who change things (auditors only read).</summary>
    public const string CanAct = "CanAct";

    public static void Add(AuthorizationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var staffRoles = Enum.GetNames<StaffRole>();
        options.AddPolicy(Staff, p => p.RequireAuthenticatedUser().RequireClaim(DashboardClaims.StaffId).RequireRole(staffRoles));
        options.AddPolicy(Officer, p => p.RequireClaim(DashboardClaims.StaffId).RequireRole(nameof(StaffRole.Officer)));
        options.AddPolicy(Supervisor, p => p.RequireClaim(DashboardClaims.StaffId).RequireRole(nameof(StaffRole.Supervisor)));
        options.AddPolicy(Auditor, p => p.RequireClaim(DashboardClaims.StaffId).RequireRole(nameof(StaffRole.Auditor)));
        options.AddPolicy(CanAct, p => p.RequireClaim(DashboardClaims.StaffId).RequireRole(nameof(StaffRole.Officer), nameof(StaffRole.Supervisor)));
        // Anything that does not say otherwise needs a signed-in member of staff.
        options.FallbackPolicy = options.GetPolicy(Staff);
    }
}
