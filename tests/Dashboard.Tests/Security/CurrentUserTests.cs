using System.Security.Claims;
using Dashboard.Domain;
using Dashboard.Security;

namespace Dashboard.Tests.Security;

public class CurrentUserTests
{
    [Fact]
    public void A_principal_without_a_staff_record_is_not_a_user_of_the_dashboard()
    {
        var principal = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "x"), new Claim(ClaimTypes.Role, "Officer")], "test"));

        Assert.Null(CurrentUser.From(principal));
    }

    [Fact]
    public void A_principal_without_a_dashboard_role_is_not_a_user_of_the_dashboard()
    {
        var principal = new ClaimsPrincipal(new ClaimsIdentity([new Claim(DashboardClaims.StaffId, Guid.NewGuid().ToString()), new Claim(ClaimTypes.Role, "Admin")], "test"));

        Assert.Null(CurrentUser.From(principal));
    }

    [Fact]
    public void An_officer_is_read_with_id_name_role_and_team()
    {
        var id = Guid.NewGuid();
        var team = Guid.NewGuid();
        var principal = new ClaimsPrincipal(new ClaimsIdentity(
            [
                new Claim(DashboardClaims.StaffId, id.ToString()),
                new Claim(DashboardClaims.TeamId, team.ToString()),
                new Claim(ClaimTypes.Name, "Amira Hassan"),
                new Claim(ClaimTypes.Role, "Officer"),
            ],
            "test"));

        Assert.Equal(new CurrentUser(id, "Amira Hassan", StaffRole.Officer, team), CurrentUser.From(principal));
    }
}
