using Dashboard.Features.Trails;

namespace Dashboard.Tests.Trails;

/// <summary>What the thinned trail promises the officer: nothing left out strays further from the drawn line than the stated tolerance.</summary>
public class TrailThinningTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);

    private static List<TrailFix> Walk(int count, int seed)
    {
        var random = new Random(seed);
        var fixes = new List<TrailFix>(count);
        double lat = 51.5, lon = -0.12, heading = 0;
        for (var i = 0; i < count; i++)
        {
            heading += (random.NextDouble() - 0.5) * 0.8;
            lat += Math.Cos(heading) * 0.00004;
            lon += Math.Sin(heading) * 0.00006;
            fixes.Add(new TrailFix(Start.AddSeconds(i * 5), lat, lon, 8));
        }

        return fixes;
    }

    [Theory]
    [InlineData(20_000, 1_000, 0.0)]
    [InlineData(20_000, 5_000, 0.0)]
    [InlineData(5_000, 5_000, 15.0)]
    public void Every_point_left_out_lies_within_the_tolerance_of_the_drawn_line(int count, int cap, double minToleranceM)
    {
        var fixes = Walk(count, seed: count + cap);
        var segments = TrailSimplifier.SplitAtGaps(fixes, TimeSpan.FromMinutes(5));

        var kept = TrailSimplifier.Simplify(fixes, segments, new HashSet<int>(), cap, minToleranceM, out var tolerance);

        Assert.True(kept.Length <= cap);
        Assert.True(tolerance >= minToleranceM);
        var metresPerDegree = Math.PI / 180 * Dashboard.Domain.Geo.EarthRadiusM;
        var xScale = metresPerDegree * Math.Cos(fixes.Average(f => f.Lat) * Math.PI / 180);
        for (var k = 1; k < kept.Length; k++)
        {
            var (a, b) = (fixes[kept[k - 1]], fixes[kept[k]]);
            for (var i = kept[k - 1] + 1; i < kept[k]; i++)
            {
                var d = DistanceToChord(fixes[i], a, b, xScale, metresPerDegree);
                Assert.True(d <= tolerance + 1e-6, $"point {i} is {d:0.00} m from the line, tolerance {tolerance:0.00} m");
            }
        }
    }

    [Fact]
    public void A_trail_thinned_to_its_cap_states_a_tolerance_and_keeps_the_sharpest_turn()
    {
        // A straight walk east with one excursion 300 m north in the middle.
        var fixes = Enumerable.Range(0, 2_001)
            .Select(i => new TrailFix(Start.AddSeconds(i * 5), 51.5 + (i is > 990 and < 1010 ? 0.0027 * (1 - (Math.Abs(i - 1000) / 10.0)) : 0), -0.2 + (i * 0.00005), 8))
            .ToList();

        var kept = TrailSimplifier.Simplify(fixes, TrailSimplifier.SplitAtGaps(fixes, TimeSpan.FromMinutes(5)), new HashSet<int>(), 3, 0, out var tolerance);

        Assert.Equal([0, 1000, 2000], kept);
        Assert.InRange(tolerance, 200, 400);
    }

    private static double DistanceToChord(TrailFix p, TrailFix a, TrailFix b, double xScale, double yScale)
    {
        double px = p.Lon * xScale, py = p.Lat * yScale, ax = a.Lon * xScale, ay = a.Lat * yScale, bx = b.Lon * xScale, by = b.Lat * yScale;
        double dx = bx - ax, dy = by - ay;
        var lengthSquared = (dx * dx) + (dy * dy);
        var t = lengthSquared == 0 ? 0 : Math.Clamp((((px - ax) * dx) + ((py - ay) * dy)) / lengthSquared, 0, 1);
        return Math.Sqrt(Math.Pow(px - (ax + (t * dx)), 2) + Math.Pow(py - (ay + (t * dy)), 2));
    }
}
