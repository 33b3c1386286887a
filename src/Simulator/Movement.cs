using System.Collections.ObjectModel;
using Dashboard.Domain;

namespace Dashboard.Simulator;

/// <summary>One simulated watch report.</summary>
/// <param name="Position">Where the watch places the wearer; while <paramref name="HasGps"/> is false, the last position it knew.</param>
/// <param name="AccuracyM">The watch's own estimate of its horizontal error, in metres (500 without GPS).</param>
/// <param name="BatteryPct">Battery charge, 0 to 100.</param>
/// <param name="HasGps">False during a spell without a satellite fix.</param>
public readonly record struct SimulatedFix(LatLon Position, double AccuracyM, int BatteryPct, bool HasGps);

/// <summary>
/// A deterministic model of one supervised person's days for the demo simulator: at home overnight,
/// out by day to work, shops or a friend, home before curfew, and about one day in twelve an incident
/// (a walk into the exclusion zone, or a return home after curfew starts). Every fix is a pure function
/// of the constructor inputs and the instant, so restarts, replays and several simulator instances agree
/// without sharing state.
/// </summary>
/// <remarks>
/// Each local day is planned once from (person seed, local date) and the last few plans are cached;
/// <see cref="At"/> then costs two binary searches and a hash, with no allocation. Safe to call from
/// several threads at once.
/// </remarks>
public sealed class Movement
{
    private const long TicksPerSlot = 15 * TimeSpan.TicksPerSecond;
    private const double Tau = 2 * Math.PI;

    // Ordinary days keep this far outside the exclusion radius, so GPS noise never reads as a breach.
    private const double AvoidMarginM = 150;
    private const double WalkingLimitM = 1500;
    private const double MinDwellMinutes = 20;
    private const double MaxDwellMinutes = 300;
    private const double NoGpsAccuracyM = 500;
    private const int IncidentCycleDays = 12;
    private const int LowBatteryOneDayIn = 15;
    private const int GpsGapOneDayIn = 20;
    private const int MaxStops = 6;
    private const int CachedDays = 3;

    // Distinct salts keep the per-day decisions independent of each other and of the noise.
    private const ulong SaltPlaces = 0x504C_4143_4553;
    private const ulong SaltDay = 0x4441_59;
    private const ulong SaltIncident = 0x494E_4349_4445_4E54;
    private const ulong SaltBattery = 0x4241_5454;
    private const ulong SaltGpsGap = 0x4750_5347_4150;
    private const ulong SaltNoise = 0x4E4F_4953_45;

    private const string HomeActivity = "home";
    private const string TravelActivity = "travel";
    private const string InExclusionZone = "exclusion zone";
    private const string LateHomeActivity = "late home";

    // Matches the curfew the demo seeder gives every home zone; used only to label late returns.
    private const double CurfewStartHour = 19;

    private readonly int _personSeed;
    private readonly LatLon _home;
    private readonly TimeZoneInfo _zone;
    private readonly double _metresPerDegreeLat;
    private readonly double _metresPerDegreeLon;
    private readonly Vec _exclusion;
    private readonly double _exclusionRadiusM;
    private readonly double _avoidRadiusM;
    private readonly Vec _homeSpot;
    private readonly Place _work;
    private readonly Place _lunch;
    private readonly Place[] _errands;

    // Replaced whole (never mutated) so concurrent readers need no lock; a lost race only rebuilds a plan.
    private DayPlan[] _cache = [];

