using System.ComponentModel.DataAnnotations;
using Dashboard.Domain;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Dashboard.Tests.Domain;

public class PromptScheduleTests
{
    private static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");
    private static readonly Guid Subject = Guid.Parse("5b0f6c1e-2d7a-4c39-9a51-0e8f4d2b7c63");
    private static readonly Guid OtherSubject = Guid.Parse("c2e9a4d7-81b3-4f06-b5e2-7a3d9c1f0b48");
    private static readonly DateOnly SpringForward = new(2026, 3, 29);
    private static readonly DateOnly FallBack = new(2026, 10, 25);

    [Fact]
    public void Five_prompts_a_day_fall_inside_london_waking_hours_in_order_on_whole_minutes_at_least_the_gap_apart()
    {
        var options = new ScheduleOptions();

        // A year of days covers both clock changes and every weekday.
        for (var day = new DateOnly(2026, 1, 1); day.Year == 2026; day = day.AddDays(1))
        {
            var prompts = PromptSchedule.ForDay(Subject, day, options);

            Assert.Equal(5, prompts.Count);
            AssertWithinWindow(prompts, day, options, London);
            AssertApart(prompts, options.MinimumGapMinutes);
        }
    }

    [Fact]
    public void The_same_subject_and_day_always_get_the_same_times()
    {
        var options = new ScheduleOptions();

        var first = PromptSchedule.ForDay(Subject, new DateOnly(2026, 6, 1), options);
        var again = PromptSchedule.ForDay(Subject, new DateOnly(2026, 6, 1), new ScheduleOptions());

        Assert.Equal(first, again);
    }

    [Fact]
    public void Another_subject_or_another_day_gets_different_times()
    {
        var options = new ScheduleOptions();
        var day = new DateOnly(2026, 6, 1);

        var subjectsDay = PromptSchedule.ForDay(Subject, day, options);
        var otherSubject = PromptSchedule.ForDay(OtherSubject, day, options);
        var nextDay = PromptSchedule.ForDay(Subject, day.AddDays(1), options).Select(p => p.AddDays(-1));

        Assert.NotEqual(subjectsDay, otherSubject);
        Assert.NotEqual(subjectsDay, nextDay);
    }

    [Fact]
    public void Another_seed_gets_different_times()
    {
        var day = new DateOnly(2026, 6, 1);

        Assert.NotEqual(
            PromptSchedule.ForDay(Subject, day, new ScheduleOptions()),
            PromptSchedule.ForDay(Subject, day, new ScheduleOptions { Seed = 7 }));
    }

