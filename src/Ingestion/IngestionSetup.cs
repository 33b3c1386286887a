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
        builder.Services.AddIngestionRateLimit(builder.Configuration.GetSection(IngestionOptions.Section).Get<IngestionOptions>() ?? new IngestionOptions());
        builder.Services.AddMemoryCache();
        builder.Services.AddSingleton<IngestKeys>();
        builder.Services.AddSingleton<DeviceDirectory>();
        builder.Services.AddSingleton<PolicyCache>();
        builder.Services.AddSingleton<LocationWriter>();
        builder.Services.AddSingleton<CheckInWriter>();
        builder.Services.AddSingleton<SubmitCheckIn>();
        builder.Services.AddSingleton<SubmitLocations>();
        builder.Services.AddSingleton<SubmitDeviceEvent>();
        builder.Services.AddSingleton<GetDevicePrompts>();
        // Numbers are numbers: the contract does not accept "0.9" for 0.9, and the document must not say it does.
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict);
        builder.Services.AddOpenApi("v1", o =>
        {
            o.ShouldInclude = d => d.RelativePath?.StartsWith("api/v1/", StringComparison.Ordinal) == true;
            // SubmitCheckIn.Response -> SubmitCheckInResponse: the handlers' nested records would all be "Response".
            o.CreateSchemaReferenceId = t => t.Type.DeclaringType is { } outer && t.Type.Namespace == typeof(IngestionSetup).Namespace
                ? outer.Name + t.Type.Name
                : Microsoft.AspNetCore.OpenApi.OpenApiOptions.CreateDefaultSchemaReferenceId(t);
            o.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "Caseworker dashboard ingestion API";
                document.Info.Description = "Version 1 of the contract for device platforms. Authenticate with 'Authorization: Bearer <ingest key>'. " +
                    "Errors are RFC 9457 problem details; a 400 names every bad field in 'errors'; a rejected item leaves nothing stored.";
                document.Servers?.Clear();
                return Task.CompletedTask;
            });
        });
        builder.Services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, IngestKeyAuthentication>(IngestKeyAuthentication.SchemeName, null);
        builder.Services.AddAuthorizationBuilder().AddPolicy(Policy, p => p
            .AddAuthenticationSchemes(IngestKeyAuthentication.SchemeName)
            .RequireAuthenticatedUser()
            .RequireClaim(IngestKeyAuthentication.ClientIdClaim));
    }

    /// <summary>
    /// Describes the JSON body in the OpenAPI document only. (Accepts() would also make routing refuse
    /// other content types itself, before the ingest key is checked and without a problem body.)
    /// </summary>
    private static RouteHandlerBuilder WithJsonBody<T>(this RouteHandlerBuilder endpoint) =>
        endpoint.AddOpenApiOperationTransformer(async (operation, context, ct) =>
        {
            var schema = await context.GetOrCreateSchemaAsync(typeof(T), null, ct);
            operation.RequestBody = new Microsoft.OpenApi.OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, Microsoft.OpenApi.OpenApiMediaType> { ["application/json"] = new() { Schema = schema } },
            };
        });

    private static RouteHandlerBuilder WithErrors(this RouteHandlerBuilder endpoint, params int[] more)
    {
        endpoint.ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        foreach (var status in more)
        {
            endpoint.ProducesProblem(status);
        }

        return endpoint;
    }

    /// <summary>The ingestion contract, version 1 (DESIGN.md): device platforms authenticate with an ingest key.</summary>
    public static void MapIngestion(this IEndpointRouteBuilder endpoints)
    {
        var v1 = endpoints.MapGroup("/api/v1").RequireAuthorization(Policy).RequireRateLimiting(IngestionRateLimit.PolicyName)
            .WithTags("Ingestion v1").DisableAntiforgery();
        v1.MapPost("/checkins", (HttpContext http, SubmitCheckIn handler) => handler.HandleAsync(http))
            .WithName("SubmitCheckIn")
            .WithSummary("Submit one check-in (idempotent on eventId)")
            .WithJsonBody<CheckInRequest>()
            .Produces<SubmitCheckIn.Response>(StatusCodes.Status202Accepted)
            .Produces<SubmitCheckIn.Response>(StatusCodes.Status200OK)
            .WithErrors(StatusCodes.Status404NotFound);
        v1.MapPost("/locations", (HttpContext http, SubmitLocations handler) => handler.HandleAsync(http))
            .WithName("SubmitLocations")
            .WithSummary("Submit a batch of up to 10,000 location fixes")
            .WithJsonBody<LocationFixRequest[]>()
            .Produces<SubmitLocations.Response>(StatusCodes.Status202Accepted)
            .WithErrors();
        v1.MapPost("/device-events", (HttpContext http, SubmitDeviceEvent handler) => handler.HandleAsync(http))
            .WithName("SubmitDeviceEvent")
            .WithSummary("Submit one device event (idempotent on eventId)")
            .WithJsonBody<DeviceEventRequest>()
            .Produces<SubmitDeviceEvent.Response>(StatusCodes.Status202Accepted)
            .Produces<SubmitDeviceEvent.Response>(StatusCodes.Status200OK)
            .WithErrors(StatusCodes.Status404NotFound);
        v1.MapGet("/prompts", (string? from, string? to, GetDevicePrompts handler, CancellationToken ct) => handler.HandleAsync(from, to, ct))
            .WithName("GetPrompts")
            .WithSummary("The pending prompts to deliver to devices in a time range (at most 2 days)")
            .Produces<GetDevicePrompts.Prompt[]>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized);
    }
}
