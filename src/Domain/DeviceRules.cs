namespace Dashboard.Domain;

/// <summary>One fix as the device rules see it.</summary>
public readonly record struct DeviceFix(DateTimeOffset At, double AccuracyM, short? BatteryPct);

/// <summary>What one device's batch of fixes means for its alerts.</summary>
/// <param name="NonGpsRun">Fixes without GPS in a row at the end of the batch, counting the run before it.</param>
/// <param name="RaiseNoGpsFix">The run reached the limit in this batch: <c>NoGpsFix</c> joins or opens the device incident.</param>
/// <param name="GpsBackAt">The newest fix with GPS quality: an open device incident that started before it clears.</param>
/// <param name="LowBatteryAt">The newest fix reports a battery under the level (with the level it reported).</param>
/// <param name="BatteryRecoveredAt">The newest fix reports a battery back above the level plus 10: a low-battery episode ends.</param>
public sealed record DeviceBatchOutcome(
    int NonGpsRun,
    bool RaiseNoGpsFix,
    DateTimeOffset? NoGpsSince,
    DateTimeOffset? GpsBackAt,
    (DateTimeOffset At, short Pct)? LowBatteryAt,
    (DateTimeOffset At, short Pct)? BatteryRecoveredAt,
    DateTimeOffset? RunSince = null)
{
    /// <summary>
    /// Whether a run that went from <paramref name="before"/> to <paramref name="after"/> fixes without GPS
    /// reached the limit just now (once per run, however the fixes were split into batches).
    /// </summary>
    public static bool ReachesLimit(int before, int after, int limit) => before < limit && after >= limit;
}

/// <summary>
/// The device rules: GPS quality, battery, and how device alerts group. Signal lost, no GPS fix and device
/// offline are one condition seen three ways, so they share one incident per episode; the incident closes
/// itself when fixes of GPS quality come back.
/// </summary>
public static class DeviceRules
{
    /// <summary>Recovery margin of a low-battery episode: the battery must be back above the level plus this.</summary>
    public const int BatteryRecoveryMargin = 10;

    /// <summary>A device condition that belongs to the device incident (opens or joins it).</summary>
    public static bool JoinsIncident(DeviceEventKind kind) => kind is DeviceEventKind.NoGpsFix or DeviceEventKind.SignalLost;

    /// <summary>The alert a device event raises, if any.</summary>
    public static AlertKind? AlertFor(DeviceEventKind kind) => kind switch
    {
        DeviceEventKind.StrapTamper => AlertKind.DeviceTamper,
        DeviceEventKind.LowBattery => AlertKind.LowBattery,
        DeviceEventKind.NoGpsFix or DeviceEventKind.SignalLost => AlertKind.NoGpsFix,
        _ => null,
    };

    public static bool HasGps(double accuracyM, double noGpsAccuracyM) => accuracyM <= noGpsAccuracyM;

    /// <summary>Judges one device's fixes (any order; they are sorted by time) against the run carried from before.</summary>
    public static DeviceBatchOutcome Judge(IEnumerable<DeviceFix> fixes, int runBefore, double noGpsAccuracyM, int noGpsRunLimit, int lowBatteryPct)
    {
        ArgumentNullException.ThrowIfNull(fixes);
        var run = runBefore;
        var raise = false;
        DateTimeOffset? runSince = null;
        DateTimeOffset? noGpsSince = null;
        DateTimeOffset? gpsBack = null;
        DeviceFix? newestWithBattery = null;
        foreach (var fix in fixes.OrderBy(f => f.At))
        {
            if (HasGps(fix.AccuracyM, noGpsAccuracyM))
            {
                run = 0;
                runSince = null;
                gpsBack = fix.At;
            }
            else
            {
                runSince ??= fix.At;
                run++;
                if (run == noGpsRunLimit)
                {
                    raise = true;
                    noGpsSince = runSince;
                }
            }

            if (fix.BatteryPct is not null)
            {
                newestWithBattery = fix;
            }
        }

        // A run that reached the limit and then ended within the same batch is already over: no alert for it.
        if (run < noGpsRunLimit)
        {
            raise = false;
            noGpsSince = null;
        }

        (DateTimeOffset, short)? low = null;
        (DateTimeOffset, short)? recovered = null;
        if (newestWithBattery is { BatteryPct: { } pct } newest)
        {
            if (pct < lowBatteryPct)
            {
                low = (newest.At, pct);
            }
            else if (pct > lowBatteryPct + BatteryRecoveryMargin)
            {
                recovered = (newest.At, pct);
            }
        }

        return new DeviceBatchOutcome(run, raise, noGpsSince, gpsBack, low, recovered, runSince);
    }
}
