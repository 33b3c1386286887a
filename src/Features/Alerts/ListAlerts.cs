using Dashboard.Data;
using Dashboard.Data.Entities;
using Dashboard.Domain;
using Dashboard.Security;
using Microsoft.EntityFrameworkCore;

namespace Dashboard.Features.Alerts;

/// <summary>How old an alert is, as the page filters it.</summary>
public enum AlertAge
{
    Any,
    LastHour,
    Last24Hours,
    Last7Days,
    OlderThan24Hours,
    OlderThan7Days,
}

public enum AlertSort
{
    RaisedAt,
    Kind,
    State,
    Subject,
    Occurrences,
}

/// <summary>
/// One page of alerts in the user's scope, filtered and sorted on the server. The usual view (newest first)
/// reads each subject's newest alerts from the (subject_id, raised_at) index and merges them, so the first
/// page costs the same with a thousand alerts or a million; the total is counted up to <see cref="CountCap"/>.
/// </summary>
public sealed class ListAlerts(IDbContextFactory<DashboardDb> dbFactory, TimeProvider clock)
{
    /// <summary>Totals above this are shown as "more than"; narrowing the filters is the way to go further.</summary>
    public const int CountCap = 1_000;

    public sealed record Query(
        int Page = 0,
        int PageSize = 25,
        IReadOnlyCollection<AlertKind>? Kinds = null,
        IReadOnlyCollection<AlertState>? States = null,
        string? Subject = null,
        Guid? OfficerId = null,
        Guid? SubjectId = null,
        AlertAge Age = AlertAge.Any,
        AlertSort Sort = AlertSort.RaisedAt,
        bool Descending = true);

    public sealed record Item(
        Guid Id,
        Guid SubjectId,
        string SubjectName,
        string CaseReference,
        Guid OfficerId,
        string OfficerName,
        AlertKind Kind,
        AlertState State,
        DateTimeOffset RaisedAt,
        DateTimeOffset? LastOccurredAt,
        int Occurrences,
        string Summary,
        string? DismissReason,
        string? ReasonableExcuse,
        Guid? BreachId,
        uint Version,
        string? BreachNumber = null,
        BreachState? BreachState = null)
    {
        public bool IsActive => AlertRules.IsActive(State);

        /// <summary>The state in words; an alert in a breach says where the breach stands.</summary>
        public string StateText => AlertRules.Describe(State, BreachState);
        public bool HasExcuse => ReasonableExcuse is not null;
    }

    /// <summary><paramref name="Total"/> is capped at <see cref="CountCap"/> + 1 (then <see cref="MoreThanCap"/>).</summary>
    public sealed record Result(IReadOnlyList<Item> Items, int Total)
    {
        public bool MoreThanCap => Total > CountCap;
    }

    public sealed record Officer(Guid Id, string Name);

