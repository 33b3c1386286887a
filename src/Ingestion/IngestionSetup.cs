using Dashboard.Features.Prompts;
using Microsoft.AspNetCore.Authentication;

namespace Dashboard.Ingestion;

public static class IngestionSetup
{
    public const string Policy = "Ingest";

    public static void AddIngestion(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<IngestionOptions>().BindConfiguration(IngestionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddMemoryCache();
        builder.Services.AddSingleton<IngestKeys>();
        builder.Services.AddSingleton<DeviceDirectory>();
        builder.Services.AddSingleton<PolicyCache>();
        builder.Services.AddSingleton<LocationWriter>();
        builder.Services.AddSingleton<SubmitCheckIn>();
        builder.Services.AddSingleton<SubmitLocations>();
        builder.Services.AddSingleton<SubmitDeviceEvent>();
        builder.Services.AddSingleton<GetDevicePrompts>();
        builder.Services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, IngestKeyAuthentication>(IngestKeyAuthentication.SchemeName, null);
        builder.Services.AddAuthorizationBuilder().AddPolicy(Policy, p => p
            .AddAuthenticationSchemes(IngestKeyAuthentication.SchemeName)
            .RequireAuthenticatedUser()
            .RequireClaim(IngestKeyAuthentication.ClientIdClaim));
    }

    /// <summary>The ingestion contract, version 1 (DESIGN.md): device platforms authenticate with an ingest key.</summary>
    public static void MapIngestion(this IEndpointRouteBuilder endpoints)
    {
        var v1 = endpoints.MapGroup("/api/v1").RequireAuthorization(Policy).WithTags("Ingestion v1").DisableAntiforgery();
        v1.MapPost("/checkins", (HttpContext http, SubmitCheckIn handler) => handler.HandleAsync(http))
            .WithName("SubmitCheckIn")
            .WithSummary("Submit one check-in (idempotent on eventId)");
        v1.MapPost("/locations", (HttpContext http, SubmitLocations handler) => handler.HandleAsync(http))
            .WithName("SubmitLocations")
            .WithSummary("Submit a batch of up to 10,000 location fixes");
        v1.MapPost("/device-events", (HttpContext http, SubmitDeviceEvent handler) => handler.HandleAsync(http))
            .WithName("SubmitDeviceEvent")
            .WithSummary("Submit one device event (idempotent on eventId)");
        v1.MapGet("/prompts", (string? from, string? to, GetDevicePrompts handler, CancellationToken ct) => handler.HandleAsync(from, to, ct))
            .WithName("GetPrompts")
            .WithSummary("The pending prompts to deliver to devices in a time range (at most 2 days)");
    }
}
