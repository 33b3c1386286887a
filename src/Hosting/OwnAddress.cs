using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Dashboard.Hosting;

/// <summary>This instance's own listening address, reached over loopback (for its circuits' hub connections and the simulator).</summary>
public static class OwnAddress
{
    /// <summary>The first http address Kestrel listens on, with wildcard and any-address hosts replaced by 127.0.0.1; null before it listens.</summary>
    public static Uri? Loopback(IServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var address = addresses.FirstOrDefault(a => a.StartsWith("http://", StringComparison.Ordinal)) ?? addresses.FirstOrDefault();
        if (address is null)
        {
            return null;
        }

        var uri = new UriBuilder(address.Replace("://*", "://127.0.0.1", StringComparison.Ordinal).Replace("://+", "://127.0.0.1", StringComparison.Ordinal));
        if (uri.Host is "localhost" or "0.0.0.0" or "[::]")
        {
            uri.Host = "127.0.0.1";
        }

        return uri.Uri;
    }
}
