using Dashboard.Domain;
using Dashboard.Security;

namespace Dashboard.Testing;

/// <summary>The signed-in user of a demo login, as the pages would see them.</summary>
public static class StaffUsers
{
    public static async Task<CurrentUser> UserAsync(string connectionString, string login)
    {
        var row = await Sql.ScalarAsync(connectionString,
            "SELECT id::text || '|' || display_name || '|' || role || '|' || coalesce(team_id::text, '') FROM staff WHERE login_name = $1", login);
        var parts = ((string)row!).Split('|');
        return new CurrentUser(Guid.Parse(parts[0]), parts[1], Enum.Parse<StaffRole>(parts[2]), parts[3].Length > 0 ? Guid.Parse(parts[3]) : null);
    }
}
