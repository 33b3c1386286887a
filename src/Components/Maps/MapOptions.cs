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
