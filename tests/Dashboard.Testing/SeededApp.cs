using System.Net;
using Xunit;

namespace Dashboard.Testing;

/// <summary>A class fixture: a migrated database with the demo service seeded, and the app on it.</summary>
public class SeededApp : IAsyncLifetime
{
    public DashboardApp App { get; private set; } = null!;

    protected virtual bool Kestrel => false;

    public virtual async Task InitializeAsync()
    {
        var connectionString = await TestPostgres.CreateMigratedDatabaseAsync(GetType().Name);
        App = new DashboardApp(connectionString) { SeedDemo = true, Kestrel = Kestrel }.Start();
    }

    public virtual async Task DisposeAsync() => await App.DisposeAsync();

    /// <summary>An HTTP client signed in as a demo user (officer1, supervisor1, auditor1, ...).</summary>
    public async Task<HttpClient> SignedInClientAsync(string login)
    {
        var client = App.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = true });
        var response = await client.GetAsync(new Uri($"/account/dev-sign-in?user={login}", UriKind.Relative));
        if (response.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"Sign-in as {login} answered {(int)response.StatusCode}.");
        }

        return client;
    }
}
