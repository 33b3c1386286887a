using System.Buffers.Binary;
using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace Dashboard.Domain;

/// <summary>
/// The <c>Schedule</c> section: how many photo check-ins a subject's watch asks for each day,
/// and within which local waking hours.
/// </summary>
public sealed class ScheduleOptions : IValidatableObject
{
    public const string Section = "Schedule";

    /// <summary>The watch asks for at most five check-ins a day; zero turns prompting off.</summary>
    [Range(0, 5)]
    public int PromptsPerDay { get; set; } = 5;

    /// <summary>Local clock time of the first moment a prompt may come.</summary>
    public TimeOnly WakingStart { get; set; } = new(8, 0);

    /// <summary>Local clock time by which the last prompt has come (exclusive).</summary>
    public TimeOnly WakingEnd { get; set; } = new(21, 0);

    /// <summary>Least real time between two prompts, so one answer is not asked for twice in a row.</summary>
    [Range(0, 600)]
    public int MinimumGapMinutes { get; set; } = 60;

    /// <summary>
    /// Mixed into every subject's daily schedule. Changing it reshuffles every future prompt, so it
    /// is a deployment setting, not something to rotate casually.
    /// </summary>
    public int Seed { get; set; } = 20261127;

    /// <summary>IANA id of the zone whose clock the waking hours are read on.</summary>
    [Required]
    public string TimeZone { get; set; } = "Europe/London";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (WakingEnd <= WakingStart)
        {
            yield return new ValidationResult(
                Invariant($"WakingEnd ({Format(WakingEnd)}) must be after WakingStart ({Format(WakingStart)})."),
                [nameof(WakingEnd)]);
        }
        else if (PromptsPerDay > 0)
        {
            var available = WindowMinutes(WakingStart, WakingEnd);
            var needed = MinutesNeeded(PromptsPerDay, MinimumGapMinutes);
            if (available < needed)
            {
                yield return new ValidationResult(
                    Invariant($"WakingStart {Format(WakingStart)} to WakingEnd {Format(WakingEnd)} leaves {available} minutes, too few for PromptsPerDay ({PromptsPerDay}) prompts at least MinimumGapMinutes ({MinimumGapMinutes}) apart, which need {needed}."),
                    [nameof(WakingStart), nameof(WakingEnd), nameof(PromptsPerDay), nameof(MinimumGapMinutes)]);
            }
        }

