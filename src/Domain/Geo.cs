namespace Dashboard.Domain;

/// <summary>A WGS 84 position.</summary>
public readonly record struct LatLon(double Lat, double Lon);

/// <summary>Small-distance geodesy: good to a few centimetres over the few kilometres a zone spans.</summary>
public static class Geo
{
    public const double EarthRadiusM = 6_371_008.8;

    public static double DistanceM(LatLon a, LatLon b)
    {
        var dLat = ToRad(b.Lat - a.Lat);
        var dLon = ToRad(b.Lon - a.Lon);
        var h = (Math.Sin(dLat / 2) * Math.Sin(dLat / 2))
            + (Math.Cos(ToRad(a.Lat)) * Math.Cos(ToRad(b.Lat)) * Math.Sin(dLon / 2) * Math.Sin(dLon / 2));
        return 2 * EarthRadiusM * Math.Asin(Math.Min(1, Math.Sqrt(h)));
    }

    /// <summary>The point <paramref name="distanceM"/> metres from <paramref name="from"/> on a bearing (degrees from north).</summary>
    public static LatLon Offset(LatLon from, double distanceM, double bearingDeg)
    {
        var bearing = ToRad(bearingDeg);
        var dLat = distanceM * Math.Cos(bearing) / EarthRadiusM;
        var dLon = distanceM * Math.Sin(bearing) / (EarthRadiusM * Math.Cos(ToRad(from.Lat)));
        return new LatLon(from.Lat + ToDeg(dLat), from.Lon + ToDeg(dLon));
    }

    /// <summary>A closed ring (first point repeated last) approximating a circle, counter-clockwise.</summary>
    public static IReadOnlyList<LatLon> Circle(LatLon centre, double radiusM, int segments = 48)
    {
        var ring = new List<LatLon>(segments + 1);
        for (var i = 0; i < segments; i++)
        {
            ring.Add(Offset(centre, radiusM, 360.0 - (i * 360.0 / segments)));
        }

        ring.Add(ring[0]);
        return ring;
    }

    private static double ToRad(double deg) => deg * Math.PI / 180.0;

    private static double ToDeg(double rad) => rad * 180.0 / Math.PI;
}
