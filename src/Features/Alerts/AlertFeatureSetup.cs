namespace Dashboard.Features.Alerts;

public static class AlertFeatureSetup
{
    /// <summary>The alerts page's use cases, the app bar's badge and the alert load panel.</summary>
    public static void AddAlertFeatures(this IServiceCollection services)
    {
        services.AddSingleton<AlertActions>();
        services.AddSingleton<ListAlerts>();
        services.AddSingleton<AcknowledgeAlerts>();
        services.AddSingleton<DismissAlert>();
        services.AddSingleton<RecordExcuse>();
        services.AddSingleton<CountOpenAlerts>();
        services.AddSingleton<GetAlertLoad>();
    }
}
