using Dashboard.Domain;
using Dashboard.Security;

namespace Dashboard.Tests.Security;

public class EntraAccessTests
{
    private static readonly ProvisionedStaff Officer = new(Guid.NewGuid(), "officer1", "Amira Hassan", StaffRole.Officer, Guid.NewGuid(), Active: true);

    [Fact]
    public void A_token_without_a_dashboard_app_role_is_refused_even_for_a_provisioned_member()
    {
        Assert.Equal(EntraAccessOutcome.NoAppRole, EntraSignIn.Decide([], Officer));
        Assert.Equal(EntraAccessOutcome.NoAppRole, EntraSignIn.Decide(["Reader", "officer"], Officer));
    }

    [Fact]
    public void An_unknown_or_inactive_member_is_not_provisioned()
    {
        Assert.Equal(EntraAccessOutcome.NotProvisioned, EntraSignIn.Decide(["Officer"], null));
        Assert.Equal(EntraAccessOutcome.NotProvisioned, EntraSignIn.Decide(["Officer"], Officer with { Active = false }));
    }

    [Fact]
    public void An_app_role_that_is_not_the_staff_records_role_is_refused()
    {
        Assert.Equal(EntraAccessOutcome.RoleMismatch, EntraSignIn.Decide(["Supervisor"], Officer));
        Assert.Equal(EntraAccessOutcome.RoleMismatch, EntraSignIn.Decide(["Auditor"], Officer));
    }

    [Fact]
    public void The_staff_records_role_among_the_tokens_app_roles_is_granted_and_is_the_only_role_of_the_session()
    {
        Assert.Equal(EntraAccessOutcome.Granted, EntraSignIn.Decide(["Officer"], Officer));
        Assert.Equal(EntraAccessOutcome.Granted, EntraSignIn.Decide(["Auditor", "Officer"], Officer));

        var user = CurrentUser.From(EntraSignIn.Principal(Officer, "oid-1"));

        Assert.Equal(new CurrentUser(Officer.Id, "Amira Hassan", StaffRole.Officer, Officer.TeamId), user);
    }
}