    public async Task<Result> HandleAsync(Query query, CurrentUser user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(user);
        var pageSize = Math.Clamp(query.PageSize, 1, 100);
        var skip = Math.Clamp(query.Page, 0, CountCap / pageSize) * pageSize;
        var now = clock.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(ct);

        var subjects = Scope.Subjects(db, user).AsNoTracking();
        if (query.OfficerId is { } officer)
        {
            subjects = subjects.Where(s => s.OfficerId == officer);
        }

        if (query.SubjectId is { } subjectId)
        {
            subjects = subjects.Where(s => s.Id == subjectId);
        }

        if (!string.IsNullOrWhiteSpace(query.Subject))
        {
            var pattern = Data.SqlLike.Containing(query.Subject);
            subjects = subjects.Where(s => EF.Functions.ILike(s.GivenName + " " + s.FamilyName, pattern, "\\")
                || EF.Functions.ILike(s.CaseReference, pattern, "\\"));
        }

        var kinds = query.Kinds is { Count: > 0 } k ? k.ToList() : null;
        var states = query.States is { Count: > 0 } st ? st.ToList() : null;
        var (newerThan, olderThan) = Window(query.Age, now);

        IQueryable<Alert> Filter(IQueryable<Alert> alerts)
        {
            if (kinds is not null)
            {
                alerts = alerts.Where(a => kinds.Contains(a.Kind));
            }

            if (states is not null)
            {
                alerts = alerts.Where(a => states.Contains(a.State));
            }

            if (newerThan is { } from)
            {
                alerts = alerts.Where(a => a.RaisedAt >= from);
            }

            if (olderThan is { } to)
            {
                alerts = alerts.Where(a => a.RaisedAt < to);
            }

            return alerts;
        }

        IQueryable<Alert> page;
        if (query.Sort == AlertSort.RaisedAt)
        {
            // Per subject, the newest (skip + take) alerts straight from the (subject_id, raised_at) index
            // (a LATERAL join), then the merge: no scan of every alert in scope to sort it.
            var subjectIds = await subjects.Select(s => s.Id).ToArrayAsync(ct);
            var reach = skip + pageSize;
            var kindNames = kinds?.Select(k => k.ToString()).ToArray();
            var stateNames = states?.Select(x => x.ToString()).ToArray();
            // Two ways to the newest alerts, both index-ordered: through each state's (state, raised_at) range
            // when a few states are asked for over many subjects (open alerts are few, a history is long), or
            // through each subject's (subject_id, raised_at) range otherwise.
            var byState = stateNames is { Length: > 0 and <= 3 } && subjectIds.Length > 3;
            page = (byState, query.Descending) switch
            {
                (true, true) => db.Alerts.FromSql($"""
                    SELECT a.* FROM unnest({stateNames}) AS st(state) CROSS JOIN LATERAL (
                        SELECT x.*, x.xmin FROM alerts x
                        WHERE x.state = st.state AND x.subject_id = ANY({subjectIds})
                          AND ({kindNames}::text[] IS NULL OR x.kind = ANY({kindNames}))
                          AND ({newerThan}::timestamptz IS NULL OR x.raised_at >= {newerThan})
                          AND ({olderThan}::timestamptz IS NULL OR x.raised_at < {olderThan})
                        ORDER BY x.raised_at DESC LIMIT {reach}) a
                    """).AsNoTracking().OrderByDescending(a => a.RaisedAt).ThenByDescending(a => a.Id),
                (true, false) => db.Alerts.FromSql($"""
                    SELECT a.* FROM unnest({stateNames}) AS st(state) CROSS JOIN LATERAL (
                        SELECT x.*, x.xmin FROM alerts x
                        WHERE x.state = st.state AND x.subject_id = ANY({subjectIds})
                          AND ({kindNames}::text[] IS NULL OR x.kind = ANY({kindNames}))
                          AND ({newerThan}::timestamptz IS NULL OR x.raised_at >= {newerThan})
                          AND ({olderThan}::timestamptz IS NULL OR x.raised_at < {olderThan})
                        ORDER BY x.raised_at LIMIT {reach}) a
                    """).AsNoTracking().OrderBy(a => a.RaisedAt).ThenBy(a => a.Id),
                (false, true) => db.Alerts.FromSql($"""
                    SELECT a.* FROM unnest({subjectIds}) AS scope(id) CROSS JOIN LATERAL (
                        SELECT x.*, x.xmin FROM alerts x
                        WHERE x.subject_id = scope.id
                          AND ({kindNames}::text[] IS NULL OR x.kind = ANY({kindNames}))
                          AND ({stateNames}::text[] IS NULL OR x.state = ANY({stateNames}))
                          AND ({newerThan}::timestamptz IS NULL OR x.raised_at >= {newerThan})
                          AND ({olderThan}::timestamptz IS NULL OR x.raised_at < {olderThan})
                        ORDER BY x.raised_at DESC, x.id DESC LIMIT {reach}) a
                    """).AsNoTracking().OrderByDescending(a => a.RaisedAt).ThenByDescending(a => a.Id),
                (false, false) => db.Alerts.FromSql($"""
                    SELECT a.* FROM unnest({subjectIds}) AS scope(id) CROSS JOIN LATERAL (
                        SELECT x.*, x.xmin FROM alerts x
                        WHERE x.subject_id = scope.id
                          AND ({kindNames}::text[] IS NULL OR x.kind = ANY({kindNames}))
                          AND ({stateNames}::text[] IS NULL OR x.state = ANY({stateNames}))
                          AND ({newerThan}::timestamptz IS NULL OR x.raised_at >= {newerThan})
                          AND ({olderThan}::timestamptz IS NULL OR x.raised_at < {olderThan})
                        ORDER BY x.raised_at, x.id LIMIT {reach}) a
                    """).AsNoTracking().OrderBy(a => a.RaisedAt).ThenBy(a => a.Id),
            };
        }
        else
        {
            var all = Filter(db.Alerts.AsNoTracking().Where(a => subjects.Select(s => s.Id).Contains(a.SubjectId)));
            page = (query.Sort, query.Descending) switch
            {
                (AlertSort.Kind, false) => all.OrderBy(a => a.Kind).ThenByDescending(a => a.RaisedAt),
                (AlertSort.Kind, true) => all.OrderByDescending(a => a.Kind).ThenByDescending(a => a.RaisedAt),
                (AlertSort.State, false) => all.OrderBy(a => a.State).ThenByDescending(a => a.RaisedAt),
                (AlertSort.State, true) => all.OrderByDescending(a => a.State).ThenByDescending(a => a.RaisedAt),
                (AlertSort.Occurrences, false) => all.OrderBy(a => a.Occurrences).ThenByDescending(a => a.RaisedAt),
                (AlertSort.Occurrences, true) => all.OrderByDescending(a => a.Occurrences).ThenByDescending(a => a.RaisedAt),
                (_, false) => all.OrderBy(a => db.Subjects.Where(s => s.Id == a.SubjectId).Select(s => s.FamilyName).First()).ThenByDescending(a => a.RaisedAt),
                (_, true) => all.OrderByDescending(a => db.Subjects.Where(s => s.Id == a.SubjectId).Select(s => s.FamilyName).First()).ThenByDescending(a => a.RaisedAt),
            };
        }

        var items = await (from a in page.Skip(skip).Take(pageSize)
                           join s in db.Subjects on a.SubjectId equals s.Id
                           join o in db.Staff on s.OfficerId equals o.Id
                           select new Item(a.Id, s.Id, s.GivenName + " " + s.FamilyName, s.CaseReference, o.Id, o.DisplayName,
                               a.Kind, a.State, a.RaisedAt, a.LastOccurredAt, a.Occurrences, a.Summary, a.DismissReason,
                               a.ReasonableExcuse, a.BreachId, a.Version,
                               db.Breaches.Where(b => b.Id == a.BreachId).Select(b => b.Number).FirstOrDefault(),
                               db.Breaches.Where(b => b.Id == a.BreachId).Select(b => (BreachState?)b.State).FirstOrDefault()))
            .ToListAsync(ct);
        // The join keeps the page's order in practice but SQL does not promise it: sort again in memory.
        items = Reorder(items, query);

        var total = items.Count < pageSize && (skip == 0 || items.Count > 0)
            ? skip + items.Count
            : await Filter(db.Alerts.AsNoTracking().Where(a => subjects.Select(s => s.Id).Contains(a.SubjectId)))
                .Take(CountCap + 1).CountAsync(ct);
        return new Result(items, total);
    }

