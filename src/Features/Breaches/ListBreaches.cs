using Dashboard.Data;
using Dashboard.Domain;
using Dashboard.Security;
using Microsoft.EntityFrameworkCore;

namespace Dashboard.Features.Breaches;

/// <summary>
/// The breaches of the user's caseloads, newest first, a page at a time; optionally one state, or a
/// supervisor's "awaiting my decision" (proposed by someone else in their team).
/// </summary>
public sealed class ListBreaches(IDbContextFactory<DashboardDb> dbFactory)
{
    public const int MaxPageSize = 100;

    public sealed record Query(BreachState? State = null, bool AwaitingMyDecision = false, int Page = 0, int PageSize = 25);

    public sealed record Item(
        Guid Id,
        string Number,
        Guid SubjectId,
        string SubjectName,
        string CaseReference,
        AlertKind Kind,
        BreachState State,
        string ProposedBy,
        DateTimeOffset ProposedAt,
        string? DecidedBy,
        DateTimeOffset? DecidedAt,
        int AlertCount);

    public sealed record Result(IReadOnlyList<Item> Items, int Total, int Page, int PageSize)
    {
        public int PageCount => Math.Max(1, (Total + PageSize - 1) / PageSize);
    }

    public async Task<Result> HandleAsync(Query query, CurrentUser user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(user);
        var size = Math.Clamp(query.PageSize, 1, MaxPageSize);
        var page = Math.Max(0, query.Page);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var breaches = db.Breaches.AsNoTracking().Where(b => Scope.SubjectIds(db, user).Contains(b.SubjectId));
        if (query.AwaitingMyDecision)
        {
            // A supervisor's scope is their team: what is proposed there by someone else waits for them.
            breaches = user.Role == StaffRole.Supervisor
                ? breaches.Where(b => b.State == BreachState.Proposed && b.ProposedBy != user.Id)
                : breaches.Where(_ => false);
        }
        else if (query.State is { } state)
        {
            breaches = breaches.Where(b => b.State == state);
        }

        var total = await breaches.CountAsync(ct);
        var items = await (from b in breaches
                           join s in db.Subjects on b.SubjectId equals s.Id
                           orderby b.ProposedAt descending, b.Id descending
                           select new Item(
                               b.Id, b.Number, s.Id, s.GivenName + " " + s.FamilyName, s.CaseReference, b.Kind, b.State,
                               db.Staff.Where(o => o.Id == b.ProposedBy).Select(o => o.DisplayName).FirstOrDefault() ?? "Unknown",
                               b.ProposedAt,
                               db.Staff.Where(o => o.Id == b.DecidedBy).Select(o => o.DisplayName).FirstOrDefault(),
                               b.DecidedAt,
                               db.BreachAlerts.Count(x => x.BreachId == b.Id)))
            .Skip(page * size).Take(size)
            .ToListAsync(ct);
        return new Result(items, total, page, size);
    }
}
