using System.ComponentModel.DataAnnotations;

namespace Dashboard.Features.Alerts.Sources;

/// <summary>The machine rules that raise alerts: section <c>Alerts</c>.</summary>
public sealed class AlertOptions
{
    public const string Section = "Alerts";

    /// <summary>Whether this instance runs the timers (missed prompts, devices offline). Safe on every instance.</summary>
    public bool TimersEnabled { get; set; } = true;

    /// <summary>How often the timers look for missed prompts and silent devices.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan TimerInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A device with no fix for this long opens an offline incident.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan DeviceOfflineAfter { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>A fix whose accuracy is worse than this many metres did not come from GPS.</summary>
    [Range(1, 100_000)]
    public double NoGpsAccuracyM { get; set; } = 100;

    /// <summary>This many fixes in a row without GPS raise <c>NoGpsFix</c>.</summary>
    [Range(1, 1000)]
    public int NoGpsFixRun { get; set; } = 5;

    /// <summary>Battery (percent) under which <c>LowBattery</c> is raised; the episode ends at this plus 10, or on charging.</summary>
    [Range(1, 89)]
    public int LowBatteryPct { get; set; } = 15;

    /// <summary>Consecutive fixes on the other side of a zone boundary before a crossing counts.</summary>
    [Range(1, 100)]
    public int ZoneConfirmFixes { get; set; } = 2;

    /// <summary>
    /// Metres a fix must be clear of a zone boundary to count as evidence, on top of nothing: when unset,
    /// the fix's own accuracy is the margin (a fix whose accuracy circle straddles the boundary is no evidence).
    /// </summary>
    [Range(0, 10_000)]
    public double? ZoneMarginM { get; set; }

    /// <summary>A silence longer than this between fixes breaks a run of evidence: a gap never invents a crossing.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00")]
    public TimeSpan ZoneGap { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The local time zone of curfew hours.</summary>
    [Required]
    public string CurfewTimeZone { get; set; } = "Europe/London";

    /// <summary>Prompts (and devices) handled per timer transaction; the timer loops until none are left.</summary>
    [Range(1, 10_000)]
    public int TimerBatchSize { get; set; } = 200;
}
