using Dashboard.Hosting;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Dashboard.Health;

public static class HealthEndpoints
{
    private const string Ready = "ready";

    public static void AddDashboardHealth(this IServiceCollection services) =>
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: [Ready])
            .AddCheck<ShutdownHealthCheck>("shutdown", tags: [Ready])
            .AddCheck<BackplaneHealthCheck>("live-backplane", tags: [Ready]);

    /// <summary>
    /// <c>/health/live</c>: the process answers. <c>/health/ready</c>: it can reach its database and is not
    /// shutting down (503 otherwise); a degraded part (200, "Degraded") says what works less well and why.
    /// </summary>
    public static void MapDashboardHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        endpoints.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = c => c.Tags.Contains(Ready),
            ResponseWriter = WriteJsonAsync,
        }).AllowAnonymous();
    }

    private static Task WriteJsonAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json";
        return http.Response.WriteAsJsonAsync(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), e.Value.Description }),
        });
    }
}

internal sealed class DatabaseHealthCheck(NpgsqlDataSource dataSource) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            await using var command = dataSource.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(timeout.Token);
            return HealthCheckResult.Healthy("The database answers.");
        }
        catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("The database does not answer.");
        }
    }
}

/// <summary>A stopping instance is not ready: the load balancer sends new work elsewhere while it drains.</summary>
internal sealed class ShutdownHealthCheck(ShutdownGate gate) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(gate.Draining
            ? HealthCheckResult.Unhealthy("This instance is shutting down.")
            : HealthCheckResult.Healthy("Taking requests."));
}

/// <summary>
/// Without Redis an instance still serves its own pages and their live updates, so it stays ready, but
/// degraded: pages on other instances miss what happens here until Redis returns.
/// </summary>
internal sealed class BackplaneHealthCheck(BackplaneState state) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!state.Configured)
        {
            return Task.FromResult(HealthCheckResult.Healthy("Single instance: no backplane configured."));
        }

        if (state.Connected)
        {
            return Task.FromResult(HealthCheckResult.Healthy("The Redis backplane answers: live updates reach every instance."));
        }

        if (!state.KnownDown)
        {
            return Task.FromResult(HealthCheckResult.Healthy("The Redis backplane connects with the first live connection."));
        }

        var since = state.DownSince is { } down ? $" since {down.UtcDateTime:HH:mm:ss} UTC" : "";
        return Task.FromResult(HealthCheckResult.Degraded(
            $"The Redis backplane cannot be reached{since} ({state.LastFailure ?? "no connection"}): " +
            "live updates reach only pages open on this instance until it returns."));
    }
}
