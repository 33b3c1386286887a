using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Dashboard.Testing;

/// <summary>
/// The real app (real HTTP pipeline, real PostgreSQL) for tests. With <see cref="Kestrel"/> it listens
/// on 127.0.0.1 for browsers and SignalR clients; otherwise it runs in memory.
/// </summary>
public sealed class DashboardApp(string connectionString) : WebApplicationFactory<Program>
{
    public string Environment { get; init; } = "Development";
    public bool Kestrel { get; init; }
    public bool SeedDemo { get; init; }
    public bool Migrate { get; init; }
    public IDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    /// <summary>
    /// The app serves requests as this login (data rights only; created and granted by the app at start,
    /// with the test superuser as schema owner), as it does in production. Null: as the superuser.
    /// </summary>
    public string? RuntimeRole { get; init; } = Dashboard.Data.DatabaseStartup.DefaultRuntimeRole;

    /// <summary>The test superuser's connection string to the app's database (for checks and set-up).</summary>
    public string ConnectionString => connectionString;

    /// <summary>The connection string the app itself uses at runtime.</summary>
    public string RuntimeConnectionString =>
        RuntimeRole is null ? connectionString : Dashboard.Data.DatabaseStartup.RuntimeConnectionFor(connectionString, RuntimeRole);

    /// <summary>The address Kestrel listens on (after <see cref="Start"/>).</summary>
    public Uri BaseAddress { get; private set; } = new("http://localhost");

    /// <summary>When <see cref="Start"/> was called (before any hosted service ran).</summary>
    public DateTimeOffset StartedAt { get; private set; }

    public DashboardApp Start()
    {
        StartedAt = DateTimeOffset.UtcNow;
        if (Kestrel)
        {
            UseKestrel(0);
            StartServer();
            var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
            BaseAddress = new Uri(addresses.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("localhost", "127.0.0.1", StringComparison.Ordinal));
        }
        else
        {
            _ = Server;
        }

        return this;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(Environment);
        builder.ConfigureLogging(TestLogFile.AddTo);
        builder.UseContentRoot(Repository.Root);
        builder.UseSetting("ConnectionStrings:Dashboard", RuntimeConnectionString);
        if (RuntimeRole is not null)
        {
            builder.UseSetting("ConnectionStrings:DashboardMigrations", connectionString);
        }

        builder.UseSetting("Database:Migrate", Migrate ? "true" : "false");
        builder.UseSetting("Database:SeedDemo", SeedDemo ? "true" : "false");
        builder.UseSetting("Simulator:Enabled", "false");
        if (Kestrel)
        {
            builder.UseSetting("urls", "http://127.0.0.1:0");
        }

        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
    }
}