    /// <summary>The officers whose caseloads the user sees, for the officer filter.</summary>
    public async Task<IReadOnlyList<Officer>> OfficersAsync(CurrentUser user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var officerIds = Scope.Subjects(db, user).Select(s => s.OfficerId).Distinct();
        return await db.Staff.AsNoTracking().Where(s => officerIds.Contains(s.Id)).OrderBy(s => s.DisplayName)
            .Select(s => new Officer(s.Id, s.DisplayName)).ToListAsync(ct);
    }

    public static (DateTimeOffset? NewerThan, DateTimeOffset? OlderThan) Window(AlertAge age, DateTimeOffset now) => age switch
    {
        AlertAge.LastHour => (now.AddHours(-1), null),
        AlertAge.Last24Hours => (now.AddHours(-24), null),
        AlertAge.Last7Days => (now.AddDays(-7), null),
        AlertAge.OlderThan24Hours => (null, now.AddHours(-24)),
        AlertAge.OlderThan7Days => (null, now.AddDays(-7)),
        _ => (null, null),
    };

    public static string Describe(AlertAge age) => age switch
    {
        AlertAge.LastHour => "Last hour",
        AlertAge.Last24Hours => "Last 24 hours",
        AlertAge.Last7Days => "Last 7 days",
        AlertAge.OlderThan24Hours => "Older than 24 hours",
        AlertAge.OlderThan7Days => "Older than 7 days",
        _ => "Any age",
    };

    private static List<Item> Reorder(List<Item> items, Query query)
    {
        if (query.Sort != AlertSort.RaisedAt)
        {
            return items;
        }

        return query.Descending
            ? [.. items.OrderByDescending(i => i.RaisedAt).ThenByDescending(i => i.Id)]
            : [.. items.OrderBy(i => i.RaisedAt).ThenBy(i => i.Id)];
    }
}
