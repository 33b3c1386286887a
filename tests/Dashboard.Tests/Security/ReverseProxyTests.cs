using System.Net;
using Dashboard.Security;
using Microsoft.AspNetCore.HttpOverrides;

namespace Dashboard.Tests.Security;

public class ReverseProxyTests
{
    [Fact]
    public void Enabled_without_a_named_proxy_stops_the_start()
    {
        var error = Assert.Throws<InvalidOperationException>(() => ReverseProxy.Options(new ReverseProxyOptions { Enabled = true }));
        Assert.Contains("ForwardedHeaders:KnownProxies", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("proxy.internal", null)]
    [InlineData(null, "10.0.0.0")]
    public void A_proxy_that_is_not_an_address_or_network_stops_the_start(string? proxy, string? network)
    {
        Assert.Throws<InvalidOperationException>(() => ReverseProxy.Options(new ReverseProxyOptions
        {
            Enabled = true,
            KnownProxies = proxy is null ? [] : [proxy],
            KnownNetworks = network is null ? [] : [network],
        }));
    }

    [Fact]
    public void Only_the_configured_proxies_are_believed_for_address_scheme_and_host()
    {
        var options = ReverseProxy.Options(new ReverseProxyOptions { Enabled = true, KnownProxies = ["10.0.0.5"], KnownNetworks = ["192.168.10.0/24"] });

        Assert.Equal([IPAddress.Parse("10.0.0.5")], options.KnownProxies);
        Assert.Equal([System.Net.IPNetwork.Parse("192.168.10.0/24")], options.KnownIPNetworks);
        Assert.Equal(ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost, options.ForwardedHeaders);
    }
}
