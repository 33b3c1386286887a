using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.AspNetCore.SignalR.StackExchangeRedis;
using Microsoft.Extensions.Options;
using Dashboard.Live;
using StackExchange.Redis;

namespace Dashboard.Hosting;

/// <summary>
/// What this instance knows of its Redis backplane: whether it can reach it now, and if not, since when
/// and why. Read by the health endpoint and by <see cref="ResilientHubLifetimeManager{THub}"/>.
/// </summary>
public sealed class BackplaneState(TimeProvider clock) : IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private IConnectionMultiplexer? _redis;
    private string? _lastFailure;

    /// <summary>Raised when the backplane is reachable again after an outage.</summary>
    public event Action? Restored;

    /// <summary>True when a backplane is configured (several instances); false for a single instance.</summary>
    public bool Configured { get; private set; }

    public bool Connected => _redis?.IsConnected == true;

    /// <summary>
    /// True while a configured backplane is not connected, including before its first connection: messages are
    /// then delivered locally at once (nothing waits on Redis, nothing is queued to arrive late or twice).
    /// </summary>
    public bool KnownDown => Configured && _redis?.IsConnected != true;

    public DateTimeOffset? DownSince { get; private set; }

    public string? LastFailure => _lastFailure;

    internal void Expect() => Configured = true;

    internal void Attach(IConnectionMultiplexer redis)
    {
        _redis = redis;
        redis.ConnectionFailed += (_, e) =>
        {
            _lastFailure = $"{e.FailureType} on {e.EndPoint}";
            DownSince ??= clock.GetUtcNow();
        };
        redis.ConnectionRestored += (_, _) =>
        {
            if (redis.IsConnected)
            {
                DownSince = null;
                Restored?.Invoke();
            }
        };
        if (!redis.IsConnected)
        {
            DownSince = clock.GetUtcNow();
            _lastFailure = "Not connected at start.";
        }
    }

    internal async Task WaitUntilConnectedAsync(IConnectionMultiplexer redis)
    {
        while (!redis.IsConnected)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250), _stopping.Token);
        }

        // Reachable for the first time: pages served locally until now are handed to the backplane.
        DownSince = null;
        Restored?.Invoke();
    }

    /// <summary>Ends any wait for a first connection: the instance is shutting down.</summary>
    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    internal void Failed(Exception exception)
    {
        _lastFailure = exception.GetType().Name;
        DownSince ??= clock.GetUtcNow();
    }
}

public static class ResilientBackplane
{
    /// <summary>
    /// With a Redis backplane configured: an instance that loses Redis keeps delivering live messages to its
    /// own pages (and says so in health), and every page gets cross-instance messages again once Redis is back.
    /// </summary>
    public static void AddResilientBackplane(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<BackplaneState>();
        if (builder.Configuration["Redis:Configuration"] is not { Length: > 0 })
        {
            return;
        }

        builder.Services.AddOptions<RedisOptions>().PostConfigure<BackplaneState>((options, state) =>
        {
            state.Expect();
            // Fail at once while Redis is away (we then deliver locally) instead of queueing messages that
            // would arrive late, or twice; keep reconnecting every second; start even if Redis is down.
            options.Configuration.BacklogPolicy = BacklogPolicy.FailFast;
            options.Configuration.AbortOnConnectFail = false;
            options.Configuration.ReconnectRetryPolicy = new LinearRetry(1000);
            options.Configuration.ConnectTimeout = 2000;
            options.ConnectionFactory = async writer =>
            {
                var redis = await ConnectionMultiplexer.ConnectAsync(options.Configuration, writer);
                state.Attach(redis);
                // The hub's Redis manager subscribes to its channels once, right after this returns, and never
                // again if that fails: so an instance that starts while Redis is away hands the connection over
                // only once it is up. Meanwhile the state says Redis is down and messages are delivered locally.
                await state.WaitUntilConnectedAsync(redis);
                return redis;
            };
        });
        // The last registration of the open generic wins: the Redis manager is wrapped, not replaced.
        builder.Services.AddSingleton(typeof(HubLifetimeManager<>), typeof(ResilientHubLifetimeManager<>));
    }
}

