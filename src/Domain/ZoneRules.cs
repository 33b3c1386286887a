namespace Dashboard.Domain;

/// <summary>A zone's boundary in a local flat projection: signed distance of a position to it, in metres.</summary>
public sealed class ZoneShape
{
    private readonly double _lat0;
    private readonly double _lon0;
    private readonly double _cosLat0;
    private readonly (double X, double Y)[] _ring;

    /// <param name="ring">The polygon's outer ring (closed or not), WGS 84.</param>
    public ZoneShape(IReadOnlyList<LatLon> ring)
    {
        ArgumentNullException.ThrowIfNull(ring);
        if (ring.Count < 3)
        {
            throw new ArgumentException("A zone needs at least three corners.", nameof(ring));
        }

        _lat0 = ring.Average(p => p.Lat);
        _lon0 = ring.Average(p => p.Lon);
        _cosLat0 = Math.Cos(_lat0 * Math.PI / 180);
        _ring = [.. ring.Select(Project)];
    }

    /// <summary>Metres from the boundary: positive inside, negative outside (good to centimetres over a city).</summary>
    public double SignedDistanceM(LatLon position)
    {
        var (x, y) = Project(position);
        var inside = false;
        var best = double.MaxValue;
        for (int i = 0, j = _ring.Length - 1; i < _ring.Length; j = i++)
        {
            var (xi, yi) = _ring[i];
            var (xj, yj) = _ring[j];
            if ((yi > y) != (yj > y) && x < ((xj - xi) * (y - yi) / (yj - yi)) + xi)
            {
                inside = !inside;
            }

            best = Math.Min(best, SegmentDistance(x, y, xj, yj, xi, yi));
        }

        return inside ? best : -best;
    }

    private (double X, double Y) Project(LatLon p) =>
        ((p.Lon - _lon0) * _cosLat0 * Math.PI / 180 * Geo.EarthRadiusM, (p.Lat - _lat0) * Math.PI / 180 * Geo.EarthRadiusM);

    private static double SegmentDistance(double px, double py, double ax, double ay, double bx, double by)
    {
        var dx = bx - ax;
        var dy = by - ay;
        var lengthSquared = (dx * dx) + (dy * dy);
        var t = lengthSquared == 0 ? 0 : Math.Clamp((((px - ax) * dx) + ((py - ay) * dy)) / lengthSquared, 0, 1);
        var cx = ax + (t * dx) - px;
        var cy = ay + (t * dy) - py;
        return Math.Sqrt((cx * cx) + (cy * cy));
    }
}

/// <summary>Hysteresis settings of the zone rules.</summary>
/// <param name="ConfirmFixes">Consecutive fixes on the new side before a crossing counts.</param>
/// <param name="MarginM">Metres clear of the boundary a fix must be to count; null: the fix's own accuracy.</param>
/// <param name="Gap">A silence longer than this breaks a run of evidence.</param>
/// <param name="TimeZone">The local time of curfew hours.</param>
public sealed record ZoneSettings(int ConfirmFixes, double? MarginM, TimeSpan Gap, TimeZoneInfo TimeZone);

/// <summary>A zone as the rules see it: its kind, its shape and (inclusion zones) its curfew hours, local time.</summary>
public sealed record ZoneRule(ZoneKind Kind, ZoneShape Shape, TimeOnly? CurfewStart, TimeOnly? CurfewEnd);

/// <summary>
/// Where a person is with respect to one zone, as far as the evidence goes. <see cref="Inside"/> is the
/// confirmed side (null until first confirmed); <see cref="Candidate"/> the side a run of recent fixes
/// points to; <see cref="EpisodeOpen"/> whether a violation episode is running.
/// </summary>
public readonly record struct ZonePresenceState(
    bool? Inside,
    DateTimeOffset? Since,
    bool? Candidate,
    int CandidateCount,
    DateTimeOffset? CandidateSince,
    DateTimeOffset? LastFixAt,
    bool EpisodeOpen);

public enum ZoneChange
{
    None,
    /// <summary>The fix is not newer than the last one processed for the zone: a retried or late batch.</summary>
    Ignored,
    ViolationStarted,
    ViolationEnded,
}

/// <summary>What one fix did: the new state, and whether a violation episode started (and when) or ended.</summary>
public readonly record struct ZoneStep(ZonePresenceState State, ZoneChange Change, DateTimeOffset? ViolationSince);

