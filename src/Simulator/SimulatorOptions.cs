using System.ComponentModel.DataAnnotations;

namespace Dashboard.Simulator;

/// <summary>The <c>Simulator</c> section: demo traffic through the real ingestion API.</summary>
public sealed class SimulatorOptions
{
    public const string Section = "Simulator";

    /// <summary>On by default with the embedded database (the demo service), off otherwise.</summary>
    public bool? Enabled { get; set; }

    /// <summary>Seconds between two fixes of a device.</summary>
    [Range(1, 600)]
    public int FixIntervalSeconds { get; set; } = 15;

    /// <summary>Where the ingestion API is; by default this app's own address.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>The ingest key to use; by default <c>Ingestion:DemoKey</c>.</summary>
    public string? IngestKey { get; set; }
}
