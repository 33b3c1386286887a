namespace Dashboard.Features.Oversight;

public static class OversightSetup
{
    /// <summary>Threshold governance, proportionality reviews and the check-in burden.</summary>
    public static void AddOversight(this IServiceCollection services)
    {
        services.AddOptions<OversightOptions>().BindConfiguration(OversightOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<RunThresholdReplay>();
        services.AddSingleton<ProposeThresholdChange>();
        services.AddSingleton<DecideThresholdProposal>();
        services.AddSingleton<ListThresholds>();
        services.AddSingleton<GetCheckInBurden>();
        services.AddSingleton<ListMonitoringReviews>();
        services.AddSingleton<GetMonitoringReview>();
        services.AddSingleton<RecordMonitoringReview>();
    }
}
