namespace Dashboard.Features.Breaches;

public static class BreachFeatureSetup
{
    /// <summary>The breach workflow's use cases: propose, decide (confirm, reject, withdraw), list, read, annotate.</summary>
    public static void AddBreachFeatures(this IServiceCollection services)
    {
        services.AddSingleton<ProposeBreach>();
        services.AddSingleton<DecideBreach>();
        services.AddSingleton<ListBreaches>();
        services.AddSingleton<GetBreach>();
        services.AddSingleton<AddBreachNote>();
    }
}
