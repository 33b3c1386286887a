using Dashboard.Data;
using Dashboard.Data.Entities;
using Dashboard.Domain;

namespace Dashboard.Security;

/// <summary>
/// The one place that decides which subjects a user may see: an officer their own caseload,
/// a supervisor their team's caseloads, an auditor every caseload (read-only).
/// Every query of subject data starts from <see cref="Subjects"/>.
/// </summary>
public static class Scope
{
    public static IQueryable<Subject> Subjects(DashboardDb db, CurrentUser user)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(user);
        return user.Role switch
        {
            StaffRole.Officer => db.Subjects.Where(s => s.OfficerId == user.Id),
            StaffRole.Supervisor => db.Subjects.Where(s => db.Staff.Any(o => o.Id == s.OfficerId && o.TeamId == user.TeamId && user.TeamId != null)),
            StaffRole.Auditor => db.Subjects,
            _ => db.Subjects.Where(_ => false),
        };
    }

    /// <summary>The ids of the subjects in scope, for joins.</summary>
    public static IQueryable<Guid> SubjectIds(DashboardDb db, CurrentUser user) => Subjects(db, user).Select(s => s.Id);
}