/// <summary>
/// The zone rules: <c>ExclusionZoneEntered</c> while confirmed inside an exclusion zone,
/// <c>InclusionZoneLeft</c> while confirmed outside an inclusion zone during its curfew hours. A change
/// of side counts only after it held for several consecutive fixes each clear of the boundary by a margin,
/// so jitter on the boundary raises nothing, and a gap in the fixes restarts the count instead of
/// inventing a crossing.
/// </summary>
public static class ZoneRules
{
    public static ZoneStep Step(ZonePresenceState state, ZoneRule zone, DateTimeOffset at, LatLon position, double accuracyM, ZoneSettings settings)
    {
        ArgumentNullException.ThrowIfNull(zone);
        ArgumentNullException.ThrowIfNull(settings);
        if (state.LastFixAt is { } last && at <= last)
        {
            return new ZoneStep(state, ZoneChange.Ignored, null);
        }

        if (state.LastFixAt is { } previous && at - previous > settings.Gap)
        {
            state = state with { Candidate = null, CandidateCount = 0, CandidateSince = null };
        }

        var evidence = Evidence(zone.Shape.SignedDistanceM(position), settings.MarginM ?? Math.Max(0, accuracyM));
        if (evidence is null || evidence == state.Inside)
        {
            state = state with { Candidate = null, CandidateCount = 0, CandidateSince = null };
        }
        else if (evidence == state.Candidate)
        {
            state = state with { CandidateCount = state.CandidateCount + 1 };
        }
        else
        {
            state = state with { Candidate = evidence, CandidateCount = 1, CandidateSince = at };
        }

        if (state.Candidate is { } side && state.CandidateCount >= settings.ConfirmFixes)
        {
            state = state with { Inside = side, Since = state.CandidateSince, Candidate = null, CandidateCount = 0, CandidateSince = null };
        }

        state = state with { LastFixAt = at };
        var violating = IsViolation(zone, state.Inside, at, settings.TimeZone);
        if (violating && !state.EpisodeOpen)
        {
            var since = state.Since ?? at;
            if (zone.Kind == ZoneKind.Inclusion && CurfewStartedAt(zone, at, settings.TimeZone) is { } curfewStart && curfewStart > since)
            {
                since = curfewStart;
            }

            return new ZoneStep(state with { EpisodeOpen = true }, ZoneChange.ViolationStarted, since);
        }

        // An episode ends on a confirmed side only: after a zone's outline was changed its watch restarts with no
        // side known, and an episode running then goes on until fresh fixes confirm where the person is.
        return !violating && state.EpisodeOpen && state.Inside is not null
            ? new ZoneStep(state with { EpisodeOpen = false }, ZoneChange.ViolationEnded, null)
            : new ZoneStep(state, ZoneChange.None, null);
    }

    /// <summary>Whether a confirmed side breaks the zone's rule at a moment.</summary>
    public static bool IsViolation(ZoneRule zone, bool? inside, DateTimeOffset at, TimeZoneInfo timeZone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        return zone.Kind switch
        {
            ZoneKind.Exclusion => inside == true,
            ZoneKind.Inclusion => inside == false && InCurfew(zone.CurfewStart, zone.CurfewEnd, at, timeZone),
            _ => false,
        };
    }

    /// <summary>
    /// Whether a moment falls in curfew hours (local time, start inclusive, end exclusive; a curfew may span
    /// midnight). Without hours the zone applies all day.
    /// </summary>
    public static bool InCurfew(TimeOnly? start, TimeOnly? end, DateTimeOffset at, TimeZoneInfo timeZone)
    {
        if (start is not { } s || end is not { } e)
        {
            return true;
        }

        var local = TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, timeZone).DateTime);
        return s <= e ? local >= s && local < e : local >= s || local < e;
    }

    /// <summary>When the curfew period holding <paramref name="at"/> began (UTC), or null without hours or outside them.</summary>
    public static DateTimeOffset? CurfewStartedAt(ZoneRule zone, DateTimeOffset at, TimeZoneInfo timeZone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        ArgumentNullException.ThrowIfNull(timeZone);
        if (zone.CurfewStart is not { } start || !InCurfew(zone.CurfewStart, zone.CurfewEnd, at, timeZone))
        {
            return null;
        }

        var local = TimeZoneInfo.ConvertTime(at, timeZone).DateTime;
        var begin = DateOnly.FromDateTime(local).ToDateTime(start);
        if (begin > local)
        {
            begin = begin.AddDays(-1);
        }

        var utc = timeZone.IsInvalidTime(begin) ? begin.AddHours(1) : begin;
        return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(utc, DateTimeKind.Unspecified), timeZone), TimeSpan.Zero);
    }

    private static bool? Evidence(double signedDistanceM, double marginM) =>
        signedDistanceM > 0 && signedDistanceM >= marginM ? true
        : signedDistanceM < 0 && -signedDistanceM >= marginM ? false
        : null;
}
