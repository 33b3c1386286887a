using Dashboard.Domain;
using NetTopologySuite.Geometries;

namespace Dashboard.Data;

/// <summary>Turns domain positions into PostGIS geography values (SRID 4326, x = longitude).</summary>
public static class Geometry
{
    private static readonly GeometryFactory Factory = new(new PrecisionModel(), 4326);

    public static Point Point(double lat, double lon) => Factory.CreatePoint(new Coordinate(lon, lat));

    public static Point Point(LatLon p) => Point(p.Lat, p.Lon);

    public static Polygon Polygon(IEnumerable<LatLon> ring) =>
        Factory.CreatePolygon(ring.Select(p => new Coordinate(p.Lon, p.Lat)).ToArray());

    public static LatLon ToLatLon(this Point point)
    {
        ArgumentNullException.ThrowIfNull(point);
        return new LatLon(point.Y, point.X);
    }
}
