using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Npgsql;

namespace Dashboard.Hosting;

public sealed class ShutdownOptions
{
    public const string Section = "Shutdown";

    /// <summary>
    /// How long a stopping instance waits for in-flight requests and background work before it exits.
    /// Kept under the 10 seconds an orchestrator usually allows between SIGTERM and SIGKILL.
    /// </summary>
    [Range(1, 60)]
    public int TimeoutSeconds { get; set; } = 8;

    /// <summary>What a refused device platform is told to wait before it sends again (the Retry-After header).</summary>
    [Range(1, 3600)]
    public int RetryAfterSeconds { get; set; } = 5;

    /// <summary>
    /// How long a stopping instance keeps listening (answering 503 and not-ready) while device platforms
    /// are still sending, so that they and the load balancer move to another instance instead of meeting
    /// a refused connection. It stops listening sooner once no request came for a second.
    /// </summary>
    [Range(0, 30)]
    public int DrainSeconds { get; set; } = 3;
}

/// <summary>
/// Set once the host begins to stop (SIGTERM, a redeploy): from then on the instance takes no new
/// ingestion, reports not-ready, and lets what is already in flight finish.
/// </summary>
public sealed class ShutdownGate
{
    private volatile bool _draining;
    private long _lastApiRequest = long.MinValue / 2;

    public ShutdownGate(IHostApplicationLifetime lifetime)
    {
        ArgumentNullException.ThrowIfNull(lifetime);
        lifetime.ApplicationStopping.Register(() => _draining = true);
    }

    public bool Draining => _draining;

    /// <summary>Milliseconds since the last API request arrived.</summary>
    public long QuietMilliseconds => Environment.TickCount64 - Interlocked.Read(ref _lastApiRequest);

    public void ApiRequestArrived() => Interlocked.Exchange(ref _lastApiRequest, Environment.TickCount64);
}

/// <summary>
/// Runs first when the host stops, before the server stops listening: holds the listener open while
/// API requests keep arriving (each answered 503 by the gate), at most <see cref="ShutdownOptions.DrainSeconds"/>.
/// </summary>
internal sealed class ShutdownDrain(ShutdownGate gate, Microsoft.Extensions.Options.IOptions<ShutdownOptions> options, ILogger<ShutdownDrain> logger)
    : IHostedLifecycleService
{
    private const int QuietMilliseconds = 1000;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        var until = Environment.TickCount64 + (options.Value.DrainSeconds * 1000L);
        if (gate.QuietMilliseconds < QuietMilliseconds)
        {
            logger.LogInformation("Shutting down: refusing new ingestion for up to {Seconds} s while device platforms move elsewhere", options.Value.DrainSeconds);
        }

        while (gate.QuietMilliseconds < QuietMilliseconds && Environment.TickCount64 < until && !cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(100, CancellationToken.None);
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

public static class GracefulShutdown
{
    /// <summary>The gate, and a host shutdown timeout that ends the process within <see cref="ShutdownOptions.TimeoutSeconds"/>.</summary>
    public static void AddGracefulShutdown(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<ShutdownOptions>().BindConfiguration(ShutdownOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var options = builder.Configuration.GetSection(ShutdownOptions.Section).Get<ShutdownOptions>() ?? new ShutdownOptions();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(options.TimeoutSeconds));
        builder.Services.AddSingleton<ShutdownGate>();
        builder.Services.AddHostedService<ShutdownDrain>();
    }

    /// <summary>
    /// For the device-platform API: while the instance stops, new requests get 503 with Retry-After
    /// (a load balancer or the platform's retry sends them to another instance); and a request that
    /// fails because the database cannot be reached gets 503 too, instead of a bare 500, so the
    /// platform knows to send it again with the same eventId.
    /// </summary>
    public static void UseGracefulShutdown(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var gate = app.ApplicationServices.GetRequiredService<ShutdownGate>();
        var options = app.ApplicationServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<ShutdownOptions>>().Value;
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(GracefulShutdown));
        app.Use(async (context, next) =>
        {
            if (!context.Request.Path.StartsWithSegments("/api"))
            {
                await next(context);
                return;
            }

            gate.ApiRequestArrived();
            if (gate.Draining)
            {
                // Connection: close, so that a keep-alive client's next request goes to an instance that stays.
                context.Response.Headers.Connection = "close";
                await UnavailableAsync(context, options, "This instance is shutting down",
                    "Nothing was stored. Send the request again after the time in Retry-After; another instance will take it.");
                return;
            }

            try
            {
                await next(context);
            }
            catch (Exception ex) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested && IsDatabaseUnavailable(ex))
            {
                logger.LogWarning(ex, "The database could not be reached for {Method} {Path}", context.Request.Method, context.Request.Path);
                context.Response.Clear();
                await UnavailableAsync(context, options, "The database cannot be reached",
                    "The request may or may not have been stored. Send it again with the same eventId after the time in Retry-After: a repeat is never stored twice.");
            }
        });
    }

    /// <summary>Connection failures, a server shutting down or not yet accepting connections: a retry later can succeed.</summary>
    public static bool IsDatabaseUnavailable(Exception exception)
    {
        for (var ex = exception; ex is not null; ex = ex.InnerException)
        {
            switch (ex)
            {
                case PostgresException pg:
                    return pg.IsTransient || pg.SqlState.StartsWith("08", StringComparison.Ordinal) || pg.SqlState.StartsWith("57P", StringComparison.Ordinal);
                case NpgsqlException npgsql when npgsql.IsTransient:
                    return true;
                case System.Net.Sockets.SocketException or TimeoutException:
                    return true;
            }
        }

        return false;
    }

    private static async Task UnavailableAsync(HttpContext context, ShutdownOptions options, string title, string detail)
    {
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = options.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        await Results.Problem(title: title, detail: detail, statusCode: StatusCodes.Status503ServiceUnavailable).ExecuteAsync(context);
    }
}
