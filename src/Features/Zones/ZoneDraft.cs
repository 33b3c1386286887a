using System.Globalization;
using Dashboard.Domain;
using NetTopologySuite.Geometries;
using NetTopologySuite.Operation.Valid;

namespace Dashboard.Features.Zones;

/// <summary>How a zone was drawn: a circle (centre and radius) or a polygon (its corners).</summary>
public enum ZoneShapeKind
{
    Circle,
    Polygon,
}

/// <summary>A field of the zone form, so a message can be shown next to it.</summary>
public enum ZoneField
{
    Name,
    Kind,
    CentreLat,
    CentreLon,
    Radius,
    Corners,
    Curfew,
}

/// <summary>A problem with a zone as typed or drawn, with the field it belongs to.</summary>
public sealed record ZoneProblem(ZoneField Field, string Message);

/// <summary>
/// A zone as a supervisor typed or drew it, before it is stored. The rules (checked here, by the page for
/// messages next to the fields, and again by the use cases):
/// <list type="bullet">
/// <item>a name of 1 to 80 characters (trimmed);</item>
/// <item>a circle: centre latitude -90..90 and longitude -180..180, radius 20 to 5,000 m (a smaller circle is
/// inside GPS error; a larger one is no longer a place but a region);</item>
/// <item>a polygon: 3 to 200 corners, each a valid position, an outline that does not cross itself, spanning
/// less than half the globe in longitude (no zone crosses the date line), and covering 1,000 m² to 100 km²
/// (the areas of circles of about 18 m and 5,600 m);</item>
/// <item>curfew hours only on inclusion zones (an exclusion zone applies all day), both or neither (neither:
/// the inclusion zone applies all day), and different from each other.</item>
/// </list>
/// </summary>
public sealed record ZoneDraft(
    string? Name,
    ZoneKind Kind,
    ZoneShapeKind Shape,
    double? CentreLat,
    double? CentreLon,
    double? RadiusM,
    IReadOnlyList<LatLon>? Corners,
    TimeOnly? CurfewStart,
    TimeOnly? CurfewEnd)
{
    public const int MaxNameLength = 80;
    public const double MinRadiusM = 20;
    public const double MaxRadiusM = 5000;
    public const int MinCorners = 3;
    public const int MaxCorners = 200;
    public const double MinAreaM2 = 1_000;
    public const double MaxAreaM2 = 100_000_000;

    private static readonly CultureInfo Culture = CultureInfo.GetCultureInfo("en-GB");

    /// <summary>Every problem with the draft, in the order of the form; empty when it can be stored.</summary>
    public IReadOnlyList<ZoneProblem> Validate()
    {
        var problems = new List<ZoneProblem>();
        var name = Name?.Trim() ?? "";
        if (name.Length == 0)
        {
            problems.Add(new(ZoneField.Name, "Give the zone a name."));
        }
        else if (name.Length > MaxNameLength)
        {
            problems.Add(new(ZoneField.Name, $"Keep the name to {MaxNameLength} characters or fewer."));
        }

        if (!Enum.IsDefined(Kind))
        {
            problems.Add(new(ZoneField.Kind, "Choose exclusion or inclusion."));
        }

        if (Shape == ZoneShapeKind.Circle)
        {
            ValidateCircle(problems);
        }
        else if (Shape == ZoneShapeKind.Polygon)
        {
            ValidatePolygon(problems);
        }
        else
        {
            problems.Add(new(ZoneField.Corners, "Choose a circle or a polygon."));
        }

        if (Kind == ZoneKind.Exclusion && (CurfewStart is not null || CurfewEnd is not null))
        {
            problems.Add(new(ZoneField.Curfew, "Exclusion zones apply all day: leave the curfew hours empty."));
        }
        else if (Kind == ZoneKind.Inclusion && (CurfewStart is null) != (CurfewEnd is null))
        {
            problems.Add(new(ZoneField.Curfew, "Give both curfew hours, or neither (the zone then applies all day)."));
        }
        else if (CurfewStart is { } s && CurfewEnd is { } e && s == e)
        {
            problems.Add(new(ZoneField.Curfew, "The curfew must start and end at different times."));
        }

        return problems;
    }

    private void ValidateCircle(List<ZoneProblem> problems)
    {
        if (CentreLat is not { } lat || !double.IsFinite(lat))
        {
            problems.Add(new(ZoneField.CentreLat, "Give the centre's latitude."));
        }
        else if (lat is < -90 or > 90)
        {
            problems.Add(new(ZoneField.CentreLat, "The latitude must be between -90 and 90."));
        }

        if (CentreLon is not { } lon || !double.IsFinite(lon))
        {
            problems.Add(new(ZoneField.CentreLon, "Give the centre's longitude."));
        }
        else if (lon is < -180 or > 180)
        {
            problems.Add(new(ZoneField.CentreLon, "The longitude must be between -180 and 180."));
        }

        if (RadiusM is not { } r || !double.IsFinite(r))
        {
            problems.Add(new(ZoneField.Radius, "Give the radius in metres."));
        }
        else if (r is < MinRadiusM or > MaxRadiusM)
        {
            problems.Add(new(ZoneField.Radius, "The radius must be between 20 and 5,000 metres."));
        }
    }

    private void ValidatePolygon(List<ZoneProblem> problems)
    {
        var corners = OpenRing(Corners ?? []);
        if (corners.Count < MinCorners)
        {
            problems.Add(new(ZoneField.Corners, "A polygon needs at least 3 corners."));
            return;
        }

        if (corners.Count > MaxCorners)
        {
            problems.Add(new(ZoneField.Corners, "A polygon can have at most 200 corners."));
            return;
        }

        for (var i = 0; i < corners.Count; i++)
        {
            var (lat, lon) = corners[i];
            if (!double.IsFinite(lat) || lat is < -90 or > 90 || !double.IsFinite(lon) || lon is < -180 or > 180)
            {
                problems.Add(new(ZoneField.Corners, $"Corner {i + 1}: the latitude must be between -90 and 90 and the longitude between -180 and 180."));
                return;
            }
        }

        if (corners.Max(c => c.Lon) - corners.Min(c => c.Lon) >= 180)
        {
            problems.Add(new(ZoneField.Corners, "A zone cannot span half the globe or cross the date line."));
            return;
        }

        if (!new IsValidOp(ToPolygon(corners)).IsValid)
        {
            problems.Add(new(ZoneField.Corners, "The outline crosses itself: give the corners in order around the area."));
            return;
        }

        var area = AreaM2(corners);
        if (area < MinAreaM2)
        {
            problems.Add(new(ZoneField.Corners, "The zone is too small: it must cover at least 1,000 m² (a circle of about 18 m)."));
        }
        else if (area > MaxAreaM2)
        {
            problems.Add(new(ZoneField.Corners, "The zone is too large: it can cover at most 100 km²."));
        }
    }

    /// <summary>The corners without a repeated closing corner.</summary>
    public static List<LatLon> OpenRing(IReadOnlyList<LatLon> corners)
    {
        ArgumentNullException.ThrowIfNull(corners);
        var open = corners.ToList();
        if (open.Count > 1 && open[0] == open[^1])
        {
            open.RemoveAt(open.Count - 1);
        }

        return open;
    }

    /// <summary>A closed WGS 84 polygon (x longitude, y latitude) of the corners.</summary>
    public static Polygon ToPolygon(IReadOnlyList<LatLon> corners)
    {
        ArgumentNullException.ThrowIfNull(corners);
        var open = OpenRing(corners);
        var ring = open.Append(open[0]).Select(c => new Coordinate(c.Lon, c.Lat)).ToArray();
        return new Polygon(new LinearRing(ring)) { SRID = 4326 };
    }

    /// <summary>The area in square metres, in a local flat projection (good to a fraction of a percent over a city).</summary>
    public static double AreaM2(IReadOnlyList<LatLon> corners)
    {
        ArgumentNullException.ThrowIfNull(corners);
        var lat0 = corners.Average(c => c.Lat);
        var lon0 = corners.Average(c => c.Lon);
        var cos = Math.Cos(lat0 * Math.PI / 180);
        var points = corners.Select(c => (X: (c.Lon - lon0) * cos * Math.PI / 180 * Geo.EarthRadiusM, Y: (c.Lat - lat0) * Math.PI / 180 * Geo.EarthRadiusM)).ToList();
        double twice = 0;
        for (int i = 0, j = points.Count - 1; i < points.Count; j = i++)
        {
            twice += (points[j].X * points[i].Y) - (points[i].X * points[j].Y);
        }

        return Math.Abs(twice) / 2;
    }

    /// <summary>The zone in words, for the audit log and the page.</summary>
    public static string Describe(string name, ZoneKind kind, ZoneShapeKind shape, LatLon? centre, double? radiusM, IReadOnlyList<LatLon> corners, TimeOnly? curfewStart, TimeOnly? curfewEnd)
    {
        ArgumentNullException.ThrowIfNull(corners);
        var what = kind == ZoneKind.Exclusion ? "exclusion zone" : "inclusion zone";
        var outline = shape == ZoneShapeKind.Circle && centre is { } c && radiusM is { } r
            ? $"circle of {r.ToString("N0", Culture)} m around {Position(c)}"
            : $"polygon of {OpenRing(corners).Count} corners ({string.Join("; ", OpenRing(corners).Select(Position))})";
        var hours = kind == ZoneKind.Exclusion ? "applies all day"
            : curfewStart is { } s && curfewEnd is { } e ? $"curfew {s:HH\\:mm}–{e:HH\\:mm} London time"
            : "applies all day";
        return $"\"{name}\", {what}, {outline}, {hours}";
    }

    public string Describe() => Describe(Name?.Trim() ?? "", Kind, Shape,
        CentreLat is { } lat && CentreLon is { } lon ? new LatLon(lat, lon) : null, RadiusM, Corners ?? [], CurfewStart, CurfewEnd);

    public static string Position(LatLon p) =>
        $"{p.Lat.ToString("0.00000", CultureInfo.InvariantCulture)}, {p.Lon.ToString("0.00000", CultureInfo.InvariantCulture)}";
}