    [Fact]
    public void Prompts_are_spread_over_the_day_rather_than_bunched()
    {
        var options = new ScheduleOptions();
        var day = new DateOnly(2026, 6, 1);

        // 780 waking minutes less four hour-long gaps leave 539 spare, shared out in fifths: the
        // first prompt comes within 107 minutes of waking, the last no earlier than 19:11.
        for (var i = 0; i < 200; i++)
        {
            var local = PromptSchedule.ForDay(Guid.NewGuid(), day, options)
                .Select(p => TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(p, London).DateTime))
                .ToList();

            Assert.True(local[0] < new TimeOnly(9, 48), $"first prompt at {local[0]}");
            Assert.True(local[4] >= new TimeOnly(19, 11), $"last prompt at {local[4]}");
        }
    }

    [Theory]
    [InlineData(2026, 3, 29, 0, 30, 3, 30)]
    [InlineData(2026, 3, 29, 8, 0, 21, 0)]
    [InlineData(2026, 10, 25, 0, 30, 3, 30)]
    [InlineData(2026, 10, 25, 8, 0, 21, 0)]
    public void On_clock_change_days_no_prompt_falls_on_a_skipped_time_or_outside_the_window(
        int year, int month, int dayOfMonth, int startHour, int startMinute, int endHour, int endMinute)
    {
        var day = new DateOnly(year, month, dayOfMonth);
        var options = new ScheduleOptions
        {
            WakingStart = new TimeOnly(startHour, startMinute),
            WakingEnd = new TimeOnly(endHour, endMinute),
            MinimumGapMinutes = 20,
        };

        for (var i = 0; i < 300; i++)
        {
            var prompts = PromptSchedule.ForDay(Guid.NewGuid(), day, options);

            // 00:30–03:30 is only two real hours on the spring day, still room for five prompts 20 minutes apart.
            Assert.Equal(5, prompts.Count);
            AssertWithinWindow(prompts, day, options, London);
            AssertApart(prompts, options.MinimumGapMinutes);
        }
    }

    [Fact]
    public void A_window_the_spring_clock_change_shortens_holds_only_the_prompts_that_fit()
    {
        // 00:30 GMT to 03:30 BST is 120 real minutes: three prompts 40 minutes apart fit, five do not.
        var options = new ScheduleOptions
        {
            WakingStart = new TimeOnly(0, 30),
            WakingEnd = new TimeOnly(3, 30),
            MinimumGapMinutes = 40,
        };

        var prompts = PromptSchedule.ForDay(Subject, SpringForward, options);

        Assert.Equal(3, prompts.Count);
        Assert.All(prompts, p => Assert.InRange(p, Utc(2026, 3, 29, 0, 30), Utc(2026, 3, 29, 2, 29)));
        AssertApart(prompts, options.MinimumGapMinutes);
    }

    [Fact]
    public void A_window_opening_in_the_skipped_spring_hour_opens_when_the_clocks_jump()
    {
        // 01:30 never happens on 29 March: the window opens at 02:00 BST (01:00 UTC), an hour before 03:00 BST.
        var options = new ScheduleOptions
        {
            PromptsPerDay = 3,
            WakingStart = new TimeOnly(1, 30),
            WakingEnd = new TimeOnly(3, 0),
            MinimumGapMinutes = 25,
        };

        var prompts = PromptSchedule.ForDay(Subject, SpringForward, options);

        Assert.Equal(3, prompts.Count);
        Assert.All(prompts, p => Assert.InRange(p, Utc(2026, 3, 29, 1, 0), Utc(2026, 3, 29, 1, 59)));
    }

    [Fact]
    public void A_window_closing_in_the_skipped_spring_hour_closes_when_the_clocks_jump()
    {
        var options = new ScheduleOptions
        {
            PromptsPerDay = 3,
            WakingStart = new TimeOnly(0, 0),
            WakingEnd = new TimeOnly(1, 30),
            MinimumGapMinutes = 25,
        };

        for (var i = 0; i < 100; i++)
        {
            var prompts = PromptSchedule.ForDay(Guid.NewGuid(), SpringForward, options);

            // Reading 01:30 as GMT would reach 02:30 BST, past the window's end.
            Assert.Equal(3, prompts.Count);
            Assert.All(prompts, p => Assert.InRange(p, Utc(2026, 3, 29, 0, 0), Utc(2026, 3, 29, 0, 59)));
        }
    }

    [Fact]
    public void A_window_opening_in_the_repeated_autumn_hour_opens_on_its_second_pass()
    {
        // 01:30 comes twice: at 00:30 UTC (BST) and 01:30 UTC (GMT). Opening on the first pass would
        // let a prompt at 01:10 GMT through, before the window's local start.
        var options = new ScheduleOptions
        {
            PromptsPerDay = 3,
            WakingStart = new TimeOnly(1, 30),
            WakingEnd = new TimeOnly(3, 0),
            MinimumGapMinutes = 20,
        };

        for (var i = 0; i < 100; i++)
        {
            var prompts = PromptSchedule.ForDay(Guid.NewGuid(), FallBack, options);

            Assert.Equal(3, prompts.Count);
            Assert.All(prompts, p => Assert.InRange(p, Utc(2026, 10, 25, 1, 30), Utc(2026, 10, 25, 2, 59)));
        }
    }

    [Fact]
    public void A_window_closing_in_the_repeated_autumn_hour_closes_on_its_first_pass()
    {
        var options = new ScheduleOptions
        {
            PromptsPerDay = 3,
            WakingStart = new TimeOnly(0, 0),
            WakingEnd = new TimeOnly(1, 30),
            MinimumGapMinutes = 20,
        };

        for (var i = 0; i < 100; i++)
        {
            var prompts = PromptSchedule.ForDay(Guid.NewGuid(), FallBack, options);

            // 00:00 BST is 23:00 UTC the day before; 01:30 BST is 00:30 UTC.
            Assert.Equal(3, prompts.Count);
            Assert.All(prompts, p => Assert.InRange(p, Utc(2026, 10, 24, 23, 0), Utc(2026, 10, 25, 0, 29)));
        }
    }

    [Fact]
    public void A_window_wholly_inside_the_repeated_autumn_hour_uses_the_first_pass()
    {
        var options = new ScheduleOptions
        {
            PromptsPerDay = 2,
            WakingStart = new TimeOnly(1, 10),
            WakingEnd = new TimeOnly(1, 50),
            MinimumGapMinutes = 10,
        };

        var prompts = PromptSchedule.ForDay(Subject, FallBack, options);

        Assert.Equal(2, prompts.Count);
        Assert.All(prompts, p => Assert.InRange(p, Utc(2026, 10, 25, 0, 10), Utc(2026, 10, 25, 0, 49)));
    }

    [Fact]
    public void Waking_hours_given_to_the_second_still_prompt_on_whole_minutes_inside_them()
    {
        // 08:00:30 to 08:04 holds the whole minutes 08:01, 08:02 and 08:03: exactly three one minute apart.
        var options = new ScheduleOptions
        {
            PromptsPerDay = 3,
            WakingStart = new TimeOnly(8, 0, 30),
            WakingEnd = new TimeOnly(8, 4),
            MinimumGapMinutes = 1,
        };

        Assert.Empty(Validate(options));
        Assert.Equal(
            [Utc(2026, 1, 15, 8, 1), Utc(2026, 1, 15, 8, 2), Utc(2026, 1, 15, 8, 3)],
            PromptSchedule.ForDay(Subject, new DateOnly(2026, 1, 15), options));
    }

    [Fact]
    public void Zero_prompts_a_day_gives_none()
    {
        var prompts = PromptSchedule.ForDay(Subject, new DateOnly(2026, 6, 1), new ScheduleOptions { PromptsPerDay = 0 });

        Assert.Empty(prompts);
    }

    [Fact]
    public void The_default_options_are_valid()
    {
        Assert.Empty(Validate(new ScheduleOptions()));
    }

    [Fact]
    public void Options_are_refused_when_waking_hours_end_before_they_start()
    {
        var errors = Validate(new ScheduleOptions { WakingStart = new TimeOnly(8, 0), WakingEnd = new TimeOnly(7, 0) });

        var error = Assert.Single(errors);
        Assert.Equal("WakingEnd (07:00) must be after WakingStart (08:00).", error.ErrorMessage);
        Assert.Equal(nameof(ScheduleOptions.WakingEnd), Assert.Single(error.MemberNames));
    }

    [Fact]
    public void Options_are_refused_when_the_window_cannot_hold_the_prompts_with_the_gap()
    {
        // Five prompts an hour apart need 08:00, 09:00 … 12:00, and the window ends before 12:00 counts.
        var errors = Validate(new ScheduleOptions { WakingStart = new TimeOnly(8, 0), WakingEnd = new TimeOnly(12, 0) });

        var error = Assert.Single(errors);
        Assert.Equal(
            "WakingStart 08:00 to WakingEnd 12:00 leaves 240 minutes, too few for PromptsPerDay (5) prompts at least MinimumGapMinutes (60) apart, which need 241.",
            error.ErrorMessage);
    }

    [Fact]
    public void Options_are_accepted_when_the_prompts_exactly_fill_the_window()
    {
        Assert.Empty(Validate(new ScheduleOptions { WakingStart = new TimeOnly(8, 0), WakingEnd = new TimeOnly(12, 1) }));
    }

    [Fact]
    public void Options_are_refused_for_an_unknown_time_zone()
    {
        var error = Assert.Single(Validate(new ScheduleOptions { TimeZone = "Europe/Atlantis" }));

        Assert.Equal("TimeZone 'Europe/Atlantis' is not a time zone this server knows.", error.ErrorMessage);
    }

    [Theory]
    [InlineData(6)]
    [InlineData(-1)]
    public void Options_are_refused_for_more_than_five_or_fewer_than_zero_prompts(int prompts)
    {
        var error = Assert.Single(Validate(new ScheduleOptions { PromptsPerDay = prompts }));

        Assert.Equal(nameof(ScheduleOptions.PromptsPerDay), Assert.Single(error.MemberNames));
    }

    private static readonly DateOnly FirstDay = new(2026, 1, 1);
    private static readonly DateOnly LastDay = new(2028, 12, 31);

    /// <summary>London, and zones whose clocks change oddly: Santiago at midnight, Lord Howe by half an hour, Chatham at +12:45.</summary>
    private static readonly string[] Zones = ["Europe/London", "America/Santiago", "Australia/Lord_Howe", "Pacific/Chatham"];

    /// <summary>Clock changes are a handful of days a year: drawing from them half the time makes sure the property meets them.</summary>
    private static readonly Dictionary<string, DateOnly[]> ClockChangeDays = Zones.ToDictionary(
        id => id,
        id => Enumerable.Range(0, LastDay.DayNumber - FirstDay.DayNumber + 1)
            .Select(offset => FirstDay.AddDays(offset))
            .Where(day => ClocksChangeAround(day, TimeZoneInfo.FindSystemTimeZoneById(id)))
            .ToArray());

    /// <summary>Most clocks change in the small hours, so half the window edges are drawn from there.</summary>
    private const int EarlyHours = 4 * 60;

    /// <summary>Valid configurations on any day of 2026–2028, London three times in six.</summary>
    private static readonly Arbitrary<(ScheduleOptions Options, Guid Subject, DateOnly Day)> Cases =
        (from prompts in Gen.Choose(0, 5)
         from gap in Gen.Choose(0, prompts <= 1 ? 600 : Math.Min(600, 1438 / (prompts - 1)))
         let needed = prompts == 0 ? 1 : ((prompts - 1) * Math.Max(gap, 1)) + 1
         from start in Gen.OneOf(Gen.Choose(0, 1439 - needed), Gen.Choose(0, Math.Min(EarlyHours, 1439 - needed)))
         from end in Gen.OneOf(Gen.Choose(start + needed, 1439), Gen.Choose(start + needed, Math.Max(start + needed, EarlyHours)))
         from zone in Gen.Elements(Zones[0], Zones[0], Zones[0], Zones[1], Zones[2], Zones[3])
         from day in Gen.OneOf(
             Gen.Choose(0, LastDay.DayNumber - FirstDay.DayNumber).Select(offset => FirstDay.AddDays(offset)),
             Gen.Elements(ClockChangeDays[zone]))
         from seed in Gen.Choose(int.MinValue, int.MaxValue)
         from a in Gen.Choose(int.MinValue, int.MaxValue)
         from b in Gen.Choose(int.MinValue, int.MaxValue)
         from c in Gen.Choose(int.MinValue, int.MaxValue)
         from d in Gen.Choose(int.MinValue, int.MaxValue)
         select (
             new ScheduleOptions
             {
                 PromptsPerDay = prompts,
                 MinimumGapMinutes = gap,
                 WakingStart = TimeOnly.MinValue.AddMinutes(start),
                 WakingEnd = TimeOnly.MinValue.AddMinutes(end),
                 TimeZone = zone,
                 Seed = seed,
             },
             ToGuid(a, b, c, d),
             day))
        .ToArbitrary();

    [Property(MaxTest = 1000)]
    public Property Any_valid_configuration_never_prompts_outside_the_window_or_closer_than_the_gap() =>
        Prop.ForAll(Cases, c =>
        {
            Assert.Empty(Validate(c.Options));
            var zone = TimeZoneInfo.FindSystemTimeZoneById(c.Options.TimeZone);

            var prompts = PromptSchedule.ForDay(c.Subject, c.Day, c.Options);

            AssertWithinWindow(prompts, c.Day, c.Options, zone);
            AssertApart(prompts, c.Options.MinimumGapMinutes);
            Assert.InRange(prompts.Count, 0, c.Options.PromptsPerDay);
            if (!ClocksChangeAround(c.Day, zone))
            {
                Assert.Equal(c.Options.PromptsPerDay, prompts.Count);
            }
        });

    private static void AssertWithinWindow(IReadOnlyList<DateTimeOffset> prompts, DateOnly day, ScheduleOptions options, TimeZoneInfo zone)
    {
        foreach (var prompt in prompts)
        {
            Assert.Equal(TimeSpan.Zero, prompt.Offset);
            Assert.Equal(0, prompt.Second);
            Assert.Equal(0, prompt.Millisecond);

            var local = TimeZoneInfo.ConvertTime(prompt, zone).DateTime;
            Assert.False(zone.IsInvalidTime(local), $"{prompt:O} reads {local:O}, a time the clocks skip");
            Assert.Equal(day, DateOnly.FromDateTime(local));
            Assert.InRange(TimeOnly.FromDateTime(local), options.WakingStart, options.WakingEnd);
            Assert.NotEqual(options.WakingEnd, TimeOnly.FromDateTime(local));
        }
    }

    private static void AssertApart(IReadOnlyList<DateTimeOffset> prompts, int gapMinutes)
    {
        for (var i = 1; i < prompts.Count; i++)
        {
            var apart = prompts[i] - prompts[i - 1];
            Assert.True(apart >= TimeSpan.FromMinutes(Math.Max(gapMinutes, 1)), $"prompts {i - 1} and {i} are {apart} apart");
        }
    }

    /// <summary>Whether the zone's offset differs anywhere from the day before to the day after.</summary>
    private static bool ClocksChangeAround(DateOnly day, TimeZoneInfo zone)
    {
        var from = DateTime.SpecifyKind(day.AddDays(-1).ToDateTime(TimeOnly.MinValue), DateTimeKind.Utc);
        var offset = zone.GetUtcOffset(from);
        for (var hour = 1; hour <= 72; hour++)
        {
            if (zone.GetUtcOffset(from.AddHours(hour)) != offset)
            {
                return true;
            }
        }

        return false;
    }

    private static List<ValidationResult> Validate(ScheduleOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }

    private static DateTimeOffset Utc(int year, int month, int day, int hour, int minute) =>
        new(year, month, day, hour, minute, 0, TimeSpan.Zero);

    private static Guid ToGuid(int a, int b, int c, int d)
    {
        Span<byte> bytes = stackalloc byte[16];
        BitConverter.TryWriteBytes(bytes, a);
        BitConverter.TryWriteBytes(bytes[4..], b);
        BitConverter.TryWriteBytes(bytes[8..], c);
        BitConverter.TryWriteBytes(bytes[12..], d);
        return new Guid(bytes);
    }
}