        if (!string.IsNullOrWhiteSpace(TimeZone) && !TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone, out _))
        {
            yield return new ValidationResult(
                Invariant($"TimeZone '{TimeZone}' is not a time zone this server knows."),
                [nameof(TimeZone)]);
        }
    }

    /// <summary>
    /// Whole minutes at which a prompt can start in [start, end): the end is exclusive, so a
    /// 08:00–12:00 window has 240 of them, the last at 11:59.
    /// </summary>
    internal static int WindowMinutes(TimeOnly start, TimeOnly end) =>
        end <= start ? 0 : (int)(CeilingMinutes(end.Ticks) - CeilingMinutes(start.Ticks));

    /// <summary>The first prompt takes one minute; every later one needs the gap after the one before.</summary>
    internal static long MinutesNeeded(int prompts, int gapMinutes) =>
        prompts <= 0 ? 0 : ((prompts - 1L) * PromptSchedule.Step(gapMinutes)) + 1;

    private static long CeilingMinutes(long ticks) => (ticks + TimeSpan.TicksPerMinute - 1) / TimeSpan.TicksPerMinute;

    private static string Format(TimeOnly time) =>
        time.ToString(time.Second == 0 && time.Millisecond == 0 ? "HH:mm" : "HH:mm:ss", CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// When a subject's watch asks for a photo check-in. The schedule is a pure function of the subject,
/// the day and the options, so the dashboard, the watch simulator and any later audit all agree on
/// which prompts were due without storing them.
/// </summary>
public static class PromptSchedule
{
    /// <summary>
    /// The UTC instants of one subject's prompts on one local calendar day: ascending, on whole
    /// minutes, at least <see cref="ScheduleOptions.MinimumGapMinutes"/> of real time apart, and each
    /// read on the local clock between <see cref="ScheduleOptions.WakingStart"/> (inclusive) and
    /// <see cref="ScheduleOptions.WakingEnd"/> (exclusive). There are
    /// <see cref="ScheduleOptions.PromptsPerDay"/> of them unless a clock change shortens the window
    /// in real time below what they need; then there are as many as fit.
    /// </summary>
    /// <remarks>
    /// Clock changes: a window edge the clocks skip (spring forward) becomes the moment they jump.
    /// A window edge the clocks pass twice (fall back) opens at the second pass and closes at the
    /// first, so a repeated hour can never carry a prompt outside the window; only when both edges
    /// lie inside the repeated hour is the first pass used for both.
    /// </remarks>
    public static IReadOnlyList<DateTimeOffset> ForDay(Guid subjectId, DateOnly localDay, ScheduleOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);

        if (options.PromptsPerDay <= 0 || options.WakingEnd <= options.WakingStart)
        {
            return [];
        }

        var zone = TimeZoneInfo.FindSystemTimeZoneById(options.TimeZone);
        var opens = ToUtc(localDay.ToDateTime(options.WakingStart), zone, secondPassIfRepeated: true);
        var closes = ToUtc(localDay.ToDateTime(options.WakingEnd), zone, secondPassIfRepeated: false);
        if (closes <= opens)
        {
            opens = ToUtc(localDay.ToDateTime(options.WakingStart), zone, secondPassIfRepeated: false);
        }

        // Offsets are whole minutes in every zone this serves, so whole UTC minutes are whole local ones too.
        var first = CeilingMinute(opens);
        var available = closes <= first ? 0 : (int)CeilingMinutes(closes.Ticks - first.Ticks);
        if (available == 0)
        {
            return [];
        }

        var step = Step(options.MinimumGapMinutes);
        var count = Math.Min(options.PromptsPerDay, ((available - 1) / step) + 1);

        // Prompt i sits at i * step plus a share of the spare minutes. Drawing each share from its own
        // equal band of the spare minutes keeps the shares ascending (bands meet but never overlap),
        // so neighbours are always at least one step apart, and spreads the prompts over the day
        // instead of letting them bunch up.
        var spare = available - 1 - ((count - 1) * step);
        var random = new SplitMix64(SeedFor(options.Seed, subjectId, localDay));
        var prompts = new DateTimeOffset[count];
        for (var i = 0; i < count; i++)
        {
            var low = (long)i * spare / count;
            var high = (long)(i + 1) * spare / count;
            var share = low + random.NextBelow(high - low + 1);
            prompts[i] = new DateTimeOffset(first.AddTicks(((i * (long)step) + share) * TimeSpan.TicksPerMinute), TimeSpan.Zero);
        }

        return prompts;
    }

    /// <summary>Two prompts in the same minute would be one prompt, so the gap is at least a minute.</summary>
    internal static int Step(int gapMinutes) => Math.Max(gapMinutes, 1);

    private static DateTime ToUtc(DateTime local, TimeZoneInfo zone, bool secondPassIfRepeated)
    {
        if (zone.IsInvalidTime(local))
        {
            // The clocks skip this reading: the edge is the moment they jump, which is the first
            // reading that exists after it. Stepping from the whole minute keeps that moment exact.
            local = new DateTime(local.Ticks - (local.Ticks % TimeSpan.TicksPerMinute), DateTimeKind.Unspecified);
            do
            {
                local = local.AddMinutes(1);
            }
            while (zone.IsInvalidTime(local));
        }

        TimeSpan offset;
        if (zone.IsAmbiguousTime(local))
        {
            // The larger offset is the first pass (summer time still on), the smaller the second.
            var offsets = zone.GetAmbiguousTimeOffsets(local);
            offset = secondPassIfRepeated ? offsets.Min() : offsets.Max();
        }
        else
        {
            offset = zone.GetUtcOffset(local);
        }

        return DateTime.SpecifyKind(local - offset, DateTimeKind.Utc);
    }

    /// <summary>
    /// The earliest moment at or after <paramref name="at"/> inside the waking window: a prompt asked for at
    /// night (a reviewer's request for a fresh check-in) waits for the morning instead of waking the person.
    /// </summary>
    public static DateTimeOffset EarliestWaking(DateTimeOffset at, ScheduleOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(options.TimeZone);
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, zone).DateTime);
        var utc = at.UtcDateTime;
        for (var d = day.AddDays(-1); d <= day.AddDays(1); d = d.AddDays(1))
        {
            var opens = CeilingMinute(ToUtc(d.ToDateTime(options.WakingStart), zone, secondPassIfRepeated: true));
            var closes = ToUtc(d.ToDateTime(options.WakingEnd), zone, secondPassIfRepeated: false);
            if (utc < closes && opens < closes)
            {
                return utc >= opens ? at : new DateTimeOffset(opens);
            }
        }

        return at;
    }

    private static DateTime CeilingMinute(DateTime utc) =>
        new(CeilingMinutes(utc.Ticks) * TimeSpan.TicksPerMinute, DateTimeKind.Utc);

    private static long CeilingMinutes(long ticks) => (ticks + TimeSpan.TicksPerMinute - 1) / TimeSpan.TicksPerMinute;

    /// <summary>
    /// FNV-1a over the seed, the subject and the day. Not string.GetHashCode or HashCode: both are
    /// randomised per process, and the schedule must be the same in every process and every release.
    /// </summary>
    private static ulong SeedFor(int seed, Guid subjectId, DateOnly localDay)
    {
        Span<byte> bytes = stackalloc byte[24];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, seed);
        subjectId.TryWriteBytes(bytes[4..20]);
        BinaryPrimitives.WriteInt32LittleEndian(bytes[20..], localDay.DayNumber);

        var hash = 14695981039346656037UL;
        foreach (var b in bytes)
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return hash;
    }

    /// <summary>
    /// SplitMix64 rather than System.Random: Random's seeded sequence may change between .NET
    /// versions, and an upgrade must not silently move prompts that were already announced.
    /// Schedules need reproducible spread, not secrecy.
    /// </summary>
    private sealed class SplitMix64(ulong state)
    {
        private ulong _state = state;

        public long NextBelow(long bound)
        {
            // Bounds here are at most a day of minutes, so the modulo bias (below 2^-50) is immaterial.
            return (long)(Next() % (ulong)bound);
        }

        private ulong Next()
        {
            var z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }
}