    /// <summary>Creates the model for one person.</summary>
    /// <param name="personSeed">Fixes the person's habits and places; the same seed gives the same days.</param>
    /// <param name="home">The curfew address.</param>
    /// <param name="exclusionCentre">Centre of the circular exclusion zone.</param>
    /// <param name="exclusionRadiusM">Radius of the exclusion zone in metres.</param>
    /// <param name="zone">The time zone the person lives by (Europe/London for the demo).</param>
    public Movement(int personSeed, LatLon home, LatLon exclusionCentre, double exclusionRadiusM, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        ArgumentOutOfRangeException.ThrowIfNegative(exclusionRadiusM);

        _personSeed = personSeed;
        _home = home;
        _zone = zone;

        // Plans are laid out in metres east and north of home (the same flat-earth step Geo.Offset takes).
        _metresPerDegreeLat = Geo.EarthRadiusM * Math.PI / 180;
        _metresPerDegreeLon = _metresPerDegreeLat * Math.Cos(home.Lat * Math.PI / 180);
        _exclusion = ToPlanar(exclusionCentre);
        _exclusionRadiusM = exclusionRadiusM;
        _avoidRadiusM = exclusionRadiusM + AvoidMarginM;

        // A person keeps the same workplace, shops and friend from day to day, as real people do.
        var rng = new Rng(Hash(personSeed, 0, SaltPlaces));
        _homeSpot = Vec.Polar(rng.Range(0, 4), rng.Range(0, Tau));
        var work = PickSpot(rng, new Vec(0, 0), 1500, 6000);
        _work = new Place(work, "work", Setting.Indoors, 4, 6);
        _lunch = new Place(PickSpot(rng, work, 250, 900), "shops", Setting.Indoors, 0, 0);
        _errands =
        [
            new Place(PickSpot(rng, new Vec(0, 0), 500, 2000), "shops", Setting.Indoors, 1, 2),
            new Place(PickSpot(rng, new Vec(0, 0), 500, 2500), "shops", Setting.Indoors, 1, 2),
            new Place(PickSpot(rng, new Vec(0, 0), 800, 4000), "friend", Setting.Indoors, 2, 3),
        ];
    }

    private enum Setting : byte
    {
        Home,
        Outdoors,
        Indoors,
    }

    private enum Incident : byte
    {
        None,
        ExclusionZone,
        LateHome,
    }

    /// <summary>Where the person is at a UTC instant: a pure function of the constructor inputs and the instant.</summary>
    public SimulatedFix At(DateTimeOffset utc)
    {
        var ticks = utc.UtcTicks;
        var plan = PlanContaining(ticks);
        var battery = (int)Math.Round(Math.Clamp(plan.BatteryAt(ticks), 0, 100));
        if (ticks >= plan.GapStart && ticks < plan.GapEnd)
        {
            return new SimulatedFix(ToLatLon(plan.GapPosition), NoGpsAccuracyM, battery, false);
        }

        var position = NoisyPosition(plan.SegmentStarts, plan.Segments, ticks, out var accuracy);
        return new SimulatedFix(ToLatLon(position), accuracy, battery, true);
    }

    /// <summary>
    /// The plan for a local day as consecutive intervals from local midnight to the next, each labelled
    /// "home", "travel", "work", "shops", "friend", "exclusion zone" or "late home" (away after curfew starts).
    /// Instants are UTC.
    /// </summary>
    public IReadOnlyList<(DateTimeOffset From, DateTimeOffset To, string Activity)> PlanFor(DateOnly localDay) => GetPlan(localDay).Entries;

    private DayPlan PlanContaining(long ticks)
    {
        var cache = Volatile.Read(ref _cache);
        foreach (var cached in cache)
        {
            if (ticks >= cached.StartTicks && ticks < cached.EndTicks)
            {
                return cached;
            }
        }

        var local = TimeZoneInfo.ConvertTime(new DateTimeOffset(ticks, TimeSpan.Zero), _zone);
        var day = DateOnly.FromDateTime(local.DateTime);
        var plan = GetPlan(day);

        // Only zones whose clocks change at midnight can put an instant in a neighbouring day's plan.
        if (ticks < plan.StartTicks)
        {
            plan = GetPlan(day.AddDays(-1));
        }
        else if (ticks >= plan.EndTicks)
        {
            plan = GetPlan(day.AddDays(1));
        }

        return plan;
    }

