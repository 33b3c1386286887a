using Dashboard.Ingestion;

namespace Dashboard.Features.Alerts.Sources;

public static class AlertSourcesSetup
{
    /// <summary>The machine rules that raise alerts: timers, the fix watchers and the device-event rules.</summary>
    public static void AddAlertSources(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<AlertOptions>().BindConfiguration(AlertOptions.Section).ValidateDataAnnotations()
            .Validate(o => TimeZoneExists(o.CurfewTimeZone), "Alerts:CurfewTimeZone must name a known time zone.")
            .ValidateOnStart();
        builder.Services.AddSingleton<DeviceIncidents>();
        builder.Services.AddSingleton<DeviceEventAlerts>();
        builder.Services.AddSingleton<ILocationObserver, LocationAlertRules>();
        builder.Services.AddSingleton<AlertTimers>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<AlertTimers>());
    }

    private static bool TimeZoneExists(string id) => TimeZoneInfo.TryFindSystemTimeZoneById(id, out _);
}
