using Dashboard.Security;
using Microsoft.Extensions.Configuration;

namespace Dashboard.Tests.Security;

public class SignInModeTests
{
    private static IConfiguration Config(string? clientId, string? secret = "s3cret", string? tenant = "00000000-0000-4000-8000-000000000001") =>
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureAd:Instance"] = "https://login.microsoftonline.com/",
            ["AzureAd:TenantId"] = tenant,
            ["AzureAd:ClientId"] = clientId,
            ["AzureAd:ClientSecret"] = secret,
        }).Build();

    [Fact]
    public void Outside_Development_without_Entra_the_app_refuses_to_start()
    {
        var error = Assert.Throws<InvalidOperationException>(() => AuthenticationSetup.Decide(Config(""), isDevelopment: false));
        Assert.Contains("AzureAd", error.Message, StringComparison.Ordinal);
        Assert.Contains("development sign-in exists only in Development", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void In_Development_without_Entra_the_development_sign_in_is_used()
    {
        Assert.Equal(SignInMode.Development, AuthenticationSetup.Decide(Config(null), isDevelopment: true));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void With_Entra_configured_Entra_is_used_in_every_environment(bool isDevelopment)
    {
        Assert.Equal(SignInMode.Entra, AuthenticationSetup.Decide(Config("a0b1c2d3-0000-4000-8000-000000000001"), isDevelopment));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void With_a_client_id_but_no_client_secret_the_app_refuses_to_start(bool isDevelopment)
    {
        var error = Assert.Throws<InvalidOperationException>(() => AuthenticationSetup.Decide(Config("a0b1c2d3-0000-4000-8000-000000000001", secret: ""), isDevelopment));
        Assert.Contains("AzureAd:ClientSecret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void With_a_client_id_but_no_tenant_the_app_refuses_to_start()
    {
        var error = Assert.Throws<InvalidOperationException>(() => AuthenticationSetup.Decide(Config("a0b1c2d3-0000-4000-8000-000000000001", tenant: null), isDevelopment: false));
        Assert.Contains("AzureAd:TenantId", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/", true)]
    [InlineData("/subjects?page=2", true)]
    [InlineData("//evil.example/", false)]
    [InlineData("/\\evil.example", false)]
    [InlineData("https://evil.example/", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Sign_in_returns_only_to_pages_of_this_site(string? returnUrl, bool allowed)
    {
        Assert.Equal(allowed, DevSignIn.IsLocal(returnUrl));
    }
}