/// <summary>
/// The Redis hub lifetime manager with a local fallback. While Redis is reachable every call goes through
/// Redis as usual (one delivery path, so nothing arrives twice). While it is not, messages go to this
/// instance's own connections directly, and connections that join meanwhile are served locally; when
/// Redis returns, those connections are closed so that their clients reconnect with full subscriptions
/// (pages fetch what they missed after a reconnect).
/// </summary>
public sealed partial class ResilientHubLifetimeManager<THub> : HubLifetimeManager<THub>, IDisposable where THub : Hub
{
    private static readonly TimeSpan RedisCallTimeout = TimeSpan.FromSeconds(3);

    private readonly DefaultHubLifetimeManager<THub> _local;
    /// <summary>Null for Blazor's own circuit hub: a circuit lives on one instance, nothing of it crosses to another.</summary>
    private readonly RedisHubLifetimeManager<THub>? _redis;
    private readonly BackplaneState _state;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, HubConnectionContext> _connections = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, HubConnectionContext> _servedLocally = new(StringComparer.Ordinal);

    public ResilientHubLifetimeManager(
        ILoggerFactory loggers,
        IOptions<RedisOptions> redisOptions,
        IHubProtocolResolver protocols,
        IOptions<HubOptions> globalHubOptions,
        IOptions<HubOptions<THub>> hubOptions,
        BackplaneState state)
    {
        ArgumentNullException.ThrowIfNull(loggers);
        _local = new DefaultHubLifetimeManager<THub>(loggers.CreateLogger<DefaultHubLifetimeManager<THub>>());
        _state = state;
        _logger = loggers.CreateLogger<ResilientHubLifetimeManager<THub>>();
        // One Redis connection per instance, for the live hub only: the backplane state then describes that one.
        if (typeof(THub) == typeof(LiveHub))
        {
            _redis = new RedisHubLifetimeManager<THub>(loggers.CreateLogger<RedisHubLifetimeManager<THub>>(), redisOptions, protocols, globalHubOptions, hubOptions);
            _state.Restored += ReconnectLocallyServed;
        }
    }

    public override async Task OnConnectedAsync(HubConnectionContext connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _connections[connection.ConnectionId] = connection;
        await _local.OnConnectedAsync(connection);
        await ThroughRedisAsync(connection, redis => redis.OnConnectedAsync(connection));
    }

    public override async Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _connections.TryRemove(connection.ConnectionId, out _);
        var servedLocally = _servedLocally.TryRemove(connection.ConnectionId, out _);
        await _local.OnDisconnectedAsync(connection);
        if (_redis is null)
        {
            return;
        }

