using System.Net;
using System.Text.Json.Serialization;
using System.Threading.Channels;
using Dashboard.Live;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Testing;

/// <summary>A hub client signed in as a demo user (by cookie, as a wall display would be), recording what arrives.</summary>
public sealed class LiveListener : IAsyncDisposable
{
    private readonly Channel<CheckInReceived> _checkIns = Channel.CreateUnbounded<CheckInReceived>();

    private LiveListener(HubConnection connection) => Connection = connection;

    public HubConnection Connection { get; }

    public static async Task<LiveListener> ConnectAsync(Uri baseAddress, string login)
    {
        var cookies = new CookieContainer();
        using (var handler = new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false })
        using (var http = new HttpClient(handler) { BaseAddress = baseAddress })
        {
            var response = await http.GetAsync(new Uri($"/account/dev-sign-in?user={login}", UriKind.Relative));
            if (response.StatusCode != HttpStatusCode.Redirect)
            {
                throw new InvalidOperationException($"Sign-in as {login} answered {(int)response.StatusCode}.");
            }
        }

        return await ConnectAsync(baseAddress, o => o.Cookies = cookies);
    }

    public static async Task<LiveListener> ConnectAsync(Uri baseAddress, Action<Microsoft.AspNetCore.Http.Connections.Client.HttpConnectionOptions> configure)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(baseAddress, LiveSetup.HubPath), configure)
            // As the dashboard's own client does: a connection the server closes (e.g. handing it to the backplane) comes back.
            .WithAutomaticReconnect([TimeSpan.Zero, TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5)])
            .AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter()))
            .Build();
        var listener = new LiveListener(connection);
        connection.On<CheckInReceived>(nameof(CheckInReceived), m => listener._checkIns.Writer.TryWrite(m));
        await connection.StartAsync();
        return listener;
    }

    /// <summary>Waits for the check-in with this id; fails after the timeout.</summary>
    public async Task<CheckInReceived> WaitForAsync(Guid checkInId, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var message = await _checkIns.Reader.ReadAsync(cts.Token);
            if (message.CheckInId == checkInId)
            {
                return message;
            }
        }
    }

    /// <summary>True if the check-in arrives within the time (for asserting that it does not).</summary>
    public async Task<bool> ArrivesWithinAsync(Guid checkInId, TimeSpan time)
    {
        try
        {
            await WaitForAsync(checkInId, time);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync() => await Connection.DisposeAsync();
}
