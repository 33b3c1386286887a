using Dashboard.Security;

namespace Dashboard.Tests.Security;

public class ContentSecurityPolicyTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("/tiles/{z}/{x}/{y}.png")]
    public void Without_an_external_tile_server_images_come_from_this_site_only(string? tileUrl)
    {
        Assert.Contains("img-src 'self' data: blob:;", SecurityHeaders.ContentSecurityPolicy(tileUrl), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://tiles.example.org/{z}/{x}/{y}.png", "https://tiles.example.org")]
    [InlineData("https://{s}.tile.example.org/{z}/{x}/{y}.png?key=abc", "https://*.tile.example.org")]
    [InlineData("HTTPS://Tiles.Example.org:8443/osm/{z}/{x}/{y}.png", "https://tiles.example.org:8443")]
    public void An_external_tile_server_is_allowed_as_an_image_source_and_nothing_else(string tileUrl, string source)
    {
        var policy = SecurityHeaders.ContentSecurityPolicy(tileUrl);

        Assert.Contains($"img-src 'self' data: blob: {source};", policy, StringComparison.Ordinal);
        Assert.Contains("script-src 'self';", policy, StringComparison.Ordinal);
        Assert.Contains("connect-src 'self';", policy, StringComparison.Ordinal);
        Assert.Equal(2, policy.Split(source).Length);
    }

    [Theory]
    [InlineData("tiles.example.org/{z}/{x}/{y}.png")]
    [InlineData("https://tiles-{s}.example.org/{z}/{x}/{y}.png")]
    [InlineData("ftp://tiles.example.org/{z}/{x}/{y}.png")]
    [InlineData("//tiles.example.org/{z}/{x}/{y}.png")]
    public void A_tile_url_the_policy_cannot_name_stops_the_start(string tileUrl)
    {
        var error = Assert.Throws<InvalidOperationException>(() => SecurityHeaders.ContentSecurityPolicy(tileUrl));
        Assert.Contains("Map:TileUrl", error.Message, StringComparison.Ordinal);
    }
}
