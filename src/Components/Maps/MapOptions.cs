namespace Dashboard.Components.Maps;

/// <summary>The <c>Map</c> section. No tile URL (air-gapped sites, tests): a plain background with a scale bar.</summary>
public sealed class MapOptions
{
    public const string Section = "Map";

    /// <summary>A tile URL template such as https://tiles.example/{z}/{x}/{y}.png.</summary>
    public string? TileUrl { get; set; }

    public string? Attribution { get; set; }

    public int MaxZoom { get; set; } = 19;
}

/// <summary>A point to draw: position, optional accuracy circle, colour and a label (tooltip).</summary>
public sealed record MapMarker(double Lat, double Lon, double? AccuracyM, string Colour, string Label);

/// <summary>A vertex of a trail: where, when, how accurate, and its number among the fixes of the range.</summary>
public sealed record MapTrailPoint(double Lat, double Lon, DateTimeOffset At, double AccuracyM, int Number);

/// <summary>A zone's outline as [lat, lon] pairs; exclusion zones are drawn red, inclusion zones green and dashed.</summary>
public sealed record MapZone(IReadOnlyList<double[]> Ring, Dashboard.Domain.ZoneKind Kind, string Label);

/// <summary>A check-in or alert: a symbol on a coloured badge, and the words for the tooltip.</summary>
public sealed record MapEvent(double Lat, double Lon, string Symbol, string Colour, string Label, string Kind);

/// <summary>What is drawn over a trail, and the time up to which it is drawn (null: all of it).</summary>
public sealed record MapDisplay(bool AccuracyCircles, bool DirectionArrows, bool PointNumbers, DateTimeOffset? Until);

/// <summary>A subject on the caseload map: <paramref name="Age"/> (of the fix, e.g. "40 s") is shown under the pin.</summary>
public sealed record MapPosition(Guid Id, double Lat, double Lon, string Initials, string Label, string Href, bool Stale, string Age);

/// <summary>What a click on the map adds while drawing: one point (a circle's centre) or a polygon's next corner.</summary>
public enum MapDrawing
{
    Point,
    Polygon,
}

/// <summary>
/// A zone being drawn, shown before it is saved: its outline as [lat, lon] pairs (closed when it has three or
/// more), its kind for the colour, and whether to mark the corners.
/// </summary>
public sealed record MapDraft(IReadOnlyList<double[]> Ring, Dashboard.Domain.ZoneKind Kind, bool ShowCorners);
