using Dashboard.Security;
using Dashboard.Testing;

namespace Dashboard.IntegrationTests.Security;

public class EntraStartupTests
{
    [Theory]
    [InlineData("Production")]
    [InlineData("Staging")]
    public void Outside_Development_the_app_does_not_start_without_entra_id(string environment)
    {
        // Nothing reaches the database: the start stops while the services are put together.
        using var app = new DashboardApp("Host=/nonexistent;Database=never;Username=nobody") { Environment = environment };

        var error = Assert.ThrowsAny<Exception>(() => app.Start());

        var refusal = Assert.IsType<InvalidOperationException>(error.GetBaseException());
        Assert.Equal(AuthenticationSetup.MissingEntraMessage, refusal.Message);
    }
}
