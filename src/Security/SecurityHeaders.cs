using System.Text.RegularExpressions;
using Dashboard.Components.Maps;
using Microsoft.Extensions.Options;

namespace Dashboard.Security;

public static partial class SecurityHeaders
{
    /// <summary>
    /// A Content-Security-Policy without inline scripts (Blazor, MudBlazor and our modules load from
    /// this site; styles allow inline because MudBlazor sets style attributes), no framing, no sniffing,
    /// no referrer leaks. Images may also come from the map tile server, when one is configured.
    /// HSTS is added outside Development by UseHsts.
    /// </summary>
    public static string ContentSecurityPolicy(string? tileUrl)
    {
        var tiles = TileSource(tileUrl);
        return "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
            $"img-src 'self' data: blob:{(tiles is null ? "" : " " + tiles)}; " +
            "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";
    }

    /// <summary>
    /// The CSP source of a Leaflet tile URL template (<c>Map:TileUrl</c>): its scheme and host, with a leading
    /// <c>{s}</c> subdomain as <c>*</c>. Null when no tile server or one on this site. Any other placeholder in
    /// the host cannot be expressed in a CSP and stops the start with a clear message.
    /// </summary>
    public static string? TileSource(string? tileUrl)
    {
        if (string.IsNullOrWhiteSpace(tileUrl) || tileUrl.StartsWith('/') && !tileUrl.StartsWith("//", StringComparison.Ordinal))
        {
            return null;
        }

        var match = OriginPattern().Match(tileUrl);
        if (!match.Success)
        {
            throw new InvalidOperationException($"Map:TileUrl '{tileUrl}' is not an absolute http(s) URL template (such as https://{{s}}.tiles.example/{{z}}/{{x}}/{{y}}.png) nor a path on this site.");
        }

        var host = match.Groups["host"].Value;
        if (host.StartsWith("{s}.", StringComparison.Ordinal))
        {
            host = "*." + host[4..];
        }

        if (host.Contains('{', StringComparison.Ordinal) || host.Contains('}', StringComparison.Ordinal) || host.Contains('@', StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Map:TileUrl '{tileUrl}': the host may use only {{s}} as its first label; the Content-Security-Policy must name the tile server.");
        }

        return $"{match.Groups["scheme"].Value.ToLowerInvariant()}://{host.ToLowerInvariant()}";
    }

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // Computed once at start: a tile URL the policy cannot express stops the start, not the first page.
        var policy = ContentSecurityPolicy(app.ApplicationServices.GetRequiredService<IOptions<MapOptions>>().Value.TileUrl);
        return app.Use(async (context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = policy;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
                headers.XFrameOptions = "DENY";
                headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
                return Task.CompletedTask;
            });
            await next(context);
        });
    }

    [GeneratedRegex(@"^(?<scheme>https?)://(?<host>[^/?#]+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex OriginPattern();
}
