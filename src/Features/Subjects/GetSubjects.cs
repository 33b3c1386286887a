using Dashboard.Data;
using Dashboard.Security;
using Microsoft.EntityFrameworkCore;

namespace Dashboard.Features.Subjects;

/// <summary>The subjects in the user's scope, paged and searchable by name or case reference.</summary>
public sealed class GetSubjects(IDbContextFactory<DashboardDb> dbFactory)
{
    public sealed record Query(string? Search, int Page, int PageSize, string? SortBy = null, bool Descending = false);

    public sealed record Row(
        Guid Id,
        string CaseReference,
        string Name,
        string Officer,
        string? DeviceId,
        int? BatteryPct,
        DateTimeOffset? LastSeenAt,
        int OpenAlerts = 0);

    public sealed record Result(IReadOnlyList<Row> Rows, int Total);

    public async Task<Result> HandleAsync(Query query, CurrentUser user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var subjects = Scope.Subjects(db, user).AsNoTracking();
        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var pattern = SqlLike.Containing(query.Search);
            subjects = subjects.Where(s =>
                EF.Functions.ILike(s.CaseReference, pattern)
                || EF.Functions.ILike(s.GivenName + " " + s.FamilyName, pattern));
        }

        var total = await subjects.CountAsync(ct);
        var rows = from s in subjects
                   join o in db.Staff on s.OfficerId equals o.Id
                   join d in db.Devices on s.Id equals d.SubjectId into devices
                   from d in devices.DefaultIfEmpty()
                   select new { s, o, d };
        rows = (query.SortBy, query.Descending) switch
        {
            ("Name", false) => rows.OrderBy(r => r.s.FamilyName).ThenBy(r => r.s.GivenName),
            ("Name", true) => rows.OrderByDescending(r => r.s.FamilyName).ThenByDescending(r => r.s.GivenName),
            ("Officer", false) => rows.OrderBy(r => r.o.DisplayName).ThenBy(r => r.s.CaseReference),
            ("Officer", true) => rows.OrderByDescending(r => r.o.DisplayName).ThenBy(r => r.s.CaseReference),
            ("LastSeenAt", false) => rows.OrderBy(r => r.d!.LastSeenAt).ThenBy(r => r.s.CaseReference),
            ("LastSeenAt", true) => rows.OrderByDescending(r => r.d!.LastSeenAt).ThenBy(r => r.s.CaseReference),
            (_, true) => rows.OrderByDescending(r => r.s.CaseReference),
            _ => rows.OrderBy(r => r.s.CaseReference),
        };
        var page = await rows
            .Skip(Math.Max(0, query.Page) * Math.Clamp(query.PageSize, 1, 200))
            .Take(Math.Clamp(query.PageSize, 1, 200))
            .Select(r => new Row(
                r.s.Id,
                r.s.CaseReference,
                r.s.GivenName + " " + r.s.FamilyName,
                r.o.DisplayName,
                r.d == null ? null : r.d.Id,
                r.d == null ? null : r.d.BatteryPct,
                r.d == null ? null : r.d.LastSeenAt,
                db.Alerts.Count(a => a.SubjectId == r.s.Id && a.State == Domain.AlertState.Open)))
            .ToListAsync(ct);
        return new Result(page, total);
    }
}
