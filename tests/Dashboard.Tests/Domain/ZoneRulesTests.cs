using Dashboard.Domain;

namespace Dashboard.Tests.Domain;

public class ZoneRulesTests
{
    private static readonly LatLon Centre = new(51.5074, -0.1278);
    private static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");
    private static readonly ZoneSettings Settings = new(ConfirmFixes: 2, MarginM: null, Gap: TimeSpan.FromMinutes(5), London);
    private static readonly ZoneShape Circle200 = new(Geo.Circle(Centre, 200));
    private static readonly ZoneRule Exclusion = new(ZoneKind.Exclusion, Circle200, null, null);
    private static readonly ZoneRule Curfew = new(ZoneKind.Inclusion, Circle200, new TimeOnly(19, 0), new TimeOnly(7, 0));

    // 27 Nov is GMT: London time equals UTC.
    private static readonly DateTimeOffset Noon = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    private static LatLon At(double metresFromCentre) => Geo.Offset(Centre, metresFromCentre, 90);

    private static (ZonePresenceState State, List<ZoneStep> Steps) Walk(ZoneRule zone, ZonePresenceState state, params (DateTimeOffset At, double Metres, double Accuracy)[] fixes)
    {
        var steps = new List<ZoneStep>();
        foreach (var (at, metres, accuracy) in fixes)
        {
            var step = ZoneRules.Step(state, zone, at, At(metres), accuracy, Settings);
            steps.Add(step);
            state = step.State;
        }

        return (state, steps);
    }

    private static ZonePresenceState Outside => new(false, Noon.AddHours(-1), null, 0, null, Noon.AddMinutes(-1), false);

    [Fact]
    public void Jitter_on_the_boundary_raises_nothing()
    {
        // Every fix's accuracy circle straddles the boundary (200 m), on either side of it.
        var fixes = Enumerable.Range(0, 40).Select(i => (Noon.AddSeconds(30 * i), i % 2 == 0 ? 190.0 : 210.0, 15.0)).ToArray();

        var (state, steps) = Walk(Exclusion, Outside, fixes);

        Assert.DoesNotContain(steps, s => s.Change == ZoneChange.ViolationStarted);
        Assert.False(state.Inside);
    }

    [Fact]
    public void A_single_clear_fix_inside_is_not_yet_a_crossing()
    {
        var (state, steps) = Walk(Exclusion, Outside, (Noon, 50, 10));

        Assert.Equal(ZoneChange.None, steps[0].Change);
        Assert.False(state.Inside);
        Assert.True(state.Candidate);
    }

    [Fact]
    public void Entering_an_exclusion_zone_starts_one_episode_from_the_first_fix_inside()
    {
        var (state, steps) = Walk(Exclusion, Outside,
            (Noon, 50, 10), (Noon.AddSeconds(30), 40, 10), (Noon.AddSeconds(60), 30, 10), (Noon.AddSeconds(90), 60, 10));

        Assert.Single(steps, s => s.Change == ZoneChange.ViolationStarted);
        Assert.Equal(Noon, steps[1].ViolationSince);
        Assert.True(state.Inside);
        Assert.True(state.EpisodeOpen);
    }

    [Fact]
    public void Leaving_the_exclusion_zone_ends_the_episode_and_coming_back_starts_another()
    {
        var (state, steps) = Walk(Exclusion, Outside,
            (Noon, 50, 10), (Noon.AddSeconds(30), 40, 10),
            (Noon.AddSeconds(60), 400, 10), (Noon.AddSeconds(90), 450, 10),
            (Noon.AddSeconds(120), 30, 10), (Noon.AddSeconds(150), 20, 10));

        Assert.Equal([ZoneChange.None, ZoneChange.ViolationStarted, ZoneChange.None, ZoneChange.ViolationEnded, ZoneChange.None, ZoneChange.ViolationStarted],
            steps.Select(s => s.Change));
        Assert.Equal(Noon.AddSeconds(120), steps[5].ViolationSince);
        Assert.True(state.EpisodeOpen);
    }

    [Fact]
    public void A_fix_straddling_the_boundary_breaks_a_run_of_evidence()
    {
        var (state, steps) = Walk(Exclusion, Outside, (Noon, 50, 10), (Noon.AddSeconds(30), 195, 20), (Noon.AddSeconds(60), 50, 10));

        Assert.All(steps, s => Assert.Equal(ZoneChange.None, s.Change));
        Assert.False(state.Inside);
    }

