using System.Net;
using Dashboard.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.IntegrationTests.Skeleton;

public class ProductionTests
{
    [Fact]
    public async Task In_Production_the_development_sign_in_does_not_exist()
    {
        var connectionString = await TestPostgres.CreateMigratedDatabaseAsync("production");
        await using var app = new DashboardApp(connectionString)
        {
            Environment = "Production",
            Settings = new Dictionary<string, string?>
            {
                ["AzureAd:Instance"] = "https://login.microsoftonline.com/",
                ["AzureAd:TenantId"] = "00000000-0000-4000-8000-000000000001",
                ["AzureAd:ClientId"] = "00000000-0000-4000-8000-000000000002",
                ["AzureAd:ClientSecret"] = "not-a-real-secret",
            },
        }.Start();

        var routes = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => e.RoutePattern.RawText ?? "").ToList();
        Assert.DoesNotContain(routes, r => r.Contains("dev-sign-in", StringComparison.OrdinalIgnoreCase));

        using var client = app.CreateClient(new() { AllowAutoRedirect = false });
        var page = await client.GetAsync(new Uri("/account/sign-in", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.DoesNotContain("officer1", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