    private DayPlan GetPlan(DateOnly day)
    {
        var cache = Volatile.Read(ref _cache);
        foreach (var cached in cache)
        {
            if (cached.Day == day)
            {
                return cached;
            }
        }

        var plan = BuildPlan(day);
        var next = new DayPlan[Math.Min(CachedDays, cache.Length + 1)];
        next[0] = plan;
        Array.Copy(cache, 0, next, 1, next.Length - 1);
        Volatile.Write(ref _cache, next);
        return plan;
    }

    private DayPlan BuildPlan(DateOnly day)
    {
        var rng = new Rng(Hash(_personSeed, day.DayNumber, SaltDay));
        var dayStart = UtcTicksAt(day, 0);
        var dayEnd = UtcTicksAt(day.AddDays(1), 0);
        var incident = IncidentOn(day);

        var leave = UtcTicksAt(day, 7.5 + rng.Range(0, 2));
        var homeBy = incident == Incident.LateHome
            ? UtcTicksAt(day, 19 + (20 / 60.0) + rng.Range(0, 130 / 60.0))
            : UtcTicksAt(day, 17 + rng.Range(0, 105 / 60.0));

        var stops = new List<Stop>();
        var weekday = day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday);
        if (weekday && rng.Chance(0.85))
        {
            // Lunch splits the working day so no single stay runs past five hours.
            stops.Add(new Stop(_work, rng.Range(_work.MinWeight, _work.MaxWeight), 0));
            stops.Add(new Stop(_lunch, 0, rng.Range(30, 60)));
            stops.Add(new Stop(_work, rng.Range(_work.MinWeight, _work.MaxWeight), 0));
            if (rng.Chance(0.35))
            {
                AddErrand(stops, rng);
            }
        }
        else
        {
            var count = rng.Chance(0.5) ? 2 : 3;
            while (stops.Count < count)
            {
                AddErrand(stops, rng);
            }
        }

        if (incident == Incident.ExclusionZone)
        {
            var inside = _exclusion + Vec.Polar(_exclusionRadiusM * 0.6 * Math.Sqrt(rng.Next()), rng.Range(0, Tau));
            var visit = new Place(inside, InExclusionZone, Setting.Outdoors, 0, 0);
            stops.Insert(rng.Int(stops.Count + 1), new Stop(visit, 0, rng.Range(10, 40)));
        }

        // A long day out needs enough stops to fill it without any stay exceeding the maximum.
        Leg[] legs;
        double spareMinutes;
        while (true)
        {
            legs = PlanLegs(stops, rng);
            var travelMinutes = legs.Sum(l => l.Seconds) / 60;
            var fixedMinutes = stops.Sum(s => s.FixedMinutes);
            var flexible = stops.Count(s => s.FixedMinutes == 0);
            spareMinutes = ((homeBy - leave) / (double)TimeSpan.TicksPerMinute) - travelMinutes - fixedMinutes;
            if (spareMinutes <= flexible * MaxDwellMinutes || stops.Count >= MaxStops)
            {
                break;
            }

            AddErrand(stops, rng);
        }

        var dwellMinutes = AllocateDwells(stops, spareMinutes);

        var timeline = new Timeline();
        timeline.Dwell(dayStart, leave, _homeSpot, Setting.Home, HomeActivity);
        var t = leave;
        for (var i = 0; i < stops.Count; i++)
        {
            t = timeline.Travel(legs[i], t);
            var place = stops[i].Place;
            var end = t + (long)(dwellMinutes[i] * TimeSpan.TicksPerMinute);
            timeline.Dwell(t, end, place.At, place.Setting, place.Activity);
            t = end;
        }

        var arrived = timeline.Travel(legs[^1], t);
        timeline.Dwell(arrived, Math.Max(arrived + 1, dayEnd), _homeSpot, Setting.Home, HomeActivity);

