using Dashboard.Data;
using Dashboard.Domain;
using Dashboard.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Dashboard.Features.Oversight;

/// <summary>
/// What monitoring asks of one person over the last 30 days: prompts per day, prompts outside the waking
/// hours, how fast they answered, and the faults of their device. Null when outside the user's scope.
/// </summary>
public sealed class GetCheckInBurden(IDbContextFactory<DashboardDb> dbFactory, IOptions<ScheduleOptions> schedule, TimeProvider clock)
{
    public const int Days = 30;

    /// <summary>Upper bounds (minutes) of the response-time bands; the last band is "later".</summary>
    public static readonly int[] ResponseBands = [2, 5, 10, 15];

    /// <summary>Device events that are faults (power on and charging are not).</summary>
    public static readonly DeviceEventKind[] Faults =
        [DeviceEventKind.StrapTamper, DeviceEventKind.LowBattery, DeviceEventKind.NoGpsFix, DeviceEventKind.SignalLost, DeviceEventKind.PowerOff];

    public sealed record Day(DateOnly Date, int Prompts, int Answered, int Missed, int OutsideWindow, int Reprompts);

    public sealed record Band(string Label, int Count);

    public sealed record Fault(DeviceEventKind Kind, int Count);

    public sealed record Result(
        DateOnly FirstDay,
        DateOnly LastDay,
        TimeOnly WakingStart,
        TimeOnly WakingEnd,
        IReadOnlyList<Day> PerDay,
        IReadOnlyList<Band> ResponseTimes,
        int Unanswered,
        TimeSpan? MedianResponse,
        IReadOnlyList<Fault> DeviceFaults)
    {
        public int Prompts => PerDay.Sum(d => d.Prompts);
        public int OutsideWindow => PerDay.Sum(d => d.OutsideWindow);
    }

    public async Task<Result?> HandleAsync(Guid subjectId, CurrentUser user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        var options = schedule.Value;
        var zone = TimeZoneInfo.FindSystemTimeZoneById(options.TimeZone);
        var now = clock.GetUtcNow();
        var lastDay = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
        var firstDay = lastDay.AddDays(-(Days - 1));
        var from = new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(firstDay.ToDateTime(TimeOnly.MinValue), zone), TimeSpan.Zero);

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!await Scope.SubjectIds(db, user).AnyAsync(id => id == subjectId, ct))
        {
            return null;
        }

        // Prompts still in their response window are neither answered nor missed yet: they count as prompts only.
        var prompts = await db.Prompts.AsNoTracking()
            .Where(p => p.SubjectId == subjectId && p.DueAt >= from && p.DueAt <= now && p.Status != PromptStatus.Cancelled)
            .Select(p => new
            {
                p.DueAt,
                p.WindowEndsAt,
                p.Status,
                p.Origin,
                CapturedAt = db.CheckIns.Where(c => c.Id == p.CheckInId && !c.Synthetic).Select(c => (DateTimeOffset?)c.CapturedAt).FirstOrDefault(),
            })
            .ToListAsync(ct);
        var faults = await db.DeviceEvents.AsNoTracking()
            .Where(e => e.SubjectId == subjectId && e.At >= from && e.At <= now && Faults.Contains(e.Kind))
            .GroupBy(e => e.Kind)
            .Select(g => new { Kind = g.Key, Count = g.Count() })
            .ToListAsync(ct);

        var byDay = prompts
            .Select(p => new { p, Local = TimeZoneInfo.ConvertTime(p.DueAt, zone).DateTime })
            .GroupBy(x => DateOnly.FromDateTime(x.Local))
            .ToDictionary(g => g.Key, g => new Day(
                g.Key,
                g.Count(),
                g.Count(x => x.p.CapturedAt is not null),
                g.Count(x => x.p.CapturedAt is null && (x.p.Status == PromptStatus.Missed || x.p.WindowEndsAt < now)),
                g.Count(x => !InWindow(TimeOnly.FromDateTime(x.Local), options)),
                g.Count(x => x.p.Origin == PromptOrigin.Reprompt)));
        var perDay = Enumerable.Range(0, Days).Select(i => firstDay.AddDays(i))
            .Select(d => byDay.GetValueOrDefault(d) ?? new Day(d, 0, 0, 0, 0, 0))
            .ToList();

        var responses = prompts.Where(p => p.CapturedAt is not null)
            .Select(p => Math.Max(0, (p.CapturedAt!.Value - p.DueAt).TotalMinutes))
            .Order()
            .ToList();

        return new Result(firstDay, lastDay, options.WakingStart, options.WakingEnd, perDay, Bands(responses),
            perDay.Sum(d => d.Missed), Median(responses),
            [.. Faults.Select(k => new Fault(k, faults.FirstOrDefault(f => f.Kind == k)?.Count ?? 0))]);
    }

    /// <summary>A local clock time inside the waking hours: from the start (inclusive) to the end (exclusive).</summary>
    public static bool InWindow(TimeOnly local, ScheduleOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return local >= options.WakingStart && local < options.WakingEnd;
    }

    private static List<Band> Bands(List<double> minutes)
    {
        var bands = new List<Band>();
        var lower = 0;
        foreach (var upper in ResponseBands)
        {
            bands.Add(new Band(lower == 0 ? $"Under {upper} min" : $"{lower} to {upper} min", minutes.Count(m => m >= lower && m < upper)));
            lower = upper;
        }

        bands.Add(new Band($"{lower} min or later", minutes.Count(m => m >= lower)));
        return bands;
    }

    private static TimeSpan? Median(List<double> sorted) =>
        sorted.Count == 0 ? null : TimeSpan.FromMinutes(sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2);
}
