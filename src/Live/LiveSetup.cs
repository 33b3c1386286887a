using System.Text.Json;
using System.Text.Json.Serialization;
using Dashboard.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Dashboard.Live;

public static class LiveSetup
{
    public const string HubPath = "/hubs/live";
    public const string HubPolicy = "LiveHub";

    /// <summary>
    /// The hub, the circuit client, publishing after commit, and the Redis backplane when
    /// <c>Redis:Configuration</c> is set (several instances); without it one instance works alone.
    /// </summary>
    public static void AddLive(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<LiveOptions>().BindConfiguration(LiveOptions.Section);
        var signalR = builder.Services.AddSignalR()
            .AddJsonProtocol(o => o.PayloadSerializerOptions = PayloadJson);
        if (builder.Configuration["Redis:Configuration"] is { Length: > 0 } redis)
        {
            signalR.AddStackExchangeRedis(redis, o => o.Configuration.ChannelPrefix = StackExchange.Redis.RedisChannel.Literal("dashboard"));
        }

        builder.Services.AddSingleton<LiveTokens>();
        builder.Services.AddSingleton<ILiveNotifier, HubLiveNotifier>();
        builder.Services.AddScoped<LiveClient>();
        builder.Services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, LiveTokenAuthentication>(LiveTokenAuthentication.SchemeName, null);
        // Browser clients (a wall display) use their sign-in cookie; circuits use a live token.
        // Both sign-in modes keep the session in the cookie scheme.
        builder.Services.AddAuthorizationBuilder().AddPolicy(HubPolicy, p => p
            .AddAuthenticationSchemes(CookieAuthenticationDefaults.AuthenticationScheme, LiveTokenAuthentication.SchemeName)
            .RequireClaim(DashboardClaims.StaffId)
            .RequireRole(Enum.GetNames<Domain.StaffRole>()));
    }

    /// <summary>
    /// The live messages' JSON settings (SignalR's defaults, enums as names), one instance for the hub and
    /// every circuit's client: serializer metadata is cached per options instance, so options made per
    /// connection would rebuild it (reflection and generated accessors) for every open page.
    /// </summary>
    public static JsonSerializerOptions PayloadJson { get; } = CreatePayloadJson();

    private static JsonSerializerOptions CreatePayloadJson()
    {
        var options = new Microsoft.AspNetCore.SignalR.JsonHubProtocolOptions().PayloadSerializerOptions;
        options.Converters.Add(new JsonStringEnumConverter());
        return options;
    }

    /// <summary>Messages are small summaries: small buffers keep an open dashboard cheap.</summary>
    public const int BufferBytes = 8 * 1024;

    public static void MapLive(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapHub<LiveHub>(HubPath, o =>
        {
            o.ApplicationMaxBufferSize = BufferBytes;
            o.TransportMaxBufferSize = BufferBytes;
        });
}
