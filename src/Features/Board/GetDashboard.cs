using Dashboard.Data;
using Dashboard.Domain;
using Dashboard.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Dashboard.Features.Board;

/// <summary>What a cell of the day's grid shows: a check-in's outcome, or where its prompt stands.</summary>
public enum CellOutcome
{
    Verified,
    /// <summary>Borderline, then a reviewer decided it was the same person.</summary>
    VerifiedByReview,
    Borderline,
    Failed,
    Missed,
    Pending,
}

/// <summary>
/// The dashboard's first paint, from the database: the user's caseload against today's prompts, the
/// latest outcomes, and today's counters. Live messages then keep it current.
/// </summary>
public sealed class GetDashboard(IDbContextFactory<DashboardDb> dbFactory, TimeProvider clock, IOptions<BoardOptions> options)
{
    public const int MaxPromptsPerDay = 5;
    public const int FeedSize = 50;
    private static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

    public sealed record Cell(Guid? PromptId, Guid? CheckInId, CellOutcome Outcome, DateTimeOffset At, DateTimeOffset WindowEndsAt);

    public sealed record Row(Guid SubjectId, string CaseReference, string Name, IReadOnlyList<Cell> Cells, int OpenAlerts);

    public sealed record FeedItem(Guid CheckInId, Guid SubjectId, string CaseReference, string Name, CheckInOutcome Outcome,
        DateTimeOffset CapturedAt, DateTimeOffset ReceivedAt, double MatchScore, double LivenessScore);

    public sealed record Counters(int Verified, int BorderlineAwaitingReview, int Failed, int Missed, int OpenAlerts);

    /// <summary>The grid holds the first <see cref="BoardOptions.GridSize"/> people of <paramref name="People"/>; feed and counters cover them all.</summary>
    public sealed record Result(DateOnly Day, IReadOnlyList<Row> Rows, IReadOnlyList<FeedItem> Feed, Counters Counters, DateTimeOffset AsOf, int People);

    /// <summary>How the feed names a person.</summary>
    public sealed record Person(string CaseReference, string Name);

