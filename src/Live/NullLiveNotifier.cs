namespace Dashboard.Live;

/// <summary>Publishes nothing: for hosts without the live channel (the migration command).</summary>
public sealed class NullLiveNotifier : ILiveNotifier
{
    public Task CheckInReceivedAsync(CheckInReceived message, CancellationToken ct) => Task.CompletedTask;
    public Task ReviewChangedAsync(ReviewChanged message, CancellationToken ct) => Task.CompletedTask;
    public Task AlertRaisedAsync(AlertRaised message, CancellationToken ct) => Task.CompletedTask;
    public Task AlertChangedAsync(AlertChanged message, CancellationToken ct) => Task.CompletedTask;
    public Task DeviceStatusChangedAsync(IReadOnlyList<DeviceStatusChanged> messages, CancellationToken ct) => Task.CompletedTask;
}
