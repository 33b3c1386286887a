using Dashboard.Domain;

namespace Dashboard.Tests.Oversight;

/// <summary>The replay arithmetic on hand-made cases (defaults: match 0.50/0.80, liveness 0.30/0.70).</summary>
public class ThresholdReplayTests
{
    private static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");
    private static readonly DateTimeOffset From = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset To = new(2026, 7, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly ThresholdValues Stricter = new(AcceptMatch: 0.90, RejectMatch: 0.60, AcceptLiveness: 0.70, RejectLiveness: 0.30);

    private static ReplayItem Item(double match, CheckInOutcome outcome, ReviewDecision? decision = null, string model = "W1", int utcHour = 10, double liveness = 0.9) =>
        new(model, new DateTimeOffset(2026, 6, 10, utcHour, 15, 0, TimeSpan.Zero), match, liveness, outcome, decision);

    private static ReplaySummary Run(ThresholdValues proposed, params ReplayItem[] items) =>
        ThresholdReplay.Summarise(ThresholdReplay.Cells(items, proposed, London), From, To, proposed, To);

    private static long Moved(ReplaySummary s, CheckInOutcome from, CheckInOutcome to) => s.Transitions.Single(t => t.From == from && t.To == to).Count;

    [Fact]
    public void Unchanged_thresholds_move_nothing_and_contradict_nothing()
    {
        var s = Run(ThresholdValues.Of(MatchingPolicy.Default),
            Item(0.95, CheckInOutcome.Verified), Item(0.7, CheckInOutcome.Borderline, ReviewDecision.SamePersonNoConcern), Item(0.3, CheckInOutcome.Failed));

        Assert.Equal(3, s.Total);
        Assert.Equal(0, s.Moved);
        Assert.Equal(0, s.Contradictions.Total);
        Assert.Equal(1, s.Contradictions.Decided);
        Assert.Equal(new long[] { 1, 0, 0, 0, 1, 0, 0, 0, 1 }, s.Transitions.Select(t => t.Count));
    }

    [Fact]
    public void A_stricter_band_moves_verified_to_borderline_and_borderline_to_failed_and_counts_contradicted_same_person_decisions()
    {
        var s = Run(Stricter,
            Item(0.85, CheckInOutcome.Verified),                                         // -> borderline
            Item(0.95, CheckInOutcome.Verified),                                         // stays
            Item(0.55, CheckInOutcome.Borderline, ReviewDecision.SamePersonNoConcern),   // -> failed, contradicts
            Item(0.58, CheckInOutcome.Borderline, ReviewDecision.SamePersonWithConcern), // -> failed, contradicts
            Item(0.57, CheckInOutcome.Borderline, ReviewDecision.CannotTell),            // -> failed, no contradiction
            Item(0.65, CheckInOutcome.Borderline, ReviewDecision.SamePersonNoConcern),   // stays borderline
            Item(0.40, CheckInOutcome.Failed));                                          // stays

        Assert.Equal(7, s.Total);
        Assert.Equal(4, s.Moved);
        Assert.Equal(1, Moved(s, CheckInOutcome.Verified, CheckInOutcome.Borderline));
        Assert.Equal(3, Moved(s, CheckInOutcome.Borderline, CheckInOutcome.Failed));
        Assert.Equal(new ReplayContradictions(4, 2, 0), s.Contradictions);
        Assert.Equal(new ReplayGroup("W1", 7, 4, 4, 0), Assert.Single(s.ByDeviceModel));
    }

    [Fact]
    public void A_more_lenient_band_counts_not_the_same_person_decisions_it_would_verify()
    {
        var lenient = new ThresholdValues(AcceptMatch: 0.70, RejectMatch: 0.40, AcceptLiveness: 0.60, RejectLiveness: 0.20);
        var s = Run(lenient,
            Item(0.75, CheckInOutcome.Borderline, ReviewDecision.NotSamePerson),         // -> verified, contradicts
            Item(0.72, CheckInOutcome.Borderline, ReviewDecision.SamePersonNoConcern),   // -> verified, agrees
            Item(0.45, CheckInOutcome.Failed),                                           // -> borderline
            Item(0.75, CheckInOutcome.Borderline, ReviewDecision.NotSamePerson, liveness: 0.65)); // -> verified (0.65 >= 0.60), contradicts

        Assert.Equal(4, s.Moved);
        Assert.Equal(3, Moved(s, CheckInOutcome.Borderline, CheckInOutcome.Verified));
        Assert.Equal(1, Moved(s, CheckInOutcome.Failed, CheckInOutcome.Borderline));
        Assert.Equal(new ReplayContradictions(3, 0, 2), s.Contradictions);
        Assert.Equal(new ReplayGroup("W1", 4, 4, 0, 4), Assert.Single(s.ByDeviceModel));
    }

    [Fact]
    public void Liveness_alone_can_move_a_check_in()
    {
        var s = Run(Stricter with { RejectLiveness = 0.5 }, Item(0.95, CheckInOutcome.Verified, liveness: 0.45));

        Assert.Equal(1, Moved(s, CheckInOutcome.Verified, CheckInOutcome.Failed));
    }

    [Fact]
    public void A_score_exactly_on_a_threshold_counts_as_the_policy_counts_it()
    {
        // Accept is "at or above", reject is "below": 0.90 verifies, 0.60 stays borderline.
        var s = Run(Stricter, Item(0.90, CheckInOutcome.Verified), Item(0.60, CheckInOutcome.Borderline));

        Assert.Equal(0, s.Moved);
    }

    [Fact]
    public void Missed_check_ins_have_no_scores_and_are_left_out()
    {
        var s = Run(Stricter, Item(0, CheckInOutcome.Missed), Item(0.85, CheckInOutcome.Verified));

        Assert.Equal(1, s.Total);
        Assert.DoesNotContain(s.Transitions, t => t.From == CheckInOutcome.Missed || t.To == CheckInOutcome.Missed);
    }

    [Fact]
    public void Breakdowns_are_by_device_model_and_london_hour_and_add_up_to_the_totals()
    {
        var s = Run(Stricter,
            Item(0.85, CheckInOutcome.Verified, model: "W1", utcHour: 10), // 11:15 summer time
            Item(0.85, CheckInOutcome.Verified, model: "W2", utcHour: 23), // 00:15 the next London day
            Item(0.95, CheckInOutcome.Verified, model: "W2", utcHour: 23),
            Item(0.30, CheckInOutcome.Failed, model: "W2", utcHour: 7));  // 08:15

        Assert.Equal(["W1", "W2"], s.ByDeviceModel.Select(g => g.Key));
        Assert.Equal(new ReplayGroup("W2", 3, 1, 1, 0), s.ByDeviceModel[1]);
        Assert.Equal(24, s.ByHour.Count);
        Assert.Equal(new ReplayGroup("00", 2, 1, 1, 0), s.ByHour[0]);
        Assert.Equal(new ReplayGroup("11", 1, 1, 1, 0), s.ByHour[11]);
        Assert.Equal(new ReplayGroup("08", 1, 0, 0, 0), s.ByHour[8]);
        Assert.Equal(s.Total, s.ByHour.Sum(h => h.Total));
        Assert.Equal(s.Moved, s.ByDeviceModel.Sum(g => g.Moved));
        Assert.Equal(s.Moved, s.Transitions.Where(t => t.From != t.To).Sum(t => t.Count));
    }

    [Fact]
    public void Cells_from_the_database_are_summed_whatever_their_grouping()
    {
        // The query may split a group into several cells; the summary adds them up.
        ReplayCell[] cells =
        [
            new("W1", 9, CheckInOutcome.Verified, CheckInOutcome.Borderline, null, 40),
            new("W1", 9, CheckInOutcome.Verified, CheckInOutcome.Borderline, null, 2),
            new("W1", 9, CheckInOutcome.Borderline, CheckInOutcome.Failed, ReviewDecision.SamePersonNoConcern, 5),
            new("W1", 9, CheckInOutcome.Verified, CheckInOutcome.Verified, null, 953),
        ];

        var s = ThresholdReplay.Summarise(cells, From, To, Stricter, To);

        Assert.Equal(1000, s.Total);
        Assert.Equal(47, s.Moved);
        Assert.Equal(42, Moved(s, CheckInOutcome.Verified, CheckInOutcome.Borderline));
        Assert.Equal(5, s.Contradictions.SamePersonNowFailed);
        Assert.Equal(new ReplayGroup("09", 1000, 47, 47, 0), s.ByHour[9]);
    }
}