    public static (DateTimeOffset Start, DateTimeOffset End, DateOnly Day) Today(DateTimeOffset now)
    {
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, London).DateTime);
        var start = TimeZoneInfo.ConvertTimeToUtc(day.ToDateTime(TimeOnly.MinValue), London);
        var end = TimeZoneInfo.ConvertTimeToUtc(day.AddDays(1).ToDateTime(TimeOnly.MinValue), London);
        return (new DateTimeOffset(start, TimeSpan.Zero), new DateTimeOffset(end, TimeSpan.Zero), day);
    }

    public async Task<Result> HandleAsync(CurrentUser user, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var (start, end, day) = Today(now);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var subjects = Scope.Subjects(db, user).AsNoTracking();

        var people = await subjects.OrderBy(s => s.CaseReference)
            .Select(s => new { s.Id, s.CaseReference, Name = s.GivenName + " " + s.FamilyName })
            .Take(options.Value.GridSize)
            .ToListAsync(ct);
        var everyone = people.Count < options.Value.GridSize ? people.Count : await subjects.CountAsync(ct);
        var ids = people.Select(p => p.Id).ToList();

        var prompts = await db.Prompts.AsNoTracking()
            .Where(p => ids.Contains(p.SubjectId) && p.DueAt >= start && p.DueAt < end && p.Status != PromptStatus.Cancelled)
            .Select(p => new
            {
                p.Id,
                p.SubjectId,
                p.DueAt,
                p.WindowEndsAt,
                p.Status,
                CheckIn = db.CheckIns.Where(c => c.Id == p.CheckInId).Select(c => new
                {
                    c.Id,
                    c.Outcome,
                    c.CapturedAt,
                    Decision = db.Reviews.Where(r => r.CheckInId == c.Id).Select(r => r.Decision).FirstOrDefault(),
                }).FirstOrDefault(),
            })
            .ToListAsync(ct);

        var openAlerts = await db.Alerts.AsNoTracking()
            .Where(a => ids.Contains(a.SubjectId) && a.State == AlertState.Open)
            .GroupBy(a => a.SubjectId)
            .Select(g => new { SubjectId = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.SubjectId, g => g.Count, ct);

        var byPerson = prompts.ToLookup(p => p.SubjectId);
        var rows = people.Select(p => new Row(
            p.Id,
            p.CaseReference,
            p.Name,
            byPerson[p.Id].OrderBy(x => x.DueAt).Take(MaxPromptsPerDay)
                .Select(x => x.CheckIn is { } c
                    ? new Cell(x.Id, c.Id, ToCell(c.Outcome, c.Decision), c.CapturedAt, x.WindowEndsAt)
                    : new Cell(x.Id, null, x.Status == PromptStatus.Missed || x.WindowEndsAt < now ? CellOutcome.Missed : CellOutcome.Pending, x.DueAt, x.WindowEndsAt))
                .ToList(),
            openAlerts.GetValueOrDefault(p.Id))).ToList();

        var feed = await FeedAsync(db, subjects, start, null, ct);
        var counters = await CountersAsync(db, subjects, start, end, now, ct);
        return new Result(day, rows, feed, counters, now, everyone);
    }

    /// <summary>The check-ins received since a moment, for a page catching up after a reconnect.</summary>
    public async Task<IReadOnlyList<FeedItem>> SinceAsync(CurrentUser user, DateTimeOffset receivedAfter, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var (start, _, _) = Today(clock.GetUtcNow());
        return await FeedAsync(db, Scope.Subjects(db, user).AsNoTracking(), start, receivedAfter, ct);
    }

    /// <summary>The name the feed shows for a person of the user's scope outside the grid; null outside the scope.</summary>
    public async Task<Person?> PersonAsync(CurrentUser user, Guid subjectId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await Scope.Subjects(db, user).AsNoTracking().Where(s => s.Id == subjectId)
            .Select(s => new Person(s.CaseReference, s.GivenName + " " + s.FamilyName))
            .FirstOrDefaultAsync(ct);
    }

    public async Task<Counters> CountersAsync(CurrentUser user, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var (start, end, _) = Today(now);
        return await CountersAsync(db, Scope.Subjects(db, user).AsNoTracking(), start, end, now, ct);
    }

    /// <summary>A borderline check-in shows its review's decision once there is one.</summary>
    public static CellOutcome ToCell(CheckInOutcome outcome, ReviewDecision? decision) => (outcome, decision) switch
    {
        (CheckInOutcome.Borderline, ReviewDecision.SamePersonNoConcern or ReviewDecision.SamePersonWithConcern) => CellOutcome.VerifiedByReview,
        (CheckInOutcome.Borderline, ReviewDecision.NotSamePerson) => CellOutcome.Failed,
        _ => ToCell(outcome),
    };

    public static CellOutcome ToCell(CheckInOutcome outcome) => outcome switch
    {
        CheckInOutcome.Verified => CellOutcome.Verified,
        CheckInOutcome.Borderline => CellOutcome.Borderline,
        CheckInOutcome.Failed => CellOutcome.Failed,
        _ => CellOutcome.Missed,
    };

    private static async Task<IReadOnlyList<FeedItem>> FeedAsync(DashboardDb db, IQueryable<Data.Entities.Subject> subjects,
        DateTimeOffset start, DateTimeOffset? receivedAfter, CancellationToken ct)
    {
        var query = from c in db.CheckIns.AsNoTracking()
                    join s in subjects on c.SubjectId equals s.Id
                    where c.CapturedAt >= start && !c.Synthetic
                    select new { c, s };
        if (receivedAfter is { } after)
        {
            query = query.Where(x => x.c.ReceivedAt > after);
        }

        return await query.OrderByDescending(x => x.c.ReceivedAt).Take(FeedSize)
            .Select(x => new FeedItem(x.c.Id, x.s.Id, x.s.CaseReference, x.s.GivenName + " " + x.s.FamilyName, x.c.Outcome,
                x.c.CapturedAt, x.c.ReceivedAt, x.c.MatchScore, x.c.LivenessScore))
            .ToListAsync(ct);
    }

    private static async Task<Counters> CountersAsync(DashboardDb db, IQueryable<Data.Entities.Subject> subjects,
        DateTimeOffset start, DateTimeOffset end, DateTimeOffset now, CancellationToken ct)
    {
        var ids = subjects.Select(s => s.Id);
        var outcomes = await db.CheckIns.AsNoTracking()
            .Where(c => ids.Contains(c.SubjectId) && c.CapturedAt >= start && c.CapturedAt < end && !c.Synthetic)
            .GroupBy(c => c.Outcome)
            .Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        var awaitingReview = await db.Reviews.AsNoTracking().CountAsync(r => ids.Contains(r.SubjectId) && r.Decision == null, ct);
        var missed = await db.Prompts.AsNoTracking().CountAsync(p => ids.Contains(p.SubjectId) && p.DueAt >= start && p.DueAt < end
            && (p.Status == PromptStatus.Missed || (p.Status == PromptStatus.Pending && p.WindowEndsAt < now)), ct);
        var openAlerts = await db.Alerts.AsNoTracking().CountAsync(a => ids.Contains(a.SubjectId) && a.State == AlertState.Open, ct);
        return new Counters(outcomes.GetValueOrDefault(CheckInOutcome.Verified), awaitingReview,
            outcomes.GetValueOrDefault(CheckInOutcome.Failed), missed, openAlerts);
    }
}

/// <summary>Section <c>Board</c>.</summary>
public sealed class BoardOptions
{
    /// <summary>How many people the day's grid lists (by case reference); the feed and counters cover the whole scope.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 5000)]
    public int GridSize { get; set; } = 500;
}