        var segments = timeline.Segments.ToArray();
        var starts = Array.ConvertAll(segments, s => s.Start);
        var (batteryTimes, batteryLevels) = PlanBattery(day, dayStart, dayEnd, leave, arrived, rng);
        var (gapStart, gapEnd, gapPosition) = PlanGpsGap(day, starts, segments, rng);

        var entries = timeline.Entries;
        if (incident == Incident.LateHome)
        {
            entries = LabelLateReturn(entries, UtcTicksAt(day, CurfewStartHour));
        }

        return new DayPlan
        {
            Day = day,
            StartTicks = dayStart,
            EndTicks = dayEnd,
            SegmentStarts = starts,
            Segments = segments,
            BatteryTimes = batteryTimes,
            BatteryLevels = batteryLevels,
            GapStart = gapStart,
            GapEnd = gapEnd,
            GapPosition = gapPosition,
            Entries = entries
                .Select(e => (new DateTimeOffset(e.From, TimeSpan.Zero), new DateTimeOffset(Math.Min(e.To, dayEnd), TimeSpan.Zero), e.Activity))
                .ToList()
                .AsReadOnly(),
        };
    }

    // One cycle of twelve days holds exactly one incident, so a person never goes long without one
    // nor has a cluster; where in the cycle it falls, and which kind, is the person's own.
    private Incident IncidentOn(DateOnly day)
    {
        var cycle = day.DayNumber / IncidentCycleDays;
        var h = Hash(_personSeed, cycle, SaltIncident);
        if (day.DayNumber % IncidentCycleDays != (int)(h % IncidentCycleDays))
        {
            return Incident.None;
        }

        return ((h >> 32) & 1) == 0 ? Incident.ExclusionZone : Incident.LateHome;
    }

    private void AddErrand(List<Stop> stops, Rng rng)
    {
        // Prefer a place not yet visited today; never the one just left.
        var last = stops.Count > 0 ? stops[^1].Place : null;
        var fresh = _errands.Where(p => stops.All(s => s.Place != p)).ToList();
        var pool = fresh.Count > 0 ? fresh : _errands.Where(p => p != last).ToList();
        var place = pool[rng.Int(pool.Count)];
        stops.Add(new Stop(place, rng.Range(place.MinWeight, place.MaxWeight), 0));
    }

    private Leg[] PlanLegs(List<Stop> stops, Rng rng)
    {
        var legs = new Leg[stops.Count + 1];
        var from = _homeSpot;
        var fromInside = false;
        for (var i = 0; i <= stops.Count; i++)
        {
            var to = i < stops.Count ? stops[i].Place.At : _homeSpot;
            var toInside = i < stops.Count && stops[i].Place.Activity == InExclusionZone;
            var path = PlanPath(from, to, avoid: !fromInside && !toInside, rng);
            var length = PathLength(path);
            var speed = length < WalkingLimitM ? rng.Range(1.2, 1.4) : rng.Range(6, 9);
            legs[i] = new Leg(path, speed, length / speed);
            from = to;
            fromInside = toInside;
        }

        return legs;
    }

    private Vec[] PlanPath(Vec from, Vec to, bool avoid, Rng rng)
    {
        var straight = to - from;
        var length = straight.Length;
        if (length < 1)
        {
            return [from, to];
        }

        // Streets are not straight: bend the leg through one or two waypoints off the direct line.
        var normal = new Vec(-straight.Y / length, straight.X / length);
        var maxOffset = Math.Min(500, 0.15 * length);
        for (var attempt = 0; attempt < 12; attempt++)
        {
            Vec Waypoint(double lo, double hi) => from + (straight * rng.Range(lo, hi)) + (normal * (rng.Range(-1, 1) * maxOffset));
            Vec[] path = rng.Chance(0.5)
                ? [from, Waypoint(0.35, 0.65), to]
                : [from, Waypoint(0.2, 0.4), Waypoint(0.6, 0.8), to];
            if (!avoid || IsClear(path))
            {
                return path;
            }
        }

        return IsClear([from, to]) ? [from, to] : Detour(from, to);
    }

    // Skirts the exclusion zone along a polygon whose every edge stays outside the avoidance circle,
    // then cuts every corner that does not need to be there.
    private Vec[] Detour(Vec from, Vec to)
    {
        const double Step = Math.PI / 9;
        var ring = (_avoidRadiusM + 20) / Math.Cos(Step / 2);
        var fromAngle = (from - _exclusion).Angle;
        var sweep = Math.IEEERemainder((to - _exclusion).Angle - fromAngle, Tau);
        var corners = Math.Max(1, (int)Math.Ceiling(Math.Abs(sweep) / Step));
        var points = new List<Vec>(corners + 3) { from };
        for (var k = 0; k <= corners; k++)
        {
            points.Add(_exclusion + Vec.Polar(ring, fromAngle + (sweep * k / corners)));
        }

        points.Add(to);

        var path = new List<Vec> { from };
        var i = 0;
        while (i < points.Count - 1)
        {
            var j = points.Count - 1;
            while (j > i + 1 && DistanceToSegment(_exclusion, points[i], points[j]) < _avoidRadiusM)
            {
                j--;
            }

            path.Add(points[j]);
            i = j;
        }

        return [.. path];
    }

    private bool IsClear(Vec[] path)
    {
        for (var i = 1; i < path.Length; i++)
        {
            if (DistanceToSegment(_exclusion, path[i - 1], path[i]) < _avoidRadiusM)
            {
                return false;
            }
        }

        return true;
    }

    // Shares the day's spare time among the flexible stops by weight, each between the minimum and
    // maximum stay; what cannot be placed simply moves the return home earlier.
    private static double[] AllocateDwells(List<Stop> stops, double spareMinutes)
    {
        var minutes = new double[stops.Count];
        var open = new List<int>();
        for (var i = 0; i < stops.Count; i++)
        {
            if (stops[i].FixedMinutes > 0)
            {
                minutes[i] = stops[i].FixedMinutes;
            }
            else
            {
                minutes[i] = MinDwellMinutes;
                open.Add(i);
            }
        }

        var extra = spareMinutes - (open.Count * MinDwellMinutes);
        while (extra > 1e-6 && open.Count > 0)
        {
            var totalWeight = open.Sum(i => stops[i].Weight);
            var capped = open.Where(i => minutes[i] + (extra * stops[i].Weight / totalWeight) > MaxDwellMinutes).ToList();
            if (capped.Count == 0)
            {
                foreach (var i in open)
                {
                    minutes[i] += extra * stops[i].Weight / totalWeight;
                }

                break;
            }

            foreach (var i in capped)
            {
                extra -= MaxDwellMinutes - minutes[i];
                minutes[i] = MaxDwellMinutes;
                open.Remove(i);
            }
        }

        return minutes;
    }

    // Full from the overnight charge until 07:00, draining faster while out than at home, on the charger
    // from 22:00. On a low-battery day the drain is scaled so the watch is nearly flat, but never dead,
    // when it goes on the charger.
    private (long[] Times, double[] Levels) PlanBattery(DateOnly day, long dayStart, long dayEnd, long leave, long arrived, Rng rng)
    {
        var unplugged = UtcTicksAt(day, 7);
        var plugIn = UtcTicksAt(day, 22);
        var homeRate = rng.Range(1, 2);
        var outRate = rng.Range(3, 6);
        var chargeRate = rng.Range(50, 60);
        var outFrom = Math.Clamp(leave, unplugged, plugIn);
        var outTo = Math.Clamp(arrived, outFrom, plugIn);

        static double Hours(long from, long to) => Math.Max(0, to - from) / (double)TimeSpan.TicksPerHour;
        double Drained(long until)
        {
            var awayHours = Hours(outFrom, Math.Min(until, outTo));
            return (homeRate * Hours(unplugged, until)) + ((outRate - homeRate) * awayHours);
        }

        var scale = 1.0;
        if (Hash(_personSeed, day.DayNumber, SaltBattery) % LowBatteryOneDayIn == 0)
        {
            scale = (100 - rng.Range(4, 10)) / Math.Max(1e-6, Drained(plugIn));
        }

        double Level(long at) => Math.Max(0, 100 - (scale * Drained(at)));

        var times = new List<long>();
        var levels = new List<double>();
        void Add(long at, double level)
        {
            if (times.Count == 0 || at > times[^1])
            {
                times.Add(at);
                levels.Add(level);
            }
        }

        Add(dayStart, 100);
        Add(unplugged, 100);
        Add(outFrom, Level(outFrom));
        Add(outTo, Level(outTo));
        var atPlugIn = Level(plugIn);
        Add(plugIn, atPlugIn);
        var full = plugIn + (long)((100 - atPlugIn) / chargeRate * TimeSpan.TicksPerHour);
        if (full < dayEnd)
        {
            Add(full, 100);
            Add(dayEnd, 100);
        }
        else
        {
            Add(dayEnd, Math.Min(100, atPlugIn + (chargeRate * Hours(plugIn, dayEnd))));
        }

        return ([.. times], [.. levels]);
    }

    // Satellite lock is lost indoors now and then: the watch repeats its last position while it lasts.
    private (long Start, long End, Vec Position) PlanGpsGap(DateOnly day, long[] starts, Segment[] segments, Rng rng)
    {
        if (Hash(_personSeed, day.DayNumber, SaltGpsGap) % GpsGapOneDayIn != 0)
        {
            return (0, 0, default);
        }

        var longest = segments.Where(s => s.Setting == Setting.Indoors).OrderByDescending(s => s.End - s.Start).FirstOrDefault();
        var available = longest.End - longest.Start - (2 * TicksPerSlot);
        if (available < 5 * TimeSpan.TicksPerMinute)
        {
            return (0, 0, default);
        }

        var duration = Math.Min(available, (long)(rng.Range(5, 20) * TimeSpan.TicksPerMinute));
        var start = longest.Start + TicksPerSlot + (long)(rng.Next() * (available - duration));
        start -= start % TicksPerSlot;
        var end = start + duration - (duration % TicksPerSlot);
        var lastKnown = NoisyPosition(starts, segments, start - TicksPerSlot, out _);
        return (start, end, lastKnown);
    }

    private static List<(long From, long To, string Activity)> LabelLateReturn(List<(long From, long To, string Activity)> entries, long curfewStart)
    {
        var labelled = new List<(long From, long To, string Activity)>();
        foreach (var (from, to, activity) in entries)
        {
            if (activity == HomeActivity || to <= curfewStart)
            {
                labelled.Add((from, to, activity));
                continue;
            }

            if (from < curfewStart)
            {
                labelled.Add((from, curfewStart, activity));
            }

            var lateFrom = Math.Max(from, curfewStart);
            if (labelled.Count > 0 && labelled[^1].Activity == LateHomeActivity)
            {
                labelled[^1] = (labelled[^1].From, to, LateHomeActivity);
            }
            else
            {
                labelled.Add((lateFrom, to, LateHomeActivity));
            }
        }

        return labelled;
    }

    private Vec NoisyPosition(long[] starts, Segment[] segments, long ticks, out double accuracyM)
    {
        var index = Array.BinarySearch(starts, ticks);
        if (index < 0)
        {
            index = Math.Max(0, ~index - 1);
        }

        var segment = segments[index];
        var slot = ticks / TicksPerSlot;
        var h = Hash(_personSeed, slot, SaltNoise);
        var quality = Unit(h);
        accuracyM = segment.Setting == Setting.Indoors ? 20 + (40 * quality) : 5 + (10 * quality);

        // The error never exceeds the reported accuracy, so accuracy-aware checks on the feed hold.
        var error = Vec.Polar(accuracyM * Unit(Mix(h + 1)), Tau * Unit(Mix(h + 2)));
        return segment.PositionAt(ticks) + error;
    }

    private long UtcTicksAt(DateOnly day, double localHours)
    {
        var local = day.ToDateTime(TimeOnly.MinValue).AddHours(localHours);

        // A local time skipped by a clock change happens at the first valid moment after it.
        for (var i = 0; i < 24 * 4 && _zone.IsInvalidTime(local); i++)
        {
            local = local.AddMinutes(15);
        }

        return TimeZoneInfo.ConvertTimeToUtc(local, _zone).Ticks;
    }

    private Vec PickSpot(Rng rng, Vec around, double minM, double maxM)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var spot = around + Vec.Polar(rng.Range(minM, maxM), rng.Range(0, Tau));
            var fromHome = spot.Length;
            if (fromHome >= 500 && fromHome <= 6000 && (spot - _exclusion).Length >= _avoidRadiusM)
            {
                return spot;
            }
        }

        // Only an odd layout gets here: head directly away from the exclusion zone.
        var away = around - _exclusion;
        var direction = away.Length > 0 ? away * (1 / away.Length) : new Vec(1, 0);
        return around + (direction * maxM);
    }

    private Vec ToPlanar(LatLon p) => new((p.Lon - _home.Lon) * _metresPerDegreeLon, (p.Lat - _home.Lat) * _metresPerDegreeLat);

    private LatLon ToLatLon(Vec v) => new(_home.Lat + (v.Y / _metresPerDegreeLat), _home.Lon + (v.X / _metresPerDegreeLon));

    private static double PathLength(Vec[] path)
    {
        var length = 0.0;
        for (var i = 1; i < path.Length; i++)
        {
            length += (path[i] - path[i - 1]).Length;
        }

        return length;
    }

    private static double DistanceToSegment(Vec p, Vec a, Vec b)
    {
        var ab = b - a;
        var lengthSquared = (ab.X * ab.X) + (ab.Y * ab.Y);
        var t = lengthSquared == 0 ? 0 : Math.Clamp((((p.X - a.X) * ab.X) + ((p.Y - a.Y) * ab.Y)) / lengthSquared, 0, 1);
        return (p - (a + (ab * t))).Length;
    }

    // FNV-1a over the inputs, then a SplitMix64 finaliser: stable across runs and platforms, unlike
    // string.GetHashCode or HashCode, and well mixed even for neighbouring days and slots.
    private static ulong Hash(long a, long b, ulong salt)
    {
        var h = 14695981039346656037UL;
        h = Fnv(h, salt);
        h = Fnv(h, (ulong)a);
        h = Fnv(h, (ulong)b);
        return Mix(h);
    }

    private static ulong Fnv(ulong h, ulong value)
    {
        for (var shift = 0; shift < 64; shift += 8)
        {
            h ^= (value >> shift) & 0xFF;
            h *= 1099511628211UL;
        }

        return h;
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static double Unit(ulong h) => (h >> 11) * (1.0 / (1UL << 53));

    /// <summary>SplitMix64: a tiny, fully specified generator, so plans never depend on System.Random's implementation.</summary>
    private sealed class Rng(ulong seed)
    {
        private ulong _state = seed;

        public double Next()
        {
            _state += 0x9E3779B97F4A7C15UL;
            return Unit(Mix(_state));
        }

        public double Range(double min, double max) => min + ((max - min) * Next());

        public int Int(int count) => Math.Min(count - 1, (int)(Next() * count));

        public bool Chance(double probability) => Next() < probability;
    }

    private readonly record struct Vec(double X, double Y)
    {
        public double Length => Math.Sqrt((X * X) + (Y * Y));

        public double Angle => Math.Atan2(Y, X);

        public static Vec Polar(double radius, double angle) => new(radius * Math.Cos(angle), radius * Math.Sin(angle));

        public static Vec operator +(Vec a, Vec b) => new(a.X + b.X, a.Y + b.Y);

        public static Vec operator -(Vec a, Vec b) => new(a.X - b.X, a.Y - b.Y);

        public static Vec operator *(Vec a, double k) => new(a.X * k, a.Y * k);
    }

    /// <summary>A place the person goes; the weights set how much of a day's spare time a stay there takes.</summary>
    private sealed record Place(Vec At, string Activity, Setting Setting, double MinWeight, double MaxWeight);

    /// <summary>A visit: either a fixed stay in minutes or, when that is zero, a weighted share of the spare time.</summary>
    private sealed record Stop(Place Place, double Weight, double FixedMinutes);

    private sealed record Leg(Vec[] Path, double SpeedMps, double Seconds);

    private readonly record struct Segment(long Start, long End, Vec From, Vec To, Setting Setting)
    {
        public Vec PositionAt(long ticks)
        {
            if (End <= Start)
            {
                return From;
            }

            var t = Math.Clamp((ticks - Start) / (double)(End - Start), 0, 1);
            return From + ((To - From) * t);
        }
    }

    /// <summary>Builds a day's segments in time order; zero-length pieces are dropped so the starts strictly increase.</summary>
    private sealed class Timeline
    {
        public List<Segment> Segments { get; } = [];

        public List<(long From, long To, string Activity)> Entries { get; } = [];

        public void Dwell(long from, long to, Vec at, Setting setting, string activity)
        {
            if (to > from)
            {
                Segments.Add(new Segment(from, to, at, at, setting));
                Entries.Add((from, to, activity));
            }
        }

        public long Travel(Leg leg, long start)
        {
            var covered = 0.0;
            var segmentStart = start;
            for (var i = 1; i < leg.Path.Length; i++)
            {
                covered += (leg.Path[i] - leg.Path[i - 1]).Length;
                var segmentEnd = start + (long)(covered / leg.SpeedMps * TimeSpan.TicksPerSecond);
                if (segmentEnd > segmentStart)
                {
                    Segments.Add(new Segment(segmentStart, segmentEnd, leg.Path[i - 1], leg.Path[i], Setting.Outdoors));
                    segmentStart = segmentEnd;
                }
            }

            if (segmentStart > start)
            {
                Entries.Add((start, segmentStart, TravelActivity));
            }

            return segmentStart;
        }
    }

    private sealed class DayPlan
    {
        public required DateOnly Day { get; init; }

        public required long StartTicks { get; init; }

        public required long EndTicks { get; init; }

        public required long[] SegmentStarts { get; init; }

        public required Segment[] Segments { get; init; }

        public required long[] BatteryTimes { get; init; }

        public required double[] BatteryLevels { get; init; }

        public required long GapStart { get; init; }

        public required long GapEnd { get; init; }

        public required Vec GapPosition { get; init; }

        public required ReadOnlyCollection<(DateTimeOffset From, DateTimeOffset To, string Activity)> Entries { get; init; }

        public double BatteryAt(long ticks)
        {
            var index = Array.BinarySearch(BatteryTimes, ticks);
            if (index >= 0)
            {
                return BatteryLevels[index];
            }

            var next = ~index;
            if (next == 0)
            {
                return BatteryLevels[0];
            }

            if (next >= BatteryTimes.Length)
            {
                return BatteryLevels[^1];
            }

            var from = BatteryTimes[next - 1];
            var fraction = (ticks - from) / (double)(BatteryTimes[next] - from);
            return BatteryLevels[next - 1] + ((BatteryLevels[next] - BatteryLevels[next - 1]) * fraction);
        }
    }
}