    [Fact]
    public void A_gap_in_the_fixes_does_not_invent_a_crossing()
    {
        // One fix inside, then ten minutes of silence, then one fix inside: not two consecutive fixes.
        var (state, steps) = Walk(Exclusion, Outside, (Noon, 50, 10), (Noon.AddMinutes(10), 50, 10));

        Assert.All(steps, s => Assert.Equal(ZoneChange.None, s.Change));
        Assert.False(state.Inside);
        Assert.Equal(1, state.CandidateCount);
    }

    [Fact]
    public void A_fix_older_than_the_last_processed_one_is_ignored()
    {
        var (_, steps) = Walk(Exclusion, Outside, (Noon.AddMinutes(-2), 50, 10), (Noon.AddMinutes(-1), 50, 10));

        Assert.All(steps, s => Assert.Equal(ZoneChange.Ignored, s.Change));
    }

    [Fact]
    public void Outside_the_home_zone_in_the_day_is_no_violation_and_the_curfew_start_begins_the_episode()
    {
        var evening = new DateTimeOffset(2026, 11, 27, 18, 58, 0, TimeSpan.Zero);
        var state = new ZonePresenceState(false, evening.AddHours(-3), null, 0, null, evening.AddMinutes(-1), false);

        var (after, steps) = Walk(Curfew, state, (evening, 900, 10), (evening.AddMinutes(1), 900, 10), (evening.AddMinutes(2), 900, 10), (evening.AddMinutes(3), 900, 10));

        Assert.Equal([ZoneChange.None, ZoneChange.None, ZoneChange.ViolationStarted, ZoneChange.None], steps.Select(s => s.Change));
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 19, 0, 0, TimeSpan.Zero), steps[2].ViolationSince);
        Assert.True(after.EpisodeOpen);
    }

    [Fact]
    public void Leaving_home_after_midnight_in_curfew_is_a_violation_and_the_curfew_end_closes_it()
    {
        var night = new DateTimeOffset(2026, 11, 28, 2, 0, 0, TimeSpan.Zero);
        var home = new ZonePresenceState(true, night.AddHours(-6), null, 0, null, night.AddMinutes(-1), false);

        var (_, steps) = Walk(Curfew, home, (night, 900, 10), (night.AddMinutes(1), 900, 10));
        var morning = new DateTimeOffset(2026, 11, 28, 7, 0, 0, TimeSpan.Zero);
        var (_, later) = Walk(Curfew, steps[^1].State with { LastFixAt = morning.AddMinutes(-2) }, (morning.AddMinutes(-1), 900, 10), (morning, 900, 10));

        Assert.Equal(ZoneChange.ViolationStarted, steps[1].Change);
        Assert.Equal(night, steps[1].ViolationSince);
        Assert.Equal([ZoneChange.None, ZoneChange.ViolationEnded], later.Select(s => s.Change));
    }

    [Theory]
    [InlineData(18, 59, false)]
    [InlineData(19, 0, true)]
    [InlineData(23, 59, true)]
    [InlineData(0, 0, true)]
    [InlineData(6, 59, true)]
    [InlineData(7, 0, false)]
    [InlineData(12, 0, false)]
    public void Curfew_hours_span_midnight_in_london_time(int hour, int minute, bool expected)
    {
        // In June London is an hour ahead of UTC.
        var local = new DateTime(2026, 6, 15, hour, minute, 0, DateTimeKind.Unspecified);
        var at = new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(local, London), TimeSpan.Zero);

        Assert.Equal(expected, ZoneRules.InCurfew(new TimeOnly(19, 0), new TimeOnly(7, 0), at, London));
    }

    [Fact]
    public void Signed_distance_is_positive_inside_and_negative_outside_in_metres()
    {
        Assert.InRange(Circle200.SignedDistanceM(At(150)), 48, 52);
        Assert.InRange(Circle200.SignedDistanceM(At(260)), -62, -58);
    }

    [Fact]
    public void An_episode_carried_over_a_restarted_watch_ends_only_once_fresh_fixes_confirm_the_side()
    {
        // The zone's outline was changed during an episode: no side known, the episode still open.
        var restarted = new ZonePresenceState(null, null, null, 0, null, Noon.AddMinutes(-1), true);

        var (inside, stay) = Walk(Exclusion, restarted, (Noon, 50, 10), (Noon.AddSeconds(30), 50, 10));
        var (outside, leave) = Walk(Exclusion, restarted, (Noon, 500, 10), (Noon.AddSeconds(30), 500, 10));

        Assert.All(stay, s => Assert.Equal(ZoneChange.None, s.Change));
        Assert.True(inside.EpisodeOpen);
        Assert.Equal(ZoneChange.None, leave[0].Change);
        Assert.Equal(ZoneChange.ViolationEnded, leave[1].Change);
        Assert.False(outside.EpisodeOpen);
    }
}
