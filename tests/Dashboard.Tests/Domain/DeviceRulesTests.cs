using Dashboard.Domain;

namespace Dashboard.Tests.Domain;

public class DeviceRulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    private static DeviceFix[] Fixes(params double[] accuracies) =>
        [.. accuracies.Select((a, i) => new DeviceFix(T0.AddSeconds(30 * i), a, null))];

    private static DeviceBatchOutcome Judge(IEnumerable<DeviceFix> fixes, int runBefore = 0) =>
        DeviceRules.Judge(fixes, runBefore, noGpsAccuracyM: 100, noGpsRunLimit: 5, lowBatteryPct: 15);

    [Fact]
    public void Four_fixes_without_gps_are_not_yet_an_alert()
    {
        var outcome = Judge(Fixes(500, 500, 500, 500));

        Assert.False(outcome.RaiseNoGpsFix);
        Assert.Equal(4, outcome.NonGpsRun);
    }

    [Fact]
    public void The_fifth_fix_without_gps_raises_once_even_across_batches()
    {
        var first = Judge(Fixes(500, 500, 500));
        var second = Judge(Fixes(500, 500, 500), first.NonGpsRun);
        var third = Judge(Fixes(500, 500), second.NonGpsRun);

        Assert.False(first.RaiseNoGpsFix);
        Assert.True(second.RaiseNoGpsFix);
        Assert.False(third.RaiseNoGpsFix);
        Assert.Equal(8, third.NonGpsRun);
    }

    [Fact]
    public void A_gps_fix_ends_the_run_and_clears_the_incident()
    {
        var outcome = Judge(Fixes(500, 500, 8), runBefore: 7);

        Assert.Equal(0, outcome.NonGpsRun);
        Assert.Equal(T0.AddSeconds(60), outcome.GpsBackAt);
        Assert.False(outcome.RaiseNoGpsFix);
    }

    [Fact]
    public void A_run_that_reached_the_limit_and_ended_in_the_same_batch_raises_nothing()
    {
        var outcome = Judge(Fixes(500, 500, 500, 500, 500, 500, 10));

        Assert.False(outcome.RaiseNoGpsFix);
        Assert.Equal(0, outcome.NonGpsRun);
    }

    [Fact]
    public void Fixes_are_judged_in_time_order_whatever_order_they_arrive_in()
    {
        var outcome = Judge(Fixes(10, 500, 500, 500, 500, 500).Reverse());

        Assert.True(outcome.RaiseNoGpsFix);
        Assert.Equal(T0.AddSeconds(30), outcome.NoGpsSince);
    }

    [Theory]
    [InlineData((short)14, true, false)]
    [InlineData((short)15, false, false)]
    [InlineData((short)25, false, false)]
    [InlineData((short)26, false, true)]
    public void Low_battery_is_under_the_level_and_recovery_is_above_the_level_plus_ten(short pct, bool low, bool recovered)
    {
        var outcome = Judge([new DeviceFix(T0, 8, pct)]);

        Assert.Equal(low, outcome.LowBatteryAt is not null);
        Assert.Equal(recovered, outcome.BatteryRecoveredAt is not null);
    }

    [Fact]
    public void The_newest_battery_reading_decides()
    {
        var outcome = Judge([new DeviceFix(T0.AddMinutes(1), 8, 40), new DeviceFix(T0, 8, 10)]);

        Assert.Null(outcome.LowBatteryAt);
        Assert.NotNull(outcome.BatteryRecoveredAt);
    }

    [Theory]
    [InlineData(DeviceEventKind.NoGpsFix, true, AlertKind.NoGpsFix)]
    [InlineData(DeviceEventKind.SignalLost, true, AlertKind.NoGpsFix)]
    [InlineData(DeviceEventKind.StrapTamper, false, AlertKind.DeviceTamper)]
    [InlineData(DeviceEventKind.LowBattery, false, AlertKind.LowBattery)]
    public void Signal_lost_and_no_gps_fix_join_the_device_incident(DeviceEventKind kind, bool joins, AlertKind alert)
    {
        Assert.Equal(joins, DeviceRules.JoinsIncident(kind));
        Assert.Equal(alert, DeviceRules.AlertFor(kind));
    }

    [Theory]
    [InlineData(DeviceEventKind.Charging)]
    [InlineData(DeviceEventKind.PowerOn)]
    [InlineData(DeviceEventKind.PowerOff)]
    public void Power_and_charging_events_raise_no_alert(DeviceEventKind kind) => Assert.Null(DeviceRules.AlertFor(kind));
}
