using Dashboard.Domain;

namespace Dashboard.Tests.Domain;

public class EarliestWakingTests
{
    private static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

    [Theory]
    [InlineData("2026-11-27T14:30:00Z", "2026-11-27T14:30:00Z")] // afternoon: now
    [InlineData("2026-11-27T22:10:00Z", "2026-11-28T08:00:00Z")] // late evening: tomorrow morning
    [InlineData("2026-11-28T03:00:00Z", "2026-11-28T08:00:00Z")] // small hours: this morning
    [InlineData("2026-11-27T21:00:00Z", "2026-11-28T08:00:00Z")] // the window's end is outside it
    [InlineData("2026-07-01T06:30:00Z", "2026-07-01T07:00:00Z")] // summer time: 08:00 London is 07:00 UTC
    public void A_prompt_asked_for_at_night_waits_for_the_start_of_waking_hours(string asked, string expected)
    {
        var due = PromptSchedule.EarliestWaking(DateTimeOffset.Parse(asked, System.Globalization.CultureInfo.InvariantCulture), new ScheduleOptions());

        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), due);
    }

    [Theory]
    [InlineData(8, 21)]
    [InlineData(7, 23)]
    [InlineData(10, 12)]
    public void Every_moment_of_a_year_with_both_clock_changes_maps_into_the_window_and_never_earlier(int start, int end)
    {
        var options = new ScheduleOptions { WakingStart = new(start, 0), WakingEnd = new(end, 0), PromptsPerDay = 1, MinimumGapMinutes = 60 };
        for (var at = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero); at.Year == 2026; at = at.AddMinutes(47))
        {
            var due = PromptSchedule.EarliestWaking(at, options);

            var local = TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(due, London).DateTime);
            Assert.True(due >= at, $"{at:O} -> {due:O}");
            Assert.True(local >= options.WakingStart && local < options.WakingEnd, $"{at:O} -> {due:O} reads {local}");
            Assert.True(due - at < TimeSpan.FromHours(24 - (end - start) + 1), $"{at:O} -> {due:O} waits too long");
        }
    }
}
