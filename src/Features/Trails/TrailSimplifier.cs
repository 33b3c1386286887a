namespace Dashboard.Features.Trails;

/// <summary>A raw fix as the simplifier sees it: time, position, and whether it must be kept.</summary>
public readonly record struct TrailFix(DateTimeOffset At, double Lat, double Lon, double AccuracyM);

/// <summary>
/// Splits a trail at gaps in reporting and thins it with Douglas-Peucker so the browser never gets more
/// than a cap of vertices, while the points that explain events (nearest to check-ins, alerts, zone
/// crossings) and every segment's ends are always kept.
/// </summary>
public static class TrailSimplifier
{
    /// <summary>Index ranges [Start, End] (inclusive) of the runs of fixes with no gap longer than <paramref name="gap"/>.</summary>
    public static List<(int Start, int End)> SplitAtGaps(IReadOnlyList<TrailFix> fixes, TimeSpan gap)
    {
        ArgumentNullException.ThrowIfNull(fixes);
        var segments = new List<(int, int)>();
        if (fixes.Count == 0)
        {
            return segments;
        }

        var start = 0;
        for (var i = 1; i < fixes.Count; i++)
        {
            if (fixes[i].At - fixes[i - 1].At > gap)
            {
                segments.Add((start, i - 1));
                start = i;
            }
        }

        segments.Add((start, fixes.Count - 1));
        return segments;
    }

    /// <summary>
    /// The indices to keep, ascending: all of them when they fit under <paramref name="cap"/> and
    /// <paramref name="minToleranceM"/> is 0; otherwise the required ones, each segment's ends, and the
    /// most significant of the rest by Douglas-Peucker (a point's significance is its distance from the
    /// chord it was split from), no more than <paramref name="cap"/> in all unless the required ones alone
    /// exceed it. <paramref name="toleranceM"/> is the distance below which points were dropped.
    /// </summary>
    public static int[] Simplify(
        IReadOnlyList<TrailFix> fixes, IReadOnlyList<(int Start, int End)> segments, ISet<int> required, int cap, double minToleranceM, out double toleranceM)
    {
        ArgumentNullException.ThrowIfNull(fixes);
        ArgumentNullException.ThrowIfNull(segments);
        ArgumentNullException.ThrowIfNull(required);
        toleranceM = 0;
        if (fixes.Count <= cap && minToleranceM <= 0)
        {
            return Enumerable.Range(0, fixes.Count).ToArray();
        }

        // Local metres (equirectangular about the mean latitude): exact enough for a city-sized trail.
        var lat0 = fixes.Average(f => f.Lat) * Math.PI / 180;
        const double metresPerDegree = Math.PI / 180 * Dashboard.Domain.Geo.EarthRadiusM;
        var xs = new double[fixes.Count];
        var ys = new double[fixes.Count];
        for (var i = 0; i < fixes.Count; i++)
        {
            xs[i] = fixes[i].Lon * metresPerDegree * Math.Cos(lat0);
            ys[i] = fixes[i].Lat * metresPerDegree;
        }

        var significance = new double[fixes.Count];
        var mandatory = new bool[fixes.Count];
        foreach (var (start, end) in segments)
        {
            mandatory[start] = true;
            mandatory[end] = true;
        }

        foreach (var r in required)
        {
            if (r >= 0 && r < fixes.Count)
            {
                mandatory[r] = true;
            }
        }

        foreach (var (start, end) in segments)
        {
            Rank(xs, ys, start, end, significance);
        }

        var mandatoryCount = mandatory.Count(m => m);
        var budget = Math.Max(0, cap - mandatoryCount);
        var candidates = new List<(double Significance, int Index)>();
        for (var i = 0; i < fixes.Count; i++)
        {
            if (!mandatory[i] && significance[i] > minToleranceM)
            {
                candidates.Add((significance[i], i));
            }
        }

        toleranceM = minToleranceM;
        if (candidates.Count > budget)
        {
            candidates.Sort((a, b) => b.Significance.CompareTo(a.Significance));
            toleranceM = Math.Max(minToleranceM, budget > 0 ? candidates[budget - 1].Significance : candidates[0].Significance);
            candidates.RemoveRange(budget, candidates.Count - budget);
        }

        foreach (var (_, index) in candidates)
        {
            mandatory[index] = true;
        }

        var kept = new List<int>(Math.Min(cap, fixes.Count));
        for (var i = 0; i < fixes.Count; i++)
        {
            if (mandatory[i])
            {
                kept.Add(i);
            }
        }

        return kept.ToArray();
    }

    /// <summary>
    /// Douglas-Peucker without a tolerance: each interior point gets the distance at which it splits its
    /// chord, capped by its parent's so that keeping the top k by significance is the k-point DP result.
    /// </summary>
    private static void Rank(double[] xs, double[] ys, int start, int end, double[] significance)
    {
        var stack = new Stack<(int From, int To, double Ceiling)>();
        stack.Push((start, end, double.MaxValue));
        while (stack.Count > 0)
        {
            var (from, to, ceiling) = stack.Pop();
            if (to - from < 2)
            {
                continue;
            }

            var best = -1;
            var bestDistance = -1.0;
            for (var i = from + 1; i < to; i++)
            {
                var d = Distance(xs[i], ys[i], xs[from], ys[from], xs[to], ys[to]);
                if (d > bestDistance)
                {
                    bestDistance = d;
                    best = i;
                }
            }

            var value = Math.Min(bestDistance, ceiling);
            significance[best] = value;
            stack.Push((from, best, value));
            stack.Push((best, to, value));
        }
    }

    private static double Distance(double px, double py, double ax, double ay, double bx, double by)
    {
        var dx = bx - ax;
        var dy = by - ay;
        var lengthSquared = (dx * dx) + (dy * dy);
        if (lengthSquared == 0)
        {
            return Math.Sqrt(((px - ax) * (px - ax)) + ((py - ay) * (py - ay)));
        }

        var t = Math.Clamp((((px - ax) * dx) + ((py - ay) * dy)) / lengthSquared, 0, 1);
        var cx = ax + (t * dx);
        var cy = ay + (t * dy);
        return Math.Sqrt(((px - cx) * (px - cx)) + ((py - cy) * (py - cy)));
    }
}
