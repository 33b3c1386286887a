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
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
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
    /// chord it splits), no more than <paramref name="cap"/> in all unless the required ones alone exceed
    /// it. <paramref name="toleranceM"/>: every point left out lies at most this far from the drawn line.
    /// </summary>
    /// <remarks>
    /// Iterative and best-first: the chord whose farthest point is farthest is split next, so the work stops
    /// once the budget is spent (about n log(cap) distance checks instead of a full ranking and sort).
    /// Distances are compared squared, in local metres. The loops are compiled optimized from the first call:
    /// left to tiered compilation, a freshly started instance ran them instrumented, at a third of the speed,
    /// for its first hundred or so trails.
    /// </remarks>
    public static int[] Simplify(
        IReadOnlyList<TrailFix> fixes, IReadOnlyList<(int Start, int End)> segments, ISet<int> required, int cap, double minToleranceM, out double toleranceM)
    {
        ArgumentNullException.ThrowIfNull(fixes);
        ArgumentNullException.ThrowIfNull(segments);
        ArgumentNullException.ThrowIfNull(required);
        toleranceM = 0;
        var count = fixes.Count;
        if (count <= cap && minToleranceM <= 0)
        {
            return Enumerable.Range(0, count).ToArray();
        }

        // Local metres (equirectangular about the mean latitude): exact enough for a city-sized trail.
        var latSum = 0.0;
        for (var i = 0; i < count; i++)
        {
            latSum += fixes[i].Lat;
        }

        const double metresPerDegree = Math.PI / 180 * Dashboard.Domain.Geo.EarthRadiusM;
        var xScale = metresPerDegree * Math.Cos(latSum / Math.Max(1, count) * Math.PI / 180);
        // Pooled: for a week these are 2 MB a request, which would otherwise bring on full collections.
        var xs = System.Buffers.ArrayPool<double>.Shared.Rent(count);
        var ys = System.Buffers.ArrayPool<double>.Shared.Rent(count);
        var keep = System.Buffers.ArrayPool<bool>.Shared.Rent(count);
        try
        {
            return Simplify(fixes, segments, required, cap, minToleranceM, xScale, metresPerDegree, xs, ys, keep.AsSpan(0, count), out toleranceM);
        }
        finally
        {
            System.Buffers.ArrayPool<double>.Shared.Return(xs);
            System.Buffers.ArrayPool<double>.Shared.Return(ys);
            System.Buffers.ArrayPool<bool>.Shared.Return(keep);
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static int[] Simplify(
        IReadOnlyList<TrailFix> fixes, IReadOnlyList<(int Start, int End)> segments, ISet<int> required, int cap, double minToleranceM,
        double xScale, double metresPerDegree, double[] xs, double[] ys, Span<bool> keep, out double toleranceM)
    {
        var count = fixes.Count;
        keep.Clear();
        for (var i = 0; i < count; i++)
        {
            var f = fixes[i];
            xs[i] = f.Lon * xScale;
            ys[i] = f.Lat * metresPerDegree;
        }

        var mandatoryCount = 0;
        foreach (var (start, end) in segments)
        {
            mandatoryCount += Mark(keep, start) + Mark(keep, end);
        }

        foreach (var r in required)
        {
            if (r >= 0 && r < count)
            {
                mandatoryCount += Mark(keep, r);
            }
        }

        var budget = Math.Max(0, cap - mandatoryCount);
        // Below a micrometre a distance is rounding, not a turn.
        var minSquared = Math.Max(minToleranceM * minToleranceM, 1e-12);
        toleranceM = minToleranceM;

        // Chords still to split, farthest first (a max-heap on the squared distance of their farthest point).
        var queue = new PriorityQueue<(int From, int To, int Farthest, double Squared), double>();
        void Push(int from, int to)
        {
            if (to - from < 2)
            {
                return;
            }

            var (farthest, squared) = Farthest(xs, ys, from, to);
            if (squared > minSquared)
            {
                queue.Enqueue((from, to, farthest, squared), -squared);
            }
        }

        foreach (var (start, end) in segments)
        {
            Push(start, end);
        }

        var added = 0;
        while (queue.TryDequeue(out var chord, out _))
        {
            if (!keep[chord.Farthest])
            {
                if (added == budget)
                {
                    // Out of budget: this chord's farthest point is the farthest any point left out lies from the line.
                    toleranceM = Math.Max(minToleranceM, Math.Sqrt(chord.Squared));
                    break;
                }

                keep[chord.Farthest] = true;
                added++;
            }

            Push(chord.From, chord.Farthest);
            Push(chord.Farthest, chord.To);
        }

        var kept = new int[mandatoryCount + added];
        var k = 0;
        for (var i = 0; i < count; i++)
        {
            if (keep[i])
            {
                kept[k++] = i;
            }
        }

        return kept;
    }

    /// <summary>Keeps point <paramref name="i"/>: 1 when it was not kept yet.</summary>
    private static int Mark(Span<bool> keep, int i)
    {
        if (keep[i])
        {
            return 0;
        }

        keep[i] = true;
        return 1;
    }

    /// <summary>The interior point farthest from the chord between <paramref name="from"/> and <paramref name="to"/>, and its squared distance.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static (int Index, double Squared) Farthest(double[] xs, double[] ys, int from, int to)
    {
        double ax = xs[from], ay = ys[from];
        var dx = xs[to] - ax;
        var dy = ys[to] - ay;
        var lengthSquared = (dx * dx) + (dy * dy);
        var inverse = lengthSquared == 0 ? 0 : 1 / lengthSquared;
        var best = from + 1;
        var bestSquared = -1.0;
        for (var i = from + 1; i < to; i++)
        {
            var px = xs[i] - ax;
            var py = ys[i] - ay;
            var t = ((px * dx) + (py * dy)) * inverse;
            t = t < 0 ? 0 : (t > 1 ? 1 : t);
            var ex = px - (t * dx);
            var ey = py - (t * dy);
            var squared = (ex * ex) + (ey * ey);
            if (squared > bestSquared)
            {
                bestSquared = squared;
                best = i;
            }
        }

        return (best, bestSquared);
    }
}
