namespace Dashboard.Features.Zones;

public static class ZoneSetup
{
    /// <summary>Zone editing: supervisors draw, change and end a subject's zones.</summary>
    public static IServiceCollection AddZones(this IServiceCollection services)
    {
        services.AddSingleton<ListZones>();
        services.AddSingleton<CreateZone>();
        services.AddSingleton<EditZone>();
        services.AddSingleton<DeactivateZone>();
        return services;
    }
}
