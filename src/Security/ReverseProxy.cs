using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Dashboard.Security;

/// <summary>
/// The <c>ForwardedHeaders</c> section, for running behind a reverse proxy that ends TLS. Off by default;
/// when on, only the listed proxies (addresses or networks) are believed.
/// </summary>
public sealed class ReverseProxyOptions
{
    public const string Section = "ForwardedHeaders";

    public bool Enabled { get; set; }

    /// <summary>Proxy addresses, such as 10.0.0.5.</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Proxy networks in CIDR notation, such as 10.0.0.0/24.</summary>
    public string[] KnownNetworks { get; set; } = [];

    /// <summary>Host names the proxy may forward (X-Forwarded-Host); empty: any.</summary>
    public string[] AllowedHosts { get; set; } = [];
}

public static class ReverseProxy
{
    public const string NoProxyMessage =
        "ForwardedHeaders:Enabled is true but neither ForwardedHeaders:KnownProxies nor ForwardedHeaders:KnownNetworks lists a proxy. " +
        "Name the reverse proxy's address (or network) so that no one else can claim to be https or another client.";

    /// <summary>
    /// Believes X-Forwarded-For/-Proto/-Host from the configured proxies, so that the client address (sign-in rate
    /// limit, audit), the Entra ID redirect URI and HSTS see what the browser sees. First in the pipeline.
    /// </summary>
    public static IApplicationBuilder UseDashboardForwardedHeaders(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var settings = app.ApplicationServices.GetRequiredService<IConfiguration>().GetSection(ReverseProxyOptions.Section).Get<ReverseProxyOptions>() ?? new();
        return settings.Enabled ? app.UseForwardedHeaders(Options(settings)) : app;
    }

    internal static ForwardedHeadersOptions Options(ReverseProxyOptions settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.KnownProxies.Length == 0 && settings.KnownNetworks.Length == 0)
        {
            throw new InvalidOperationException(NoProxyMessage);
        }

        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost,
        };
        // Replace the loopback defaults: only what the configuration names is trusted.
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var proxy in settings.KnownProxies)
        {
            options.KnownProxies.Add(IPAddress.TryParse(proxy, out var address)
                ? address
                : throw new InvalidOperationException($"ForwardedHeaders:KnownProxies: '{proxy}' is not an IP address."));
        }

        foreach (var network in settings.KnownNetworks)
        {
            options.KnownIPNetworks.Add(System.Net.IPNetwork.TryParse(network, out var parsed)
                ? parsed
                : throw new InvalidOperationException($"ForwardedHeaders:KnownNetworks: '{network}' is not a network in CIDR notation (such as 10.0.0.0/24)."));
        }

        foreach (var host in settings.AllowedHosts)
        {
            options.AllowedHosts.Add(host);
        }

        return options;
    }
}
