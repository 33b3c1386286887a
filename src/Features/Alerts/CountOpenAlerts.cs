using Dashboard.Data;
using Dashboard.Domain;
using Dashboard.Security;
using Microsoft.EntityFrameworkCore;

namespace Dashboard.Features.Alerts;

/// <summary>The app bar's badge: open alerts (not yet acknowledged) in the user's scope.</summary>
public sealed class CountOpenAlerts(IDbContextFactory<DashboardDb> dbFactory)
{
    public async Task<int> HandleAsync(CurrentUser user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Alerts.AsNoTracking()
            .Where(a => a.State == AlertState.Open && Scope.SubjectIds(db, user).Contains(a.SubjectId))
            .CountAsync(ct);
    }
}
