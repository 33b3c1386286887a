using Dashboard.Security;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Options;

namespace Dashboard.Live;

public enum LiveState
{
    Connecting,
    Connected,
    Reconnecting,
    Disconnected,
}

/// <summary>
/// The circuit's one connection to the live hub, as the circuit's user (a short-lived live token, so
/// the hub applies the same authorization as to any client). Pages subscribe to typed events here
/// instead of holding a HubConnection; after a reconnect they fetch what they missed.
/// </summary>
public sealed class LiveClient(
    AuthenticationStateProvider authentication,
    LiveTokens tokens,
    IServer server,
    IOptions<LiveOptions> options,
    ILogger<LiveClient> logger) : IAsyncDisposable
{
    private readonly SemaphoreSlim _start = new(1, 1);
    private readonly List<(string Method, Delegate Handler)> _handlers = [];
    private HubConnection? _connection;
    private bool _disposed;

    public LiveState State { get; private set; } = LiveState.Disconnected;

    /// <summary>Raised when the connection state changes; after Reconnecting -> Connected, pages catch up.</summary>
    public event Func<LiveState, Task>? StateChanged;

    public IDisposable OnCheckInReceived(Func<CheckInReceived, Task> handler) => Subscribe(nameof(CheckInReceived), handler);

    public IDisposable OnReviewChanged(Func<ReviewChanged, Task> handler) => Subscribe(nameof(ReviewChanged), handler);

    public IDisposable OnAlertRaised(Func<AlertRaised, Task> handler) => Subscribe(nameof(AlertRaised), handler);

    public IDisposable OnAlertChanged(Func<AlertChanged, Task> handler) => Subscribe(nameof(AlertChanged), handler);

    public IDisposable OnBreachChanged(Func<BreachChanged, Task> handler) => Subscribe(nameof(BreachChanged), handler);

    public IDisposable OnDeviceStatusChanged(Func<DeviceStatusChanged, Task> handler) => Subscribe(nameof(DeviceStatusChanged), handler);

    public IDisposable OnZonesChanged(Func<ZonesChanged, Task> handler) => Subscribe(nameof(ZonesChanged), handler);

    /// <summary>Opens the connection once per circuit; later calls return at once.</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        await _start.WaitAsync(ct);
        try
        {
            if (_connection is not null || _disposed)
            {
                return;
            }

            var user = CurrentUser.From((await authentication.GetAuthenticationStateAsync()).User);
            if (user is null)
            {
                return;
            }

            var connection = new HubConnectionBuilder()
                .WithUrl(HubUrl(), o =>
                {
                    o.AccessTokenProvider = () => Task.FromResult<string?>(tokens.Mint(user));
                    o.Transports = HttpTransportType.WebSockets;
                    o.SkipNegotiation = true;
                    o.ApplicationMaxBufferSize = LiveSetup.BufferBytes;
                    o.TransportMaxBufferSize = LiveSetup.BufferBytes;
                })
                .AddJsonProtocol(o => o.PayloadSerializerOptions = LiveSetup.PayloadJson)
                .WithAutomaticReconnect(new KeepTrying())
                .Build();
            connection.Reconnecting += _ => SetStateAsync(LiveState.Reconnecting);
            connection.Reconnected += _ => SetStateAsync(LiveState.Connected);
            connection.Closed += _ => SetStateAsync(LiveState.Disconnected);
            lock (_handlers)
            {
                foreach (var (method, handler) in _handlers)
                {
                    Register(connection, method, handler);
                }
            }

            _connection = connection;
            await SetStateAsync(LiveState.Connecting);
            await connection.StartAsync(ct);
            await SetStateAsync(LiveState.Connected);
        }
        catch (Exception ex) when (ex is HttpRequestException or System.Net.WebSockets.WebSocketException or InvalidOperationException)
        {
            logger.LogWarning(ex, "The live connection could not start; pages show data as of their last load");
            await SetStateAsync(LiveState.Disconnected);
        }
        finally
        {
            _start.Release();
        }
    }

    /// <summary>Receive one subject's messages; the hub refuses subjects outside the user's caseload.</summary>
    public async Task WatchSubjectAsync(Guid subjectId, CancellationToken ct)
    {
        await StartAsync(ct);
        if (_connection is { State: HubConnectionState.Connected } connection)
        {
            await connection.InvokeAsync("WatchSubject", subjectId, ct);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        _start.Dispose();
    }

    private Uri HubUrl()
    {
        if (!string.IsNullOrEmpty(options.Value.HubUrl))
        {
            return new Uri(options.Value.HubUrl);
        }

        // The circuit's own instance, over loopback; other instances' messages arrive through Redis.
        var own = Hosting.OwnAddress.Loopback(server) ?? throw new InvalidOperationException("The server has no address to reach the live hub.");
        return new Uri(own, LiveSetup.HubPath);
    }

    private Subscription Subscribe<T>(string method, Func<T, Task> handler)
    {
        lock (_handlers)
        {
            _handlers.Add((method, handler));
        }

        var registration = _connection is null ? null : Register(_connection, method, handler);
        return new Subscription(() =>
        {
            lock (_handlers)
            {
                _handlers.RemoveAll(h => ReferenceEquals(h.Handler, handler));
            }

            registration?.Dispose();
        });
    }

    private static IDisposable Register(HubConnection connection, string method, Delegate handler) => handler switch
    {
        Func<CheckInReceived, Task> h => connection.On(method, h),
        Func<ReviewChanged, Task> h => connection.On(method, h),
        Func<AlertRaised, Task> h => connection.On(method, h),
        Func<AlertChanged, Task> h => connection.On(method, h),
        Func<BreachChanged, Task> h => connection.On(method, h),
        Func<DeviceStatusChanged, Task> h => connection.On(method, h),
        Func<ZonesChanged, Task> h => connection.On(method, h),
        _ => throw new ArgumentException("Unknown live message handler.", nameof(handler)),
    };

    private async Task SetStateAsync(LiveState state)
    {
        State = state;
        if (StateChanged is { } changed)
        {
            await changed(state);
        }
    }

    private sealed class Subscription(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }

    /// <summary>Retry quickly at first, then every 10 seconds, for as long as the circuit lives.</summary>
    private sealed class KeepTrying : IRetryPolicy
    {
        public TimeSpan? NextRetryDelay(RetryContext retryContext) => retryContext.PreviousRetryCount switch
        {
            0 => TimeSpan.Zero,
            < 5 => TimeSpan.FromSeconds(1),
            < 20 => TimeSpan.FromSeconds(3),
            _ => TimeSpan.FromSeconds(10),
        };
    }
}

public sealed class LiveOptions
{
    public const string Section = "Live";

    /// <summary>Where circuits reach the hub; by default this instance over loopback.</summary>
    public string? HubUrl { get; set; }
}