        try
        {
            await _redis.OnDisconnectedAsync(connection).WaitAsync(RedisCallTimeout);
        }
#pragma warning disable CA1031 // A connection Redis never fully knew may fail to leave it; it is gone either way.
        catch (Exception ex) when (servedLocally || IsRedisFailure(ex))
#pragma warning restore CA1031
        {
            // Its subscriptions die with it (or with the Redis connection).
        }
    }

    public override async Task AddToGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
    {
        await _local.AddToGroupAsync(connectionId, groupName, cancellationToken);
        if (_connections.TryGetValue(connectionId, out var connection))
        {
            await ThroughRedisAsync(connection, redis => redis.AddToGroupAsync(connectionId, groupName, cancellationToken));
        }
    }

    public override async Task RemoveFromGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
    {
        await _local.RemoveFromGroupAsync(connectionId, groupName, cancellationToken);
        if (_connections.TryGetValue(connectionId, out var connection))
        {
            await ThroughRedisAsync(connection, redis => redis.RemoveFromGroupAsync(connectionId, groupName, cancellationToken));
        }
    }

    public override Task SendAllAsync(string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendAsync(m => m.SendAllAsync(methodName, args, cancellationToken));

    public override Task SendAllExceptAsync(string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default) =>
        SendAsync(m => m.SendAllExceptAsync(methodName, args, excludedConnectionIds, cancellationToken));

    public override Task SendConnectionAsync(string connectionId, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendAsync(m => m.SendConnectionAsync(connectionId, methodName, args, cancellationToken));

    public override Task SendConnectionsAsync(IReadOnlyList<string> connectionIds, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendAsync(m => m.SendConnectionsAsync(connectionIds, methodName, args, cancellationToken));

    public override async Task SendGroupsAsync(IReadOnlyList<string> groupNames, string methodName, object?[] args, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(groupNames);
        // Group by group: if Redis fails half way, only the groups it did not take are delivered locally.
        foreach (var group in groupNames)
        {
            await SendGroupAsync(group, methodName, args, cancellationToken);
        }
    }

    public override Task SendGroupAsync(string groupName, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendAsync(m => m.SendGroupAsync(groupName, methodName, args, cancellationToken));

    public override Task SendGroupExceptAsync(string groupName, string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default) =>
        SendAsync(m => m.SendGroupExceptAsync(groupName, methodName, args, excludedConnectionIds, cancellationToken));

    public override Task SendUserAsync(string userId, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendAsync(m => m.SendUserAsync(userId, methodName, args, cancellationToken));

    public override Task SendUsersAsync(IReadOnlyList<string> userIds, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendAsync(m => m.SendUsersAsync(userIds, methodName, args, cancellationToken));

    // Client results (not used by the dashboard's hub) stay with the instance that holds the connection.
    public override Task<T> InvokeConnectionAsync<T>(string connectionId, string methodName, object?[] args, CancellationToken cancellationToken) =>
        _local.InvokeConnectionAsync<T>(connectionId, methodName, args, cancellationToken);

    public override Task SetConnectionResultAsync(string connectionId, CompletionMessage result) =>
        _local.SetConnectionResultAsync(connectionId, result);

    public override bool TryGetReturnType(string invocationId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Type? type) =>
        _local.TryGetReturnType(invocationId, out type);

    public void Dispose()
    {
        _state.Restored -= ReconnectLocallyServed;
        _redis?.Dispose();
    }

    private async Task SendAsync(Func<HubLifetimeManager<THub>, Task> send)
    {
        if (_redis is not null && !_state.KnownDown)
        {
            try
            {
                await send(_redis).WaitAsync(RedisCallTimeout);
                return;
            }
            catch (Exception ex) when (IsRedisFailure(ex))
            {
                _state.Failed(ex);
                LogDeliveringLocally(_logger, ex);
            }
        }

        await send(_local);
    }

    /// <summary>A Redis step for a connection; if Redis cannot take it, the connection is served locally until Redis returns.</summary>
    private async Task ThroughRedisAsync(HubConnectionContext connection, Func<RedisHubLifetimeManager<THub>, Task> step)
    {
        if (_redis is not { } redis)
        {
            return;
        }

        if (_state.KnownDown || _servedLocally.ContainsKey(connection.ConnectionId))
        {
            _servedLocally[connection.ConnectionId] = connection;
            // Redis may have come between the check and the mark, after the hand-over of local connections.
            if (!_state.KnownDown && _servedLocally.TryRemove(connection.ConnectionId, out _))
            {
                _ = CloseForReconnectAsync(connection);
            }

            return;
        }

        try
        {
            await step(redis).WaitAsync(RedisCallTimeout);
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            _state.Failed(ex);
            _servedLocally[connection.ConnectionId] = connection;
            LogServedLocally(_logger, connection.ConnectionId, ex);
        }
    }

    private void ReconnectLocallyServed()
    {
        foreach (var (id, connection) in _servedLocally)
        {
            if (_servedLocally.TryRemove(id, out _))
            {
                _ = CloseForReconnectAsync(connection);
            }
        }
    }

    /// <summary>
    /// Closes the connection telling the client to come back (a plain abort looks like a deliberate close to a
    /// SignalR client, which then stays away): it reconnects at once and joins the backplane with its groups.
    /// </summary>
    private static async Task CloseForReconnectAsync(HubConnectionContext connection)
    {
        try
        {
            await connection.WriteAsync(new CloseMessage("The live backplane is back: reconnecting.", allowReconnect: true)).AsTask().WaitAsync(RedisCallTimeout);
        }
#pragma warning disable CA1031 // The connection may already be gone; it is aborted either way.
        catch (Exception)
#pragma warning restore CA1031
        {
        }

        connection.Abort();
    }

    private static bool IsRedisFailure(Exception ex) =>
        ex is RedisException or TimeoutException or ObjectDisposedException or InvalidOperationException;

    [LoggerMessage(Level = LogLevel.Warning, Message = "The Redis backplane is unreachable: delivering live messages to this instance's pages only")]
    private static partial void LogDeliveringLocally(ILogger logger, Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The Redis backplane is unreachable: hub connection {ConnectionId} is served by this instance alone until it returns")]
    private static partial void LogServedLocally(ILogger logger, string connectionId, Exception ex);
}
