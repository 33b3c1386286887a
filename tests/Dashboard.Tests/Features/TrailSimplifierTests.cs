using Dashboard.Features.Trails;

namespace Dashboard.Tests.Features;

public class TrailSimplifierTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A wandering walk through London, one fix every <paramref name="seconds"/>.</summary>
    private static List<TrailFix> Walk(int count, int seconds = 5, int seed = 1)
    {
        var random = new Random(seed);
        var fixes = new List<TrailFix>(count);
        double lat = 51.5, lon = -0.12, heading = 0;
        for (var i = 0; i < count; i++)
        {
            heading += (random.NextDouble() - 0.5) * 0.6;
            lat += Math.Cos(heading) * 0.00004;
            lon += Math.Sin(heading) * 0.00006;
            fixes.Add(new TrailFix(Start.AddSeconds(i * seconds), lat, lon, 5 + (random.NextDouble() * 200)));
        }

        return fixes;
    }

    [Fact]
    public void A_gap_of_more_than_five_minutes_splits_the_trail_and_a_gap_of_five_minutes_does_not()
    {
        var fixes = new List<TrailFix>
        {
            new(Start, 51.5, -0.1, 5),
            new(Start.AddMinutes(5), 51.5, -0.1, 5),
            new(Start.AddMinutes(10).AddSeconds(1), 51.6, -0.2, 5),
            new(Start.AddMinutes(11), 51.6, -0.2, 5),
        };

        var segments = TrailSimplifier.SplitAtGaps(fixes, TimeSpan.FromMinutes(5));

        Assert.Equal([(0, 1), (2, 3)], segments);
    }

    [Fact]
    public void A_week_of_five_second_fixes_is_cut_to_the_cap_and_keeps_the_required_points_and_segment_ends()
    {
        var fixes = Walk(120_960);
        // Two hours without fixes on day 3.
        fixes.RemoveRange(50_000, 1_440);
        var segments = TrailSimplifier.SplitAtGaps(fixes, TimeSpan.FromMinutes(5));
        var required = new HashSet<int> { 7, 12_345, 49_999, 50_000, 99_998, 100_001 };

        var kept = TrailSimplifier.Simplify(fixes, segments, required, 5_000, 0, out var tolerance);

        Assert.Equal(2, segments.Count);
        Assert.True(kept.Length <= 5_000, $"{kept.Length} vertices");
        Assert.True(kept.Length >= 4_900, $"{kept.Length} vertices: the budget should be used");
        Assert.Subset(kept.ToHashSet(), required);
        foreach (var (start, end) in segments)
        {
            Assert.Contains(start, kept);
            Assert.Contains(end, kept);
        }

        Assert.Equal(kept.Order().ToArray(), kept);
        Assert.True(tolerance > 0);
    }

    [Fact]
    public void A_trail_under_the_cap_is_sent_whole()
    {
        var fixes = Walk(1_000);

        var kept = TrailSimplifier.Simplify(fixes, TrailSimplifier.SplitAtGaps(fixes, TimeSpan.FromMinutes(5)), new HashSet<int>(), 5_000, 0, out var tolerance);

        Assert.Equal(1_000, kept.Length);
        Assert.Equal(0, tolerance);
    }

    [Fact]
    public void A_straight_line_keeps_only_its_ends_and_the_corner()
    {
        var fixes = new List<TrailFix>();
        for (var i = 0; i <= 100; i++)
        {
            fixes.Add(new TrailFix(Start.AddSeconds(i * 5), 51.5 + (i * 0.0001), -0.1, 5));
        }

        for (var i = 1; i <= 100; i++)
        {
            fixes.Add(new TrailFix(Start.AddSeconds((100 + i) * 5), 51.51, -0.1 + (i * 0.0001), 5));
        }

        var kept = TrailSimplifier.Simplify(fixes, TrailSimplifier.SplitAtGaps(fixes, TimeSpan.FromMinutes(5)), new HashSet<int>(), 5_000, minToleranceM: 1, out _);

        Assert.Equal([0, 100, 200], kept);
    }

    [Fact]
    public void Required_points_are_kept_even_on_a_straight_line()
    {
        var fixes = Enumerable.Range(0, 500).Select(i => new TrailFix(Start.AddSeconds(i * 5), 51.5 + (i * 0.0001), -0.1, 5)).ToList();

        var kept = TrailSimplifier.Simplify(fixes, TrailSimplifier.SplitAtGaps(fixes, TimeSpan.FromMinutes(5)), new HashSet<int> { 123, 321 }, 10, 0, out _);

        Assert.Equal([0, 123, 321, 499], kept);
    }

    [Theory]
    [InlineData(5.0, "GPS")]
    [InlineData(100.0, "GPS")]
    [InlineData(100.5, "network estimate")]
    public void The_fix_source_is_gps_up_to_100_metres_of_accuracy(double accuracy, string source) =>
        Assert.Equal(source, GetTrail.SourceOf(accuracy));
}
